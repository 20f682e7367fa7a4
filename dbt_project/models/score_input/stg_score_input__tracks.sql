-- The file of new tracks by header name, still text, with its row position (row_id). Same macro
-- as the raw file's staging model; columns the file lacks (SCORE_INPUT_LAYOUT "missing") are null.
{{ rename_raw_columns(
    raw_csv_scan('score_input', 'new_tracks', 'SCORE_INPUT_PATH', '../data/score_input.csv', 'SCORE_INPUT_DELIM'),
    layout_env='SCORE_INPUT_LAYOUT'
) }}
