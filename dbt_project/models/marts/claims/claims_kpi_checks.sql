-- The study's KPI and data-quality figures with their 95% intervals, one row. Point values are
-- reused from kpi_summary (same populations: the in_* flags of kpi_tracks); the spreads the
-- intervals need are computed here from kpi_tracks over the same populations.
with summary as (
    select * from {{ ref('kpi_summary') }}
),

tracks as (
    select * from {{ ref('kpi_tracks') }}
),

video as (
    select
        var_samp(stream) filter (where video_group = 'official') as variance_streams_official,
        var_samp(stream) filter (where video_group = 'unofficial') as variance_streams_unofficial
    from tracks
    where in_video_lift
),

engagement as (
    select
        {{ claims_mean_bound('youtube_engagement', -1) }} as mean_engagement_ci_low,
        {{ claims_mean_bound('youtube_engagement', 1) }} as mean_engagement_ci_high,
        count(*) as engagement_tracks,
        avg(cast(views as double)) as mean_views
    from tracks
    where in_engagement
),

-- ratio estimator sum(y) / sum(x): var ~ sum((y - R x)^2) / ((n - 1) n mean(x)^2)
weighted_residuals as (
    select sum(pow((likes + comments) - summary.weighted_engagement_rate * views, 2)) as squared_residuals
    from tracks
    cross join summary
    where tracks.in_engagement
),

weighted as (
    select
        summary.weighted_engagement_rate
        - {{ claims_z() }} * sqrt(
            weighted_residuals.squared_residuals
            / ((engagement.engagement_tracks - 1) * engagement.engagement_tracks * pow(engagement.mean_views, 2))
        ) as weighted_engagement_ci_low,
        summary.weighted_engagement_rate
        + {{ claims_z() }} * sqrt(
            weighted_residuals.squared_residuals
            / ((engagement.engagement_tracks - 1) * engagement.engagement_tracks * pow(engagement.mean_views, 2))
        ) as weighted_engagement_ci_high
    from summary
    cross join engagement
    cross join weighted_residuals
    where engagement.engagement_tracks > 1
)

select
    summary.correlation_tracks,
    summary.pearson_streams_views,
    {{ claims_fisher_bound('summary.pearson_streams_views', 'summary.correlation_tracks', -1) }} as pearson_ci_low,
    {{ claims_fisher_bound('summary.pearson_streams_views', 'summary.correlation_tracks', 1) }} as pearson_ci_high,
    summary.official_video_tracks,
    summary.unofficial_video_tracks,
    summary.official_video_mean_stream_lift,
    {{ claims_ratio_of_means_bound('summary.mean_streams_official', 'video.variance_streams_official',
        'summary.official_video_tracks', 'summary.mean_streams_unofficial',
        'video.variance_streams_unofficial', 'summary.unofficial_video_tracks', -1) }} - 1 as video_lift_ci_low,
    {{ claims_ratio_of_means_bound('summary.mean_streams_official', 'video.variance_streams_official',
        'summary.official_video_tracks', 'summary.mean_streams_unofficial',
        'video.variance_streams_unofficial', 'summary.unofficial_video_tracks', 1) }} - 1 as video_lift_ci_high,
    summary.engagement_tracks,
    summary.engagement_benchmark,
    summary.mean_engagement_rate,
    engagement.mean_engagement_ci_low,
    engagement.mean_engagement_ci_high,
    {{ kpi_lift('summary.mean_engagement_rate', 'summary.engagement_benchmark') }} as mean_engagement_lift,
    {{ kpi_lift('engagement.mean_engagement_ci_low', 'summary.engagement_benchmark') }} as mean_engagement_lift_ci_low,
    {{ kpi_lift('engagement.mean_engagement_ci_high', 'summary.engagement_benchmark') }} as mean_engagement_lift_ci_high,
    summary.weighted_engagement_rate,
    weighted.weighted_engagement_ci_low,
    weighted.weighted_engagement_ci_high,
    {{ kpi_lift('summary.weighted_engagement_rate', 'summary.engagement_benchmark') }} as weighted_engagement_lift,
    {{ kpi_lift('weighted.weighted_engagement_ci_low', 'summary.engagement_benchmark') }} as weighted_engagement_lift_ci_low,
    {{ kpi_lift('weighted.weighted_engagement_ci_high', 'summary.engagement_benchmark') }} as weighted_engagement_lift_ci_high,
    summary.data_quality_score,
    summary.raw_rows,
    summary.rows_quarantined,
    summary.rows_duplicate,
    summary.rows_outlier,
    summary.rows_kept + summary.rows_outlier as rows_before_outlier_rule,
    cast(summary.rows_outlier as double) / nullif(summary.rows_kept + summary.rows_outlier, 0) as outlier_share_of_rule_input,
    cast(summary.rows_outlier as double) / nullif(summary.raw_rows, 0) as outlier_share_of_raw_rows
from summary
cross join video
cross join engagement
left join weighted on true
