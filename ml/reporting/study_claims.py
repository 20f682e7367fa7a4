"""The original study's claims beside the values measured here (SPEC, "Honest evaluation"),
read from marts.study_claims (dbt_project/models/marts/claims): the claimed numbers, how each
is measured and the rule that judges it live in that mart, defined once; nothing here repeats
them, and nothing is ever tuned toward them.

    study_claims(data)            the report's `study_claims` list, one item per mart row
    claimed_values(report)        {claim_id: claimed value} (the model-quality chart)
    claim_figure(report, id)      a claim's claimed value as a figure (sentences, charts)
    compare(report, id, value)    ", below the study's claimed 0.687" and that figure
    verdict_counts(report)        claims per verdict (console summary)
    fmt_claim(value, unit)        a value in a claim's unit ("2.31x", "3.24%", "120-129 BPM")
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from ml.reporting.figures import Figure, figure, number, text
from ml.reporting.formatting import fmt_lift, fmt_score, fmt_share, versus
from ml.reporting.report_data import ReportData

MART = "marts.study_claims"
# the mart's verdicts (accepted_values in _claims__models.yml), in display order
VERDICTS = ("supported", "not supported", "not measurable", "not yet measured")
# mart units that are also units of a report figure (schemas: $defs/figure/unit)
FIGURE_UNITS = frozenset({"r2", "share", "score", "correlation", "lift"})
BAND_WIDTH = 10  # BPM per tempo band of marts.claims_tempo_synergy (120 = 120-129 BPM)


def claim_source(claim_id: str) -> str:
    return f"{MART}[claim_id={claim_id}]"


def study_claims(data: ReportData) -> list[dict[str, Any]]:
    """Every row of marts.study_claims in claim_order; [] when the mart is not built yet (it is
    then in missing_relations: the post-model dbt pass builds it)."""
    table = data.table(MART)
    if table is None:
        return []
    return [
        {
            "claim_id": row.claim_id,
            "section": row.section,
            "claim": row.claim,
            "reading": row.reading,
            "claimed_value": number(row.claimed_value),
            "claimed_text": row.claimed_text,
            "measured_value": number(row.measured_value),
            "ci_low": number(row.ci_low),
            "ci_high": number(row.ci_high),
            "unit": row.unit,
            "sample_size": number(row.sample_size),
            "definition": row.definition,
            "verdict_rule": row.verdict_rule,
            "verdict": row.verdict,
            "verdict_reason": row.verdict_reason,
            "measured_from": row.source,
            "run_id": text(row.run_id),
            "source": claim_source(row.claim_id),
        }
        for row in table.itertuples(index=False)
    ]


def claimed_values(report: dict[str, Any]) -> dict[str, float]:
    """{claim_id: claimed_value} of the report's claims ({} when the mart is missing)."""
    return {
        item["claim_id"]: item["claimed_value"]
        for item in report.get("study_claims", ())
        if item["claimed_value"] is not None
    }


def claim_figure(report: dict[str, Any], claim_id: str) -> Figure | None:
    """The claimed value of one mart row as a figure; None when the mart is missing."""
    for item in report.get("study_claims", ()):
        if item["claim_id"] == claim_id and item["claimed_value"] is not None:
            unit = item["unit"] if item["unit"] in FIGURE_UNITS else None
            source = f"{item['source']}.claimed_value"
            return figure(item["claimed_value"], source, unit, key=claim_id)
    return None


def compare(
    report: dict[str, Any], claim_id: str, measured: Any, fmt=fmt_score, lead: str = ", "
) -> tuple[str, list[Figure]]:
    """(lead + "below the study's claimed 0.687", [the claim's figure]), or ("", []) when the
    mart is missing: sentences then leave the comparison out."""
    claim = claim_figure(report, claim_id)
    if claim is None:
        return "", []
    return lead + versus(measured, claim["value"], fmt=fmt), [claim]


def verdict_counts(report: dict[str, Any]) -> dict[str, int]:
    """Claims per verdict, in VERDICTS order, verdicts without a claim left out."""
    counts = Counter(item["verdict"] for item in report.get("study_claims", ()))
    return {verdict: counts[verdict] for verdict in VERDICTS if counts[verdict]}


def fmt_claim(value: Any, unit: str | None) -> str:
    """A claimed or measured value in the unit of its claim (marts.study_claims.unit)."""
    value = number(value)
    if value is None:
        return "n/a"
    if unit == "share":
        return fmt_share(value)
    if unit == "rate":
        return fmt_share(value, 2)
    if unit == "lift":
        return fmt_lift(value)
    if unit == "ratio":
        return f"{value:.2f}x"
    if unit == "bpm_band":
        return f"{value:.0f}-{value + BAND_WIDTH - 1:.0f} BPM"
    if unit == "days":
        return f"{value:.0f} days"
    if unit in {"std", "variance"}:  # small: two significant digits, never 9.7e-05
        if value == 0 or abs(value) >= 1e-3:
            return f"{value:.4f}"
        return f"{value:.{1 - math.floor(math.log10(abs(value)))}f}"
    return fmt_score(value)
