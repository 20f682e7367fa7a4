{#- The ONE definition of every interval and test the study-claims marts (models/marts/claims/)
    use. Every interval is a two-sided 95% interval (claims_z()); side = -1 gives the lower
    bound, side = +1 the upper. Each macro returns null instead of failing when its inputs cannot
    carry an interval (too few rows, a zero mean or rate). -#}

{#- Two-sided 95% normal quantile, z_0.975. -#}
{% macro claims_z() -%}
    cast(1.959963984540054 as double)
{%- endmacro %}

{#- Fewest tracks a claims statistic is computed on (a group of a ratio, a tempo band of a
    correlation); below it the statistic is null. Same default as kpi_min_correlation_tracks. -#}
{% macro claims_min_tracks() -%}
    {{ var('claims_min_tracks') }}
{%- endmacro %}

{#- Fisher-z interval of a correlation r over n pairs: tanh(atanh(r) +- z * sqrt(f / (n - 3))),
    f = 1 for Pearson, f = 1.06 for Spearman (Fieller, Hartley & Pearson 1957). r is clamped
    to +-0.999999 so a perfect correlation gives a finite bound. -#}
{% macro claims_fisher_bound(r, n, side, variance_factor=1.0) -%}
    case
        when {{ n }} > 3 and {{ r }} is not null then
            tanh(
                atanh(greatest(least({{ r }}, 0.999999), -0.999999))
                + ({{ side }}) * {{ claims_z() }} * sqrt({{ variance_factor }} / ({{ n }} - 3.0))
            )
    end
{%- endmacro %}

{#- Standard error of a Fisher z: sqrt(f / (n - 3)) (f as in claims_fisher_bound). -#}
{% macro claims_fisher_se(n, variance_factor=1.0) -%}
    case when {{ n }} > 3 then sqrt({{ variance_factor }} / ({{ n }} - 3.0)) end
{%- endmacro %}

{#- Two-sided p-value of a standard normal statistic z: erfc(|z| / sqrt(2)), erfc from
    Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7; DuckDB has no normal CDF). t is
    claims_erfc_t(z), computed in an earlier CTE so the polynomial reads it once per term. -#}
{% macro claims_normal_p_value(t, z) -%}
    (
        {{ t }} * (0.254829592 + {{ t }} * (-0.284496736 + {{ t }} * (
            1.421413741 + {{ t }} * (-1.453152027 + {{ t }} * 1.061405429)
        ))) * exp(-pow({{ z }}, 2) / 2.0)
    )
{%- endmacro %}

{% macro claims_erfc_t(z) -%}
    (1.0 / (1.0 + 0.3275911 * abs({{ z }}) / sqrt(2.0)))
{%- endmacro %}

{#- Ratio of two means m1 / m0 and its delta-method interval on the log scale:
    exp(ln(m1 / m0) +- z * sqrt(v1 / (n1 m1^2) + v0 / (n0 m0^2))), v = sample variances
    (independent groups). Null for a non-positive mean or fewer than 2 rows in a group. -#}
{% macro claims_ratio_of_means_bound(m1, v1, n1, m0, v0, n0, side) -%}
    case
        when {{ m1 }} > 0 and {{ m0 }} > 0 and {{ n1 }} > 1 and {{ n0 }} > 1 then
            exp(
                ln({{ m1 }} / {{ m0 }})
                + ({{ side }}) * {{ claims_z() }} * sqrt(
                    {{ v1 }} / ({{ n1 }} * pow({{ m1 }}, 2)) + {{ v0 }} / ({{ n0 }} * pow({{ m0 }}, 2))
                )
            )
    end
{%- endmacro %}

{#- Ratio of two proportions (a / n1) / (c / n0), the relative risk, and its Katz log interval:
    exp(ln(RR) +- z * sqrt(1/a - 1/n1 + 1/c - 1/n0)). Null when a group has no success. -#}
{% macro claims_rate_ratio_bound(a, n1, c, n0, side) -%}
    case
        when {{ a }} > 0 and {{ c }} > 0 then
            exp(
                ln((cast({{ a }} as double) / {{ n1 }}) / (cast({{ c }} as double) / {{ n0 }}))
                + ({{ side }}) * {{ claims_z() }} * sqrt(
                    1.0 / {{ a }} - 1.0 / {{ n1 }} + 1.0 / {{ c }} - 1.0 / {{ n0 }}
                )
            )
    end
{%- endmacro %}

{#- 1-based rank of the order statistic that bounds a median's distribution-free interval over
    n rows (normal approximation to Binomial(n, 1/2)): lower = floor(n/2 - z_q sqrt(n)/2),
    upper = ceil(1 + n/2 + z_q sqrt(n)/2), clamped to [1, n]. z_q = 2.241 (97.5% each), so the
    interval of a RATIO of two medians, built from the two medians' bounds, covers >= 95%
    (Bonferroni). -#}
{% macro claims_median_rank(n, side) -%}
    {%- if side < 0 -%}
        greatest(1, cast(floor({{ n }} / 2.0 - 2.241402727604947 * sqrt({{ n }}) / 2.0) as bigint))
    {%- else -%}
        least({{ n }}, cast(ceil(1 + {{ n }} / 2.0 + 2.241402727604947 * sqrt({{ n }}) / 2.0) as bigint))
    {%- endif -%}
{%- endmacro %}

{#- Mean of a column with its normal interval: avg +- z * stddev / sqrt(n), one bound. -#}
{% macro claims_mean_bound(column, side) -%}
    (avg({{ column }}) + ({{ side }}) * {{ claims_z() }} * stddev_samp({{ column }}) / sqrt(count({{ column }})))
{%- endmacro %}

{#- Claimed value rounded to the claim's stated precision equals the measured value rounded the
    same way (rule 'at_precision': exact counts over the whole file, no sampling error). -#}
{% macro claims_same_at_precision(measured, claimed, decimals) -%}
    {#- round(x * 10^d) / 10^d: what DuckDB's round(x, d) computes, and Spark accepts a column d -#}
    (round({{ measured }} * pow(10, {{ decimals }})) / pow(10, {{ decimals }})
        = round({{ claimed }} * pow(10, {{ decimals }})) / pow(10, {{ decimals }}))
{%- endmacro %}

{#- Student t quantile t_0.975 with df degrees of freedom: exact (3 decimals) for df 1..10,
    the Cornish-Fisher approximation z + (z^3 + z) / (4 df) above (error < 0.01). -#}
{% macro claims_t975(df) -%}
    case
        {%- for value in [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228] %}
        when {{ df }} = {{ loop.index }} then {{ value }}
        {%- endfor %}
        when {{ df }} > 10 then {{ claims_z() }} + (pow({{ claims_z() }}, 3) + {{ claims_z() }}) / (4.0 * {{ df }})
    end
{%- endmacro %}

{#- A jinja string as a SQL string literal (single quotes doubled). -#}
{% macro claims_text(value) -%}
    {%- if value is none -%}cast(null as string){%- else -%}'{{ value | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}
