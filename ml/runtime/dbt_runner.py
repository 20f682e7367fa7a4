"""Run dbt as a subprocess with the project's settings, streaming its progress lines."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from ml.config import DBT_PROJECT_DIR, PROFILES_DIR, Settings
from ml.runtime.errors import PipelineError, WarehouseLockedError

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LOCK = re.compile(r"(Could not set lock|Conflicting lock)", re.IGNORECASE)


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise PipelineError("dbt is not installed", hint="run `make install` (or `make run`)")
    return found


def run_dbt(
    settings: Settings,
    args: Sequence[str],
    *,
    step: str = "dbt",
    quiet: bool = False,
    env_overrides: dict[str, str] | None = None,
) -> str:
    """Run `dbt <args>` in dbt_project/ and return its output; raise PipelineError on failure."""
    command = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(PROFILES_DIR),
    ]
    env = settings.dbt_env(**(env_overrides or {}))
    tail: deque[str] = deque(maxlen=400)
    with subprocess.Popen(
        command,
        cwd=DBT_PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as process:
        assert process.stdout is not None
        for raw_line in process.stdout:
            line = _ANSI.sub("", raw_line.rstrip("\n"))
            tail.append(line)
            if not quiet:
                print(f"  [dbt] {line}", file=sys.stderr, flush=True)
        code = process.wait()
    output = "\n".join(tail)
    log_dir = Path(env.get("DBT_LOG_PATH") or DBT_PROJECT_DIR / "logs")
    if code != 0:
        if _LOCK.search(output):
            raise WarehouseLockedError(
                f"the warehouse {settings.warehouse_path} is in use by another process",
                step=step,
                hint="wait for the other run (or close the DuckDB session) and re-run",
            )
        raise PipelineError(
            f"dbt {' '.join(args)} failed:\n{_failure_summary(output)}",
            step=step,
            hint=f"full log: {log_dir / 'dbt.log'}",
        )
    return output


def _failure_summary(output: str) -> str:
    """The part of dbt's output that explains a failure (after 'Completed with'), else the tail."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if "Completed with" in line or "Encountered an error" in line:
            return "\n".join(_strip_timestamp(item) for item in lines[index : index + 40])
    return "\n".join(_strip_timestamp(item) for item in lines[-25:])


def _strip_timestamp(line: str) -> str:
    return re.sub(r"^\d\d:\d\d:\d\d\s+", "", line)
