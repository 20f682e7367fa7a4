-- Per-track scores of the latest training run (ml.predictions, written by `python -m ml train`)
-- beside the track's actual values. Empty (not missing) on a warehouse where no model ran.
with predictions as (
    select * from {{ ref('stg_ml__predictions') }}
    where run_id = {{ latest_run_id(ref('stg_ml__predictions')) }}
),

runs as (
    select
        run_id,
        min(created_at) as run_created_at
    from {{ ref('stg_ml__runs') }}
    group by run_id
),

tracks as (
    select * from {{ ref('tracks') }}
)

select
    tracks.uri,
    tracks.row_id,
    tracks.artist,
    tracks.track,
    tracks.album_type,
    predictions.run_id,
    runs.run_created_at,
    predictions.split,
    predictions.model_variant,
    tracks.is_outlier,
    tracks.has_youtube_video,
    tracks.official_video,
    tracks.stream,
    tracks.log_streams,
    tracks.views,
    tracks.log_views,
    tracks.is_hit,
    predictions.predicted_log_streams,
    predictions.predicted_streams,
    tracks.log_streams - predictions.predicted_log_streams as log_streams_residual,
    predictions.hit_probability,
    predictions.predicted_hit,
    predictions.predicted_log_views,
    predictions.predicted_views,
    tracks.log_views - predictions.predicted_log_views as log_views_residual
from predictions
inner join tracks using (uri)
left join runs using (run_id)
