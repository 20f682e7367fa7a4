-- H1-H3 as written by `python -m ml stats` (ml.hypothesis_tests), one row per hypothesis.
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
    n,
    run_id,
    computed_at
from {{ source('ml', 'hypothesis_tests') }}
