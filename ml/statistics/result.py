"""One row of ml.hypothesis_tests, shared by the hypothesis modules (hypotheses, video_effect)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ml.statistics.inference import NOT_EVALUATED


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


def not_evaluated(common: dict[str, Any], method: str, *, n: int | None) -> HypothesisResult:
    """A hypothesis with nothing to test yet: no estimate, no interval, the reason in `method`."""
    return HypothesisResult(
        **common,
        estimate=None,
        ci_low=None,
        ci_high=None,
        p_value=None,
        verdict=NOT_EVALUATED,
        method=method,
        n=n,
    )
