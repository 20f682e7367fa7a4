-- New tracks imputed with the TRAINING warehouse's medians and every derived feature, by the
-- same macro as int_tracks__features. No de-duplication: one row per input row.
{{ clean_and_derive(ref('int_score_input__typed'), ref('int_audio_medians')) }}
