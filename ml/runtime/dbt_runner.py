"""Run dbt as a subprocess with the project's settings and read its structured (JSON) events.

The console gets one progress bar per invocation (on a terminal) and one summary line, e.g.
`dbt build: 177 nodes, PASS=178 WARN=0 ERROR=0 in 5.7 s`, plus warnings and failures. dbt's
full log, human-readable, goes to `<DBT_LOG_PATH or dbt_project/logs>/dbt.log`; its path is
printed once per process. A subprocess (not `dbtRunner` in-process) keeps dbt's environment,
working directory and DuckDB file handle out of the Python job: the file is unlocked when dbt
exits.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ml.config import DBT_PROJECT_DIR, PROFILES_DIR, Settings
from ml.runtime import spark_bridge
from ml.runtime.dbt_events import DbtEvents
from ml.runtime.errors import PipelineError, WarehouseLockedError
from ml.runtime.progress import progress_bar, say
from ml.runtime.warehouse import describe_lock

# JSON events on stdout (parsed here); the log file stays human-readable; no colour codes.
LOG_FLAGS = ("--log-format", "json", "--log-format-file", "debug", "--no-use-colors")
MAX_WARNINGS_SHOWN = 10
_announced_logs: set[Path] = set()
# env vars holding a path that dbt or DuckDB resolves against dbt's working directory
PATH_VARIABLES = ("RAW_DATA_PATH", "SCORE_INPUT_PATH", "DBT_TARGET_PATH", "DBT_LOG_PATH")
DEFAULT_PROFILE_WAREHOUSE = "../data/warehouse.duckdb"  # profiles.yml, relative to dbt_project/


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise PipelineError("dbt is not installed", hint="run `make install` (or `make run`)")
    return found


def dbt_log_file(env: dict[str, str]) -> Path:
    """Where dbt writes its log: DBT_LOG_PATH (relative to dbt_project/) or dbt_project/logs."""
    return DBT_PROJECT_DIR / (env.get("DBT_LOG_PATH") or "logs") / "dbt.log"


def dbt_working_env(env: dict[str, str]) -> tuple[dict[str, str], Path]:
    """The env and working directory for a dbt subprocess, with a profile that does not change
    with the warehouse's folder.

    dbt keeps its parsed project (partial parsing) only while the profile's connection values are
    the same: a new WAREHOUSE_PATH (another warehouse, a test's temporary folder) forced a full
    re-parse of the project. dbt therefore runs in the warehouse's folder and WAREHOUSE_PATH is the
    file's name (`warehouse.duckdb` for every warehouse of that name). Paths that were relative to
    dbt_project/ (the old working directory) are made absolute, so they name the same files.
    """
    env = dict(env)
    for name in PATH_VARIABLES:
        value = env.get(name)
        if value and not Path(value).expanduser().is_absolute():
            env[name] = str(DBT_PROJECT_DIR / value)
    env.setdefault("DBT_TARGET_PATH", str(DBT_PROJECT_DIR / "target"))
    env.setdefault("DBT_LOG_PATH", str(DBT_PROJECT_DIR / "logs"))
    warehouse = Path(env.get("WAREHOUSE_PATH") or DEFAULT_PROFILE_WAREHOUSE).expanduser()
    if not warehouse.is_absolute():
        warehouse = DBT_PROJECT_DIR / warehouse
    env["WAREHOUSE_PATH"] = warehouse.name
    return env, warehouse.parent


def run_dbt(
    settings: Settings,
    args: Sequence[str],
    *,
    step: str = "dbt",
    quiet: bool = False,
    env_overrides: dict[str, str] | None = None,
) -> str:
    """Run `dbt <args>` in dbt_project/ and return its messages; raise PipelineError on failure.

    quiet: no bar, no summary line, no warnings on the console (errors are still raised).
    """
    command = [
        dbt_executable(),
        *args,
        *LOG_FLAGS,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(PROFILES_DIR),
    ]
    env, working_dir = dbt_working_env(settings.dbt_env(**(env_overrides or {})))
    on_spark = spark_bridge.is_spark(env)
    # the bridge's Spark child runs elsewhere: it names the warehouse (and its .spark folder) by
    # its full path, the same folder dbt reaches from working_dir by the bare file name
    bridge_env = {**env, "WAREHOUSE_PATH": str(working_dir / env["WAREHOUSE_PATH"])}
    if on_spark:
        spark_bridge.before_build(settings.warehouse_path, bridge_env, args)
    log_file = dbt_log_file(env)
    label = f"dbt {args[0]}" if args else "dbt"
    if not quiet and log_file not in _announced_logs:
        _announced_logs.add(log_file)
        say(f"    dbt log: {log_file}")
    events = DbtEvents()
    started = time.perf_counter()
    with (
        subprocess.Popen(
            command,
            cwd=working_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        ) as process,
        progress_bar(desc=label, unit="node", enabled=False if quiet else None) as bar,
    ):
        assert process.stdout is not None
        for line in process.stdout:
            if events.feed(line):
                if bar.total is None and events.total:
                    bar.total = events.total
                    bar.refresh()
                bar.update(1)
        code = process.wait()
    seconds = time.perf_counter() - started
    if not quiet:
        _report(events, label, seconds)
    if code != 0:
        if events.lock_error:
            raise WarehouseLockedError(
                describe_lock(events.lock_error, settings.warehouse_path),
                step=step,
                hint="wait for the other run (or close the DuckDB session) and re-run",
            )
        raise PipelineError(
            f"dbt {' '.join(args)} failed:\n{events.failure_text()}",
            step=step,
            hint=f"full log: {log_file}",
        )
    if on_spark:
        spark_bridge.after_build(settings.warehouse_path, bridge_env, args)
    return "\n".join(events.lines)


def _report(events: DbtEvents, label: str, seconds: float) -> None:
    """The invocation's summary line, then its warnings (failures are raised by the caller)."""
    if events.stats:
        say(f"    {events.summary(label, seconds)}")
    for warning in events.warnings[:MAX_WARNINGS_SHOWN]:
        say(f"    warning: {warning}")
    hidden = len(events.warnings) - MAX_WARNINGS_SHOWN
    if hidden > 0:
        say(f"    ... and {hidden} more warning(s), see the dbt log")
