{#- The ONE definition of every derived feature (SPEC step 3). Used by the warehouse
    (int_tracks__features) and by scoring of new tracks (scoring models): never copied into Python. -#}

{% macro audio_positivity(danceability, energy, valence) -%}
    ({{ danceability }} + {{ energy }} + {{ valence }}) / 3.0
{%- endmacro %}

{% macro audio_complexity(speechiness, acousticness, instrumentalness, liveness) -%}
    ({{ speechiness }} + {{ acousticness }} + {{ instrumentalness }} + {{ liveness }}) / 4.0
{%- endmacro %}

{#- (likes + comments) / views; null when views is 0 or missing (never a division error). -#}
{% macro youtube_engagement(likes, comments, views) -%}
    (coalesce({{ likes }}, 0) + coalesce({{ comments }}, 0)) / nullif(cast({{ views }} as double), 0)
{%- endmacro %}

{#- streams per view: a KPI only, never a model input (it contains the stream target). -#}
{% macro cross_platform_ratio(streams, views) -%}
    cast({{ streams }} as double) / nullif(cast({{ views }} as double), 0)
{%- endmacro %}

{#- Natural log of (1 + count): defined at 0, null stays null. -#}
{% macro log_count(count) -%}
    ln(1 + cast({{ count }} as double))
{%- endmacro %}

{% macro duration_minutes(duration_ms) -%}
    cast({{ duration_ms }} as double) / 60000.0
{%- endmacro %}

{#- Lower edge of the 10-BPM band the tempo falls in (e.g. 124.3 -> 120). -#}
{% macro tempo_band(tempo) -%}
    cast(floor({{ tempo }} / 10.0) * 10 as integer)
{%- endmacro %}


{#- Imputation + every derived column, for any relation shaped like int_tracks__typed.
    medians_relation: one row with a median_<feature> column per audio feature. -#}
{% macro clean_and_derive(relation, medians_relation) %}
with tracks as (
    select * from {{ relation }}
),

medians as (
    select * from {{ medians_relation }}
),

imputed as (
    select
        {{ star_except(audio_feature_names() + (engagement_count_columns() | map(attribute=0) | list), 'tracks.') }},
        {%- for name in audio_feature_names() %}
        {%- if name == 'key' %}
        cast(coalesce(tracks.key, medians.median_key) as integer) as key,
        {%- elif name == 'duration_ms' %}
        cast(coalesce(tracks.duration_ms, medians.median_duration_ms) as bigint) as duration_ms,
        {%- else %}
        coalesce(tracks.{{ name }}, medians.median_{{ name }}) as {{ name }},
        {%- endif %}
        {%- endfor %}
        {%- for name, header in engagement_count_columns() %}
        coalesce(tracks.{{ name }}, 0) as {{ name }},
        {%- endfor %}
        (
            {%- for name in audio_feature_names() %}
            tracks.{{ name }} is null{{ ' or' if not loop.last }}
            {%- endfor %}
        ) as audio_was_imputed,
        (
            {%- for name, header in engagement_count_columns() %}
            tracks.{{ name }} is null{{ ' or' if not loop.last }}
            {%- endfor %}
        ) as engagement_was_filled,
        tracks.url_youtube is not null as has_youtube_video
    from tracks
    cross join medians
),

derived as (
    select
        *,
        {{ duration_minutes('duration_ms') }} as duration_minutes,
        {{ audio_positivity('danceability', 'energy', 'valence') }} as audio_positivity,
        {{ audio_complexity('speechiness', 'acousticness', 'instrumentalness', 'liveness') }} as audio_complexity,
        {{ youtube_engagement('likes', 'comments', 'views') }} as youtube_engagement,
        {{ cross_platform_ratio('stream', 'views') }} as cross_platform_ratio,
        {{ log_count('stream') }} as log_streams,
        {{ log_count('views') }} as log_views,
        {{ log_count('likes') }} as log_likes,
        {{ log_count('comments') }} as log_comments,
        {{ tempo_band('tempo') }} as tempo_band,
        {{- title_and_track_flags('title', 'url_youtube', 'track') }}
    from imputed
)

select * from derived
{% endmacro %}
