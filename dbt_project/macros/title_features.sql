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
        else regexp_matches(lower({{ title }}), '{{ pattern }}')
    end as {{ name }},
    {%- endfor %}
    {%- for name, pattern in track_marker_patterns() %}
    regexp_matches(lower({{ track }}), '{{ pattern }}') as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Catalog context of each row of `rows_relation` (columns uri, artist, album) against the
    distinct tracks of `catalog_relation`: artist_track_count = 1 + the catalog tracks of the same
    artist with ANOTHER uri (the track itself counts once, whether or not it is in the catalog),
    album_track_count the same within (artist, album). For the warehouse the catalog is the
    relation itself (so the count is the artist's / album's distinct tracks); for scoring it is
    the training warehouse's marts.tracks, so an unknown artist / album counts 1. -#}
{% macro catalog_track_counts(rows_relation, catalog_relation) %}
with catalog_rows as (
    select uri, artist, album from {{ catalog_relation }}
),

artist_counts as (
    select artist, count(*) as catalog_tracks from catalog_rows group by artist
),

album_counts as (
    select artist, album, count(*) as catalog_tracks from catalog_rows group by artist, album
),

scored as (
    select
        rows.*,
        exists (
            select 1 from catalog_rows as own
            where own.uri = rows.uri and own.artist is not distinct from rows.artist
        ) as in_artist_catalog,
        exists (
            select 1 from catalog_rows as own
            where own.uri = rows.uri and own.artist is not distinct from rows.artist
                and own.album is not distinct from rows.album
        ) as in_album_catalog
    from {{ rows_relation }} as rows
)

select
    scored.* exclude (in_artist_catalog, in_album_catalog),
    cast(1 + coalesce(artist_counts.catalog_tracks, 0)
        - cast(scored.in_artist_catalog as integer) as integer) as artist_track_count,
    cast(1 + coalesce(album_counts.catalog_tracks, 0)
        - cast(scored.in_album_catalog as integer) as integer) as album_track_count
from scored
left join artist_counts
    on artist_counts.artist is not distinct from scored.artist
left join album_counts
    on album_counts.artist is not distinct from scored.artist
    and album_counts.album is not distinct from scored.album
{% endmacro %}
