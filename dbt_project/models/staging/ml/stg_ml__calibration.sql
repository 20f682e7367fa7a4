-- Reliability bins of the hit probability per training run (ml.calibration): one row per
-- model, variant, split and equal-width probability bin, as written by `python -m ml train`.
select
    run_id,
    model_name,
    variant,
    split,
    bin,
    p_low,
    p_high,
    mean_predicted,
    observed_rate,
    n
from {{ source('ml', 'calibration') }}
