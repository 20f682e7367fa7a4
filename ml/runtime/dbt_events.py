"""Read dbt's structured log (`--log-format json`, one event a line) into counts and messages.

Each line is `{"info": {"name", "level", "msg", ...}, "data": {...}}`. The events used:
ConcurrencyLine (node_count), one *Result / SkippingDetails per finished node, StatsLine (the
PASS/WARN/ERROR counts), the end-of-run RunResultFailure/RunResultWarning (the failing node)
followed by RunResultError/RunResultWarningMessage (its message), and MainEncounteredError (a
failure outside any node: parsing, compilation, or DuckDB's file lock).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ml.runtime.warehouse import LOCK_PATTERN

# One of these per node that finished (run, passed, warned, failed or skipped).
NODE_RESULT_EVENTS = frozenset(
    {
        "LogModelResult",
        "LogTestResult",
        "LogSeedResult",
        "LogSnapshotResult",
        "LogFreshnessResult",
        "LogFunctionResult",
        "LogNodeResult",
        "LogNodeNoOpResult",
        "SkippingDetails",
    }
)
_NODE_HEADERS = frozenset({"RunResultFailure", "RunResultWarning"})
_NODE_MESSAGES = frozenset(
    {"RunResultError", "RunResultErrorNoMessage", "RunResultWarningMessage", "SQLCompiledPath"}
)
_FATAL = frozenset({"MainEncounteredError", "MainKeyboardInterrupt", "MainStackTrace"})
_STATS_ORDER = ("pass", "warn", "error", "skip", "noop")  # dbt's own order in its "Done." line
_STATS_ALWAYS = frozenset({"pass", "warn", "error"})
MAX_MESSAGE_LINES = 15  # per failing node; the full text is in dbt.log


@dataclass
class DbtEvents:
    """Accumulates one dbt invocation's events; `feed` each stdout line as it arrives."""

    total: int | None = None
    finished: int = 0
    stats: dict[str, int] = field(default_factory=dict)
    seconds: float | None = None
    lines: list[str] = field(default_factory=list)  # every human-readable message, in order
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    fatal: str = ""
    lock_error: str = ""
    stray: list[str] = field(default_factory=list)  # stdout/stderr lines that are not JSON
    _current: list[str] | None = field(default=None, repr=False)  # where node messages go

    def feed(self, line: str) -> bool:
        """Record one line; True when it reports a finished node (advance a progress bar)."""
        line = line.rstrip("\r\n")
        if not line.strip():
            return False
        try:
            event = json.loads(line)
            info, data = event["info"], event.get("data") or {}
        except (ValueError, KeyError, TypeError):
            self.stray.append(line)
            self.lines.append(line)
            return False
        name, level, message = info.get("name", ""), info.get("level", ""), info.get("msg") or ""
        self.lines.append(message)
        return self._handle(name, level, message.strip("\n"), data)

    def _handle(self, name: str, level: str, message: str, data: dict[str, Any]) -> bool:
        if name == "ConcurrencyLine":
            self.total = _int(data.get("node_count"), self.total)
        elif name in NODE_RESULT_EVENTS:
            self.finished += 1
            self.total = self.total or _int(data.get("total") or data.get("num_models"), None)
            return True
        elif name == "StatsLine":
            self.stats = {key: _int(value, 0) for key, value in data.get("stats", {}).items()}
        elif name == "FinishedRunningStats":
            self.seconds = data.get("execution_time")
        elif name in _NODE_HEADERS:
            self._current = self.failures if name == "RunResultFailure" else self.warnings
            self._current.append(_dedent(message))
        elif name in _NODE_MESSAGES:
            self._attach(level, message)
        elif name in _FATAL:
            if name != "MainStackTrace":
                self.fatal = _dedent(data.get("exc") or message)
        elif level == "warn":
            self.warnings.append(_dedent(message))
        if level == "error" and LOCK_PATTERN.search(f"{message} {data.get('exc', '')}"):
            self.lock_error = _dedent(data.get("exc") or message)
        return False

    def _attach(self, level: str, message: str) -> None:
        """Append a node's message to the failure (or warning) announced just before it."""
        target = self._current
        if target is None:
            target = {"warn": self.warnings, "error": self.failures}.get(level)
        text = _dedent(message)
        if target is None or not text:
            return
        lines = text.splitlines()
        if len(lines) > MAX_MESSAGE_LINES:
            text = "\n".join([*lines[:MAX_MESSAGE_LINES], "  ... (see dbt.log)"])
        if target:
            indented = text.replace("\n", "\n  ")
            target[-1] = f"{target[-1]}\n  {indented}"
        else:
            target.append(text)

    def summary(self, command: str, seconds: float) -> str:
        """One line, e.g. 'dbt build: 177 nodes, PASS=178 WARN=0 ERROR=0 SKIP=0 in 5.7 s'."""
        shown = [key for key in _STATS_ORDER if self.stats.get(key) or key in _STATS_ALWAYS]
        shown = shown if self.stats else []
        counts = " ".join(
            f"{key.upper().replace('NOOP', 'NO-OP')}={self.stats.get(key, 0)}" for key in shown
        )
        nodes = self.total if self.total is not None else self.finished
        return f"{command}: {nodes} nodes, {counts or 'no results'} in {seconds:.1f} s"

    def failure_text(self) -> str:
        """What explains a failed invocation: the failing nodes, else dbt's error, else the tail."""
        if self.failures:
            return "\n".join(self.failures)
        if self.fatal:
            return self.fatal
        tail = [line for line in self.lines if line.strip()][-25:]
        return "\n".join(tail) or "(dbt printed nothing)"


def _int(value: Any, default: int | None) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _dedent(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())
