-- The KPI population: one row per kept track (distinct Uri, not an outlier), with the flags
-- that decide which KPIs it enters. Every KPI mart and ml/statistics/hypotheses.py read this, so the
-- populations are defined once.
with tracks as (
    select * from {{ ref('tracks') }}
    where not is_outlier
),

flagged as (
    select
        uri,
        row_id,
        artist,
        album_type,
        stream,
        views,
        likes,
        comments,
        log_streams,
        log_views,
        youtube_engagement,
        has_youtube_video,
        official_video,
        case
            when official_video then 'official'
            when not official_video then 'unofficial'
            else 'unknown'
        end as video_group,
        tempo,
        tempo_band,
        danceability,
        energy,
        audio_was_imputed,
        engagement_was_filled,
        is_hit,
        stream is not null as in_stream_kpis,
        coalesce(stream > 0 and views > 0, false) as in_correlation,
        coalesce(views > 0 and not engagement_was_filled, false) as in_engagement,
        stream is not null and official_video is not null as in_video_lift,
        not audio_was_imputed as in_audio_trends
    from tracks
)

select * from flagged
