"""Pre-flight checks of a raw CSV before dbt reads it: clear messages instead of SQL errors.

The raw file (warehouse build) and a file of new tracks (scoring) are read by HEADER NAME, by one
shared implementation: `inspect_raw_csv` detects the separator and the encoding, matches each
canonical header (REQUIRED_COLUMNS) to the file's own (any order; case and surrounding spaces
tolerated, and reported), finds the index column (first, empty or `Unnamed: 0`, or absent) and
returns a `RawLayout`. `RawLayout.dbt_env` hands that to dbt as env vars read with env_var() by
the staging macro rename_raw_columns and the sources' read_csv (not `--vars`: changed vars make
dbt re-parse the whole project). A standard file (comma-separated, exact header names) sets no
variable at all, so its parse state is the same run after run.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
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
INDEX_HEADER = ""  # the file's own index column (pandas writes it with an empty header)
INDEX_ALIASES = frozenset({"", "unnamed: 0"})  # `Unnamed: 0`: a pandas re-save of the file
# The audio columns: with Artist and Track, all a file of new tracks must have to be scored.
AUDIO_HEADERS: tuple[str, ...] = (
    "Danceability", "Energy", "Key", "Loudness", "Speechiness", "Acousticness",
    "Instrumentalness", "Liveness", "Valence", "Tempo", "Duration_ms",
)  # fmt: skip
SCORING_REQUIRED: tuple[str, ...] = ("Artist", "Track", *AUDIO_HEADERS)
# Everything else may be left out of a scoring file (YouTube columns, Uri, Album, flags, Stream,
# the index column): an absent column reads as null, exactly like an empty field.
OPTIONAL_FOR_SCORING: frozenset[str] = frozenset(REQUIRED_COLUMNS) - set(SCORING_REQUIRED)
SEPARATORS: dict[str, str] = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
_SNIFF_BYTES = 1 << 20  # the header and the first rows are checked; dbt reads the rest
# Bytes with no character in Windows-1252: a file that has one is not cp1252 (likely latin-1).
_NOT_CP1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _display(name: str) -> str:
    return repr(name) if name else "'' (the empty first header)"


def _normal(name: str) -> str:
    return name.strip().casefold()


@dataclass(frozen=True)
class RawLayout:
    """How one CSV file maps onto the canonical raw layout."""

    path: Path
    header: list[str]  # the file's header as read (stripped)
    delimiter: str = ","
    columns: dict[str, str] = field(default_factory=dict)  # canonical header -> DuckDB column
    index_column: str | None = "column00"  # DuckDB's name of the index column; None: absent
    missing: tuple[str, ...] = ()  # optional canonical headers the file does not have
    loose: tuple[tuple[str, str], ...] = ()  # (file header, canonical header) matched loosely

    @property
    def is_standard(self) -> bool:
        """Comma-separated, every canonical header present under its own name, index as ''."""
        renamed = any(actual != name for name, actual in self.columns.items())
        return (
            self.delimiter == ","
            and not renamed
            and not self.missing
            and self.index_column == "column00"
        )

    def dbt_env(self, prefix: str) -> dict[str, str]:
        """Env vars for dbt (`<prefix>_DELIM`, `<prefix>_LAYOUT`); {} for a standard file."""
        if self.is_standard:
            return {}
        layout = {
            "index": self.index_column,
            "columns": {name: actual for name, actual in self.columns.items() if actual != name},
            "missing": list(self.missing),
        }
        return {
            f"{prefix}_DELIM": "\\t" if self.delimiter == "\t" else self.delimiter,
            f"{prefix}_LAYOUT": json.dumps(layout, sort_keys=True),
        }

    def notes(self) -> list[str]:
        """What the pre-flight adapted, one line each (empty for a standard file)."""
        lines = []
        if self.delimiter != ",":
            lines.append(f"separated by {SEPARATORS[self.delimiter]} (read as such)")
        if self.loose:
            pairs = ", ".join(f"{actual!r} as {name!r}" for actual, name in self.loose)
            lines.append(f"header names matched loosely (case/spaces): {pairs}")
        if self.index_column is None:
            lines.append("no index column: row_id is the record position")
        if self.missing:
            lines.append(f"absent optional column(s), read as empty: {', '.join(self.missing)}")
        return lines


def _decode(path: Path, head: bytes) -> str:
    """The sniffed bytes as text; a non-UTF-8 file is refused with the fix for its encoding."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PipelineError(
            f"{path}: the file is UTF-16 (Excel 'Unicode Text'), not UTF-8",
            step="ingest",
            hint="in Excel: Save As 'CSV UTF-8 (Comma delimited) (*.csv)'",
        )
    try:
        return head.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        if len(head) == _SNIFF_BYTES and error.start >= len(head) - 4:
            return head[: error.start].decode("utf-8").removeprefix("\ufeff")
        line = head[: error.start].count(b"\n") + 1
        byte = head[error.start]
        if _NOT_CP1252.isdisjoint(head):
            guess = "Windows-1252 (cp1252), what Excel writes for 'CSV (Comma delimited)'"
            fix = (
                "in Excel: Save As 'CSV UTF-8 (Comma delimited) (*.csv)'; or "
                "`iconv -f cp1252 -t utf-8 in.csv > out.csv`"
            )
        else:
            guess, fix = "latin-1", "re-save as UTF-8: `iconv -f latin1 -t utf-8 in.csv > out.csv`"
        raise PipelineError(
            f"{path}: line {line}: not valid UTF-8 (byte 0x{byte:02x} at offset {error.start}); "
            f"the file looks like {guess}",
            step="ingest",
            hint=fix,
        ) from error


