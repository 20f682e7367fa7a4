"""Pre-flight checks of a raw CSV before dbt reads it: clear messages instead of SQL errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb

from ml.runtime.errors import PipelineError
from ml.runtime.warehouse import session

# The raw file's header in file order (the first column's header is empty); the synthetic
# generator writes it as its header (ml/synthetic/layout.py). Order does not matter to dbt.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "", "Artist", "Url_spotify", "Track", "Album", "Album_type", "Uri", "Danceability", "Energy",
    "Key", "Loudness", "Speechiness", "Acousticness", "Instrumentalness", "Liveness", "Valence",
    "Tempo", "Duration_ms", "Url_youtube", "Title", "Channel", "Views", "Likes", "Comments",
    "Description", "Licensed", "official_video", "Stream",
)  # fmt: skip
# Columns a file of new tracks may leave out entirely when scoring.
OPTIONAL_FOR_SCORING: frozenset[str] = frozenset({"Stream"})
_SNIFF_BYTES = 1 << 20  # the header and the first rows are checked; dbt reads the rest


def _display(name: str) -> str:
    return repr(name) if name else "'' (the empty first header)"


def check_raw_csv(path: Path, *, required: tuple[str, ...] = REQUIRED_COLUMNS) -> list[str]:
    """Validate that `path` is a readable UTF-8 CSV with the required header; return the header."""
    if not path.exists():
        raise PipelineError(f"{path}: file not found", step="ingest")
    if path.is_dir():
        raise PipelineError(f"{path}: is a directory, expected a CSV file", step="ingest")
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip():
        raise PipelineError(f"{path}: the file is empty (no header, no rows)", step="ingest")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        cut_at_boundary = len(head) == _SNIFF_BYTES and error.start >= len(head) - 4
        if not cut_at_boundary:
            line = head[: error.start].count(b"\n") + 1
            raise PipelineError(
                f"{path}: line {line}: not valid UTF-8 (byte 0x{head[error.start]:02x} at offset "
                f"{error.start})",
                step="ingest",
                hint="re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
            ) from error
        text = head[: error.start].decode("utf-8")
    text = text.removeprefix("\ufeff")
    header = next(csv.reader(io.StringIO(text)), [])
    header = [name.strip() for name in header]
    missing = [name for name in required if name not in header]
    if missing:
        missing_text = ", ".join(_display(name) for name in missing)
        found_text = ", ".join(_display(name) for name in header[:30])
        raise PipelineError(
            f"{path}: line 1 (header): missing column(s) {missing_text}; "
            f"found {len(header)} column(s): {found_text}",
            step="ingest",
            hint="the file must have the Kaggle 'Spotify and Youtube' layout (28 columns)",
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise PipelineError(
            f"{path}: line 1 (header): duplicated column(s) {', '.join(map(_display, duplicated))}",
            step="ingest",
        )
    if len(text.splitlines()) < 2 and len(head) == path.stat().st_size:
        raise PipelineError(f"{path}: header only, no data rows", step="ingest")
    return header


def diagnose_csv(path: Path, *, limit: int = 5) -> str | None:
    """Find the records DuckDB cannot parse (unterminated quote, wrong field count, bad UTF-8).

    Run only after a failed read: a strict read of the whole file with explicit text columns
    (no dialect sniffing) that stores, instead of raising, each error with its line and column.
    DuckDB counts CSV records, not physical lines (a quoted description may span several lines).
    Returns a message naming file, record and column, or None when no parse error is found.
    """
    try:
        header = check_raw_csv(path, required=())
    except PipelineError as error:
        return error.message
    columns = {(name or "column00"): "VARCHAR" for name in header}
    with duckdb.connect() as connection:
        try:
            connection.execute(
                "select count(*) from read_csv(?, header = true, auto_detect = false,"
                " columns = ?, delim = ',', quote = '\"', escape = '\"',"
                " store_rejects = true)",
                [str(path), columns],
            ).fetchall()  # the scan (and the rejects table) happens on fetch
            rejects = connection.execute(
                "select line, column_name, error_type, error_message from reject_errors"
                " qualify row_number() over (partition by line order by column_idx) = 1"
                " order by line"
            ).fetchall()
        except duckdb.Error as error:
            return f"{path}: cannot be parsed as CSV: {str(error).splitlines()[0]}"
    if not rejects:
        return None
    lines = [
        f"{path}: record {record} (the header is record 1; row_id {record - 2}), "
        f"column {column!r}: {message} ({kind.lower()})"
        for record, column, kind, message in rejects[:limit]
    ]
    more = len(rejects) - limit
    if more > 0:
        lines.append(f"... and {more} more parse error(s)")
    return "\n".join(lines)


# --- the record count of the raw file, read independently of dbt -----------------------------

RAW_FILE_PROFILE = "meta.raw_file_profile"  # read by the dbt test raw_file_records_match
# Files up to this size are counted by Python's csv module (~1.3 s per 100k records of the study's
# layout, one core: ~2 min for 10M rows); larger ones by a strict, explicitly configured DuckDB
# read (no sniffing, fixed dialect and columns), still independent of the staging read's
# auto-detection, ~10x faster.
CSV_MODULE_MAX_BYTES = 1 << 30


def count_csv_records(path: Path) -> int:
    """Data records of a CSV (the header excluded), counted by Python's csv module.

    Quote-aware (a quoted field may span lines), streaming (constant memory), blank lines not
    counted. Decoded as latin-1: every byte is one character, and the bytes that delimit records
    (comma, quote, newline) are ASCII, so the count of a UTF-8 file is the same, decode-free.
    """
    csv.field_size_limit(1 << 30)  # a long description is one field, not an error
    with path.open(encoding="latin-1", newline="") as handle:
        records = sum(map(bool, csv.reader(handle)))
    return max(records - 1, 0)  # the first record is the header


def count_csv_records_strict(path: Path) -> int | None:
    """The same count by DuckDB, strict and explicitly configured; None when that read fails."""
    header = check_raw_csv(path, required=())
    columns = {(name or "column00"): "VARCHAR" for name in header}
    with duckdb.connect() as connection:
        try:
            row = connection.execute(
                "select count(*) from read_csv(?, header = true, auto_detect = false,"
                " columns = ?, delim = ',', quote = '\"', escape = '\"', strict_mode = true)",
                [str(path), columns],
            ).fetchone()
        except duckdb.Error:
            return None
    return int(row[0]) if row else None


def raw_file_records(path: Path) -> tuple[int, str]:
    """(records, method): the csv module for files up to CSV_MODULE_MAX_BYTES, else the strict
    DuckDB read (the csv module when that read fails)."""
    if path.stat().st_size > CSV_MODULE_MAX_BYTES:
        records = count_csv_records_strict(path)
        if records is not None:
            return records, "duckdb strict read_csv"
    return count_csv_records(path), "python csv"


def record_raw_file_profile(warehouse_path: Path, raw_path: Path) -> int:
    """Count the records of `raw_path` and store the count in meta.raw_file_profile, keyed by
    path (as dbt gets it in RAW_DATA_PATH) + size + mtime: the dbt test raw_file_records_match
    reads the row of the file it is building from and fails when marts.row_fate differs.
    Returns the count."""
    records, method = raw_file_records(raw_path)
    stat = raw_path.stat()
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with session(warehouse_path) as connection:
        connection.execute("create schema if not exists meta")
        connection.execute(
            f"create table if not exists {RAW_FILE_PROFILE} (path varchar not null,"
            " size_bytes bigint not null, mtime_us bigint not null, records bigint not null,"
            " counted_by varchar not null, counted_at timestamp not null)"
        )
        connection.execute(f"delete from {RAW_FILE_PROFILE} where path = ?", [str(raw_path)])
        connection.execute(
            f"insert into {RAW_FILE_PROFILE} values (?, ?, ?, ?, ?, current_timestamp::timestamp)",
            [str(raw_path), stat.st_size, stat.st_mtime_ns // 1000, records, method],
        )
    return records
