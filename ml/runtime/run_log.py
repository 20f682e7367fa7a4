"""Execution summary (steps, timings, row counts) and the error log of one pipeline run."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ml.runtime.errors import PipelineError
from ml.runtime.progress import say  # bar-safe: never tears an active progress bar

SUMMARY_FILE = (
    "execution_summary.json"  # the last good run's summary (a failed run never replaces it)
)
FAILED_SUMMARY_FILE = "execution_summary.failed.json"  # the last failed run's, beside it
ERROR_FILE = "error_log.json"


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class StepRecord:
    name: str
    started_at: str
    duration_seconds: float = 0.0
    status: str = "running"
    rows_in: int | None = None
    rows_out: int | None = None
    detail: str = ""


@dataclass
class RunLog:
    """Collects step records; written as reports/execution_summary.json (and error_log.json)."""

    started_at: str = field(default_factory=utc_now)
    steps: list[StepRecord] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[StepRecord]:
        record = StepRecord(name=name, started_at=utc_now())
        self.steps.append(record)
        say(f"==> {name}")
        start = time.perf_counter()
        try:
            yield record
        except BaseException as error:
            record.status = "failed"
            record.detail = record.detail or _first_line(error)
            raise
        else:
            record.status = "ok"
        finally:
            record.duration_seconds = round(time.perf_counter() - start, 3)
            say(f"    {name}: {record.status} in {record.duration_seconds:.1f} s")

    def summary(self, status: str) -> dict[str, Any]:
        return {
            "status": status,
            "started_at": self.started_at,
            "finished_at": utc_now(),
            "total_seconds": round(sum(step.duration_seconds for step in self.steps), 3),
            "context": self.context,
            "steps": [asdict(step) for step in self.steps],
        }

    def write_summary(self, reports_dir: Path, status: str) -> Path:
        """An ok run writes execution_summary.json and clears the failure files; a failed run
        writes execution_summary.failed.json, so the last good run's summary (and the report
        rendered with it) stays in place."""
        if status == "ok":
            for name in (FAILED_SUMMARY_FILE, ERROR_FILE):
                (reports_dir / name).unlink(missing_ok=True)
            return write_json(reports_dir / SUMMARY_FILE, self.summary(status))
        return write_json(reports_dir / FAILED_SUMMARY_FILE, self.summary(status))

    def write_error(self, reports_dir: Path, error: BaseException) -> Path:
        failed = next((s.name for s in reversed(self.steps) if s.status == "failed"), None)
        payload = {
            "status": "failed",
            "failed_at": utc_now(),
            "step": getattr(error, "step", "") or failed or "",
            "error_type": type(error).__name__,
            "message": error.message if isinstance(error, PipelineError) else str(error),
            "hint": getattr(error, "hint", ""),
            "context": self.context,
            "steps": [asdict(step) for step in self.steps],
        }
        return write_json(reports_dir / ERROR_FILE, payload)


def write_json(path: Path, payload: Any) -> Path:
    """Write JSON atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