def _split_header(first_line: str) -> tuple[str, list[str]]:
    """The separator that splits the header into the most known column names, and the names."""
    known = {_normal(name) for name in REQUIRED_COLUMNS if name} | INDEX_ALIASES - {""}
    best: tuple[int, str, list[str]] | None = None
    for delimiter in SEPARATORS:  # ',' first: it wins ties
        names = next(csv.reader([first_line], delimiter=delimiter), [])
        score = sum(_normal(name) in known for name in names)
        if best is None or score > best[0]:
            best = (score, delimiter, names)
    assert best is not None
    return best[1], [name.strip() for name in best[2]]


def _duckdb_names(header: list[str]) -> list[str]:
    """Column names as DuckDB's read_csv gives them: trimmed; an empty one is column<i>."""
    width = len(str(len(header) - 1))
    return [name or f"column{i:0{width}d}" for i, name in enumerate(header)]


def _match(path: Path, header: list[str], required: tuple[str, ...]) -> RawLayout:
    """Each canonical header to the file's column (exact name first, then loosely); the index
    column is optional whatever `required` says (absent: row_id is the record position)."""
    names = _duckdb_names(header)
    index_column = None
    if header and _normal(header[0]) in INDEX_ALIASES:
        index_column = names[0]
    body = list(zip(header, names, strict=True))[0 if index_column is None else 1 :]
    duplicated = sorted({n for n, _ in body if [_normal(h) for h, _ in body].count(_normal(n)) > 1})
    if duplicated:
        raise PipelineError(
            f"{path}: line 1 (header): duplicated column(s) {', '.join(map(_display, duplicated))}"
            " (names are compared ignoring case and surrounding spaces)",
            step="ingest",
        )
    exact = {name: column for name, column in body}
    loose = {_normal(name): (name, column) for name, column in body}
    columns: dict[str, str] = {}
    loosely: list[tuple[str, str]] = []
    missing_required, missing_optional = [], []
    for name in (n for n in REQUIRED_COLUMNS if n):
        if name in exact:
            columns[name] = exact[name]
        elif _normal(name) in loose:
            actual, column = loose[_normal(name)]
            columns[name] = column
            loosely.append((actual, name))
        elif name in required:
            missing_required.append(name)
        else:
            missing_optional.append(name)
    if missing_required:
        raise PipelineError(
            f"{path}: line 1 (header): missing column(s) "
            f"{', '.join(map(_display, missing_required))}; "
            f"found {len(header)} column(s): {', '.join(map(_display, header[:30]))}",
            step="ingest",
            hint="columns are found by header name (any order, any case); the file must have "
            "the Kaggle 'Spotify and Youtube' layout",
        )
    return RawLayout(
        path=path,
        header=header,
        columns=columns,
        index_column=index_column,
        missing=tuple(missing_optional),
        loose=tuple(loosely),
    )


