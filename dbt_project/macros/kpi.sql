{#- The ONE definition of every KPI formula used by more than one KPI mart (models/marts/kpi/).
    Aggregate macros take column expressions and return an aggregate expression; the caller
    decides the population (the in_* flags of kpi_tracks). -#}

{#- ` filter (where condition)` after an aggregate, or nothing: lets one formula serve any population. -#}
{% macro kpi_filter(condition) -%}
    {%- if condition %} filter (where {{ condition }}){% endif -%}
{%- endmacro %}

{#- Relative lift of a treated value over a baseline: treated / baseline - 1 (0.30 = +30%).
    Null when the baseline is 0 or null (no division error). -#}
{% macro kpi_lift(treated, baseline) -%}
    (cast({{ treated }} as double) / nullif(cast({{ baseline }} as double), 0) - 1)
{%- endmacro %}

{#- Share of true among non-null flags (0..1); null when every flag is null. -#}
{% macro kpi_share(flag) -%}
    avg(case when {{ flag }} then cast(1 as double) when not {{ flag }} then cast(0 as double) end)
{%- endmacro %}

{#- Hit rate: share of hits among tracks whose hit flag is known (tracks.is_hit is null for
    outliers and unknown streams, so those never count). -#}
{% macro kpi_hit_rate(is_hit) -%}
    {{ kpi_share(is_hit) }}
{%- endmacro %}

{#- Number of hits. -#}
{% macro kpi_hit_count(is_hit) -%}
    count(*) filter (where {{ is_hit }})
{%- endmacro %}

{#- The industry engagement benchmark (dbt var engagement_benchmark, 0.021 = 2.1%). -#}
{% macro kpi_engagement_benchmark() -%}
    cast({{ var('engagement_benchmark') }} as double)
{%- endmacro %}

{#- Mean engagement rate: the unweighted mean of per-track (likes + comments) / views
    (tracks.youtube_engagement): every video counts the same. -#}
{% macro kpi_mean_engagement(engagement, condition=none) -%}
    avg({{ engagement }}){{ kpi_filter(condition) }}
{%- endmacro %}

{#- Views-weighted engagement rate: sum(likes + comments) / sum(views): every view counts the
    same, so big videos dominate. Null when there are no views. -#}
{% macro kpi_weighted_engagement(likes, comments, views, condition=none) -%}
    (cast(sum({{ likes }} + {{ comments }}){{ kpi_filter(condition) }} as double)
        / nullif(cast(sum({{ views }}){{ kpi_filter(condition) }} as double), 0))
{%- endmacro %}

{#- An engagement rate minus the benchmark (positive = better than the industry). -#}
{% macro kpi_vs_benchmark(rate) -%}
    ({{ rate }} - {{ kpi_engagement_benchmark() }})
{%- endmacro %}

{#- Fewest pairs a correlation is computed on; below it the KPI is null (too noisy to show). -#}
{% macro kpi_min_correlation_tracks() -%}
    {{ var('kpi_min_correlation_tracks', 30) }}
{%- endmacro %}

{#- Pearson correlation of y and x over rows where both are non-null; null below min_pairs. -#}
{% macro kpi_pearson(y, x, min_pairs=none, condition=none) -%}
    {%- set min_pairs = kpi_min_correlation_tracks() if min_pairs is none else min_pairs -%}
    case
        when regr_count({{ y }}, {{ x }}){{ kpi_filter(condition) }} >= {{ min_pairs }}
            then corr({{ y }}, {{ x }}){{ kpi_filter(condition) }}
    end
{%- endmacro %}

{#- Average rank of a column (ties share the mean of their ranks), for Spearman correlation:
    Spearman = Pearson of the average ranks. A window expression, so compute it in a CTE. -#}
{% macro kpi_average_rank(column, partition_by=none) -%}
    {%- set partition = 'partition by ' ~ partition_by ~ ' ' if partition_by else '' -%}
    (rank() over ({{ partition }}order by {{ column }})
        + (count(*) over (partition by {% if partition_by %}{{ partition_by }}, {% endif %}{{ column }}) - 1) / 2.0)
{%- endmacro %}

{#- Danceability / energy band of the audio-segment grid: fixed cut points, upper edge
    inclusive: 'low' = [0, low_max], 'mid' = (low_max, mid_max], 'high' = (mid_max, 1]. -#}
{% macro kpi_audio_band(column, low_max, mid_max) -%}
    case
        when {{ column }} <= {{ low_max }} then 'low'
        when {{ column }} <= {{ mid_max }} then 'mid'
        else 'high'
    end
{%- endmacro %}

{#- Cut points of the danceability x energy grid: (low_max, mid_max). The 'high' x 'high' cell
    is exactly the segment "danceability > 0.7 and energy > 0.8". -#}
{% macro kpi_danceability_cuts() -%}
    {{ return([0.5, 0.7]) }}
{%- endmacro %}

{% macro kpi_energy_cuts() -%}
    {{ return([0.5, 0.8]) }}
{%- endmacro %}
