-- The raw file by header name (RAW_CSV_LAYOUT: the pre-flight's mapping, unset for a standard file).
{{ rename_raw_columns(source('spotify_youtube', 'raw_tracks'), layout_env='RAW_CSV_LAYOUT') }}
