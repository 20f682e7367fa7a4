-- One row of headline KPIs. Populations (see _kpi__models.yml): kept tracks from kpi_tracks,
-- narrowed by its in_* flags; cleaning counts from row_fate over every raw row.
{%- set outlier_columns = var('outlier_columns') %}

with tracks as (
    select * from {{ ref('kpi_tracks') }}
),

fates as (
    select * from {{ ref('row_fate') }}
),

hit_threshold as (
    select * from {{ ref('int_hit_threshold') }}
),

totals as (
    select
        count(*) as tracks,
        count(distinct artist) as artists,
        count(*) filter (where in_stream_kpis) as tracks_with_streams,
        cast(coalesce(sum(stream), 0) as bigint) as total_streams,
        median(stream) as median_streams,
        count(*) filter (where has_youtube_video) as tracks_with_video,
        cast(coalesce(sum(views), 0) as bigint) as total_views,
        median(views) filter (where has_youtube_video) as median_views
    from tracks
),

ranked as (
    select
        stream,
        views,
        log_streams,
        log_views,
        {{ kpi_average_rank('stream') }} as stream_rank,
        {{ kpi_average_rank('views') }} as views_rank
    from tracks
    where in_correlation
),

correlations as (
    select
        count(*) as correlation_tracks,
        {{ kpi_pearson('stream', 'views') }} as pearson_streams_views,
        {{ kpi_pearson('log_streams', 'log_views') }} as pearson_log_streams_log_views,
        {{ kpi_pearson('stream_rank', 'views_rank') }} as spearman_streams_views
    from ranked
),

engagement as (
    select
        count(*) as engagement_tracks,
        {{ kpi_mean_engagement('youtube_engagement') }} as mean_engagement_rate,
        {{ kpi_weighted_engagement('likes', 'comments', 'views') }} as weighted_engagement_rate
    from tracks
    where in_engagement
),

video as (
    select
        count(*) filter (where video_group = 'official') as official_video_tracks,
        count(*) filter (where video_group = 'unofficial') as unofficial_video_tracks,
        avg(stream) filter (where video_group = 'official') as mean_streams_official,
        avg(stream) filter (where video_group = 'unofficial') as mean_streams_unofficial,
        median(stream) filter (where video_group = 'official') as median_streams_official,
        median(stream) filter (where video_group = 'unofficial') as median_streams_unofficial
    from tracks
    where in_video_lift
),

hits as (
    select
        {{ kpi_hit_count('is_hit') }} as hit_tracks,
        {{ kpi_hit_rate('is_hit') }} as hit_rate
    from tracks
),

quality as (
    select
        count(*) as raw_rows,
        count(*) filter (where fate = 'kept') as rows_kept,
        count(*) filter (where fate = 'quarantined') as rows_quarantined,
        count(*) filter (where fate = 'duplicate') as rows_duplicate,
        count(*) filter (where fate = 'outlier') as rows_outlier,
        {%- set by_column = [] %}
        {%- for column in outlier_columns %}
        {%- do by_column.append((column, "count(*) filter (where fate = 'outlier' and outlier_column = '" ~ column ~ "')")) %}
        {%- endfor %}
        {{ map_string_bigint(by_column) }} as rows_outlier_by_column
    from fates
),

completeness as (
    select
        count(*) filter (where audio_was_imputed) as kept_tracks_audio_imputed,
        count(*) filter (where engagement_was_filled) as kept_tracks_engagement_filled,
        count(*) filter (where not audio_was_imputed and not engagement_was_filled) as kept_tracks_complete
    from tracks
)

select
    totals.tracks,
    totals.artists,
    totals.tracks_with_streams,
    totals.total_streams,
    totals.median_streams,
    totals.tracks_with_video,
    totals.total_views,
    totals.median_views,
    correlations.correlation_tracks,
    correlations.pearson_streams_views,
    correlations.pearson_log_streams_log_views,
    correlations.spearman_streams_views,
    engagement.engagement_tracks,
    engagement.mean_engagement_rate,
    engagement.weighted_engagement_rate,
    {{ kpi_engagement_benchmark() }} as engagement_benchmark,
    {{ kpi_vs_benchmark('engagement.mean_engagement_rate') }} as mean_engagement_vs_benchmark,
    {{ kpi_vs_benchmark('engagement.weighted_engagement_rate') }} as weighted_engagement_vs_benchmark,
    video.official_video_tracks,
    video.unofficial_video_tracks,
    video.mean_streams_official,
    video.mean_streams_unofficial,
    {{ kpi_lift('video.mean_streams_official', 'video.mean_streams_unofficial') }} as official_video_mean_stream_lift,
    video.median_streams_official,
    video.median_streams_unofficial,
    {{ kpi_lift('video.median_streams_official', 'video.median_streams_unofficial') }} as official_video_median_stream_lift,
    hit_threshold.hit_quantile,
    hit_threshold.hit_threshold_streams,
    hits.hit_tracks,
    hits.hit_rate,
    quality.raw_rows,
    quality.rows_kept,
    quality.rows_quarantined,
    quality.rows_duplicate,
    quality.rows_outlier,
    quality.rows_outlier_by_column,
    completeness.kept_tracks_audio_imputed,
    completeness.kept_tracks_engagement_filled,
    completeness.kept_tracks_complete,
    cast(completeness.kept_tracks_complete as double) / nullif(quality.raw_rows - quality.rows_duplicate, 0) as data_quality_score
from totals
cross join correlations
cross join engagement
cross join video
cross join hits
cross join hit_threshold
cross join quality
cross join completeness
