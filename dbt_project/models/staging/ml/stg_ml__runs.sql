-- One row per trained model per training run, as written by `python -m ml train` (ml.runs).
select
    run_id,
    model_name,
    created_at,
    params_json,
    features_json,
    target,
    n_train,
    n_test,
    data_fingerprint,
    artifact_path,
    artifact_sha256,
    fit_seconds,
    total_seconds,
    code_version,
    status
from {{ source('ml', 'runs') }}
