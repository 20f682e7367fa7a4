"""Helpers shared by the test files: isolated settings, warehouse copies and reads, the browser.

One place for them (conftest.py holds the fixtures, which use these)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from ml.config import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Set by .ci/run: a missing Chromium fails the browser tests instead of skipping them.
REQUIRE_BROWSER_ENV = "REQUIRE_BROWSER"


def isolated_settings(root: Path, raw_data_path: Path) -> Settings:
    """Settings whose warehouse, models, reports and dbt target/log dirs all live under root."""
    root.mkdir(parents=True, exist_ok=True)
    return Settings(
        raw_data_path=raw_data_path,
        raw_data_path_explicit=True,
        warehouse_path=root / "warehouse.duckdb",
        models_dir=root / "models",
        reports_dir=root / "reports",
        generated_path=root / "generated" / "default.csv",
        extra_env={
            "DBT_TARGET_PATH": str(root / "dbt_target"),
            "DBT_LOG_PATH": str(root / "dbt_logs"),
        },
    )


def job_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment of a `python -m ml ...` subprocess on the settings' isolated paths (this
    checkout's code first on the path)."""
    return {
        **settings.dbt_env(),
        "MODELS_DIR": str(settings.models_dir),
        "REPORTS_DIR": str(settings.reports_dir),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        **extra,
    }


def copy_warehouse(source: Settings, root: Path) -> Settings:
    """A private, writable copy of a warehouse (models, reports and dbt target of its own)."""
    settings = isolated_settings(root, source.raw_data_path)
    shutil.copy(source.warehouse_path, settings.warehouse_path)
    return settings


def sql_frame(settings: Settings, sql: str, parameters: list[Any] | None = None) -> pd.DataFrame:
    """A read-only query of the settings' warehouse as a DataFrame."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql, parameters or []).df()


def sql_rows(settings: Settings, sql: str, parameters: list[Any] | None = None) -> list[tuple]:
    """A read-only query of the settings' warehouse as tuples."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def report_figures(node: Any) -> list[dict[str, Any]]:
    """Every figure ({"value", "source", ...}) anywhere in a report payload."""
    found = []
    if isinstance(node, dict):
        if "value" in node and "source" in node:
            found.append(node)
        for child in node.values():
            found += report_figures(child)
    elif isinstance(node, list):
        for child in node:
            found += report_figures(child)
    return found


def chromium_or_skip() -> str:
    """The headless Chromium to drive; skip without one, FAIL when REQUIRE_BROWSER=1 (CI)."""
    from tests.reporting.chromium import find_chromium

    found = find_chromium()
    if found is not None:
        return found
    reason = "headless Chromium not installed (Debian: apt-get install -y chromium)"
    if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_BROWSER_ENV}=1 requires the browser tests to run")
    pytest.skip(reason)
