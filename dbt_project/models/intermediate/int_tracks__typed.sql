-- The one read of the raw CSV: typed values and a quarantine reason for every raw row.
-- The long multi-line video description is parsed (the staging view) but not stored: no model,
-- KPI or test reads it, and it is the widest column of the file (about a third of its bytes).
select * exclude (description)
from (
    {{ typed_tracks(ref('stg_spotify_youtube__tracks')) }}
)
