-- What the models read for each new track, one row per input row (quarantined rows included,
-- with their reason, so the scores file can say why a row was not scored).
-- The model-input columns are macro model_input_select (macros/column_lists.sql), the same list
-- as marts.model_features (flags coalesced to false); the rest is scoring bookkeeping.
select
    {{ model_input_select() }},
    source_index,
    track,
    audio_was_imputed,
    engagement_was_filled,
    quarantine_reason
-- catalog counts against the training warehouse's distinct tracks (macros/title_features.sql)
from ({{ catalog_track_counts(ref('int_score_input__features'), ref('tracks')) }}) as counted
