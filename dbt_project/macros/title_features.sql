{#- Video-title types and track-name markers (the ONE definition, used by clean_and_derive for
    the warehouse and for scoring), and the catalog context (tracks per artist / album).

    Matching is on the lower-cased text with RE2 word boundaries (\b) where "as a word" matters:
    - title_official_video: "official video" or "official music video";
    - title_lyric: "lyric" anywhere ("Lyric Video", "lyrics", "[Lyric]");
    - title_audio: "audio" as a word ("Official Audio", "(Audio)"; also "Canción (Audio
      Oficial)": the word is the same in Spanish; not "audiovisual");
    - title_live: "live" as a word ("LIVE at Wembley", "Live from..."; not "alive", "lives");
    - title_visualizer: "visualizer" / "visualiser".
    A title flag is NULL when the track has no video (no YouTube url or no title): unknown, not
    false. Track-name markers are NULL only when the track name is missing:
    - track_remix: "remix"; track_featuring: "feat." / "ft." as a word / "(with ";
    - track_remaster: "remaster" ("Remastered 2011", "2009 Remaster");
    - track_live: "live" as a word. -#}

{% macro title_flag_patterns() -%}
    {{ return([
        ('title_official_video', 'official (music )?video'),
        ('title_lyric', 'lyric'),
        ('title_audio', '\\baudio\\b'),
        ('title_live', '\\blive\\b'),
        ('title_visualizer', 'visuali[sz]er')
    ]) }}
{%- endmacro %}

{% macro track_marker_patterns() -%}
    {{ return([
        ('track_remix', 'remix'),
        ('track_featuring', '(\\bfeat\\.|\\bft\\.|\\(with )'),
        ('track_remaster', 'remaster'),
        ('track_live', '\\blive\\b')
    ]) }}
{%- endmacro %}

{#- The flag columns for a select list (relation shaped like int_tracks__typed). -#}
{% macro title_and_track_flags(title, url_youtube, track) -%}
    {%- for name, pattern in title_flag_patterns() %}
    case
        when {{ url_youtube }} is null or {{ title }} is null then null
        else {{ regex_matches('lower(' ~ title ~ ')', pattern) }}
    end as {{ name }},
    {%- endfor %}
    {%- for name, pattern in track_marker_patterns() %}
    {{ regex_matches('lower(' ~ track ~ ')', pattern) }} as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Catalog context of each row of `rows_relation` (columns uri, artist, album) against the
    training warehouse's distinct tracks (marts.tracks), as stored with the models in the
    training reference and written by `python -m ml score` into the scratch DuckDB file (sources
    score_reference.artist_track_counts / album_track_counts / catalog_tracks): scoring never
    reads the warehouse. The definition is marts.tracks': artist_track_count = 1 + the training
    tracks of the same artist with ANOTHER uri (the track itself counts once, whether or not it
    is in the training catalog), album_track_count the same within (artist, album). So a track
    of an unknown artist / album counts 1 (0 training tracks + itself), a new track of a known
    artist 1 + the artist's training tracks, and a training track scored again gets exactly its
    marts.tracks count (catalog_tracks: the training uris, unique, with their artist and album). -#}
{% macro catalog_track_counts(rows_relation) %}
select
    scored.*,
    cast(
        1 + coalesce(artists.track_count, 0)
        - cast(coalesce(own.artist is not distinct from scored.artist, false) as integer)
        as integer
    ) as artist_track_count,
    cast(
        1 + coalesce(albums.track_count, 0)
        - cast(coalesce(
            own.artist is not distinct from scored.artist
            and own.album is not distinct from scored.album, false
        ) as integer)
        as integer
    ) as album_track_count
from {{ rows_relation }} as scored
left join {{ source('score_reference', 'catalog_tracks') }} as own
    on own.uri = scored.uri
left join {{ source('score_reference', 'artist_track_counts') }} as artists
    on artists.artist is not distinct from scored.artist
left join {{ source('score_reference', 'album_track_counts') }} as albums
    on albums.artist is not distinct from scored.artist
    and albums.album is not distinct from scored.album
{% endmacro %}
