-- One row per usable raw row (not quarantined): how many rows list its Uri, by whom, and, for a
-- later listing, the row_id of the first (lowest row_id) listing of the same Uri.
-- Narrow on purpose: int_tracks__deduplicated (a view) joins it back to the typed values, so the
-- wide rows are stored once (int_tracks__typed), not twice. Hash aggregates by Uri joined back by
-- Uri are cheaper than a window partitioned by Uri (a sort of every row); the ordered string_agg
-- runs only over the Uris listed more than once (about 9% of rows): at 10M rows this halves the
-- time and the memory of one aggregate over every Uri.
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
        count(*) as listing_count
    from usable
    group by uri
),

collaborations as (
    select
        usable.uri,
        {{ ordered_string_agg('usable.artist', ' | ', 'usable.row_id') }} as credited_artists
    from usable
    where
        usable.uri in (
            select by_uri.uri from by_uri
            where by_uri.listing_count > 1
        )
    group by usable.uri
)

select
    usable.row_id,
    by_uri.listing_count,
    case
        when by_uri.listing_count = 1 then usable.artist
        else collaborations.credited_artists
    end as credited_artists,
    case when usable.row_id > by_uri.first_row_id then by_uri.first_row_id end as duplicate_of_row_id
from usable
inner join by_uri on usable.uri = by_uri.uri
left join collaborations on usable.uri = collaborations.uri
