-- Key insight 1: "tracks with high YouTube engagement generate 2.3x more Spotify streams on
-- average". Two readings of "high engagement", one row each: the top engagement quartile
-- against the other three quartiles, and tracks above the median against those at or below
-- it. Population: kept tracks (kpi_tracks: distinct Uri, not an outlier) in the KPI engagement
-- population (a video with views > 0 and real like/comment counts) with known streams.
{%- set min_tracks = claims_min_tracks() %}

with tracks as (
    select
        stream,
        youtube_engagement as engagement
    from {{ ref('kpi_tracks') }}
    where in_engagement and in_stream_kpis
),

cuts as (
    select
        'top_quartile' as split,
        1 as split_order,
        'top engagement quartile vs the other three quartiles' as split_description,
        {{ quantile_cont('engagement', 0.75) }} as engagement_cut
    from tracks
    union all
    select
        'above_median' as split,
        2 as split_order,
        'above the median engagement vs at or below it' as split_description,
        {{ quantile_cont('engagement', 0.5) }} as engagement_cut
    from tracks
),

grouped as (
    select
        cuts.split,
        tracks.stream,
        tracks.engagement > cuts.engagement_cut as is_high
    from cuts
    cross join tracks
),

ranked as (
    select
        split,
        is_high,
        stream,
        row_number() over (partition by split, is_high order by stream) as stream_rank,
        count(*) over (partition by split, is_high) as group_tracks
    from grouped
),

median_bounds as (
    select
        split,
        max(stream) filter (
            where is_high and stream_rank = {{ claims_median_rank('group_tracks', -1) }}
        ) as median_high_low,
        max(stream) filter (
            where is_high and stream_rank = {{ claims_median_rank('group_tracks', 1) }}
        ) as median_high_high,
        max(stream) filter (
            where not is_high and stream_rank = {{ claims_median_rank('group_tracks', -1) }}
        ) as median_rest_low,
        max(stream) filter (
            where not is_high and stream_rank = {{ claims_median_rank('group_tracks', 1) }}
        ) as median_rest_high
    from ranked
    group by split
),

aggregated as (
    select
        split,
        count(*) filter (where is_high) as high_tracks,
        count(*) filter (where not is_high) as rest_tracks,
        avg(stream) filter (where is_high) as mean_streams_high,
        avg(stream) filter (where not is_high) as mean_streams_rest,
        var_samp(stream) filter (where is_high) as variance_streams_high,
        var_samp(stream) filter (where not is_high) as variance_streams_rest,
        median(stream) filter (where is_high) as median_streams_high,
        median(stream) filter (where not is_high) as median_streams_rest
    from grouped
    group by split
),

joined as (
    select
        cuts.split,
        cuts.split_order,
        cuts.split_description,
        cuts.engagement_cut,
        aggregated.high_tracks,
        aggregated.rest_tracks,
        aggregated.high_tracks >= {{ min_tracks }} and aggregated.rest_tracks >= {{ min_tracks }} as is_measurable,
        aggregated.mean_streams_high,
        aggregated.mean_streams_rest,
        aggregated.variance_streams_high,
        aggregated.variance_streams_rest,
        aggregated.median_streams_high,
        aggregated.median_streams_rest,
        median_bounds.median_high_low,
        median_bounds.median_high_high,
        median_bounds.median_rest_low,
        median_bounds.median_rest_high
    from cuts
    left join aggregated using (split)
    left join median_bounds using (split)
)

select
    split,
    split_order,
    split_description,
    engagement_cut,
    coalesce(high_tracks, 0) as high_tracks,
    coalesce(rest_tracks, 0) as rest_tracks,
    mean_streams_high,
    mean_streams_rest,
    case when is_measurable then mean_streams_high / nullif(mean_streams_rest, 0) end as mean_ratio,
    case
        when is_measurable then
            {{ claims_ratio_of_means_bound('mean_streams_high', 'variance_streams_high', 'high_tracks',
                'mean_streams_rest', 'variance_streams_rest', 'rest_tracks', -1) }}
    end as mean_ratio_ci_low,
    case
        when is_measurable then
            {{ claims_ratio_of_means_bound('mean_streams_high', 'variance_streams_high', 'high_tracks',
                'mean_streams_rest', 'variance_streams_rest', 'rest_tracks', 1) }}
    end as mean_ratio_ci_high,
    median_streams_high,
    median_streams_rest,
    case when is_measurable then median_streams_high / nullif(median_streams_rest, 0) end as median_ratio,
    case when is_measurable then cast(median_high_low as double) / nullif(median_rest_high, 0) end as median_ratio_ci_low,
    case when is_measurable then cast(median_high_high as double) / nullif(median_rest_low, 0) end as median_ratio_ci_high
from joined
order by split_order
