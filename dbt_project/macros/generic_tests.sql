{#- Generic data tests written here because dbt packages (dbt_utils) cannot be downloaded. -#}

{#- Values of the column lie in [min_value, max_value] (nulls pass; use not_null for those). -#}
{% test in_range(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} is not null
    and (
        false
        {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
        {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
        or isnan(cast({{ column_name }} as double))
    )
{% endtest %}

{#- The model has exactly as many rows as compare_model (e.g. the fate ledger vs the raw rows). -#}
{% test row_count_matches(model, compare_model) %}
with counts as (
    select
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from {{ compare_model }}) as compare_rows
)

select * from counts where model_rows != compare_rows
{% endtest %}

{#- The model has exactly one row. -#}
{% test single_row(model) %}
select count(*) as row_count from {{ model }} having count(*) != 1
{% endtest %}

{#- Every row satisfies a boolean SQL expression. -#}
{% test expression_is_true(model, expression) %}
select * from {{ model }} where not coalesce(({{ expression }}), false)
{% endtest %}

{#- The model has exactly `expected` rows (e.g. a fixed grid of segments). -#}
{% test row_count_is(model, expected) %}
select count(*) as row_count from {{ model }} having count(*) != {{ expected }}
{% endtest %}

{#- The column holds at most `maximum` distinct non-null values (e.g. one training run). -#}
{% test distinct_values_at_most(model, column_name, maximum) %}
select count(distinct {{ column_name }}) as distinct_values
from {{ model }}
having count(distinct {{ column_name }}) > {{ maximum }}
{% endtest %}
