-- The file of new tracks renamed to snake_case, still text, with its row position (row_id).
-- Same macro as the raw file's staging model; columns listed in var('score_missing_columns')
-- (e.g. Stream) may be absent from the file and come out null.
{{ rename_raw_columns(
    source('score_input', 'new_tracks'),
    missing_columns=var('score_missing_columns', [])
) }}
