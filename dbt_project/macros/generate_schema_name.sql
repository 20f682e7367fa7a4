{#- Public schema names are exactly the folder's +schema (staging, intermediate, marts),
    not dbt's default "<target_schema>_<custom>", so users can query marts.tracks. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
