-- One row per usable raw row (not quarantined): how many rows list its Uri, by whom, and, for a
-- later listing, the row_id of the first (lowest row_id) listing of the same Uri.
-- Narrow on purpose: int_tracks__deduplicated (a view) joins it back to the typed values, so the
-- wide rows are stored once (int_tracks__typed), not twice. A hash aggregate per Uri joined back
-- by Uri is cheaper than a window partitioned by Uri, which sorts every row.
with usable as (
    select
        row_id,
        uri,
        artist
    from {{ ref('int_tracks__typed') }}
    where quarantine_reason is null
),

by_uri as (
    select
        uri,
        min(row_id) as first_row_id,
        count(*) as listing_count,
        string_agg(artist, ' | ' order by row_id) as credited_artists
    from usable
    group by uri
)

select
    usable.row_id,
    by_uri.listing_count,
    by_uri.credited_artists,
    case when usable.row_id > by_uri.first_row_id then by_uri.first_row_id end as duplicate_of_row_id
from usable
inner join by_uri on usable.uri = by_uri.uri
