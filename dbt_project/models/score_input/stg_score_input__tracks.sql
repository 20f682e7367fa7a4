-- The file of new tracks by header name, still text, with its row position (row_id). Same macro
-- as the raw file's staging model; columns the file lacks (SCORE_INPUT_LAYOUT "missing") are null.
{{ rename_raw_columns(source('score_input', 'new_tracks'), layout_env='SCORE_INPUT_LAYOUT') }}
