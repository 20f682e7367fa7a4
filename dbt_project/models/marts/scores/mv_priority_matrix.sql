-- Music-video priority matrix: predicted streams x cost efficiency, one row per scored track.
-- A high-budget video is recommended only for the top var('mv_high_budget_top_share') of
-- predicted streams, a lyric video otherwise; costs and the value of a stream are dbt vars.
with scores as (
    select * from {{ ref('track_scores') }}
),

ranked as (
    select
        *,
        cast(row_number() over (order by predicted_streams desc, uri asc) as bigint) as predicted_streams_rank,
        cume_dist() over (order by predicted_streams desc) as predicted_streams_top_share
    from scores
    where predicted_streams is not null
),

recommended as (
    select
        *,
        predicted_streams_top_share <= {{ var('mv_high_budget_top_share') }} as in_top_predicted,
        case
            when predicted_streams_top_share <= {{ var('mv_high_budget_top_share') }}
                then 'high_budget'
            else 'lyric'
        end as recommended_video,
        case
            when predicted_streams_top_share <= {{ var('mv_high_budget_top_share') }}
                then cast({{ var('mv_high_budget_video_cost') }} as double)
            else cast({{ var('mv_lyric_video_cost') }} as double)
        end as recommended_video_cost
    from ranked
),

economics as (
    select
        *,
        {{ mv_stream_value('predicted_streams') }} as predicted_stream_value,
        {{ mv_cost_efficiency('recommended_video_cost', 'predicted_streams') }} as cost_efficiency,
        {{ mv_break_even_lift('recommended_video_cost', 'predicted_streams') }} as break_even_lift,
        {{ mv_break_even_lift(var('mv_high_budget_video_cost'), 'predicted_streams') }} as high_budget_break_even_lift,
        {{ mv_break_even_lift(var('mv_lyric_video_cost'), 'predicted_streams') }} as lyric_break_even_lift
    from recommended
),

tiered as (
    select
        *,
        coalesce(break_even_lift <= {{ var('mv_max_break_even_lift') }}, false) as is_cost_efficient,
        case
            when in_top_predicted and coalesce(break_even_lift <= {{ var('mv_max_break_even_lift') }}, false)
                then 'P1 high-budget video'
            when in_top_predicted then 'P2 high-budget video, check budget'
            when coalesce(break_even_lift <= {{ var('mv_max_break_even_lift') }}, false)
                then 'P3 lyric video'
            else 'P4 lyric video, low priority'
        end as priority_tier
    from economics
)

select
    uri,
    row_id,
    artist,
    track,
    run_id,
    split,
    coalesce(official_video, false) as has_official_video,
    stream,
    predicted_streams,
    predicted_streams_rank,
    predicted_streams_top_share,
    in_top_predicted,
    hit_probability,
    predicted_views,
    recommended_video,
    recommended_video_cost,
    predicted_stream_value,
    cost_efficiency,
    break_even_lift,
    high_budget_break_even_lift,
    lyric_break_even_lift,
    is_cost_efficient,
    priority_tier,
    cast(row_number() over (order by priority_tier asc, cost_efficiency desc nulls last, uri asc) as bigint) as priority_rank
from tiered
