-- What the models read for each new track, one row per input row (quarantined rows included,
-- with their reason, so the scores file can say why a row was not scored).
-- The model-input columns are macro model_input_select (macros/column_lists.sql), the same list
-- as marts.model_features (flags coalesced to false); the rest is scoring bookkeeping.
with youtube as (
    select
        row_id,
        (
            url_youtube is not null or title is not null or channel is not null
            or views is not null or likes is not null or comments is not null
        ) as has_youtube_data
    from {{ ref('int_score_input__typed') }}
),

features as (
    select
        imputed.*,
        youtube.has_youtube_data
    from {{ ref('int_score_input__features') }} as imputed
    inner join youtube using (row_id)
)

select
    {{ model_input_select() }},
    source_index,
    track,
    has_youtube_data,
    audio_was_imputed,
    engagement_was_filled,
    quarantine_reason
from features
order by row_id
