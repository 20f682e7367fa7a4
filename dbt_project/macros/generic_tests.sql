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

{#- Every row / table rule of ONE model in ONE query (one scan of the model, one dbt node),
    instead of one not_null / unique / in_range / accepted_values / expression_is_true test per
    column (each a query and a node of its own). Returns one row per broken rule:
      column_name   the column ('*' for a rule on the whole row or table)
      rule          the rule, e.g. 'in_range [0, 1]'
      failing_rows  rows that break it (row_count / distinct_at_most: the count found)
    so a failure names every failing column and rule and how many rows break it.
    Arguments (all optional), with the semantics of the tests they replace:
      not_null:        [column, ...]
      unique:          [column, ...]             non-null values that repeat (dbt `unique`)
      ranges:          {column: [min, max]}      null = open end; nulls pass, NaN fails (in_range)
      accepted_values: {column: [value, ...]}    nulls pass (dbt `accepted_values`)
      expressions:     [boolean SQL, ...]        a row fails when it is false or null
      distinct_at_most: {column: maximum}        distinct non-null values
      row_count:       expected row count of the table
    Portable SQL (DuckDB and Spark): count, case, in, union all; no adapter-only function. -#}
{% test row_rules(model, not_null=[], unique=[], ranges={}, accepted_values={}, expressions=[], distinct_at_most={}, row_count=none) %}
{%- set rules = [] -%}
{%- for column in not_null -%}
    {%- do rules.append({'column': column, 'rule': 'not_null',
        'tally': 'count(case when ' ~ column ~ ' is null then 1 end)'}) -%}
{%- endfor -%}
{%- for column in unique -%}
    {%- do rules.append({'column': column, 'rule': 'unique',
        'tally': 'count(' ~ column ~ ') - count(distinct ' ~ column ~ ')'}) -%}
{%- endfor -%}
{%- for column, bounds in ranges.items() -%}
    {%- set low, high = bounds[0], bounds[1] -%}
    {%- set outside = ['isnan(cast(' ~ column ~ ' as double))'] -%}
    {%- if low is not none %}{% do outside.append(column ~ ' < ' ~ low) %}{% endif -%}
    {%- if high is not none %}{% do outside.append(column ~ ' > ' ~ high) %}{% endif -%}
    {%- do rules.append({'column': column,
        'rule': 'in_range [' ~ ('-inf' if low is none else low) ~ ', ' ~ ('inf' if high is none else high) ~ ']',
        'tally': 'count(case when ' ~ column ~ ' is not null and (' ~ (outside | join(' or ')) ~ ') then 1 end)'}) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append("'" ~ value ~ "'" if value is string else value | string) -%}
    {%- endfor -%}
    {%- do rules.append({'column': column, 'rule': 'accepted_values (' ~ (values | join(', ')) ~ ')',
        'tally': 'count(case when ' ~ column ~ ' is not null and ' ~ column ~ ' not in (' ~ (quoted | join(', ')) ~ ') then 1 end)'}) -%}
{%- endfor -%}
{%- for expression in expressions -%}
    {%- do rules.append({'column': '*', 'rule': 'expression: ' ~ expression,
        'tally': 'count(case when not coalesce((' ~ expression ~ '), false) then 1 end)'}) -%}
{%- endfor -%}
{%- for column, maximum in distinct_at_most.items() -%}
    {%- do rules.append({'column': column, 'rule': 'distinct_at_most ' ~ maximum,
        'tally': 'count(distinct ' ~ column ~ ')', 'fails_when': '> ' ~ maximum}) -%}
{%- endfor -%}
{%- if row_count is not none -%}
    {%- do rules.append({'column': '*', 'rule': 'row_count = ' ~ row_count,
        'tally': 'count(*)', 'fails_when': '!= ' ~ row_count}) -%}
{%- endif -%}
with tallies as (
    select
        {%- for rule in rules %}
        {{ rule.tally }} as rule_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
),

failures as (
    {%- for rule in rules %}
    select
        '{{ rule.column }}' as column_name,
        '{{ rule.rule | replace("'", "") }}' as rule,
        rule_{{ loop.index }} as failing_rows
    from tallies
    where rule_{{ loop.index }} {{ rule.get('fails_when', '> 0') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from failures
{% endtest %}
