-- Distinct tracks, imputed, with every derived feature (formulas in macros/features.sql).
{{ clean_and_derive(
    "(select " ~ star_except(['duplicate_of_row_id']) ~ " from " ~ ref('int_tracks__deduplicated') ~ " where duplicate_of_row_id is null)",
    ref('int_audio_medians')
) }}
