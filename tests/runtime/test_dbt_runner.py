"""How `python -m ml` starts dbt: a profile that stays the same across warehouses and input files,
so dbt's saved parse (partial parsing) stays valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ml.config import DBT_PROJECT_DIR
from ml.runtime.dbt_runner import dbt_working_env, run_dbt
from tests.helpers import isolated_settings


def test_warehouse_path_is_a_file_name_in_its_folder(tmp_path: Path) -> None:
    env, cwd = dbt_working_env(
        {
            "WAREHOUSE_PATH": str(tmp_path / "a" / "warehouse.duckdb"),
            "RAW_DATA_PATH": "../data/raw/file.csv",
            "DBT_TARGET_PATH": str(tmp_path / "target"),
        }
    )
    assert cwd == tmp_path / "a" and env["WAREHOUSE_PATH"] == "warehouse.duckdb"
    # relative paths meant dbt_project/ (dbt's old working directory): still the same files
    assert env["RAW_DATA_PATH"] == str(DBT_PROJECT_DIR / "../data/raw/file.csv")
    assert env["DBT_TARGET_PATH"] == str(tmp_path / "target")
    assert env["DBT_LOG_PATH"] == str(DBT_PROJECT_DIR / "logs")
    other, _ = dbt_working_env({"WAREHOUSE_PATH": str(tmp_path / "b" / "warehouse.duckdb")})
    assert other["WAREHOUSE_PATH"] == env["WAREHOUSE_PATH"]


@pytest.mark.slow
def test_new_warehouse_and_input_file_keep_the_saved_parse(
    small_raw_csv: Path, tmp_path: Path
) -> None:
    """A second warehouse in another folder, on another input file, with the same dbt target:
    dbt re-uses its saved parse (it re-parsed the whole project when WAREHOUSE_PATH changed, and
    re-parsed files and the manifest when RAW_DATA_PATH changed)."""
    shared = {"DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
    other_csv = tmp_path / "other.csv"
    other_csv.write_bytes(small_raw_csv.read_bytes())
    for name, raw in (("first", small_raw_csv), ("second", other_csv)):
        settings = isolated_settings(tmp_path / name, raw)
        settings.extra_env.update(shared)
        run_dbt(settings, ["parse"], quiet=True)
    log = (tmp_path / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "Unable to do partial parsing" in log  # the first parse: no saved manifest
    last = log[log.rindex("Running with dbt") :]
    assert "no changes found, skipping parsing" in last, last[-3000:]
    perf = json.loads((tmp_path / "target" / "perf_info.json").read_text(encoding="utf-8"))
    assert perf["is_partial_parse_enabled"] and perf["parsed_path_count"] == 0
