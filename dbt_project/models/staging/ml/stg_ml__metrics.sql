-- Long-format metrics of every training run (ml.metrics): one row per model, variant, split and
-- metric, as written by `python -m ml train`.
select
    run_id,
    model_name,
    variant,
    split,
    metric,
    value
from {{ source('ml', 'metrics') }}
