-- The one read of the raw CSV: typed values and a quarantine reason for every raw row.
{{ typed_tracks(ref('stg_spotify_youtube__tracks')) }}
