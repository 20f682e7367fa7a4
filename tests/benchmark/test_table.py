"""The benchmark's whole-job summary and issue 15's targets (pure functions, no subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmark.job import step_seconds, summarise_job
from benchmark.table import format_table, targets


def job_run(wall: float, steps: dict[str, float], exit_code: int = 0) -> dict:
    return {
        "wall_seconds": wall,
        "max_rss_mb": 100.0,
        "exit_code": exit_code,
        "steps": steps,
        "after_setup_seconds": sum(s for name, s in steps.items() if name != "prepare input"),
        "post_model_dbt": {"model_seconds": 1.0, "test_seconds": 2.0, "slowest_models": {"a": 1.0}},
    }


def test_job_summary_takes_medians_of_the_successful_runs() -> None:
    runs = [
        job_run(50.0, {"prepare input": 9.0, "train models": 40.0}),
        job_run(70.0, {"prepare input": 1.0, "train models": 60.0}),
        job_run(60.0, {"prepare input": 2.0, "train models": 50.0}),
        job_run(1.0, {"prepare input": 1.0}, exit_code=1),
    ]
    summary = summarise_job(runs)
    assert summary["ok"] and summary["wall_seconds"] == 60.0
    assert summary["steps"] == {"prepare input": 2.0, "train models": 50.0}
    assert summary["after_setup_seconds"] == 50.0
    assert not summarise_job([runs[-1]])["ok"]


def test_step_seconds_reads_the_execution_summary(tmp_path: Path) -> None:
    summary = {"steps": [{"name": "train models", "duration_seconds": 12.5}]}
    (tmp_path / "execution_summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert step_seconds(tmp_path) == {"train models": 12.5}
    assert step_seconds(tmp_path / "missing") == {}


def contender(wall: float, rss: float) -> dict:
    return {"ok": True, "wall_seconds": wall, "cpu_seconds": wall, "max_rss_mb": rss,
            "rows_per_second": 1, "runs": [{}]}  # fmt: skip


def test_targets_say_met_or_missed_with_the_value() -> None:
    result = {
        "rows": 10_000_000,
        "machine": {"cores": 2, "load_average": [0.0, 0.0, 0.0]},
        "contenders": {"dbt_build": contender(55.0, 3000.0), "pandas": contender(100.0, 9000.0)},
        "job": {**summarise_job([job_run(320.0, {"train models": 300.0})])},
        "real_size": {**summarise_job([job_run(58.0, {"train models": 40.0})])},
    }
    lines = targets(result)
    assert len(lines) == 4
    assert "0.55" in lines[0] and "MISSED" in lines[0].split(";")[0]
    assert lines[0].endswith("met")  # peak RSS lower
    assert "55.0 s (met), 3,000 MB (met): met" in lines[1]
    result["contenders"]["dbt_build"] = contender(112.0, 3721.0)
    assert "112.0 s (MISSED), 3,721 MB (met): MISSED" in targets(result)[1]
    result["contenders"]["dbt_build"] = contender(55.0, 4193.0)
    assert "55.0 s (met), 4,193 MB (MISSED): MISSED" in targets(result)[1]
    assert "320.0 s, MISSED" in lines[2]
    assert "40.0 s in steps" in lines[3] and lines[3].endswith("met")
    table = format_table(result)
    assert "machine probe" not in table  # none recorded
    assert "make run on these 10,000,000 rows (median of 1): 320.0 s wall" in table
    assert "train models 300.0" in table and "issue 15 targets" in table
    result["rows"] = 1_000_000
    assert len(targets(result)) == 2  # the 10M targets only at 10M rows


def test_machine_probe_line_quotes_before_and_after() -> None:
    result = {
        "rows": 1_000,
        "machine": {"cores": 2, "load_average": [0.0, 0.0, 0.0]},
        "machine_probe": {
            "before": {"duckdb_seconds": 0.812, "numpy_sort_seconds": 0.655},
            "after": {"duckdb_seconds": 0.9, "numpy_sort_seconds": 0.7},
        },
    }
    line = format_table(result).splitlines()[1]
    assert line.startswith("machine probe (before / after; fixed workloads")
    assert line.endswith("duckdb 0.81 / 0.90 s, numpy sort 0.66 / 0.70 s")
