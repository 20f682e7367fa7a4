-- The ASSUMPTIONS (dbt vars, documented defaults in dbt_project.yml; planning inputs, not
-- measured) that mv_priority_matrix and ar_checklist were built with, as one row, so reports and
-- analysts read the values actually used; mv_priority_matrix takes its cost axis from here. Built in the same dbt pass as
-- those marts (it depends on ml.runs: run_id is the latest training run, null before any).
select
    {{ latest_run_id(ref('stg_ml__runs')) }} as run_id,
    cast({{ var('mv_high_budget_video_cost') }} as double) as mv_high_budget_video_cost,
    cast({{ var('mv_lyric_video_cost') }} as double) as mv_lyric_video_cost,
    cast({{ var('mv_value_per_stream') }} as double) as mv_value_per_stream,
    cast({{ var('mv_high_budget_top_share') }} as double) as mv_high_budget_top_share,
    cast({{ var('mv_max_break_even_lift') }} as double) as mv_max_break_even_lift,
    cast({{ var('ar_min_segment_tracks') }} as bigint) as ar_min_segment_tracks,
    cast({{ var('ar_confidence_z') }} as double) as ar_confidence_z
