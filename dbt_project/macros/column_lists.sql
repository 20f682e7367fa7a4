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

{#- The other measured audio columns (numeric, not on [0, 1]). -#}
{% macro measured_audio_columns() -%}
    {{ return([('key', 'Key'), ('loudness', 'Loudness'), ('tempo', 'Tempo'), ('duration_ms', 'Duration_ms')]) }}
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

{#- The raw file's layout: every named column, in the order staging selects them. The first
    column (empty header, read as column00) is the file's own index, staged as source_index.
    ml/runtime/raw_input.py REQUIRED_COLUMNS is the same header for the pre-flight check
    (tests/warehouse/test_contracts.py keeps the two equal). -#}
{% macro raw_columns() -%}
    {{ return(text_columns() + unit_audio_columns() + measured_audio_columns() + count_columns() + flag_columns()) }}
{%- endmacro %}

{#- The model-input contract: the columns shared, with the same names and types, by the
    training relation (marts.model_features) and the scoring relation
    (scoring.score_input_features). Every feature of every ModelSpec (ml/modeling/specs.py) is
    one of them (title / track-name flags and catalog counts: macros/title_features.sql), plus
    the keys (uri, row_id) and the stream columns (the target of two models,
    an input of the views model). tests/warehouse/test_contracts.py checks both relations. -#}
{% macro model_input_columns() -%}
    {{ return(
        ['uri', 'row_id', 'artist', 'album_type']
        + (audio_feature_names() | reject('equalto', 'duration_ms') | list)
        + ['duration_minutes', 'audio_positivity', 'audio_complexity']
        + ['youtube_engagement', 'log_views', 'log_likes', 'log_comments']
        + ['has_youtube_video', 'official_video', 'licensed']
        + (title_flag_patterns() | map(attribute=0) | list)
        + (track_marker_patterns() | map(attribute=0) | list)
        + ['album', 'artist_track_count', 'album_track_count']
        + ['stream', 'log_streams']
    ) }}
{%- endmacro %}

{#- The select list of the model-input columns from a relation shaped like marts.tracks, one
    column per line at the indentation of a select list: an unknown flag (flag_columns:
    licensed, official_video) is false for the models. -#}
{% macro model_input_select() -%}
    {%- set flags = flag_columns() | map(attribute=0) | list -%}
    {%- set items = [] -%}
    {%- for name in model_input_columns() -%}
        {%- do items.append('coalesce(' ~ name ~ ', false) as ' ~ name if name in flags else name) -%}
    {%- endfor -%}
    {{ items | join(',\n    ') }}
{%- endmacro %}
