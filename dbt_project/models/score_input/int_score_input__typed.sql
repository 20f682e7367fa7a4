-- New tracks typed and checked by the same rules as the warehouse (quarantine_reason per row);
-- a new track needs no Uri to be scored.
{{ typed_tracks(ref('stg_score_input__tracks'), require_uri=false) }}
