{#- A raw CSV for a staging model: DuckDB's read_csv of the file at env var path_env (default
    default_path), separator delim_env (default ','), every column as text. Used for the
    warehouse's file (source spotify_youtube.raw_tracks: RAW_DATA_PATH, RAW_CSV_DELIM) and for
    a file to score (source score_input.new_tracks: SCORE_INPUT_PATH, SCORE_INPUT_DELIM).
    The env vars are read when dbt executes, not while it parses: dbt records every env_var() read
    during parsing, and a new value then re-parses the files that read it and re-processes the whole
    manifest (seconds per build, at every new input file). While dbt parses, the macro returns the
    source itself, which records the lineage source -> staging model. -#}
{% macro raw_csv_scan(source_name, table_name, path_env, default_path, delim_env) -%}
{{ adapter.dispatch('raw_csv_scan')(source_name, table_name, path_env, default_path, delim_env) }}
{%- endmacro %}

{#- Spark: the source itself, the external table the on-run-start hook registers over the file
    (register_raw_source, macros/engines.sql). -#}
{% macro spark__raw_csv_scan(source_name, table_name, path_env, default_path, delim_env) -%}
{{ source(source_name, table_name) }}
{%- endmacro %}

{% macro default__raw_csv_scan(source_name, table_name, path_env, default_path, delim_env) -%}
{%- if execute -%}
read_csv('{{ env_var(path_env, default_path) | replace("'", "''") }}', header = true, all_varchar = true,
    delim = '{{ env_var(delim_env, ",") }}', quote = '"', escape = '"', auto_detect = true)
{%- else -%}
{{ source(source_name, table_name) }}
{%- endif -%}
{%- endmacro %}
