"""Figures of the executive report: a number plus the mart / run it came from, and the text
formatting shared by the JSON sentences, the HTML template and the console summary."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ml.reporting.data import ReportData

AUDIO_FAMILIES = ("danceability x energy", "tempo band")
PROBABILITY_FAMILY = "model hit probability"

# The original study's claims (SPEC, "Honest evaluation"): shown beside the measured values,
# never used to tune anything. measured: ('metric', model, variant, split, metric) or
# ('kpi', column of marts.kpi_summary).
STUDY_CLAIMS: tuple[dict[str, Any], ...] = (
    {
        "key": "stream_r2",
        "label": "Stream model R²",
        "claimed": 0.847,
        "claimed_text": "0.847",
        "unit": "r2",
        "measured": ("metric", "stream_regressor", "model", "test", "r2"),
        "note": "measured on ln(1 + streams) for the held-out 20% of distinct tracks",
    },
    {
        "key": "stream_cv_r2",
        "label": "Stream model 5-fold CV R²",
        "claimed": 0.831,
        "claimed_spread": 0.012,
        "claimed_text": "0.831 ± 0.012",
        "unit": "r2",
        "measured": ("metric", "stream_regressor", "model", "cv_mean", "r2"),
        "spread": ("metric", "stream_regressor", "model", "cv_std", "r2"),
        "note": "mean ± standard deviation over the folds of the training 80%",
    },
    {
        "key": "hit_accuracy",
        "label": "Hit classifier accuracy",
        "claimed": 0.923,
        "claimed_text": "92.3%",
        "unit": "share",
        "measured": ("metric", "hit_classifier", "model", "test", "accuracy"),
        "context": (
            (
                ("metric", "hit_classifier", "mean_baseline", "test", "accuracy"),
                "share",
                "accuracy of never predicting a hit",
            ),
        ),
        "note": (
            "with about 10% hits, always answering 'not a hit' is about 90% accurate (context): "
            "read ROC-AUC, PR-AUC and F1 instead"
        ),
    },
    {
        "key": "hit_f1",
        "label": "Hit classifier F1",
        "claimed": 0.918,
        "claimed_text": "0.918",
        "unit": "score",
        "measured": ("metric", "hit_classifier", "model", "test", "f1"),
        "context": (
            (("metric", "hit_classifier", "model", "test", "roc_auc"), "auc", "ROC-AUC"),
            (("metric", "hit_classifier", "model", "test", "pr_auc"), "auc", "PR-AUC"),
            (
                ("metric", "hit_classifier", "mean_baseline", "test", "pr_auc"),
                "auc",
                "PR-AUC by chance",
            ),
        ),
        "note": "F1 of the hit class (positives) on held-out tracks",
    },
    {
        "key": "youtube_r2",
        "label": "YouTube views model R²",
        "claimed": 0.782,
        "claimed_text": "0.782",
        "unit": "r2",
        "measured": ("metric", "views_regressor", "model", "test", "r2"),
        "note": "ln(1 + views) of tracks with a video, from Spotify-side inputs only "
        "(no likes or comments)",
    },
    {
        "key": "correlation",
        "label": "Streams-views correlation",
        "claimed": 0.687,
        "claimed_text": "0.687",
        "unit": "correlation",
        "measured": ("kpi", "pearson_streams_views"),
        "context": (
            (("kpi", "pearson_log_streams_log_views"), "correlation", "log-log Pearson r"),
            (("kpi", "spearman_streams_views"), "correlation", "Spearman"),
        ),
        "note": "Pearson r of raw counts (context: log-log Pearson and Spearman)",
    },
    {
        "key": "video_lift",
        "label": "Official-video stream lift",
        "claimed": 0.437,
        "claimed_text": "+43.7%",
        "unit": "lift",
        "measured": ("kpi", "official_video_mean_stream_lift"),
        "context": ((("kpi", "official_video_median_stream_lift"), "lift", "lift of the medians"),),
        "note": "mean streams official / not official - 1 (context: the same on medians)",
    },
)
CLAIMED = {claim["key"]: claim["claimed"] for claim in STUDY_CLAIMS}


def number(value: Any) -> float | int | None:
    """A JSON-safe number: numpy/pandas scalars unwrapped, NaN / NA / inf -> None."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    value = float(value)
    return value if math.isfinite(value) else None


