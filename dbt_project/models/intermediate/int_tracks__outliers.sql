-- z-score outlier flags on the columns of var('outlier_columns'), threshold var('outlier_z_threshold').
-- z uses the mean and sample standard deviation over all distinct tracks; nulls are never outliers.
{%- set columns = var('outlier_columns') %}
{%- set threshold = var('outlier_z_threshold') %}

with features as (
    select * from {{ ref('int_tracks__features') }}
),

-- one aggregate row joined back (not a window over the whole table, which Spark runs in one
-- partition): the z-scores are computed where the rows are
moments as (
    select
        {%- for column in columns %}
        avg({{ column }}) as mean_{{ column }},
        stddev_samp({{ column }}) as sd_{{ column }},
        {%- endfor %}
        count(*) as tracks
    from features
),

scored as (
    select
        {%- for column in columns %}
        (features.{{ column }} - moments.mean_{{ column }}) / nullif(moments.sd_{{ column }}, 0) as z_{{ column }},
        {%- endfor %}
        features.row_id
    from features
    cross join moments
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
