-- One row per raw row: what happened to it. Invariant: count(*) = raw rows, always.
with raw_rows as (
    select
        row_id,
        source_index,
        uri,
        artist,
        track,
        quarantine_reason
    from {{ ref('int_tracks__typed') }}
),

duplicates as (
    select
        row_id,
        duplicate_of_row_id
    from {{ ref('int_tracks__deduplicated') }}
    where duplicate_of_row_id is not null
),

outliers as (
    select
        row_id,
        is_outlier,
        outlier_column,
        outlier_z
    from {{ ref('int_tracks__outliers') }}
)

select
    raw_rows.row_id,
    raw_rows.source_index,
    raw_rows.uri,
    raw_rows.artist,
    raw_rows.track,
    case
        when raw_rows.quarantine_reason is not null then 'quarantined'
        when duplicates.duplicate_of_row_id is not null then 'duplicate'
        when outliers.is_outlier then 'outlier'
        when outliers.row_id is not null then 'kept'
    end as fate,
    case
        when raw_rows.quarantine_reason is not null then raw_rows.quarantine_reason
        when duplicates.duplicate_of_row_id is not null
            then 'duplicate of row_id ' || duplicates.duplicate_of_row_id || ' (same Uri)'
        when outliers.is_outlier
            then 'outlier on ' || outliers.outlier_column || ' (z = ' || round(outliers.outlier_z, 2) || ')'
    end as reason,
    duplicates.duplicate_of_row_id,
    outliers.outlier_column,
    outliers.outlier_z
from raw_rows
left join duplicates using (row_id)
left join outliers using (row_id)
