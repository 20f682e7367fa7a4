{#- The ONE definition of every formula the post-model marts (models/marts/scores/) repeat:
    the latest training run, the music-video economics and the A&R segment statistics.
    Assumptions are dbt vars (dbt_project.yml), never literals in a model; the music-video marts
    read them from the one row of marts.score_assumptions. -#}

{#- Run id of the latest training run among the rows of `relation` (a relation with a run_id
    column, e.g. ml.predictions): latest by ml.runs.created_at, then by run_id (ids start with
    a UTC timestamp; staging view stg_ml__runs). A scalar subquery: null when the relation is empty. -#}
{% macro latest_run_id(relation) -%}
    (
        select candidates.run_id
        from (select distinct run_id from {{ relation }}) as candidates
        left join (
            select
                run_id,
                min(created_at) as created_at
            from {{ ref('stg_ml__runs') }}
            group by run_id
        ) as runs using (run_id)
        order by runs.created_at desc nulls last, candidates.run_id desc
        limit 1
    )
{%- endmacro %}

{#- Label revenue of a number of streams at `value_per_stream` USD per stream (an ASSUMPTION:
    marts.score_assumptions.mv_value_per_stream, dbt var mv_value_per_stream). -#}
{% macro mv_stream_value(streams, value_per_stream) -%}
    (cast({{ streams }} as double) * cast({{ value_per_stream }} as double))
{%- endmacro %}

{#- Break-even stream lift of a video: cost / value of the track's predicted streams. The relative
    stream lift the video must cause to pay for itself (0.05 = +5%). Null for 0 predicted value.
    Cost and value per stream are assumptions (marts.score_assumptions). -#}
{% macro mv_break_even_lift(cost, streams, value_per_stream) -%}
    (cast({{ cost }} as double) / nullif({{ mv_stream_value(streams, value_per_stream) }}, 0))
{%- endmacro %}

{#- Cost efficiency of a video: value of the track's predicted streams per dollar of video cost
    (the inverse of the break-even lift). -#}
{% macro mv_cost_efficiency(cost, streams, value_per_stream) -%}
    ({{ mv_stream_value(streams, value_per_stream) }} / nullif(cast({{ cost }} as double), 0))
{%- endmacro %}

{#- z of the A&R checklist's intervals, var ar_confidence_z. -#}
{% macro ar_confidence_z() -%}
    cast({{ var('ar_confidence_z') }} as double)
{%- endmacro %}

{#- Wilson score interval of a proportion (successes / trials): the lower (side = -1) or upper
    (side = +1) bound. Well-behaved for small segments and rates near 0 or 1; null when
    trials = 0. -#}
{% macro wilson_bound(successes, trials, side) -%}
    case
        when {{ trials }} > 0 then
            (
                cast({{ successes }} as double) / {{ trials }}
                + pow({{ ar_confidence_z() }}, 2) / (2.0 * {{ trials }})
                + ({{ side }}) * {{ ar_confidence_z() }} * sqrt(
                    (cast({{ successes }} as double) / {{ trials }})
                    * (1 - cast({{ successes }} as double) / {{ trials }}) / {{ trials }}
                    + pow({{ ar_confidence_z() }}, 2) / (4.0 * {{ trials }} * {{ trials }})
                )
            ) / (1 + pow({{ ar_confidence_z() }}, 2) / {{ trials }})
    end
{%- endmacro %}

{#- The scout's reading of a segment: 'look for' when the whole interval of its hit rate is above
    the reference hit rate, 'avoid' when it is wholly below, 'no clear difference' when it contains
    it, 'too few tracks' below var ar_min_segment_tracks labelled tracks. -#}
{% macro ar_signal(successes, trials, reference_rate) -%}
    case
        when coalesce({{ trials }}, 0) < {{ var('ar_min_segment_tracks') }} then 'too few tracks'
        when {{ wilson_bound(successes, trials, -1) }} > {{ reference_rate }} then 'look for'
        when {{ wilson_bound(successes, trials, 1) }} < {{ reference_rate }} then 'avoid'
        else 'no clear difference'
    end
{%- endmacro %}

{#- Readable rule of a half-open band lower < column <= upper, at the ends of [min, max]
    'column <= upper' / 'column > lower' (the kpi_audio_band cut points are upper-inclusive). -#}
{% macro ar_band_rule(label, lower, upper, minimum=0, maximum=1) -%}
    case
        when {{ lower }} <= {{ minimum }} then '{{ label }} <= ' || {{ upper }}
        when {{ upper }} >= {{ maximum }} then '{{ label }} > ' || {{ lower }}
        else {{ lower }} || ' < {{ label }} <= ' || {{ upper }}
    end
{%- endmacro %}

{#- Cut points of the model hit-probability bands of the A&R checklist, lower-inclusive:
    [0, 0.1), [0.1, 0.25), [0.25, 0.5), [0.5, 0.75), [0.75, 1]. -#}
{% macro ar_probability_cuts() -%}
    {{ return([0.1, 0.25, 0.5, 0.75]) }}
{%- endmacro %}
