-- H1-H3 as written by `python -m ml stats` (ml/statistics/hypotheses.py) into ml.hypothesis_tests. Built after
-- the models ran; empty (not missing) on a warehouse where no model ever ran.
with hypothesis_tests as (
    select * from {{ ref('stg_ml__hypothesis_tests') }}
)

select
    hypothesis,
    statement,
    metric,
    estimate,
    ci_low,
    ci_high,
    p_value,
    threshold,
    verdict,
    method,
    cast(n as bigint) as n,
    run_id,
    computed_at
from hypothesis_tests
