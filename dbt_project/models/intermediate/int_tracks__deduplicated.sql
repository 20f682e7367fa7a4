-- A collaboration is listed once per credited artist with the same Uri: keep the first listing
-- (lowest row_id) of each Uri among usable rows; later listings point at it.
-- The long video description is not carried downstream (no model or KPI uses it).
with usable as (
    select * exclude (description, quarantine_reason)
    from {{ ref('int_tracks__typed') }}
    where quarantine_reason is null
),

ranked as (
    select
        *,
        row_number() over (partition by uri order by row_id) as listing_number,
        first_value(row_id) over (partition by uri order by row_id) as first_row_id,
        count(*) over (partition by uri) as listing_count,
        string_agg(artist, ' | ' order by row_id) over (partition by uri) as credited_artists
    from usable
)

select
    * exclude (listing_number, first_row_id),
    case when listing_number > 1 then first_row_id end as duplicate_of_row_id
from ranked
