"""dbt's JSON events become node counts, one summary line, warnings and failure messages."""

from __future__ import annotations

import json
from typing import Any

from ml.runtime.dbt_events import MAX_MESSAGE_LINES, DbtEvents


def event(name: str, msg: str = "", level: str = "info", **data: Any) -> str:
    return json.dumps({"info": {"name": name, "level": level, "msg": msg}, "data": data})


def feed(lines: list[str]) -> tuple[DbtEvents, int]:
    events = DbtEvents()
    advanced = sum(events.feed(line + "\n") for line in lines)
    return events, advanced


NODE = {"node_info": {"unique_id": "model.p.tracks", "node_status": "success"}}


def test_counts_nodes_and_summarises_a_clean_build() -> None:
    events, advanced = feed(
        [
            event("MainReportVersion", "Running with dbt=1.11.16"),
            event("ConcurrencyLine", "Concurrency: 1 threads", node_count=3),
            event("LogStartLine", "1 of 3 START sql table model marts.tracks", index=1, total=3),
            event("LogModelResult", "1 of 3 OK created", status="OK", total=3, **NODE),
            event("LogTestResult", "2 of 3 PASS unique_tracks_uri", status="pass", num_models=3),
            event("LogHookEndLine", "1 of 1 OK hook", total=1),  # hooks are not nodes
            event("SkippingDetails", "3 of 3 SKIP relation marts.kpi", total=3),
            event(
                "StatsLine",
                "Done.",
                stats={"error": 0, "noop": 0, "pass": 2, "skip": 1, "total": 3, "warn": 0},
            ),
        ]
    )
    assert (events.total, events.finished, advanced) == (3, 3, 3)
    assert events.summary("dbt build", 5.74) == (
        "dbt build: 3 nodes, PASS=2 WARN=0 ERROR=0 SKIP=1 in 5.7 s"
    )
    assert not events.warnings and not events.failures and not events.lock_error
    assert "1 of 3 OK created" in events.lines


def test_failure_names_the_node_and_its_message() -> None:
    error_text = "Runtime Error in model stg (models/stg.sql)\n  Conversion Error: bad value"
    events, _ = feed(
        [
            event("LogModelResult", "1 of 2 ERROR creating stg", level="error", status="error"),
            event("EndOfRunSummary", "Completed with 1 error"),
            event("RunResultFailure", "Failure in model stg (models/stg.sql)", level="error"),
            event("RunResultError", "  " + error_text, level="error"),
            event("SQLCompiledPath", "  compiled code at target/compiled/stg.sql"),
            event("RunResultWarning", "Warning in test t (models/x.yml)", level="warn"),
            event("RunResultWarningMessage", "  Got 3 results, configured to warn", level="warn"),
        ]
    )
    assert events.failures == [
        "Failure in model stg (models/stg.sql)\n"
        "  Runtime Error in model stg (models/stg.sql)\n"
        "    Conversion Error: bad value\n"
        "  compiled code at target/compiled/stg.sql"
    ]
    assert events.warnings == [
        "Warning in test t (models/x.yml)\n  Got 3 results, configured to warn"
    ]
    assert events.failure_text().startswith("Failure in model stg")
    assert not events.lock_error


def test_long_node_messages_are_cut() -> None:
    long = "\n".join(f"line {index}" for index in range(40))
    events, _ = feed(
        [
            event("RunResultFailure", "Failure in model m (m.sql)", level="error"),
            event("RunResultError", long, level="error"),
        ]
    )
    [failure] = events.failures
    assert (
        f"line {MAX_MESSAGE_LINES - 1}" in failure and f"line {MAX_MESSAGE_LINES}\n" not in failure
    )
    assert failure.endswith("(see dbt.log)")


def test_duckdb_lock_error_is_recognised() -> None:
    exc = (
        'IO Error: Could not set lock on file "/w.duckdb": '
        "Conflicting lock is held in python (PID 4242)"
    )
    events, _ = feed(
        [event("MainEncounteredError", "Encountered an error", level="error", exc=exc)]
    )
    assert events.lock_error == exc
    assert events.fatal == exc and events.failure_text() == exc


def test_other_warnings_and_stray_text_are_kept() -> None:
    events, advanced = feed(
        [
            event("NoNodesForSelectionCriteria", "Nothing to do for 'nope'", level="warn"),
            "Traceback (most recent call last): not json",
            "",
        ]
    )
    assert advanced == 0
    assert events.warnings == ["Nothing to do for 'nope'"]
    assert events.stray == ["Traceback (most recent call last): not json"]
    assert "not json" in events.failure_text()
    assert events.summary("dbt run", 0.04) == "dbt run: 0 nodes, no results in 0.0 s"
