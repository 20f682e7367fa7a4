-- The raw file (source raw_tracks, read by macro raw_csv_scan) by header name (RAW_CSV_LAYOUT: the
-- pre-flight's mapping, unset for a standard file).
{{ rename_raw_columns(
    raw_csv_scan('spotify_youtube', 'raw_tracks', 'RAW_DATA_PATH', '../data/raw/Spotify_Youtube.csv', 'RAW_CSV_DELIM'),
    layout_env='RAW_CSV_LAYOUT'
) }}
