-- Artist-level performance. A track counts for every artist credited on it (a collaboration is
-- listed once per credited artist in the raw file), so totals over artists double-count
-- collaborations; lead_tracks counts only tracks where the artist is the first listing.
with tracks as (
    select * from {{ ref('kpi_tracks') }}
),

listings as (
    select distinct
        artist,
        uri
    from {{ ref('row_fate') }}
    where fate in ('kept', 'duplicate') and artist is not null
),

credited as (
    select
        listings.artist,
        listings.artist = tracks.artist as is_lead_artist,
        {{ star_except(['artist'], 'tracks.') }}
    from listings
    inner join tracks using (uri)
),

aggregated as (
    select
        artist,
        count(*) as tracks,
        count(*) filter (where is_lead_artist) as lead_tracks,
        count(*) filter (where in_stream_kpis) as tracks_with_streams,
        cast(coalesce(sum(stream), 0) as bigint) as total_streams,
        avg(stream) as mean_streams,
        median(stream) as median_streams,
        count(*) filter (where has_youtube_video) as tracks_with_video,
        cast(coalesce(sum(views), 0) as bigint) as total_views,
        median(views) filter (where has_youtube_video) as median_views,
        count(*) filter (where in_engagement) as engagement_tracks,
        {{ kpi_mean_engagement('youtube_engagement', 'in_engagement') }} as mean_engagement_rate,
        {{ kpi_weighted_engagement('likes', 'comments', 'views', 'in_engagement') }} as weighted_engagement_rate,
        {{ kpi_hit_count('is_hit') }} as hit_tracks,
        {{ kpi_hit_rate('is_hit') }} as hit_rate,
        {{ kpi_share('official_video') }} as official_video_share
    from credited
    group by artist
)

select
    artist,
    tracks,
    lead_tracks,
    tracks_with_streams,
    total_streams,
    mean_streams,
    median_streams,
    tracks_with_video,
    total_views,
    median_views,
    engagement_tracks,
    mean_engagement_rate,
    weighted_engagement_rate,
    {{ kpi_vs_benchmark('weighted_engagement_rate') }} as weighted_engagement_vs_benchmark,
    hit_tracks,
    hit_rate,
    official_video_share,
    cast(rank() over (order by total_streams desc) as bigint) as stream_rank
from aggregated
