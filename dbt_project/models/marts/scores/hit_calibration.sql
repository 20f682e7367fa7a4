-- Reliability of the hit probability of the latest training run on its held-out tracks:
-- ml.calibration (written by `python -m ml train`), split 'test', one row per variant and
-- equal-width probability bin. Empty (not missing) on a warehouse where no model ran.
with calibration as (
    select * from {{ ref('stg_ml__calibration') }}
    where run_id = {{ latest_run_id(ref('stg_ml__calibration')) }}
),

runs as (
    select
        run_id,
        min(created_at) as run_created_at
    from {{ ref('stg_ml__runs') }}
    group by run_id
)

select
    calibration.variant || ':' || cast(calibration.bin as string) as bin_key,
    calibration.run_id,
    runs.run_created_at,
    calibration.model_name,
    calibration.variant,
    calibration.split,
    cast(calibration.bin as integer) as bin,
    calibration.p_low,
    calibration.p_high,
    calibration.mean_predicted,
    calibration.observed_rate,
    calibration.mean_predicted - calibration.observed_rate as calibration_gap,
    cast(calibration.n as bigint) as n,
    cast(calibration.n as double)
    / nullif(sum(calibration.n) over (partition by calibration.variant), 0) as share_of_tracks
from calibration
left join runs using (run_id)
where calibration.model_name = 'hit_classifier' and calibration.split = 'test'
