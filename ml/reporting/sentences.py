"""What the insights and the recommendations of the executive report share.

Each of them is a sentence whose wording is chosen by the numbers it quotes (above / below a
claim, strong / moderate / weak, which tier is empty ...), never canned text that could
contradict them, and each lists the figures it quotes with their sources. A sentence whose
inputs are missing (no model run yet, a mart not built) is left out, not filled with
placeholders.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ml.reporting.figures import Figure, Lookup, figure, number
from ml.reporting.labels import (
    ACCURACY,
    F1,
    HIT,
    MEAN_BASELINE,
    MODEL,
    PR_AUC,
    PRECISION,
    RECALL,
    ROC_AUC,
    TEST,
)
from ml.reporting.report_data import ReportData

# A sentence and the figures it quotes; None when its inputs are missing.
Sentence = tuple[str, list[Figure]] | None
NOT_EVALUATED = "not yet evaluated"


def hypothesis_item(report: dict[str, Any], name: str) -> dict[str, Any] | None:
    for item in report["hypotheses"]["items"]:
        if item["hypothesis"] == name:
            return item
    return None


def interval_text(item: dict[str, Any] | None, fmt: Callable[[Any], str]) -> str:
    if item is None or item["ci_low"] is None or item["ci_high"] is None:
        return "no interval"
    return f"95% interval {fmt(item['ci_low'])} to {fmt(item['ci_high'])}"


def hypothesis_clause(
    report: dict[str, Any], name: str, measure: str, fmt: Callable[..., str], digits: int
) -> tuple[str, list[Figure]]:
    """' H2 (lift >= +30%): supported, 95% interval ...' and the estimate it quotes; nothing
    while the hypothesis is missing or not evaluated."""
    item = hypothesis_item(report, name)
    if item is None or item["verdict"] == NOT_EVALUATED:
        return "", []
    clause = (
        f" {name} ({measure} >= {fmt(item['threshold'], digits)}): {item['verdict']}, "
        f"{interval_text(item, fmt)}."
    )
    return clause, [item["estimate"]]


def confidence_words(z: Any) -> str:
    """'99%' for z = 2.576 (two-sided normal coverage)."""
    z = number(z)
    return "confidence" if z is None else f"{math.erf(z / math.sqrt(2)):.0%}"


def top_features(data: ReportData, model: str, count: int = 3) -> list[Figure]:
    """The model's strongest inputs: permutation importances, impurity when none ran."""
    frame = data.importances
    if frame is None or frame.empty:
        return []
    mine = frame[frame["model_name"] == model]
    rows = mine[mine["importance_type"].str.startswith("permutation")]
    if rows.empty:
        rows = mine[mine["importance_type"] == "impurity"]
    rows = rows.sort_values("importance", ascending=False).head(count)
    return [
        figure(
            row.importance,
            f"ml.feature_importance[run_id={data.run_id}, model_name={model}, "
            f"importance_type={row.importance_type}, feature={row.feature}]",
            key=row.feature,
        )
        for row in rows.itertuples(index=False)
    ]


def hit_classifier_figures(look: Lookup) -> dict[str, Figure]:
    """The hit classifier's held-out figures both kinds of sentences quote: ranking quality
    (ROC-AUC, PR-AUC and PR-AUC by chance), the hit class (F1, precision, recall) and the
    accuracy of the model and of never predicting a hit."""

    def test(variant: str, metric: str, unit: str) -> Figure:
        return look.metric(HIT, variant, TEST, metric, unit)

    return {
        "roc": test(MODEL, ROC_AUC, "auc"),
        "pr": test(MODEL, PR_AUC, "auc"),
        "chance_pr": test(MEAN_BASELINE, PR_AUC, "auc"),
        "f1": test(MODEL, F1, "score"),
        "precision": test(MODEL, PRECISION, "share"),
        "recall": test(MODEL, RECALL, "share"),
        "accuracy": test(MODEL, ACCURACY, "share"),
        "base_accuracy": test(MEAN_BASELINE, ACCURACY, "share"),
    }
