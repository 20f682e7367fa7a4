"""Measuring a subprocess (wall, CPU, peak RSS of its process tree), dbt's per-node timings from
run_results.json, medians over repeats, and the machine / versions / DuckDB settings on record."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from ml.config import PROFILES_DIR

# --- measuring a subprocess ----------------------------------------------------------------


def measure(
    command: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    memory_limit_bytes: int | None = None,
) -> dict[str, Any]:
    """Run `command`, return wall / cpu seconds, peak RSS (MB) of its process tree, exit code."""
    load_before = os.getloadavg()
    started = time.perf_counter()

    def limit() -> None:  # in the child: fail with MemoryError instead of swapping the host
        if memory_limit_bytes:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))

    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=limit if memory_limit_bytes else None,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return {
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        "exit_code": process.returncode,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "log": str(log_path),
    }


def dbt_timing(run_results: Path, top: int = 5) -> dict[str, Any]:
    """Where a dbt invocation's time went, from its run_results.json: dbt's own elapsed time,
    the summed execution time of the models (the SQL work: DuckDB executing each model's
    statement, as dbt times it) and of the tests, and the slowest models."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    by_type: dict[str, float] = {}
    models: list[tuple[str, float]] = []
    for node in results.get("results", []):
        kind = node["unique_id"].split(".", 1)[0]
        seconds = float(node.get("execution_time") or 0.0)
        by_type[kind] = by_type.get(kind, 0.0) + seconds
        if kind == "model":
            models.append((node["unique_id"].rsplit(".", 1)[-1], seconds))
    models.sort(key=lambda item: -item[1])
    return {
        "elapsed_seconds": round(float(results.get("elapsed_time") or 0.0), 3),
        "model_seconds": round(by_type.get("model", 0.0), 3),
        "test_seconds": round(by_type.get("test", 0.0) + by_type.get("unit_test", 0.0), 3),
        "slowest_models": {name: round(seconds, 3) for name, seconds in models[:top]},
    }


def summarise(runs: list[dict[str, Any]], rows: int) -> dict[str, Any]:
    ok = [run for run in runs if run["exit_code"] == 0]
    if not ok:
        return {"ok": False, "runs": runs}
    wall = statistics.median(run["wall_seconds"] for run in ok)
    return {
        "ok": True,
        "runs": runs,
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(statistics.median(run["cpu_seconds"] for run in ok), 3),
        "max_rss_mb": round(statistics.median(run["max_rss_mb"] for run in ok), 1),
        "rows_per_second": round(rows / wall) if wall > 0 else None,
        **_median_timing(ok),
    }


def _median_timing(runs: list[dict[str, Any]]) -> dict[str, Any]:
    timings = [run["dbt_timing"] for run in runs if run.get("dbt_timing")]
    if not timings:
        return {}
    return {
        "dbt_model_seconds": round(statistics.median(t["model_seconds"] for t in timings), 3),
        "dbt_test_seconds": round(statistics.median(t["test_seconds"] for t in timings), 3),
    }


# --- environment ---------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    info["memory_gb"] = round(int(line.split()[1]) / 1024**2, 1)
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


PROBE_REPEATS = 3
PROBE_DUCKDB_SQL = "select count(distinct i % 5000000), sum(hash(i)) from range(20000000) t(i)"
PROBE_SORT_VALUES = 10_000_000


def machine_probe() -> dict[str, float]:
    """Seconds (median of PROBE_REPEATS) of two fixed workloads, taken before and after the
    contenders: a 2-thread DuckDB hash aggregate of 20M integers and a 1-thread numpy sort of
    10M seeded floats. This VM ran the same code 10-15% slower in some hours than in others, so
    absolute seconds from two benchmark files compare only when their probes agree (the ratios
    to the pandas peer, timed in the same invocation, do not need them)."""
    values = np.random.default_rng(42).random(PROBE_SORT_VALUES)
    connection = duckdb.connect()
    try:
        connection.execute("set threads = 2")
        workloads = {
            "duckdb_seconds": lambda: connection.execute(PROBE_DUCKDB_SQL).fetchall(),
            "numpy_sort_seconds": lambda: np.sort(values),
        }
        probe: dict[str, float] = {}
        for name, workload in workloads.items():
            seconds = []
            for _ in range(PROBE_REPEATS):
                started = time.perf_counter()
                workload()
                seconds.append(time.perf_counter() - started)
            probe[name] = round(statistics.median(seconds), 3)
    finally:
        connection.close()
    return probe


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for package in ("duckdb", "dbt-core", "dbt-duckdb", "pandas", "numpy", "scikit-learn"):
        out[package] = metadata.version(package)
    try:
        out["pyarrow"] = metadata.version("pyarrow")
    except metadata.PackageNotFoundError:
        out["pyarrow"] = None  # the peer then reads with pandas' C engine
    return out


def duckdb_settings() -> dict[str, Any]:
    """threads and settings of the dbt profile (profiles.yml), for the record."""
    text = (PROFILES_DIR / "profiles.yml").read_text(encoding="utf-8")
    settings: dict[str, Any] = {}
    section = None
    for line in text.splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if stripped.strip().startswith("threads:"):
            settings["dbt_threads"] = int(stripped.split(":", 1)[1])
        elif stripped.strip() == "settings:":
            section = len(stripped) - len(stripped.lstrip())
        elif section is not None and stripped.strip():
            if len(stripped) - len(stripped.lstrip()) <= section:
                section = None
            else:
                key, _, value = stripped.strip().partition(":")
                settings[key] = value.strip().strip("'\"")
    return settings
