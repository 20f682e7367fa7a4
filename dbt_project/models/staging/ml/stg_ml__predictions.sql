-- Per-track predictions of the current training run (ml.predictions, replaced by each run).
select
    run_id,
    uri,
    row_id,
    split,
    predicted_log_streams,
    predicted_streams,
    hit_probability,
    predicted_hit,
    predicted_log_views,
    predicted_views,
    model_variant
from {{ source('ml', 'predictions') }}
