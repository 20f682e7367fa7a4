{#- Shared by the warehouse (source raw_tracks) and scoring (source score_input):
    the raw file's columns (macro raw_columns) FOUND BY HEADER NAME, renamed to snake_case, kept
    as text, empty text as null,
    plus row_id = 0-based record position in the file (equals the file's own index column on a
    well-formed file) and source_index = that index column (null when the file has none).
    layout_env: the env var holding the file's layout, resolved by the Python pre-flight
    (ml/runtime/raw_input.py RawLayout.dbt_env), JSON:
      {"index": DuckDB name of the index column or null (absent),
       "columns": {canonical header: the file's column} for names matched loosely,
       "missing": [canonical headers the file lacks: each reads as a null text column]}.
    Unset (a standard file: exact headers, index column '' read as column00) = no remapping,
    so the default parse state never changes (env vars, not --vars: see README, Scoring). -#}
{% macro rename_raw_columns(relation, layout_env) %}
{#- the layout is read when dbt executes (not while it parses): see raw_csv_scan (macros/raw_source.sql) -#}
{%- set layout = fromjson(env_var(layout_env, '{"index": "' ~ empty_header_column() ~ '"}') if execute else '{}') -%}
{%- set renamed = layout.get('columns', {}) -%}
{%- set missing = layout.get('missing', []) -%}
with source as (
    select * from {{ relation }}
),

renamed as (
    select
        {{ record_position() }} as row_id,
        {%- if layout.get('index') %}
        nullif(trim({{ adapter.quote(layout['index']) }}), '') as source_index,
        {%- else %}
        cast(null as string) as source_index,
        {%- endif %}
        {%- for name, header in raw_columns() %}
        {%- if header in missing %}
        cast(null as string) as {{ name }}{{ ',' if not loop.last }}
        {%- else %}
        nullif(trim({{ adapter.quote(renamed.get(header, header)) }}), '') as {{ name }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from source
)

select * from renamed
{% endmacro %}


{#- Typed columns plus quarantine_reason: every problem of the row, '; '-separated, each naming
    the raw file's column and value. A row with a reason is quarantined downstream, never dropped.
    require_uri: a missing Uri quarantines the row (the warehouse's track key); a file of new
    tracks to score may have none. -#}
{% macro typed_tracks(relation, require_uri=true) %}
{%- set numeric_columns = unit_audio_columns() + measured_audio_columns() + count_columns() -%}
with renamed as (
    select * from {{ relation }}
),

parsed as (
    select
        *,
        {%- for name, header in numeric_columns %}
        try_cast({{ name }} as double) as {{ name }}__num,
        {%- endfor %}
        {%- for name, header in flag_columns() %}
        case lower({{ name }})
            when 'true' then true
            when 'false' then false
        end as {{ name }}__bool{{ ',' if not loop.last }}
        {%- endfor %}
    from renamed
),

checked as (
    select
        *,
        nullif(concat_ws('; ',
            {%- if require_uri %}
            case when uri is null then 'Uri: missing' end,
            {%- endif %}
            {%- for name, header in numeric_columns %}
            case
                when {{ name }} is not null and {{ name }}__num is null
                    then '{{ header }}: not a number (' || left({{ name }}, 40) || ')'
                when not {{ is_finite(name ~ '__num') }}
                    then '{{ header }}: not a finite number (' || {{ name }} || ')'
                {%- if (name, header) in unit_audio_columns() %}
                when {{ name }}__num not between 0 and 1
                    then '{{ header }}: ' || {{ name }} || ' outside [0, 1]'
                {%- elif name == 'key' %}
                when {{ name }}__num not between 0 and 11 or {{ name }}__num != floor({{ name }}__num)
                    then 'Key: ' || {{ name }} || ' is not a pitch class 0..11'
                {%- elif name == 'loudness' %}
                when {{ name }}__num not between -60 and 5
                    then 'Loudness: ' || {{ name }} || ' dB outside [-60, 5]'
                {%- elif name == 'tempo' %}
                when {{ name }}__num not between 0 and 300
                    then 'Tempo: ' || {{ name }} || ' BPM outside [0, 300]'
                {%- elif name == 'duration_ms' %}
                when {{ name }}__num <= 0 or {{ name }}__num > 86400000
                    then 'Duration_ms: ' || {{ name }} || ' outside (0, 1 day]'
                {%- else %}
                when {{ name }}__num < 0
                    then '{{ header }}: negative count (' || {{ name }} || ')'
                when {{ name }}__num > {{ max_plausible_count() }}
                    then '{{ header }}: implausible count (' || {{ name }} || ' > {{ max_plausible_count() }})'
                {%- endif %}
            end,
            {%- endfor %}
            {%- for name, header in flag_columns() %}
            case
                when {{ name }} is not null and {{ name }}__bool is null
                    then '{{ header }}: unknown flag value (' || left({{ name }}, 40) || '), expected True/False'
            end{{ ',' if not loop.last }}
            {%- endfor %}
        ), '') as quarantine_reason
    from parsed
),

typed as (
    select
        row_id,
        source_index,
        {%- for name, header in text_columns() %}
        {%- if name == 'album_type' %}
        lower({{ name }}) as {{ name }},
        {%- else %}
        {{ name }},
        {%- endif %}
        {%- endfor %}
        {%- for name, header in unit_audio_columns() + [('loudness', 'Loudness')] %}
        {{ name }}__num as {{ name }},
        {%- endfor %}
        try_cast(key__num as integer) as key,
        -- tempo 0 means "not measured": treated as missing, then median-imputed
        nullif(tempo__num, 0) as tempo,
        try_cast(duration_ms__num as bigint) as duration_ms,
        {%- for name, header in count_columns() %}
        try_cast({{ name }}__num as bigint) as {{ name }},
        {%- endfor %}
        {%- for name, header in flag_columns() %}
        {{ name }}__bool as {{ name }},
        {%- endfor %}
        quarantine_reason
    from checked
)

select * from typed
{% endmacro %}
