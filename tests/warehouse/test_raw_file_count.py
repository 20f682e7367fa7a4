"""The fate ledger against the raw file, counted by a reader independent of dbt's DuckDB read.

A build records the file's record count (Python csv module) in meta.raw_file_profile; the dbt
test raw_file_records_match fails the build when marts.row_fate has a different number of rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ml.config import Settings
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.errors import PipelineError
from ml.runtime.raw_input import (
    RAW_FILE_PROFILE,
    REQUIRED_COLUMNS,
    count_csv_records,
    count_csv_records_strict,
    raw_file_records,
)
from tests.helpers import copy_warehouse, sql_rows

LEDGER_TESTS = ["test", "--select", "test_name:raw_file_records_match"]


def _write(path: Path, body: str) -> Path:
    header = ",".join(f'"{name}"' if name else "" for name in REQUIRED_COLUMNS)
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


def _record(index: int, description: str) -> str:
    fields = [str(index), "Artist", *[""] * 22, description, "True", "False", "1000"]
    return ",".join(fields) + "\n"


def test_count_is_quote_aware_and_skips_blank_lines(tmp_path: Path) -> None:
    body = (
        _record(0, '"two\nlines, and a comma"')
        + "\n"  # a blank line is not a record
        + _record(1, '"a ""quoted"" word\r\nand a CRLF"')
        + _record(2, "plain")
    )
    path = _write(tmp_path / "quoted.csv", body)
    assert count_csv_records(path) == 3
    assert count_csv_records_strict(path) == 3
    assert raw_file_records(path) == (3, "python csv")


def test_a_build_records_the_count_of_its_file(built_warehouse: Settings) -> None:
    raw = built_warehouse.raw_data_path
    stat = raw.stat()
    [(path, size, mtime_us, records, method)] = sql_rows(
        built_warehouse,
        f"select path, size_bytes, mtime_us, records, counted_by from {RAW_FILE_PROFILE}",
    )
    assert (path, size, mtime_us) == (str(raw), stat.st_size, stat.st_mtime_ns // 1000)
    assert method == "python csv"
    [(ledger,)] = sql_rows(built_warehouse, "select count(*) from marts.row_fate")
    assert records == ledger == count_csv_records(raw)


@pytest.fixture
def warehouse_copy(built_warehouse: Settings, tmp_path: Path) -> Settings:
    return copy_warehouse(built_warehouse, tmp_path)


def _plant(settings: Settings, sql: str) -> None:
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute(sql)


@pytest.mark.slow
def test_build_fails_when_the_ledger_misses_a_record_of_the_file(warehouse_copy: Settings) -> None:
    run_dbt(warehouse_copy, LEDGER_TESTS, quiet=True)  # the recorded count matches: passes
    # what a reader that silently dropped one record would leave: one fewer ledger row than the
    # file has (planted as a file count one higher than the ledger)
    _plant(warehouse_copy, f"update {RAW_FILE_PROFILE} set records = records + 1")
    with pytest.raises(PipelineError, match="raw_file_records_match_row_fate_match") as failure:
        run_dbt(warehouse_copy, LEDGER_TESTS, quiet=True)
    assert "Got 1 result" in failure.value.message


@pytest.mark.slow
def test_no_recorded_count_for_this_file_only_warns(warehouse_copy: Settings) -> None:
    # a count of another version of the file (other mtime) is not compared: a plain `dbt build`
    # after the file changed warns instead of failing on a stale count
    _plant(warehouse_copy, f"update {RAW_FILE_PROFILE} set records = 1, mtime_us = mtime_us - 1")
    messages = run_dbt(warehouse_copy, LEDGER_TESTS, quiet=True)
    assert "raw_file_records_match_row_fate_recorded" in messages
    _plant(warehouse_copy, f"drop table {RAW_FILE_PROFILE}")  # a warehouse built by plain dbt
    messages = run_dbt(warehouse_copy, LEDGER_TESTS, quiet=True)
    assert "raw_file_records_match_row_fate_recorded" in messages
