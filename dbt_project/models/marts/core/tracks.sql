-- One row per distinct Spotify track (Uri): cleaned values, derived features, flags.
with features as (
    select * from {{ ref('int_tracks__features') }}
),

outliers as (
    select * from {{ ref('int_tracks__outliers') }}
),

hit_threshold as (
    select * from {{ ref('int_hit_threshold') }}
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
    -- catalog context (macros/title_features.sql catalog_track_counts: the same counts for a
    -- track of the catalog; uri is unique here, so 1 + the other tracks = the window count)
    cast(count(*) over (partition by features.artist) as integer) as artist_track_count,
    cast(count(*) over (partition by features.artist, features.album) as integer)
        as album_track_count,
    outliers.is_outlier,
    outliers.outlier_column,
    outliers.outlier_z,
    case
        when outliers.is_outlier or features.stream is null then null
        else features.stream >= hit_threshold.hit_threshold_streams
    end as is_hit
from features
inner join outliers using (row_id)
cross join hit_threshold
