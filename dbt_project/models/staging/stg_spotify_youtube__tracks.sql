-- The raw file (source raw_tracks, read by macro raw_tracks_scan) by header name (RAW_CSV_LAYOUT: the
-- pre-flight's mapping, unset for a standard file).
{{ rename_raw_columns(raw_tracks_scan(), layout_env='RAW_CSV_LAYOUT') }}
