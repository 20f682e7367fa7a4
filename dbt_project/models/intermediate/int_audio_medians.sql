-- Medians of every audio feature over the distinct tracks: the imputation values
-- (also used to impute new tracks at scoring time).
with distinct_tracks as (
    select * from {{ ref('int_tracks__deduplicated') }}
    where duplicate_of_row_id is null
)

select
    {%- for name in audio_feature_names() %}
    median({{ name }}) as median_{{ name }},
    {%- endfor %}
    count(*) as distinct_tracks
from distinct_tracks
