{#- The raw CSV for staging (source spotify_youtube.raw_tracks): DuckDB's read_csv of RAW_DATA_PATH,
    separator RAW_CSV_DELIM (set by the Python pre-flight for a non-standard file only).
    The env vars are read when dbt executes, not while it parses: dbt records every env_var() read
    during parsing, and a new value then re-parses the files that read it and re-processes the whole
    manifest (~2-4 s per build, at every change of input file; README, Performance). While dbt
    parses, the macro returns the source itself, which records the lineage source -> staging. -#}
{% macro raw_tracks_scan() -%}
{%- if execute -%}
read_csv('{{ env_var("RAW_DATA_PATH", "../data/raw/Spotify_Youtube.csv") | replace("'", "''") }}', header = true, all_varchar = true,
    delim = '{{ env_var("RAW_CSV_DELIM", ",") }}', quote = '"', escape = '"', auto_detect = true)
{%- else -%}
{{ source('spotify_youtube', 'raw_tracks') }}
{%- endif -%}
{%- endmacro %}
