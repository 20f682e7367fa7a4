"""The whole job (`python -m ml run`, what `make run` runs) timed as a subprocess: wall, CPU and
peak RSS of its process tree, the per-step times of its reports/execution_summary.json, and dbt's
per-node timings of its last dbt invocation (the post-model pass, from run_results.json).

    real size  RAW_DATA_PATH unset: the default data (the real file, else the embedded generated
               dataset), after set-up: the data file, dbt's parse cache and one untimed run first
               (README: "`make run` again")
    N rows     the benchmark's generated file, on a fresh warehouse each repeat (parse cache warm)
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmark.measuring import dbt_timing, measure
from ml.config import DBT_PROJECT_DIR, DEFAULT_RAW_DATA_PATH, REPO_ROOT, load_settings
from ml.runtime.run_log import SUMMARY_FILE

SETUP_STEPS = frozenset({"prepare input"})  # finding / generating the input file


def job_env(base: dict[str, str], folder: Path, raw: Path | None) -> dict[str, str]:
    env = dict(base)
    env.update(
        {
            "WAREHOUSE_PATH": str(folder / "warehouse.duckdb"),
            "MODELS_DIR": str(folder / "models"),
            "REPORTS_DIR": str(folder / "reports"),
            "DBT_TARGET_PATH": str(folder / "dbt_target"),
            "DBT_LOG_PATH": str(folder / "dbt_logs"),
        }
    )
    if raw is None:
        env.pop("RAW_DATA_PATH", None)
    else:
        env["RAW_DATA_PATH"] = str(raw)
    return env


def prepare_default_input() -> Path:
    """The default data as `make run` finds it (generated once if there is no real file)."""
    from ml.pipeline import prepare_raw_input

    settings = replace(
        load_settings(), raw_data_path=DEFAULT_RAW_DATA_PATH, raw_data_path_explicit=False
    )
    return prepare_raw_input(settings)[0].raw_data_path


def step_seconds(reports_dir: Path) -> dict[str, float]:
    """Seconds per step of the job's execution_summary.json (empty if missing)."""
    try:
        summary = json.loads((reports_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {step["name"]: float(step["duration_seconds"]) for step in summary.get("steps", [])}


def fresh_job(folder: Path) -> None:
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        (folder / name).unlink(missing_ok=True)
    for name in ("models", "reports"):
        shutil.rmtree(folder / name, ignore_errors=True)


def time_job(
    label: str,
    *,
    raw: Path | None,
    work: Path,
    base_env: dict[str, str],
    logs: Path,
    repeat: int,
    warm_up: bool,
) -> dict[str, Any]:
    """`python -m ml run` `repeat` times (medians); raw None: the default data (real size)."""
    folder = work / label
    folder.mkdir(parents=True, exist_ok=True)
    env = job_env(base_env, folder, raw)
    command = [sys.executable, "-m", "ml", "run"]
    dbt = Path(sys.executable).parent / "dbt"
    parse = [str(dbt) if dbt.exists() else "dbt", "parse", "--profiles-dir", ".."]
    out: dict[str, Any] = {"label": label, "warm_up": warm_up}
    if raw is None:
        out["input"] = str(prepare_default_input())
    measure(parse, env=env, cwd=DBT_PROJECT_DIR, log_path=logs / f"{label}_parse.log")
    if warm_up:
        print(f"[bench] {label}: untimed set-up run", file=sys.stderr, flush=True)
        out["set_up_run"] = measure(
            command, env=env, cwd=REPO_ROOT, log_path=logs / f"{label}_setup.log"
        )
    runs: list[dict[str, Any]] = []
    for number in range(1, repeat + 1):
        if not warm_up:
            fresh_job(folder)
        print(f"[bench] {label}: python -m ml run ({number}/{repeat})", file=sys.stderr, flush=True)
        run = measure(command, env=env, cwd=REPO_ROOT, log_path=logs / f"{label}_{number}.log")
        run["steps"] = step_seconds(folder / "reports")
        run["after_setup_seconds"] = round(
            sum(s for name, s in run["steps"].items() if name not in SETUP_STEPS), 3
        )
        run["post_model_dbt"] = dbt_timing(folder / "dbt_target" / "run_results.json")
        runs.append(run)
        print(
            f"[bench]   {label}: {run['wall_seconds']:.1f} s wall ({run['after_setup_seconds']:.1f}"
            f" s in steps after set-up), {run['max_rss_mb']:,.0f} MB, exit {run['exit_code']}",
            file=sys.stderr,
            flush=True,
        )
    return {**out, **summarise_job(runs)}


def summarise_job(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [run for run in runs if run["exit_code"] == 0]
    if not ok:
        return {"ok": False, "runs": runs}
    names = [name for name in ok[0]["steps"] if all(name in run["steps"] for run in ok)]
    post = [run["post_model_dbt"] for run in ok if run.get("post_model_dbt")]
    return {
        "ok": True,
        "runs": runs,
        "wall_seconds": round(statistics.median(run["wall_seconds"] for run in ok), 3),
        "after_setup_seconds": round(
            statistics.median(run["after_setup_seconds"] for run in ok), 3
        ),
        "max_rss_mb": round(statistics.median(run["max_rss_mb"] for run in ok), 1),
        "steps": {
            name: round(statistics.median(run["steps"][name] for run in ok), 3) for name in names
        },
        "post_model_dbt": post[len(post) // 2] if post else {},
    }
