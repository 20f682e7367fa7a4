"""Text formatting of numbers, shared by the JSON sentences, the HTML template (as jinja2
filters) and the console summary: 'n/a' for a missing value, never 'nan' or '-0.000'."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ml.reporting.figures import number


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
