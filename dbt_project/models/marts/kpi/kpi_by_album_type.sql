-- Performance by album type (album / single / compilation; 'unknown' when missing), with lifts
-- of the hit rate and the median streams against all kept tracks.
with tracks as (
    select
        coalesce(album_type, 'unknown') as album_type,
        {{ star_except(['album_type']) }}
    from {{ ref('kpi_tracks') }}
),

overall as (
    select
        count(*) as all_tracks,
        median(stream) as overall_median_streams,
        {{ kpi_hit_rate('is_hit') }} as overall_hit_rate
    from tracks
),

aggregated as (
    select
        album_type,
        count(*) as tracks,
        count(*) filter (where in_stream_kpis) as tracks_with_streams,
        cast(coalesce(sum(stream), 0) as bigint) as total_streams,
        avg(stream) as mean_streams,
        median(stream) as median_streams,
        median(views) filter (where has_youtube_video) as median_views,
        {{ kpi_mean_engagement('youtube_engagement', 'in_engagement') }} as mean_engagement_rate,
        {{ kpi_weighted_engagement('likes', 'comments', 'views', 'in_engagement') }} as weighted_engagement_rate,
        {{ kpi_hit_count('is_hit') }} as hit_tracks,
        {{ kpi_hit_rate('is_hit') }} as hit_rate,
        {{ kpi_share('official_video') }} as official_video_share
    from tracks
    group by album_type
)

select
    aggregated.album_type,
    aggregated.tracks,
    cast(aggregated.tracks as double) / overall.all_tracks as share_of_tracks,
    aggregated.tracks_with_streams,
    aggregated.total_streams,
    aggregated.mean_streams,
    aggregated.median_streams,
    {{ kpi_lift('aggregated.median_streams', 'overall.overall_median_streams') }} as median_streams_lift,
    aggregated.median_views,
    aggregated.mean_engagement_rate,
    aggregated.weighted_engagement_rate,
    {{ kpi_vs_benchmark('aggregated.weighted_engagement_rate') }} as weighted_engagement_vs_benchmark,
    aggregated.hit_tracks,
    aggregated.hit_rate,
    {{ kpi_lift('aggregated.hit_rate', 'overall.overall_hit_rate') }} as hit_rate_lift,
    aggregated.official_video_share
from aggregated
cross join overall