def inspect_raw_csv(path: Path, *, required: tuple[str, ...] = REQUIRED_COLUMNS) -> RawLayout:
    """Validate that `path` is a readable UTF-8 CSV with the required headers (by name, any
    order, index column optional); return how it maps onto the canonical layout. Canonical
    headers not in `required` may be absent (listed in RawLayout.missing)."""
    if not path.exists():
        raise PipelineError(f"{path}: file not found", step="ingest")
    if path.is_dir():
        raise PipelineError(f"{path}: is a directory, expected a CSV file", step="ingest")
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip():
        raise PipelineError(f"{path}: the file is empty (no header, no rows)", step="ingest")
    text = _decode(path, head)
    first_line = next(iter(text.splitlines()), "")
    delimiter, header = _split_header(first_line)
    layout = _match(path, header, required)
    if len(text.splitlines()) < 2 and len(head) == path.stat().st_size:
        raise PipelineError(f"{path}: header only, no data rows", step="ingest")
    return RawLayout(**{**layout.__dict__, "delimiter": delimiter})


def check_raw_csv(path: Path, *, required: tuple[str, ...] = REQUIRED_COLUMNS) -> list[str]:
    """Validate `path` like inspect_raw_csv; return the file's header."""
    return inspect_raw_csv(path, required=required).header


def diagnose_csv(path: Path, *, limit: int = 5) -> str | None:
    """Find the records DuckDB cannot parse (unterminated quote, wrong field count, bad UTF-8).

    Run only after a failed read: a strict read of the whole file with explicit text columns
    (no dialect sniffing) that stores, instead of raising, each error with its line and column.
    DuckDB counts CSV records, not physical lines (a quoted description may span several lines).
    Returns a message naming file, record and column, or None when no parse error is found.
    """
    try:
        layout = inspect_raw_csv(path, required=())
    except PipelineError as error:
        return error.message
    columns = dict.fromkeys(_duckdb_names(layout.header), "VARCHAR")
    with duckdb.connect() as connection:
        try:
            connection.execute(
                "select count(*) from read_csv(?, header = true, auto_detect = false,"
                " columns = ?, delim = ?, quote = '\"', escape = '\"',"
                " store_rejects = true)",
                [str(path), columns, layout.delimiter],
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


def count_csv_records(path: Path, delimiter: str = ",") -> int:
    """Data records of a CSV (the header excluded), counted by Python's csv module.

    Quote-aware (a quoted field may span lines), streaming (constant memory), blank lines not
    counted. Decoded as latin-1: every byte is one character, and the bytes that delimit records
    (separator, quote, newline) are ASCII, so the count of a UTF-8 file is the same, decode-free.
    """
    csv.field_size_limit(1 << 30)  # a long description is one field, not an error
    with path.open(encoding="latin-1", newline="") as handle:
        records = sum(map(bool, csv.reader(handle, delimiter=delimiter)))
    return max(records - 1, 0)  # the first record is the header


def count_csv_records_strict(path: Path, delimiter: str = ",") -> int | None:
    """The same count by DuckDB, strict and explicitly configured (no sniffing, one text column
    per header field); None when that read fails."""
    header = inspect_raw_csv(path, required=()).header
    columns = {f"c{position}": "VARCHAR" for position in range(len(header))}
    with duckdb.connect() as connection:
        try:
            row = connection.execute(
                "select count(*) from read_csv(?, header = true, auto_detect = false,"
                " columns = ?, delim = ?, quote = '\"', escape = '\"', strict_mode = true)",
                [str(path), columns, delimiter],
            ).fetchone()
        except duckdb.Error:
            return None
    return int(row[0]) if row else None


def raw_file_records(path: Path, delimiter: str = ",") -> tuple[int, str]:
    """(records, method): the csv module for files up to CSV_MODULE_MAX_BYTES, else the strict
    DuckDB read (the csv module when that read fails)."""
    if path.stat().st_size > CSV_MODULE_MAX_BYTES:
        records = count_csv_records_strict(path, delimiter)
        if records is not None:
            return records, "duckdb strict read_csv"
    return count_csv_records(path, delimiter), "python csv"


def record_raw_file_profile(warehouse_path: Path, raw_path: Path, delimiter: str = ",") -> int:
    """Count the records of `raw_path` and store the count in meta.raw_file_profile, keyed by
    path (as dbt gets it in RAW_DATA_PATH) + size + mtime: the dbt test raw_file_records_match
    reads the row of the file it is building from and fails when marts.row_fate differs.
    Returns the count."""
    records, method = raw_file_records(raw_path, delimiter)
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