def text(value: Any) -> str | None:
    """A JSON-safe string: None / NaN / NA -> None."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def figure(value: Any, source: str, unit: str | None = None, **extra: Any) -> dict[str, Any]:
    """{"value": ..., "source": ..., "unit": ...} plus optional key / label."""
    result: dict[str, Any] = {"value": number(value), "source": source, "unit": unit}
    result.update(extra)
    return result


def metric_source(run_id: str | None, model: str, variant: str, split: str, metric: str) -> str:
    return (
        f"ml.metrics[run_id={run_id}, model_name={model}, variant={variant}, "
        f"split={split}, metric={metric}]"
    )


class Lookup:
    """Figures by reference: KPI columns and run metrics, each with its source."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        frame = data.table("marts.kpi_summary")
        # column by column: a row of a mixed frame would turn every count into a float
        self.kpis = (
            None
            if frame is None or frame.empty
            else {column: frame[column].iloc[0] for column in frame.columns}
        )
        self.metrics: dict[tuple[str, str, str, str], float] = {}
        if data.metrics is not None:
            for row in data.metrics.itertuples(index=False):
                self.metrics[(row.model_name, row.variant, row.split, row.metric)] = row.value

    def kpi(self, column: str, unit: str | None = None, **extra: Any) -> dict[str, Any]:
        value = None if self.kpis is None else self.kpis.get(column)
        return figure(value, f"marts.kpi_summary.{column}", unit, **extra)

    def metric(
        self, model: str, variant: str, split: str, metric: str, unit: str | None = None
    ) -> dict[str, Any]:
        value = self.metrics.get((model, variant, split, metric))
        return figure(value, metric_source(self.data.run_id, model, variant, split, metric), unit)

    def reference(self, reference: tuple, unit: str | None = None) -> dict[str, Any]:
        if reference[0] == "kpi":
            return self.kpi(reference[1], unit)
        return self.metric(*reference[1:], unit=unit)


def value_of(item: dict[str, Any] | None) -> Any:
    return None if item is None else item.get("value")


def have(*items: dict[str, Any] | None) -> bool:
    return all(value_of(item) is not None for item in items)


# --- text formatting ------------------------------------------------------------------------------


def fmt_count(value: Any) -> str:
    value = number(value)
    return "n/a" if value is None else f"{value:,.0f}"


def fmt_big(value: Any) -> str:
    """2.37 trillion / 51.9 million / 12,345."""
    value = number(value)
    if value is None:
        return "n/a"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:.3g} {word}"
    return f"{value:,.0f}"


def fmt_share(value: Any, digits: int = 1) -> str:
    value = number(value)
    return "n/a" if value is None else f"{value:.{digits}%}"


def fmt_lift(value: Any, digits: int = 1) -> str:
    value = number(value)
    return "n/a" if value is None else f"{value:+.{digits}%}"


def fmt_score(value: Any, digits: int = 3) -> str:
    value = number(value)
    if value is None:
        return "n/a"
    if abs(value) < 0.5 * 10**-digits:
        value = 0.0  # no "-0.000"
    return f"{value:.{digits}f}"


def fmt_usd(value: Any) -> str:
    value = number(value)
    return "n/a" if value is None else f"USD {value:,.0f}"


def fmt_unit(value: Any, unit: str | None) -> str:
    """A figure's value formatted by its unit (used by the HTML template)."""
    if unit in {"share", "probability"}:
        return fmt_share(value)
    if unit == "lift":
        return fmt_lift(value)
    if unit in {"r2", "correlation", "score", "auc"}:
        return fmt_score(value)
    if unit in {"streams", "views"}:
        return fmt_big(value)
    if unit == "usd":
        return fmt_usd(value)
    if unit == "count":
        return fmt_count(value)
    value = number(value)
    if value is None:
        return "n/a"
    return f"{value:,.4g}" if isinstance(value, float) else f"{value:,}"


def short_source(source: str) -> str:
    """A source for display: ml.metrics[run_id=..., model_name=m, variant=v, split=s, metric=x]
    -> ml.metrics m / v / s / x (the run id is in the page header)."""
    if not source.startswith("ml.metrics[") or not source.endswith("]"):
        return source
    fields = dict(
        part.strip().split("=", 1)
        for part in source[len("ml.metrics[") : -1].split(",")
        if "=" in part
    )
    keys = ("model_name", "variant", "split", "metric")
    return "ml.metrics " + " / ".join(fields.get(key, "?") for key in keys)


def versus(measured: Any, claimed: float, *, fmt=fmt_score) -> str:
    measured = number(measured)
    if measured is None:
        return f"the study claimed {fmt(claimed)}"
    relation = "below" if measured < claimed else "at or above"
    return f"{relation} the study's claimed {fmt(claimed)}"


def join_words(parts: Iterable[str]) -> str:
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def checklist_segment(row: Any) -> dict[str, Any]:
    source = f"marts.ar_checklist[checklist_order={int(row.checklist_order)}]"
    return {
        "segment_type": row.segment_type,
        "segment": row.segment,
        "segment_rule": row.segment_rule,
        "scout_signal": row.scout_signal,
        "labelled_tracks": number(row.labelled_tracks),
        "hit_rate": figure(row.hit_rate, f"{source}.hit_rate", "share"),
        "hit_rate_ci_low": number(row.hit_rate_ci_low),
        "hit_rate_ci_high": number(row.hit_rate_ci_high),
        "reference_hit_rate": number(row.reference_hit_rate),
        "hit_rate_lift": number(row.hit_rate_lift),
        "mean_hit_probability": number(row.mean_hit_probability),
    }
