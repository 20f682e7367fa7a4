-- Every raw row, typed, with its row_id: int_tracks__parsed (the one CSV read, stored in file
-- order) with its rowid, the 0-based record position, as row_id. A view: nothing is stored twice.
select
    {{ stored_row_id() }}*
from {{ ref('int_tracks__parsed') }}
