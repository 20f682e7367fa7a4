"""Shared fixtures: small generated inputs and isolated warehouses (own DuckDB file, dbt target)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from ml.config import Settings
from ml.pipeline import build_warehouse
from ml.runtime.run_log import RunLog
from tests.helpers import chromium_or_skip, isolated_settings

# The benchmark (scripts/benchmark) is not part of the ml package; its tests import it from here.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
SMALL_ROWS = 3000
SMALL_SEED = 7

os.environ.setdefault("DO_NOT_TRACK", "1")
# A test that reads a dbt-built warehouse (fixtures below) needs a dbt build first: `slow` (not in
# `make test-fast`), like the tests marked slow by hand (subprocesses, training, browsers).
BUILDS_A_WAREHOUSE = frozenset({"built_warehouse", "traps_warehouse"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BUILDS_A_WAREHOUSE & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def small_raw_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ml.synthetic import generate

    path = tmp_path_factory.mktemp("raw") / "small.csv"
    generate(SMALL_ROWS, SMALL_SEED, path)
    return path


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory, small_raw_csv: Path) -> Settings:
    """A warehouse built by dbt from the small generated file (shared, treat as read-only)."""
    settings = isolated_settings(tmp_path_factory.mktemp("warehouse"), small_raw_csv)
    build_warehouse(settings, RunLog())
    return settings


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of headless Chromium; the test skips without it (fails under REQUIRE_BROWSER=1)."""
    return chromium_or_skip()
