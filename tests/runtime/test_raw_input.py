"""Pre-flight checks and the choice between the real file and the embedded default dataset."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from ml.pipeline import resolve_raw_input
from ml.runtime.errors import PipelineError
from ml.runtime.raw_input import REQUIRED_COLUMNS, check_raw_csv, inspect_raw_csv
from tests.helpers import FIXTURES, isolated_settings


def test_traps_fixture_has_the_real_header() -> None:
    assert check_raw_csv(FIXTURES / "traps.csv") == list(REQUIRED_COLUMNS)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (",".join(REQUIRED_COLUMNS).encode() + b"\n", "header only"),
        (",".join(REQUIRED_COLUMNS).replace("Views", "Vues").encode() + b"\n0\n", "'Views'"),
        ((",".join(REQUIRED_COLUMNS) + ", artist ").encode() + b"\n0\n", "duplicated column(s)"),
        (",".join(REQUIRED_COLUMNS).encode() + b"\n0,Bj\xf6rk\n", "line 2: not valid UTF-8"),
    ],
    ids=["empty", "header-only", "renamed-column", "same-name-other-case", "cp1252"],
)
def test_bad_files_are_named_with_a_clear_message(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(PipelineError) as raised:
        check_raw_csv(path)
    assert str(path) in str(raised.value) and message in str(raised.value)


def test_columns_are_found_by_name(tmp_path: Path) -> None:
    """Any order, no index column, other case and spaces, ';' separated: all accepted."""
    names = [f" {name.upper()}" for name in reversed(REQUIRED_COLUMNS[1:])]
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ";".join(names).encode() + b"\n" + b";" * 26 + b"\n")
    layout = inspect_raw_csv(path)
    assert layout.delimiter == ";" and layout.index_column is None
    assert layout.columns["Artist"] == "ARTIST" and ("ARTIST", "Artist") in layout.loose
    assert json.loads(layout.dbt_env("RAW_CSV")["RAW_CSV_LAYOUT"])["index"] is None
    assert inspect_raw_csv(FIXTURES / "traps.csv").dbt_env("RAW_CSV") == {}  # standard: no env


def test_missing_explicit_file_stops(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path, tmp_path / "nope.csv")
    with pytest.raises(PipelineError, match=r"RAW_DATA_PATH=.*nope\.csv: file not found"):
        resolve_raw_input(settings)


def test_missing_default_file_generates_the_embedded_dataset(tmp_path: Path) -> None:
    settings = replace(
        isolated_settings(tmp_path, tmp_path / "absent.csv"), raw_data_path_explicit=False
    )
    resolved = resolve_raw_input(settings, rows=500)
    assert resolved.raw_data_path.exists()
    assert resolved.raw_data_path.parent == settings.generated_path.parent
    assert check_raw_csv(resolved.raw_data_path) == list(REQUIRED_COLUMNS)
    again = resolve_raw_input(settings, rows=500)  # reused, not regenerated
    assert again.raw_data_path == resolved.raw_data_path
