-- Music-video priority matrix: predicted streams x cost efficiency, one row per scored track.
-- A high-budget video is recommended only for the top mv_high_budget_top_share of predicted
-- streams, a lyric video otherwise. Costs, the value of a stream and the thresholds are
-- ASSUMPTIONS (dbt vars), read from the one row of marts.score_assumptions.
-- Expected incremental streams = predicted streams x the official-video effect: the effect
-- WITHIN ARTIST (H2b of ml.hypothesis_tests, `python -m ml stats`) when it was estimated, else
-- the raw lift of marts.official_video_impact (confounded by artist size); video_effect_source
-- says which one. Both are observational: planning figures, not a causal forecast.
-- The rankings (two window sorts) and the economics run on narrow rows (uri, row_id, predicted
-- streams and what derives from them); the descriptive columns join back once, by uri (the key
-- of track_scores). A sort carries every column of its rows: at 10M tracks the wide rows of the
-- two sorts spilled past the 4 GB memory limit. The priority order sorts only its keys and
-- row_id (the ~25 economics columns join back by row_id, unique like uri and a cheaper key),
-- and track_scores is read twice rather than copied once into a CTE both readers share: at
-- 10M tracks the select went from 34 to 22 CPU-s.
with assumptions as (
    select * from {{ ref('score_assumptions') }}
),

within_artist as (
    select max(estimate) as lift
    from {{ ref('stg_ml__hypothesis_tests') }}
    where hypothesis = 'H2b' and estimate is not null
),

raw_lift as (
    select max(mean_stream_lift) as lift
    from {{ ref('official_video_impact') }}
    where video_group = 'official'
),

video_effect as (
    select
        coalesce(within_artist.lift, raw_lift.lift) as video_effect_lift,
        case
            when within_artist.lift is not null then 'within_artist'
            when raw_lift.lift is not null then 'raw'
        end as video_effect_source
    from within_artist
    cross join raw_lift
),

ranked as (
    select
        row_id,
        uri,
        predicted_streams,
        cast(row_number() over (order by predicted_streams desc, uri asc) as bigint) as predicted_streams_rank,
        cume_dist() over (order by predicted_streams desc) as predicted_streams_top_share
    from {{ ref('track_scores') }}
    where predicted_streams is not null
),

recommended as (
    select
        ranked.*,
        assumptions.mv_high_budget_video_cost,
        assumptions.mv_lyric_video_cost,
        assumptions.mv_value_per_stream,
        assumptions.mv_max_break_even_lift,
        video_effect.video_effect_lift,
        video_effect.video_effect_source,
        ranked.predicted_streams_top_share <= assumptions.mv_high_budget_top_share as in_top_predicted,
        case
            when ranked.predicted_streams_top_share <= assumptions.mv_high_budget_top_share
                then 'high_budget'
            else 'lyric'
        end as recommended_video,
        case
            when ranked.predicted_streams_top_share <= assumptions.mv_high_budget_top_share
                then assumptions.mv_high_budget_video_cost
            else assumptions.mv_lyric_video_cost
        end as recommended_video_cost
    from ranked
    cross join assumptions
    cross join video_effect
),

economics as (
    select
        *,
        {{ mv_stream_value('predicted_streams', 'mv_value_per_stream') }} as predicted_stream_value,
        {{ mv_cost_efficiency('recommended_video_cost', 'predicted_streams', 'mv_value_per_stream') }} as cost_efficiency,
        {{ mv_break_even_lift('recommended_video_cost', 'predicted_streams', 'mv_value_per_stream') }} as break_even_lift,
        {{ mv_break_even_lift('mv_high_budget_video_cost', 'predicted_streams', 'mv_value_per_stream') }} as high_budget_break_even_lift,
        {{ mv_break_even_lift('mv_lyric_video_cost', 'predicted_streams', 'mv_value_per_stream') }} as lyric_break_even_lift,
        predicted_streams * video_effect_lift as expected_incremental_streams
    from recommended
),

tiered as (
    select
        *,
        {{ mv_stream_value('expected_incremental_streams', 'mv_value_per_stream') }} as expected_incremental_value,
        coalesce(break_even_lift <= mv_max_break_even_lift, false) as is_cost_efficient,
        case
            when in_top_predicted and coalesce(break_even_lift <= mv_max_break_even_lift, false)
                then 'P1 high-budget video'
            when in_top_predicted then 'P2 high-budget video, check budget'
            when coalesce(break_even_lift <= mv_max_break_even_lift, false)
                then 'P3 lyric video'
            else 'P4 lyric video, low priority'
        end as priority_tier
    from economics
),

priority as (
    select
        row_id,
        cast(row_number() over (order by priority_tier asc, cost_efficiency desc nulls last, uri asc) as bigint) as priority_rank
    from tiered
),

prioritized as (
    select
        tiered.*,
        priority.priority_rank
    from tiered
    inner join priority using (row_id)
)

select
    prioritized.uri,
    prioritized.row_id,
    scores.artist,
    scores.track,
    scores.run_id,
    scores.split,
    coalesce(scores.official_video, false) as has_official_video,
    scores.stream,
    prioritized.predicted_streams,
    prioritized.predicted_streams_rank,
    prioritized.predicted_streams_top_share,
    prioritized.in_top_predicted,
    scores.hit_probability,
    scores.predicted_views,
    prioritized.recommended_video,
    prioritized.recommended_video_cost,
    prioritized.predicted_stream_value,
    prioritized.cost_efficiency,
    prioritized.break_even_lift,
    prioritized.high_budget_break_even_lift,
    prioritized.lyric_break_even_lift,
    prioritized.is_cost_efficient,
    prioritized.priority_tier,
    prioritized.priority_rank,
    prioritized.video_effect_lift,
    prioritized.video_effect_source,
    prioritized.expected_incremental_streams,
    prioritized.expected_incremental_value,
    prioritized.expected_incremental_value - prioritized.recommended_video_cost as expected_net_value,
    coalesce(prioritized.break_even_lift <= prioritized.video_effect_lift, false) as pays_off_at_video_effect
from prioritized
inner join {{ ref('track_scores') }} as scores using (uri)
