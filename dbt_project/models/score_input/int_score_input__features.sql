-- New tracks imputed with the TRAINING medians stored with the models (source score_reference)
-- and every derived feature, by the same macro as int_tracks__features. No de-duplication: one
-- row per input row.
{{ clean_and_derive(ref('int_score_input__typed'), source('score_reference', 'audio_medians')) }}
