"""Hardening matrix: every malformed input ends in a clean failure or in quarantined rows.

Each bad file runs `python -m ml build` in a subprocess (as `make run` would) on a fresh warehouse;
the bad values whose outcome is per row (RowCase) share one file and one build.
A clean failure: non-zero exit, one message naming the file (and record/column where there is
one), no Python traceback, reports/error_log.json written. Otherwise the warehouse is built, the
bad rows are quarantined with their reason, and the fate ledger covers every raw record.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ml.config import REPO_ROOT
from ml.runtime.raw_input import REQUIRED_COLUMNS
from tests.helpers import FIXTURES

# a dbt build or a training run per test (subprocesses): not in `make test-fast`
pytestmark = pytest.mark.slow

Table = list[list[str]]


def _base() -> tuple[list[str], Table]:
    with (FIXTURES / "traps.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [row for row in rows[1:] if row[1] != "Bad Row"]


HEADER, ROWS = _base()
COLUMN = {name: index for index, name in enumerate(HEADER)}


def to_csv(header: list[str], rows: Table, newline: str = "\n", delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline, delimiter=delimiter).writerows([header, *rows])
    return buffer.getvalue()


def with_value(row_index: int, column: str, value: str) -> Table:
    rows = [list(row) for row in ROWS]
    rows[row_index][COLUMN[column]] = value
    return rows


def drop_column(name: str) -> tuple[list[str], Table]:
    keep = [index for index, column in enumerate(HEADER) if column != name]
    return [HEADER[i] for i in keep], [[row[i] for i in keep] for row in ROWS]


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path], None]  # writes the input file at the given path
    outcome: str  # "fail" or "built"
    message: str = ""  # expected in stderr (fail) or in row_fate.reason (built)
    fates: dict[int, str] | None = None  # expected fate by row_id (built)


def text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content.encode(encoding))


def unterminated(path: Path) -> None:
    content = to_csv(HEADER, ROWS).replace("Get Lucky,Random", '"Get Lucky,Random', 1)
    path.write_text(content, encoding="utf-8")


def ragged(path: Path) -> None:
    lines = to_csv(HEADER, ROWS).splitlines(keepends=True)
    lines[-1] = lines[-1].rstrip("\n").rsplit(",", 2)[0] + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def latin1(path: Path) -> None:
    rows = [[value.encode("latin-1", "replace").decode("latin-1") for value in r] for r in ROWS]
    path.write_bytes(to_csv(HEADER, rows).encode("latin-1"))


def reordered() -> tuple[list[str], Table]:
    return HEADER[::-1], [row[::-1] for row in ROWS]


def cp1252(path: Path) -> None:
    rows = with_value(0, "Track", "Don\u2019t Stop")  # Excel's curly apostrophe: byte 0x92
    path.write_bytes(to_csv(HEADER, rows).encode("cp1252", "replace"))


KEPT = {0: "kept", 1: "kept"}

CASES = [
    Case("missing-file", lambda path: None, "fail", "file not found"),
    Case("directory", lambda path: path.mkdir(), "fail", "is a directory"),
    Case("empty-file", text(""), "fail", "the file is empty"),
    Case("header-only", text(to_csv(HEADER, [])), "fail", "header only, no data rows"),
    Case(
        "required-column-missing",
        text(to_csv(*drop_column("Stream"))),
        "fail",
        "missing column(s) 'Stream'",
    ),
    Case(
        "column-renamed",
        text(to_csv([h.replace("Views", "View_count") for h in HEADER], ROWS)),
        "fail",
        "missing column(s) 'Views'",
    ),
    Case("unterminated-quote", unterminated, "fail", "record 5 (the header is record 1; row_id 3)"),
    Case("too-few-fields", ragged, "fail", "Expected Number of Columns: 28 Found: 26"),
    Case("latin-1", latin1, "fail", "not valid UTF-8"),
    Case("utf8-bom", text("\ufeff" + to_csv(HEADER, ROWS)), "built", fates={0: "kept", 1: "kept"}),
    Case("crlf", text(to_csv(HEADER, ROWS, "\r\n")), "built", fates={0: "kept", 1: "kept"}),
    Case(
        "extra-column",
        text(to_csv([*HEADER, "Notes"], [[*row, "x"] for row in ROWS])),
        "built",
        fates={0: "kept", 1: "kept"},
    ),
    # files as people save them: columns found by header name (ml/runtime/raw_input.py)
    Case("columns-in-another-order", text(to_csv(*reordered())), "built", fates=KEPT),
    Case("no-index-column", text(to_csv(*drop_column(""))), "built", fates=KEPT),
    Case("unnamed-0-index", text(to_csv(["Unnamed: 0", *HEADER[1:]], ROWS)), "built", fates=KEPT),
    Case("semicolons", text(to_csv(HEADER, ROWS, delimiter=";")), "built", fates=KEPT),
    Case("tabs", text(to_csv(HEADER, ROWS, delimiter="\t")), "built", fates=KEPT),
    Case(
        "header-other-case",
        text(to_csv([f" {name.upper()} " for name in HEADER], ROWS)),
        "built",
        fates=KEPT,
    ),
    Case("cp1252", cp1252, "fail", "looks like Windows-1252 (cp1252)"),
]


@dataclass(frozen=True)
class RowCase:
    """One bad value in one row of an otherwise good file. Its outcome is per row (the row is
    quarantined with this reason, every other row keeps its fate), so all of them share one file
    and one build: a copy of row 1 per case, with its own Uri and the bad value."""

    name: str
    column: str
    value: str
    message: str


ROW_CASES = [
    RowCase("non-numeric-text", "Views", "n/a", "Views: not a number (n/a)"),
    RowCase("negative-count", "Likes", "-3.0", "Likes: negative count (-3.0)"),
    RowCase("inf-text", "Stream", "inf", "Stream: not a finite number (inf)"),
    RowCase("nan-text", "Energy", "NaN", "Energy: not a finite number (NaN)"),
    RowCase("audio-out-of-range", "Valence", "1.7", "Valence: 1.7 outside [0, 1]"),
    RowCase("unknown-flag", "Licensed", "maybe", "Licensed: unknown flag value (maybe)"),
    RowCase("huge-value", "Views", "1e30", "Views: implausible count (1e30 > 1e13)"),
    RowCase("missing-uri", "Uri", "", "Uri: missing"),
]
ROW_CASE_ROW_ID = {case.name: len(ROWS) + number for number, case in enumerate(ROW_CASES)}
DUPLICATE_ROW_ID = len(ROWS) + len(ROW_CASES)  # an exact copy of row 0, the file's last record


def rows_with_bad_values() -> Table:
    rows = [list(row) for row in ROWS]
    for number, case in enumerate(ROW_CASES):
        row = list(ROWS[1])
        row[COLUMN[""]] = str(len(rows))
        row[COLUMN["Uri"]] = f"spotify:track:bad{number:019d}"
        row[COLUMN[case.column]] = case.value
        rows.append(row)
    return [*rows, list(ROWS[0])]


@pytest.fixture(scope="module")
def dbt_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("dbt")
    return {"DBT_TARGET_PATH": str(root / "target"), "DBT_LOG_PATH": str(root / "logs")}


def run_build(raw: Path, root: Path, dbt_dirs: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        **dbt_dirs,
        "RAW_DATA_PATH": str(raw),
        "WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "REPORTS_DIR": str(root / "reports"),
        "DO_NOT_TRACK": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "ml", "build"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def csv_records(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        dialect = csv.Sniffer().sniff(handle.readline(), delimiters=",;\t")
        handle.seek(0)
        return sum(1 for _ in csv.reader(handle, delimiter=dialect.delimiter)) - 1


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, tmp_path: Path, dbt_dirs: dict[str, str]) -> None:
    raw = tmp_path / "input.csv"
    case.write(raw)
    result = run_build(raw, tmp_path, dbt_dirs)
    assert "Traceback" not in result.stderr + result.stdout
    error_log = tmp_path / "reports" / "error_log.json"
    if case.outcome == "fail":
        assert result.returncode == 1, result.stderr[-2000:]
        error_line = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
        assert str(raw) in result.stderr and case.message in result.stderr, error_line
        logged = json.loads(error_log.read_text(encoding="utf-8"))
        assert logged["status"] == "failed" and case.message in logged["message"]
        return
    assert result.returncode == 0, result.stderr[-3000:]
    assert not error_log.exists()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        fates = dict(connection.execute("select row_id, fate from marts.row_fate").fetchall())
        reasons = [r for (r,) in connection.execute("select reason from marts.row_fate").fetchall()]
    assert len(fates) == csv_records(raw), "the fate ledger covers every raw record"
    for row_id, fate in (case.fates or {}).items():
        assert fates[row_id] == fate
    if case.message:
        assert any(reason and case.message in reason for reason in reasons), reasons


@pytest.fixture(scope="module")
def bad_rows_build(
    tmp_path_factory: pytest.TempPathFactory, dbt_dirs: dict[str, str]
) -> tuple[subprocess.CompletedProcess, dict[int, tuple[str, str | None]], int]:
    """One build of the file with every RowCase: (result, {row_id: (fate, reason)}, records)."""
    root = tmp_path_factory.mktemp("bad_rows")
    raw = root / "input.csv"
    raw.write_text(to_csv(HEADER, rows_with_bad_values()), encoding="utf-8")
    result = run_build(raw, root, dbt_dirs)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (root / "reports" / "error_log.json").exists()
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute("select row_id, fate, reason from marts.row_fate").fetchall()
    return result, {row_id: (fate, reason) for row_id, fate, reason in rows}, csv_records(raw)


@pytest.mark.parametrize("case", ROW_CASES, ids=[case.name for case in ROW_CASES])
def test_bad_value_quarantines_its_row(case: RowCase, bad_rows_build: tuple) -> None:
    _, fates, records = bad_rows_build
    assert len(fates) == records, "the fate ledger covers every raw record"
    fate, reason = fates[ROW_CASE_ROW_ID[case.name]]
    assert fate == "quarantined" and reason and case.message in reason, (fate, reason)
    # the good rows keep their fates (row 3: zero views is a value, not a problem)
    assert all(fates[row_id][0] == "kept" for row_id in (0, 1, 3)), fates


def test_exact_duplicate_row(bad_rows_build: tuple) -> None:
    _, fates, _ = bad_rows_build
    assert fates[0][0] == "kept"
    assert fates[DUPLICATE_ROW_ID] == ("duplicate", "duplicate of row_id 0 (same Uri)")


def test_matrix_covers_the_issue() -> None:
    assert len(CASES) + len(ROW_CASES) >= 15
    assert set(REQUIRED_COLUMNS) == set(HEADER)
