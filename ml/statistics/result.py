"""One row of ml.hypothesis_tests, shared by the hypothesis modules (hypotheses, video_effect)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ml.statistics.inference import NOT_EVALUATED, decide


@dataclass(frozen=True)
class HypothesisResult:
    """One row of ml.hypothesis_tests (without computed_at, added when written)."""

    hypothesis: str
    statement: str
    metric: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    threshold: float
    verdict: str
    method: str
    n: int | None
    run_id: str | None = None


def result_row(
    common: dict[str, Any],
    estimate: float | None,
    interval: tuple[float | None, float | None],
    *,
    p_value: float | None,
    verdict: str,
    method: str,
    n: int | None,
    run_id: str | None = None,
) -> HypothesisResult:
    """A hypothesis' row: `common` (hypothesis, statement, metric, threshold) and its result."""
    low, high = interval
    fields = {"estimate": estimate, "ci_low": low, "ci_high": high, "p_value": p_value}
    return HypothesisResult(**common, **fields, verdict=verdict, method=method, n=n, run_id=run_id)


def not_evaluated(common: dict[str, Any], method: str, *, n: int | None) -> HypothesisResult:
    """A hypothesis with nothing to test yet: no estimate, no interval, the reason in `method`."""
    return result_row(
        common, None, (None, None), p_value=None, verdict=NOT_EVALUATED, method=method, n=n
    )


def interval_result(
    common: dict[str, Any],
    estimate: float,
    interval: tuple[float | None, float | None],
    *,
    method: str,
    n: int | None,
    run_id: str | None = None,
) -> HypothesisResult:
    """A hypothesis decided by its interval alone (no p-value) against common['threshold']."""
    verdict = decide(estimate, interval[0], interval[1], common["threshold"])
    return result_row(
        common, estimate, interval, p_value=None, verdict=verdict, method=method, n=n, run_id=run_id
    )
