{#- The tables that the Python ml package writes (schema ml): their one schema definition.
    Run on every dbt invocation (on-run-start) with "if not exists", so a first `dbt build`
    on a warehouse that has never seen a model run finds empty tables, not missing ones.
    ml/modeling/registry.py inserts into these tables by column name. -#}
{% macro create_ml_tables() %}
{#- not null only where the engine enforces it on these tables (Spark parquet tables reject it) -#}
{%- set nn = ' not null' if target.type != 'spark' else '' -%}
{%- set using = ' using parquet' if target.type == 'spark' else '' -%}
{%- set statements = [] -%}
{%- set statement -%}
create schema if not exists ml
{%- endset -%}
{%- do statements.append(statement) -%}
{%- set statement -%}
create table if not exists ml.runs (
    run_id string{{ nn }},
    model_name string{{ nn }},
    created_at timestamp{{ nn }},
    params_json string,
    features_json string,
    target string,
    n_train integer,
    n_test integer,
    data_fingerprint string,
    artifact_path string,
    artifact_sha256 string,
    fit_seconds double,
    total_seconds double,
    code_version string,
    status string
){{ using }}
{%- endset -%}
{%- do statements.append(statement) -%}
{%- set statement -%}
create table if not exists ml.metrics (
    run_id string{{ nn }},
    model_name string{{ nn }},
    variant string{{ nn }},
    split string{{ nn }},
    metric string{{ nn }},
    value double
){{ using }}
{%- endset -%}
{%- do statements.append(statement) -%}
{%- set statement -%}
create table if not exists ml.feature_importance (
    run_id string{{ nn }},
    model_name string{{ nn }},
    feature string{{ nn }},
    importance_type string{{ nn }},
    importance double,
    importance_std double
){{ using }}
{%- endset -%}
{%- do statements.append(statement) -%}
{%- set statement -%}
create table if not exists ml.predictions (
    run_id string{{ nn }},
    uri string{{ nn }},
    row_id bigint,
    split string,
    predicted_log_streams double,
    predicted_streams double,
    hit_probability double,
    predicted_hit boolean,
    predicted_log_views double,
    predicted_views double,
    model_variant string
){{ using }}
{%- endset -%}
{%- do statements.append(statement) -%}
{#- added after the first release: warehouses created before get the column here -#}
{%- if target.type != 'spark' -%}
{%- set statement -%}
alter table ml.predictions add column if not exists model_variant string
{%- endset -%}
{%- do statements.append(statement) -%}
{%- endif -%}
{#- Reliability table of the hit classifier: held-out tracks by equal-width bin of the -#}
{#- (calibrated) predicted probability, per variant and split (ml/modeling/calibration.py). -#}
{%- set statement -%}
create table if not exists ml.calibration (
    run_id string{{ nn }},
    model_name string{{ nn }},
    variant string{{ nn }},
    split string{{ nn }},
    bin integer{{ nn }},
    p_low double,
    p_high double,
    mean_predicted double,
    observed_rate double,
    n bigint
){{ using }}
{%- endset -%}
{%- do statements.append(statement) -%}
{%- set statement -%}
create table if not exists ml.hypothesis_tests (
    hypothesis string{{ nn }},
    statement string,
    metric string,
    estimate double,
    ci_low double,
    ci_high double,
    p_value double,
    threshold double,
    verdict string,
    method string,
    n bigint,
    run_id string,
    computed_at timestamp
){{ using }}
{%- endset -%}
{%- do statements.append(statement) -%}
{{ run_statements(statements) }}
{% endmacro %}
