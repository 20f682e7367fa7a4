-- A collaboration is listed once per credited artist with the same Uri: the first listing
-- (lowest row_id) of each Uri among usable rows is the track; later listings point at it.
-- A view: the typed values (stored once, in int_tracks__typed) beside the listing columns of
-- int_tracks__listings. The long video description is not carried downstream.
select
    {{ star_except(['quarantine_reason'], 'typed.') }},
    listings.listing_count,
    listings.credited_artists,
    listings.duplicate_of_row_id
from {{ ref('int_tracks__typed') }} as typed
inner join {{ ref('int_tracks__listings') }} as listings on typed.row_id = listings.row_id
