-- One row per distinct Spotify track (Uri): cleaned values, derived features, flags.
with features as (
    select * from {{ ref('int_tracks__features') }}
),

outliers as (
    select * from {{ ref('int_tracks__outliers') }}
),

hit_threshold as (
    select * from {{ ref('int_hit_threshold') }}
),

-- catalog context (macros/title_features.sql catalog_track_counts: the same counts for a track of
-- the catalog; uri is unique here, so 1 + the other tracks = the tracks of the artist / album).
-- Hash aggregates of the narrow (artist, album) pairs joined back, not count(*) over (partition
-- by ...): a window carries every wide row through its partitioning (at 10M rows 3.5x the time of
-- the whole model without it).
album_counts as (
    select
        artist,
        album,
        count(*) as album_track_count
    from {{ ref('int_tracks__features') }}
    group by artist, album
),

artist_counts as (
    select
        artist,
        sum(album_track_count) as artist_track_count
    from album_counts
    group by artist
),

-- the narrow per-row context (row_id and a few values), joined to the wide rows once
context as (
    select
        outliers.row_id,
        outliers.is_outlier,
        outliers.outlier_column,
        outliers.outlier_z,
        artist_counts.artist_track_count,
        album_counts.album_track_count
    from outliers
    inner join {{ ref('int_tracks__features') }} as track_keys using (row_id)
    inner join artist_counts on track_keys.artist is not distinct from artist_counts.artist
    inner join album_counts
        on
            track_keys.artist is not distinct from album_counts.artist
            and track_keys.album is not distinct from album_counts.album
)

select
    features.uri,
    features.row_id,
    features.artist,
    features.credited_artists,
    cast(features.listing_count as integer) as listing_count,
    features.track,
    features.album,
    features.album_type,
    features.url_youtube,
    features.title,
    features.channel,
    features.danceability,
    features.energy,
    features.key,
    features.loudness,
    features.speechiness,
    features.acousticness,
    features.instrumentalness,
    features.liveness,
    features.valence,
    features.tempo,
    features.duration_ms,
    features.views,
    features.likes,
    features.comments,
    features.stream,
    features.licensed,
    features.official_video,
    features.has_youtube_video,
    features.audio_was_imputed,
    features.engagement_was_filled,
    features.duration_minutes,
    features.audio_positivity,
    features.audio_complexity,
    features.youtube_engagement,
    features.cross_platform_ratio,
    features.log_streams,
    features.log_views,
    features.log_likes,
    features.log_comments,
    features.tempo_band,
    {%- for name, pattern in title_flag_patterns() + track_marker_patterns() %}
    features.{{ name }},
    {%- endfor %}
    cast(context.artist_track_count as integer) as artist_track_count,
    cast(context.album_track_count as integer) as album_track_count,
    context.is_outlier,
    context.outlier_column,
    context.outlier_z,
    case
        when context.is_outlier or features.stream is null then null
        else features.stream >= hit_threshold.hit_threshold_streams
    end as is_hit
from features
inner join context using (row_id)
cross join hit_threshold
