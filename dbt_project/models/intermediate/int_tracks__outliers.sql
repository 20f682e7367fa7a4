-- z-score outlier flags on the columns of var('outlier_columns'), threshold var('outlier_z_threshold').
-- z uses the mean and sample standard deviation over all distinct tracks; nulls are never outliers.
{%- set columns = var('outlier_columns') %}
{%- set threshold = var('outlier_z_threshold') %}

with features as (
    select * from {{ ref('int_tracks__features') }}
),

scored as (
    select
        {%- for column in columns %}
        ({{ column }} - avg({{ column }}) over ()) / nullif(stddev_samp({{ column }}) over (), 0) as z_{{ column }},
        {%- endfor %}
        row_id
    from features
),

flagged as (
    select
        *,
        greatest(
            {%- for column in columns %}
            coalesce(abs(z_{{ column }}), 0){{ ',' if not loop.last }}
            {%- endfor %}
        ) as max_abs_z
    from scored
)

select
    row_id,
    max_abs_z > {{ threshold }} as is_outlier,
    case
        {%- for column in columns %}
        when max_abs_z > {{ threshold }} and abs(z_{{ column }}) = max_abs_z then '{{ column }}'
        {%- endfor %}
    end as outlier_column,
    case
        {%- for column in columns %}
        when max_abs_z > {{ threshold }} and abs(z_{{ column }}) = max_abs_z then z_{{ column }}
        {%- endfor %}
    end as outlier_z,
    {%- for column in columns %}
    coalesce(abs(z_{{ column }}) > {{ threshold }}, false) as is_outlier_on_{{ column }},
    {%- endfor %}
    max_abs_z
from flagged
