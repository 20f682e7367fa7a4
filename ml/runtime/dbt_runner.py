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
    env = settings.dbt_env(**(env_overrides or {}))
    on_spark = spark_bridge.is_spark(env)
    if on_spark:
        spark_bridge.before_build(settings.warehouse_path, env, args)
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
            cwd=DBT_PROJECT_DIR,
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
        spark_bridge.after_build(settings.warehouse_path, env, args)
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
