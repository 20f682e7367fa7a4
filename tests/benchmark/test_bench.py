"""scripts/bench.py on a tiny N, and the pandas peer (benchmark only) against the marts."""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from benchmark import pandas_peer
from benchmark.runner import compare, new_tracks_file, warehouse_summary

from ml.config import REPO_ROOT, Settings
from ml.pipeline import build_warehouse
from ml.runtime.raw_input import REQUIRED_COLUMNS, check_raw_csv
from ml.runtime.run_log import RunLog
from tests.helpers import FIXTURES, isolated_settings

pytestmark = pytest.mark.slow


def peer_summary(path: Path) -> dict:
    return json.loads(json.dumps(pandas_peer.summary(pandas_peer.run(path)), default=str))


def test_peer_agrees_with_marts_on_generated_data(built_warehouse: Settings) -> None:
    peer = peer_summary(built_warehouse.raw_data_path)
    result = compare(peer, warehouse_summary(built_warehouse.warehouse_path))
    assert result["ok"], result["mismatches"]
    assert result["values_compared"] > 200


def test_peer_agrees_with_marts_on_the_traps_file(tmp_path: Path) -> None:
    """Quarantined rows (junk numbers, bad flags, out-of-range values) and a duplicate."""
    settings = isolated_settings(tmp_path, FIXTURES / "traps.csv")
    build_warehouse(settings, RunLog())
    peer = peer_summary(settings.raw_data_path)
    assert peer["row_fate"] == {"kept": 5, "quarantined": 2, "duplicate": 1}
    result = compare(peer, warehouse_summary(settings.warehouse_path))
    assert result["ok"], result["mismatches"]


def test_compare_reports_a_mismatch(built_warehouse: Settings) -> None:
    sql = warehouse_summary(built_warehouse.warehouse_path)
    peer = copy.deepcopy(sql)
    peer["kpi_summary"]["median_streams"] *= 1.01
    peer["row_fate"]["kept"] += 1
    result = compare(peer, sql)
    assert not result["ok"]
    assert any("median_streams" in item for item in result["mismatches"])
    assert any("row_fate.kept" in item for item in result["mismatches"])


def test_new_tracks_file_keeps_the_layout_and_empties_stream(tmp_path: Path) -> None:
    source = FIXTURES / "traps.csv"
    out = tmp_path / "new.csv"
    new_tracks_file(source, out)
    header = check_raw_csv(out)
    assert header == check_raw_csv(source) and set(REQUIRED_COLUMNS) <= set(header)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with source.open(encoding="utf-8", newline="") as handle:
        original = list(csv.DictReader(handle))
    assert len(rows) == len(original) and all(row["Stream"] == "" for row in rows)
    assert [row["Description"] for row in rows] == [row["Description"] for row in original]
    assert [row["Track"] for row in rows] == [row["Track"] for row in original]


def test_bench_script_tiny(tmp_path: Path) -> None:
    """The whole script on 2,000 rows (no ML): benchmark.json's shape and the agreement."""
    output = tmp_path / "reports" / "benchmark.json"
    env = dict(os.environ)
    env.update(
        {
            "REPORTS_DIR": str(tmp_path / "reports"),
            "DO_NOT_TRACK": "1",
        }
    )
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "scripts" / "bench.py"),
            *("--rows", "2000", "--seed", "3", "--skip-ml", "--skip", "dbt_run"),
            "--skip-fixed-cost",
            *("--work-dir", str(tmp_path / "work")),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "peer vs marts" in completed.stdout
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["rows"] == 2000 and result["seed"] == 3
    assert result["machine"]["cores"] >= 1 and len(result["machine"]["load_average"]) == 3
    assert result["versions"]["duckdb"] and result["versions"]["pandas"]
    # the machine probe, before and after the contenders, and its line in the table
    for when in ("before", "after"):
        probe = result["machine_probe"][when]
        assert probe["duckdb_seconds"] > 0 and probe["numpy_sort_seconds"] > 0
    assert "machine probe (before / after; fixed workloads" in completed.stdout
    assert set(result["contenders"]) == {"dbt_build", "pandas"}
    for item in result["contenders"].values():
        assert item["ok"]
        assert item["wall_seconds"] > 0 and item["cpu_seconds"] > 0 and item["max_rss_mb"] > 0
        assert item["rows_per_second"] > 0
        run = item["runs"][0]
        assert run["exit_code"] == 0 and len(run["load_before"]) == 3
    assert result["ratios"]["pandas_over_dbt_build_wall"] > 0
    # where dbt's time went (run_results.json): the models' SQL and the tests, slowest first
    build = result["contenders"]["dbt_build"]
    timing = build["runs"][0]["dbt_timing"]
    assert 0 < timing["model_seconds"] < timing["elapsed_seconds"]
    assert timing["test_seconds"] > 0
    slowest = list(timing["slowest_models"].values())
    assert len(slowest) == 5 and slowest == sorted(slowest, reverse=True)
    assert build["dbt_model_seconds"] == timing["model_seconds"]
    assert "models' SQL" in completed.stdout
    assert result["agreement"]["ok"], result["agreement"]["mismatches"]
    assert result["agreement"]["values_compared"] > 200
    assert "ml" not in result
    # without --keep the generated data and the warehouse are removed
    assert not list((tmp_path / "work").glob("*.csv"))
    assert not (tmp_path / "work" / "warehouse.duckdb").exists()
