"""Figures of the executive report: a number plus the mart or run it came from, e.g.
``{"value": 0.43, "source": "marts.kpi_summary.pearson_streams_views", "unit": "correlation"}``,
and Lookup, which finds them by KPI column or by ml.metrics key."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ml.reporting.report_data import ReportData

Figure = dict[str, Any]

# segment types of marts.ar_checklist that describe a track's sound
AUDIO_FAMILIES = ("danceability x energy", "tempo band")


def is_na(value: Any) -> bool | None:
    """pd.isna(value) as a bool; None when pandas cannot tell (e.g. a list)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return None


def number(value: Any) -> float | int | None:
    """A JSON-safe number: numpy/pandas scalars unwrapped, NaN / NA / inf -> None."""
    if value is None or is_na(value) is not False:
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
    if value is None or is_na(value):
        return None
    return str(value)


def first_row(frame: pd.DataFrame | None) -> dict[str, Any] | None:
    """The first row of a table as {column: value}, None when it is missing or empty.

    Column by column: a row (pd.Series) of a mixed frame would turn every count into a float."""
    if frame is None or frame.empty:
        return None
    return {column: frame[column].iloc[0] for column in frame.columns}


def figure(value: Any, source: str, unit: str | None = None, **extra: Any) -> Figure:
    """{"value": ..., "source": ..., "unit": ...} plus optional key / label."""
    result: Figure = {"value": number(value), "source": source, "unit": unit}
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
        self.kpis = first_row(data.table("marts.kpi_summary"))
        self.metrics: dict[tuple[str, str, str, str], float] = {}
        if data.metrics is not None:
            for row in data.metrics.itertuples(index=False):
                self.metrics[(row.model_name, row.variant, row.split, row.metric)] = row.value

    def kpi(self, column: str, unit: str | None = None, **extra: Any) -> Figure:
        value = None if self.kpis is None else self.kpis.get(column)
        return figure(value, f"marts.kpi_summary.{column}", unit, **extra)

    def metric(
        self, model: str, variant: str, split: str, metric: str, unit: str | None = None
    ) -> Figure:
        value = self.metrics.get((model, variant, split, metric))
        return figure(value, metric_source(self.data.run_id, model, variant, split, metric), unit)

    def reference(self, reference: tuple, unit: str | None = None) -> Figure:
        if reference[0] == "kpi":
            return self.kpi(reference[1], unit)
        return self.metric(*reference[1:], unit=unit)


def value_of(item: Figure | None) -> Any:
    return None if item is None else item.get("value")


def have(*items: Figure | None) -> bool:
    return all(value_of(item) is not None for item in items)


def checklist_segment(row: Any) -> dict[str, Any]:
    """One row of marts.ar_checklist, its hit rate as a figure."""
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
