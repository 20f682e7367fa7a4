{#- The tables that the Python ml package writes (schema ml): their one schema definition.
    Run on every dbt invocation (on-run-start) with "if not exists", so a first `dbt build`
    on a warehouse that has never seen a model run finds empty tables, not missing ones.
    ml/modeling/registry.py inserts into these tables by column name. -#}
{% macro create_ml_tables() %}
create schema if not exists ml;

create table if not exists ml.runs (
    run_id varchar not null,
    model_name varchar not null,
    created_at timestamp not null,
    params_json varchar,
    features_json varchar,
    target varchar,
    n_train integer,
    n_test integer,
    data_fingerprint varchar,
    artifact_path varchar,
    artifact_sha256 varchar,
    fit_seconds double,
    total_seconds double,
    code_version varchar,
    status varchar
);

create table if not exists ml.metrics (
    run_id varchar not null,
    model_name varchar not null,
    variant varchar not null,
    split varchar not null,
    metric varchar not null,
    value double
);

create table if not exists ml.feature_importance (
    run_id varchar not null,
    model_name varchar not null,
    feature varchar not null,
    importance_type varchar not null,
    importance double,
    importance_std double
);

create table if not exists ml.predictions (
    run_id varchar not null,
    uri varchar not null,
    row_id bigint,
    split varchar,
    predicted_log_streams double,
    predicted_streams double,
    hit_probability double,
    predicted_hit boolean,
    predicted_log_views double,
    predicted_views double,
    model_variant varchar
);
-- added after the first release: warehouses created before get the column here
alter table ml.predictions add column if not exists model_variant varchar;

-- Reliability table of the hit classifier: held-out tracks by equal-width bin of the
-- (calibrated) predicted probability, per variant and split (ml/modeling/calibration.py).
create table if not exists ml.calibration (
    run_id varchar not null,
    model_name varchar not null,
    variant varchar not null,
    split varchar not null,
    bin integer not null,
    p_low double,
    p_high double,
    mean_predicted double,
    observed_rate double,
    n bigint
);

create table if not exists ml.hypothesis_tests (
    hypothesis varchar not null,
    statement varchar,
    metric varchar,
    estimate double,
    ci_low double,
    ci_high double,
    p_value double,
    threshold double,
    verdict varchar,
    method varchar,
    n bigint,
    run_id varchar,
    computed_at timestamp
);
{% endmacro %}
