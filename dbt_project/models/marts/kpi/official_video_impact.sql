-- What an official music video goes with: kept tracks by video group. The lift compares
-- 'official' with 'unofficial' (a YouTube video that is not the official one), both among
-- tracks with known streams; 'unknown' (no video matched, flag missing) is shown, never compared.
-- The raw lift is confounded (big artists both get official videos and stream more), so the
-- official row also carries the effect WITHIN ARTIST: least squares of ln(1 + streams) on the
-- official flag, both demeaned within artist (artist fixed effects), over the same tracks
-- (in_video_lift) with a known artist; only artists with both kinds of tracks inform it.
-- Its 95% interval (cluster bootstrap over artists) is computed by `python -m ml stats`
-- (ml/statistics/video_effect.py) and stored as row H2b of marts.hypothesis_tests.
with tracks as (
    select * from {{ ref('kpi_tracks') }}
),

video_groups as (
    select
        'official' as video_group,
        1 as group_order,
        'YouTube video is the official music video' as group_description
    union all
    select
        'unofficial' as video_group,
        2 as group_order,
        'YouTube video exists but is not the official one' as group_description
    union all
    select
        'unknown' as video_group,
        3 as group_order,
        'no YouTube video matched (official_video missing)' as group_description
),

demeaned as (
    select
        artist,
        log_streams - avg(log_streams) over (partition by artist) as dy,
        official_flag - avg(official_flag) over (partition by artist) as dx,
        min(official_flag) over (partition by artist)
        < max(official_flag) over (partition by artist) as has_both_kinds
    from (
        select
            artist,
            log_streams,
            cast(video_group = 'official' as double) as official_flag
        from tracks
        where in_video_lift and artist is not null
    ) as video_tracks
),

within_artist as (
    select
        sum(dy * dx) / nullif(sum(dx * dx), 0) as within_artist_log_effect,
        count(distinct artist) as within_artist_artists,
        count(*) as within_artist_tracks
    from demeaned
    where has_both_kinds
),

overall as (
    select count(*) as all_tracks from tracks
),

aggregated as (
    select
        video_group,
        count(*) as tracks,
        count(*) filter (where in_stream_kpis) as tracks_with_streams,
        avg(stream) as mean_streams,
        median(stream) as median_streams,
        count(*) filter (where has_youtube_video) as tracks_with_video,
        avg(views) filter (where has_youtube_video) as mean_views,
        median(views) filter (where has_youtube_video) as median_views,
        {{ kpi_weighted_engagement('likes', 'comments', 'views', 'in_engagement') }} as weighted_engagement_rate,
        {{ kpi_hit_rate('is_hit') }} as hit_rate
    from tracks
    group by video_group
),

baseline as (
    select
        mean_streams as baseline_mean_streams,
        median_streams as baseline_median_streams,
        mean_views as baseline_mean_views,
        median_views as baseline_median_views
    from aggregated
    where video_group = 'unofficial'
),

joined as (
    select
        video_groups.video_group,
        video_groups.group_order,
        video_groups.group_description,
        video_groups.video_group in ('official', 'unofficial') as in_lift_comparison,
        coalesce(aggregated.tracks, 0) as tracks,
        cast(coalesce(aggregated.tracks, 0) as double) / nullif(overall.all_tracks, 0) as share_of_tracks,
        coalesce(aggregated.tracks_with_streams, 0) as tracks_with_streams,
        aggregated.mean_streams,
        aggregated.median_streams,
        coalesce(aggregated.tracks_with_video, 0) as tracks_with_video,
        aggregated.mean_views,
        aggregated.median_views,
        aggregated.weighted_engagement_rate,
        aggregated.hit_rate,
        baseline.baseline_mean_streams,
        baseline.baseline_median_streams,
        baseline.baseline_mean_views,
        baseline.baseline_median_views
    from video_groups
    cross join overall
    left join aggregated using (video_group)
    left join baseline on true
)

select
    video_group,
    group_description,
    in_lift_comparison,
    tracks,
    share_of_tracks,
    tracks_with_streams,
    mean_streams,
    median_streams,
    tracks_with_video,
    mean_views,
    median_views,
    weighted_engagement_rate,
    hit_rate,
    case when in_lift_comparison then {{ kpi_lift('mean_streams', 'baseline_mean_streams') }} end as mean_stream_lift,
    case when in_lift_comparison then {{ kpi_lift('median_streams', 'baseline_median_streams') }} end as median_stream_lift,
    case when in_lift_comparison then {{ kpi_lift('mean_views', 'baseline_mean_views') }} end as mean_views_lift,
    case when in_lift_comparison then {{ kpi_lift('median_views', 'baseline_median_views') }} end as median_views_lift,
    case when video_group = 'official' then within_artist.within_artist_log_effect end as within_artist_log_effect,
    case when video_group = 'official' then exp(within_artist.within_artist_log_effect) - 1 end as within_artist_stream_lift,
    case when video_group = 'official' then within_artist.within_artist_artists end as within_artist_artists,
    case when video_group = 'official' then within_artist.within_artist_tracks end as within_artist_tracks
from joined
cross join within_artist
order by group_order
