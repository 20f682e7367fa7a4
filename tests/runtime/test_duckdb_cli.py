"""The `duckdb` shell of `make install` (duckdb-cli 1.5.x) opens the warehouse that the Python
duckdb 2.x writes (created in the v1.5.0 storage format); the README's lines run as printed."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from ml.config import PROFILES_DIR, REPO_ROOT, STORAGE_COMPATIBILITY_VERSION, Settings
from ml.runtime.warehouse import connect

CLI = Path(sys.executable).parent / "duckdb"
README_CLI_LINE = re.compile(r"^\.venv/bin/duckdb (-readonly )?data/warehouse\.duckdb -c .*$", re.M)


def _cli(*args: str) -> subprocess.CompletedProcess:
    assert CLI.exists(), f"{CLI} missing: `make install` brings it (duckdb-cli in pyproject.toml)"
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=120)


def test_profile_creates_files_in_the_same_storage_format_as_python() -> None:
    profile = yaml.safe_load((PROFILES_DIR / "profiles.yml").read_text(encoding="utf-8"))
    options = profile["music_intelligence"]["outputs"]["dev"]["config_options"]
    assert options["storage_compatibility_version"] == STORAGE_COMPATIBILITY_VERSION


def test_a_file_created_by_python_opens_in_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "python.duckdb"
    connection = connect(path)
    connection.execute("create table t as select range as i from range(7)")
    connection.close()
    result = _cli("-readonly", "-csv", str(path), "-c", "select count(*) as n from t")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", "7"]


def test_a_default_duckdb_2_file_is_what_the_setting_avoids(tmp_path: Path) -> None:
    path = tmp_path / "default.duckdb"
    duckdb.connect(str(path)).close()
    if duckdb.__version__.startswith("1.5."):
        pytest.skip("the Python duckdb writes the CLI's own format")
    result = _cli("-readonly", str(path), "-c", "select 1")
    assert result.returncode != 0 and "version number" in result.stderr


@pytest.mark.slow
def test_readme_cli_lines_run_on_a_dbt_built_warehouse(built_warehouse: Settings) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    commands = [match.group(0) for match in README_CLI_LINE.finditer(readme)]
    assert commands, "README lost its `.venv/bin/duckdb ... -c` line"
    for command in commands:
        argv = shlex.split(command)[1:]
        argv = [str(built_warehouse.warehouse_path) if a == "data/warehouse.duckdb" else a
                for a in argv]  # fmt: skip
        if "-readonly" not in argv:
            argv.insert(0, "-readonly")
        result = _cli("-csv", *argv)
        assert result.returncode == 0, f"{command}\n{result.stderr}"
        rows = result.stdout.strip().splitlines()
        assert rows[0] == "fate,n" and len(rows) >= 2
        assert any(row.startswith("kept,") for row in rows[1:])
