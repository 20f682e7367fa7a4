{#- The SQL that differs between the engines a target can select (profiles.yml: dev = DuckDB,
    spark = Apache Spark through dbt-spark), each as adapter.dispatch with a duckdb__ / spark__
    variant. Models and macros call these; no model exists twice. -#}

{#- `*` without some columns: DuckDB `* exclude (...)`, Spark `* except (...)`.
    prefix: a table alias ('tracks.') or ''. -#}
{% macro star_except(columns, prefix='') -%}
    {{ return(adapter.dispatch('star_except')(columns, prefix)) }}
{%- endmacro %}

{% macro default__star_except(columns, prefix) -%}
    {{ prefix }}* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns, prefix) -%}
    {{ prefix }}* except ({{ columns | join(', ') }})
{%- endmacro %}

{#- 0-based record position of a row of the raw file, as a bigint. DuckDB: row_number() over ()
    follows the scan order of the CSV (preserve_insertion_order). Spark: no window (a window
    without partition moves every row into one task): monotonically_increasing_id() is
    (input partition << 33) + position within it, and a multi-line CSV is read as one partition
    per file, so for the one raw file it is exactly 0, 1, 2, ... in file order. (An input split
    into several files or partitions would keep ids unique and in order, not contiguous.) -#}
{% macro record_position() -%}
    {{ return(adapter.dispatch('record_position')()) }}
{%- endmacro %}

{% macro default__record_position() -%}
    cast(row_number() over () - 1 as bigint)
{%- endmacro %}

{% macro spark__record_position() -%}
    cast(monotonically_increasing_id() as bigint)
{%- endmacro %}

{#- The name the engine gives a CSV column with an empty header (the file's own index). -#}
{% macro empty_header_column() -%}
    {{ return(adapter.dispatch('empty_header_column')()) }}
{%- endmacro %}

{% macro default__empty_header_column() -%}column00{%- endmacro %}

{% macro spark__empty_header_column() -%}_c0{%- endmacro %}

{#- A finite double (not NaN, not +-infinity); null stays null. -#}
{% macro is_finite(value) -%}
    {{ return(adapter.dispatch('is_finite')(value)) }}
{%- endmacro %}

{% macro default__is_finite(value) -%}
    isfinite({{ value }})
{%- endmacro %}

{% macro spark__is_finite(value) -%}
    (not isnan({{ value }}) and abs({{ value }}) != double('infinity'))
{%- endmacro %}

{#- Does text match the RE2 / Java regular expression `pattern` (a jinja string)? -#}
{% macro regex_matches(text, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(text, pattern) -%}
    regexp_matches({{ text }}, '{{ pattern }}')
{%- endmacro %}

{#- Spark string literals take backslash escapes: double them. -#}
{% macro spark__regex_matches(text, pattern) -%}
    regexp_like({{ text }}, '{{ pattern | replace("\\", "\\\\") }}')
{%- endmacro %}

{#- Values joined by a separator in a given order (an aggregate). dbt.listagg drops the order on
    Spark (with only a warning), so Spark sorts (order, value) pairs itself. -#}
{% macro ordered_string_agg(value, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg')(value, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(value, separator, order_by) -%}
    string_agg({{ value }}, '{{ separator }}' order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_string_agg(value, separator, order_by) -%}
    array_join(
        transform(array_sort(collect_list(struct({{ order_by }} as k, {{ value }} as v))), x -> x.v),
        '{{ separator }}'
    )
{%- endmacro %}

{#- Continuous (interpolated) quantile of a numeric column, an aggregate. -#}
{% macro quantile_cont(value, quantile) -%}
    {{ return(adapter.dispatch('quantile_cont')(value, quantile)) }}
{%- endmacro %}

{% macro default__quantile_cont(value, quantile) -%}
    quantile_cont({{ value }}, {{ quantile }})
{%- endmacro %}

{% macro spark__quantile_cont(value, quantile) -%}
    percentile({{ value }}, {{ quantile }})
{%- endmacro %}

{#- The text at a JSON path ('$.key') of a JSON text column; null when absent. -#}
{% macro json_text(json, path) -%}
    {{ return(adapter.dispatch('json_text')(json, path)) }}
{%- endmacro %}

{% macro default__json_text(json, path) -%}
    json_extract_string({{ json }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_text(json, path) -%}
    get_json_object({{ json }}, '{{ path }}')
{%- endmacro %}

{#- A map of text keys to bigint values from (key, value expression) pairs. The contract type is
    map_string_bigint_type(). -#}
{% macro map_string_bigint(pairs) -%}
    {{ return(adapter.dispatch('map_string_bigint')(pairs)) }}
{%- endmacro %}

{% macro default__map_string_bigint(pairs) -%}
    cast(map {
        {%- for key, value in pairs %}
        '{{ key }}': {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    } as map (varchar, bigint))
{%- endmacro %}

{% macro spark__map_string_bigint(pairs) -%}
    cast(map(
        {%- for key, value in pairs %}
        '{{ key }}', {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as map<string, bigint>)
{%- endmacro %}

{#- Statements of an on-run-start hook: DuckDB runs them as one script; Spark runs one statement
    per call, so each runs here and the hook itself is a no-op. -#}
{% macro run_statements(statements) -%}
    {{ return(adapter.dispatch('run_statements')(statements)) }}
{%- endmacro %}

{% macro default__run_statements(statements) -%}
    {{ statements | join(';\n') }}
{%- endmacro %}

{% macro spark__run_statements(statements) -%}
    {%- if execute -%}
    {%- for statement in statements -%}
    {%- do run_query(statement) -%}
    {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- On Spark the raw CSV is registered as an external table (spotify_youtube.raw_tracks) at the
    start of every invocation: dbt-spark has no read_csv(). Every column is text (no schema
    inference), as DuckDB's all_varchar. On DuckDB nothing to do: the staging model reads the
    file with read_csv (raw_csv_scan, macros/raw_source.sql). -#}
{% macro register_raw_source() -%}
    {{ return(adapter.dispatch('register_raw_source')()) }}
{%- endmacro %}

{% macro default__register_raw_source() -%}
{%- endmacro %}

{% macro spark__register_raw_source() -%}
    {%- set path = env_var("RAW_DATA_PATH", "../data/raw/Spotify_Youtube.csv") -%}
    {{ run_statements([
        'create schema if not exists spotify_youtube',
        'drop table if exists spotify_youtube.raw_tracks',
        "create table spotify_youtube.raw_tracks using csv options (path '" ~ path | replace("'", "\\'")
            ~ "', header 'true', multiLine 'true', quote '\"', escape '\"', sep '"
            ~ env_var("RAW_CSV_DELIM", ",") ~ "', mode 'PERMISSIVE')"
    ]) }}
{%- endmacro %}

{#- int_tracks__parsed stores the typed rows without these columns. DuckDB: without row_id too,
    int_tracks__typed reads the table's rowid (stored_row_id), which lets DuckDB drop the
    row_number() window and read the CSV on every thread. Spark has no rowid: row_id is stored. -#}
{% macro parsed_excluded_columns() -%}
    {{ return(adapter.dispatch('parsed_excluded_columns')()) }}
{%- endmacro %}

{% macro default__parsed_excluded_columns() -%}
    {{ return(['row_id', 'description', 'url_spotify']) }}
{%- endmacro %}

{% macro spark__parsed_excluded_columns() -%}
    {{ return(['description', 'url_spotify']) }}
{%- endmacro %}

{#- The select-list item that gives int_tracks__typed its row_id ('' when the table stores it). -#}
{% macro stored_row_id() -%}
    {{ return(adapter.dispatch('stored_row_id')()) }}
{%- endmacro %}

{% macro default__stored_row_id() -%}
    rowid as row_id,
    {# the stored table's columns follow #}
{%- endmacro %}

{% macro spark__stored_row_id() -%}
{%- endmacro %}

{#- A double as text the way C's printf('%.<digits>g') writes it (DuckDB's printf): `digits`
    significant digits, trailing zeros dropped, scientific below 1e-4 or from 10^digits on.
    Spark's printf is Java's, whose %g keeps trailing zeros (2.300 for 2.3): rebuilt from %e / %f. -#}
{% macro number_g(value, digits) -%}
    {{ return(adapter.dispatch('number_g')(value, digits)) }}
{%- endmacro %}

{% macro default__number_g(value, digits) -%}
    printf('%.{{ digits }}g', {{ value }})
{%- endmacro %}

{% macro spark__number_g(value, digits) -%}
    {%- set v = '(' ~ value ~ ')' -%}
    {#- decimal exponent of the value rounded to `digits` significant digits -#}
    {%- set e0 = 'floor(log10(abs(' ~ v ~ ')))' -%}
    {%- set e = '(' ~ e0 ~ ' + case when round(abs(' ~ v ~ ') / pow(10, ' ~ e0 ~ '), ' ~ (digits - 1) ~ ') >= 10 then 1 else 0 end)' -%}
    case
        when {{ v }} is null then null
        when {{ v }} = 0 then '0'
        when isnan({{ v }}) then 'nan'
        when abs({{ v }}) = double('infinity') then case when {{ v }} > 0 then 'inf' else '-inf' end
        when {{ e }} < -4 or {{ e }} >= {{ digits }}
            then regexp_replace(format_string('%.{{ digits - 1 }}e', {{ v }}), '\\.?0+e', 'e')
        else regexp_replace(regexp_replace(
            format_string(concat('%.', cast({{ digits - 1 }} - {{ e }} as int), 'f'), {{ v }}),
            '(\\.[0-9]*?)0+$', '$1'), '\\.$', '')
    end
{%- endmacro %}
