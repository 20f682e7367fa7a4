{#- The fate ledger against the raw FILE, not against DuckDB's own read of it.

    Python counts the file's records with its csv module (ml/runtime/raw_input.py,
    record_raw_file_profile) before every `python -m ml build` / `make run` and stores the count
    in meta.raw_file_profile, keyed by path + size + mtime. This test finds the row of the file
    dbt reads (RAW_DATA_PATH, its size and mtime from read_blob, which reads no content) and:
      expect='match'    returns a row when that count differs from the ledger's rows
                        (a DuckDB read that silently dropped or invented records);
      expect='recorded' returns a row when no count was recorded for this file (a plain
                        `dbt build`, or a file changed since it was counted): use severity warn.
    The table may not exist at all (a plain `dbt build` on a new warehouse): then nothing is
    compared and expect='recorded' reports it. -#}
{% test raw_file_records_match(model, expect='match') %}
{%- set raw_path = '' -%}
{%- set profile = none -%}
{#- read at execution only: an env_var() read while dbt parses is recorded, and a new value then
    makes dbt re-parse every node that uses this macro (partial parsing) -#}
{%- if execute -%}
{%- set raw_path = env_var("RAW_DATA_PATH", "../data/raw/Spotify_Youtube.csv") | replace("'", "''") -%}
{%- set profile = adapter.get_relation(database=model.database, schema='meta', identifier='raw_file_profile') -%}
{%- endif %}
with raw_file as (
    {{ raw_file_stat(raw_path) }}
),

recorded as (
    {%- if profile is not none %}
    select profile.records
    from {{ profile }} as profile
    inner join raw_file
        on
            profile.size_bytes = raw_file.size_bytes
            and (raw_file.mtime_us is null or profile.mtime_us = raw_file.mtime_us)
    where profile.path = '{{ raw_path }}'
    {%- else %}
    select cast(null as bigint) as records
    where false
    {%- endif %}
),

ledger as (
    select count(*) as ledger_rows from {{ model }}
)

{% if expect == 'recorded' -%}
select
    '{{ raw_path }}' as raw_file,
    'no record count of this file (path, size, mtime) in meta.raw_file_profile' as problem
where not exists (select 1 from recorded)
{%- else -%}
select
    recorded.records as file_records,
    ledger.ledger_rows
from recorded
cross join ledger
where recorded.records != ledger.ledger_rows
{%- endif %}
{% endtest %}

{#- One row: the file's size in bytes and mtime in microseconds, without reading its content.
    Spark's binaryFile source knows the mtime to the millisecond only: null there (size and path
    still identify the file). -#}
{% macro raw_file_stat(raw_path) -%}
    {{ return(adapter.dispatch('raw_file_stat')(raw_path)) }}
{%- endmacro %}

{% macro default__raw_file_stat(raw_path) -%}
    select
        size as size_bytes,
        epoch_us(last_modified) as mtime_us
    from read_blob('{{ raw_path }}')
{%- endmacro %}

{% macro spark__raw_file_stat(raw_path) -%}
    select
        length as size_bytes,
        cast(null as bigint) as mtime_us
    from binaryFile.`{{ raw_path }}`
{%- endmacro %}
