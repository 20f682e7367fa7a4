-- New tracks typed and checked by the same rules as the warehouse (quarantine_reason per row).
{{ typed_tracks(ref('stg_score_input__tracks')) }}
