-- Key insight 2: "Danceability > 0.7 AND Energy > 0.8 have 73% higher hit probability".
-- Hit rate of that segment / hit rate of every other track - 1, with the Katz log interval of
-- the ratio of two proportions. Population: kept tracks with measured (not imputed) audio and
-- a known hit flag (kpi_tracks in_audio_trends, is_hit not null; is_hit = int_hit_threshold,
-- the one hit definition). The thresholds are the study's own, not the KPI grid's.
{%- set danceability_above = 0.7 %}
{%- set energy_above = 0.8 %}

with tracks as (
    select
        is_hit,
        danceability > {{ danceability_above }} and energy > {{ energy_above }} as in_segment
    from {{ ref('kpi_tracks') }}
    where in_audio_trends and is_hit is not null
),

counts as (
    select
        count(*) filter (where in_segment) as segment_tracks,
        count(*) filter (where in_segment and is_hit) as segment_hits,
        count(*) filter (where not in_segment) as rest_tracks,
        count(*) filter (where not in_segment and is_hit) as rest_hits
    from tracks
),

rates as (
    select
        *,
        segment_tracks >= {{ claims_min_tracks() }} and rest_tracks >= {{ claims_min_tracks() }} as is_measurable,
        cast(segment_hits as double) / nullif(segment_tracks, 0) as segment_hit_rate,
        cast(rest_hits as double) / nullif(rest_tracks, 0) as rest_hit_rate
    from counts
)

select
    cast({{ danceability_above }} as double) as danceability_above,
    cast({{ energy_above }} as double) as energy_above,
    segment_tracks,
    segment_hits,
    segment_hit_rate,
    rest_tracks,
    rest_hits,
    rest_hit_rate,
    case when is_measurable then {{ kpi_lift('segment_hit_rate', 'rest_hit_rate') }} end as hit_rate_lift,
    case
        when is_measurable then
            {{ claims_rate_ratio_bound('segment_hits', 'segment_tracks', 'rest_hits', 'rest_tracks', -1) }} - 1
    end as hit_rate_lift_ci_low,
    case
        when is_measurable then
            {{ claims_rate_ratio_bound('segment_hits', 'segment_tracks', 'rest_hits', 'rest_tracks', 1) }} - 1
    end as hit_rate_lift_ci_high
from rates
