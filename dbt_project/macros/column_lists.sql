{#- Column groups of the raw file, defined once and used by typing, imputation and tests.
    Each entry: (snake_case name, header in the raw file). -#}

{% macro text_columns() -%}
    {{ return([
        ('artist', 'Artist'), ('url_spotify', 'Url_spotify'), ('track', 'Track'),
        ('album', 'Album'), ('album_type', 'Album_type'), ('uri', 'Uri'),
        ('url_youtube', 'Url_youtube'), ('title', 'Title'), ('channel', 'Channel'),
        ('description', 'Description')
    ]) }}
{%- endmacro %}

{#- Audio features measured on [0, 1]. -#}
{% macro unit_audio_columns() -%}
    {{ return([
        ('danceability', 'Danceability'), ('energy', 'Energy'), ('speechiness', 'Speechiness'),
        ('acousticness', 'Acousticness'), ('instrumentalness', 'Instrumentalness'),
        ('liveness', 'Liveness'), ('valence', 'Valence')
    ]) }}
{%- endmacro %}

{#- Every audio feature that is median-imputed when missing. -#}
{% macro audio_feature_names() -%}
    {{ return(['danceability', 'energy', 'key', 'loudness', 'speechiness', 'acousticness',
               'instrumentalness', 'liveness', 'valence', 'tempo', 'duration_ms']) }}
{%- endmacro %}

{#- Engagement counts: zero-filled when missing (stream is the target and is never filled). -#}
{% macro engagement_count_columns() -%}
    {{ return([('views', 'Views'), ('likes', 'Likes'), ('comments', 'Comments')]) }}
{%- endmacro %}

{% macro count_columns() -%}
    {{ return(engagement_count_columns() + [('stream', 'Stream')]) }}
{%- endmacro %}

{#- Plausible upper bound for any count (the real maximum is 8.1e9 views). -#}
{% macro max_plausible_count() -%}1e13{%- endmacro %}

{% macro flag_columns() -%}
    {{ return([('licensed', 'Licensed'), ('official_video', 'official_video')]) }}
{%- endmacro %}
