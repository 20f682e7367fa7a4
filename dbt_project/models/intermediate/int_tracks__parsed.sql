-- The one read of the raw CSV: typed values and a quarantine reason for every raw row, stored in
-- file order. No row_id column: int_tracks__typed exposes this table's rowid as row_id. The staging
-- view's row_id (row_number() over ()) is not selected, so DuckDB drops that window and the CSV
-- scan runs on every thread (the window made the whole read single-threaded); with
-- preserve_insertion_order (profiles.yml) the table keeps the file's record order, so rowid is the
-- 0-based record position.
-- The long multi-line video description is parsed (the staging view) but not stored: no model,
-- KPI or test reads it, and it is the widest column of the file (about a third of its bytes).
-- Nor is the artist's Spotify URL (url_spotify): no mart, report or model reads it.
select {{ star_except(parsed_excluded_columns()) }}
from (
    {{ typed_tracks(ref('stg_spotify_youtube__tracks')) }}
)
