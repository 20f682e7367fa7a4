"""The decision-grade parts of the models section of the executive report.

For every model: its metrics on every split for every variant (ml.metrics), its two qualities
side by side (a new track of a catalog artist, scored by the served model: the forest or its
challenger; a track of an artist never seen, scored by the cold-start model) and, for a
regressor, how often its 80% interval held the truth. For the hit classifier: how trustworthy
its calibrated probabilities are (Brier, log loss, ECE in ml.metrics; the reliability table
marts.hit_calibration). Every number is a figure citing its ml.metrics row or mart row; every
sentence is worded by the numbers it quotes.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ml.modeling.specs import (
    ALL_SPLITS,
    ALL_VARIANTS,
    SERVING_CHALLENGER,
    VARIANT_CHALLENGER,
    ModelSpec,
)
from ml.reporting.figures import Figure, Lookup, figure, have, number, value_of
from ml.reporting.formatting import fmt_score, fmt_share
from ml.reporting.labels import (
    AUDIENCES,
    AUDIO_ONLY,
    COLD_START,
    HIT,
    INTERVAL_COVERAGE,
    LEAD_METRICS,
    MEAN_BASELINE,
    METRIC_LABELS,
    MODEL,
    NEW_ARTISTS,
    SERVED_LABELS,
    TEST,
    report_metrics,
)
from ml.reporting.report_data import ReportData

HIT_CALIBRATION = "marts.hit_calibration"
MIN_BIN_TRACKS = 50  # a reliability bin is judged only with at least this many held-out tracks
TOLERANCE = 0.05  # |observed rate - mean predicted| that still counts as "about"
EXAMPLE_PROBABILITY = 0.3  # the bin quoted as the example: the one nearest this probability
NOMINAL_COVERAGE = 0.8  # the 10th-90th percentile interval
_UNITS = {"r2": "r2", "roc_auc": "auc", "pr_auc": "auc"}


def metric_rows(look: Lookup, spec: ModelSpec) -> list[dict[str, Any]]:
    """One row per metric and split that ml.metrics holds: every variant side by side."""
    rows = []
    for metric in report_metrics(spec):
        for split in ALL_SPLITS:
            values = {v: look.metric(spec.name, v, split, metric) for v in ALL_VARIANTS}
            if any(have(item) for item in values.values()):
                rows.append({"metric": metric, "split": split, **values})
    return rows


def served_catalog_variant(data: ReportData, spec: ModelSpec) -> str:
    """The variant that scores catalog artists' tracks: the forest ('model'), or the challenger
    when the run chose it to serve (ml.runs serving_model)."""
    served = _run_param(data, spec.name, "serving_model")
    return VARIANT_CHALLENGER if served == SERVING_CHALLENGER else MODEL


def quality_by_audience(look: Lookup, spec: ModelSpec) -> dict[str, Any]:
    """The lead metric for a catalog artist's new track (the SERVED model: the forest or the
    challenger, held-out tracks) beside a new artist's track (cold-start model, held-out
    artists), each with its audio-only baseline."""
    metric = LEAD_METRICS[spec.name][0]
    unit = _UNITS.get(metric, "score")
    audiences = []
    for split, variant, words in AUDIENCES:
        if variant == MODEL:
            variant = served_catalog_variant(look.data, spec)
            words += f" (scored with the {SERVED_LABELS[variant]})"
        audiences.append(
            {
                "split": split,
                "variant": variant,
                "description": words,
                "score": look.metric(spec.name, variant, split, metric, unit),
                "audio_only": look.metric(spec.name, AUDIO_ONLY, split, metric, unit),
                "mean_baseline": look.metric(spec.name, MEAN_BASELINE, split, metric, unit),
            }
        )
    label = METRIC_LABELS[metric]
    parts, quoted = [], []
    for audience in audiences:
        if not have(audience["score"]):
            continue
        part = f"{audience['description']}: {label} {fmt_score(value_of(audience['score']), 2)}"
        quoted.append(audience["score"])
        if have(audience["audio_only"]):
            part += f"; the audio-only baseline {fmt_score(value_of(audience['audio_only']), 2)}"
            quoted.append(audience["audio_only"])
        parts.append(part + ".")
    sentence = None
    if parts:
        sentence = {"key": f"{spec.name}_by_audience", "text": " ".join(parts), "figures": quoted}
    return {"metric": metric, "audiences": audiences, "sentence": sentence}


def interval_coverage(look: Lookup, spec: ModelSpec) -> dict[str, Any] | None:
    """How often the 10th-90th percentile interval of the trees held the held-out truth."""
    if spec.task != "regression":
        return None
    # the range of the SERVED catalog model: the forest's trees, or the challenger's
    # out-of-fold residual range when ML_SERVING_MODEL chose it (ml.runs serving_model)
    variant = served_catalog_variant(look.data, spec)
    known = look.metric(spec.name, variant, TEST, INTERVAL_COVERAGE, "share")
    new = look.metric(spec.name, COLD_START, NEW_ARTISTS, INTERVAL_COVERAGE, "share")
    what = "streams" if "stream" in spec.target else "views"
    how = (
        "the served gradient-boosting challenger's 10th to 90th percentile of its out-of-fold "
        "errors"
        if variant == VARIANT_CHALLENGER
        else "10th to 90th percentile of the trees' predictions"
    )
    sentence = None
    if have(known):
        text = (
            f"The {what} range shown per track ({how}) held the actual {what} of "
            f"{fmt_share(value_of(known), 0)} of held-out tracks of catalog artists"
        )
        quoted = [known]
        if have(new):
            text += f" and {fmt_share(value_of(new), 0)} of tracks of new artists (cold start)"
            quoted.append(new)
        outside = " and ".join(fmt_share(1 - value_of(item), 0) for item in quoted)
        if min(value_of(item) for item in quoted) < NOMINAL_COVERAGE - 0.02:
            text += (
                f": below the nominal 80% ({outside} of tracks land outside it, not 20%), so "
                "the range is too narrow; read it as a typical range, not an 80% guarantee."
            )
        else:
            text += ": about the nominal 80%."
        sentence = {"key": f"{spec.name}_interval", "text": text, "figures": quoted}
    return {
        "nominal": NOMINAL_COVERAGE,
        "known_artist": known,
        "new_artist": new,
        "sentence": sentence,
    }


def _bin_figure(row: Any, column: str) -> Figure:
    return figure(
        getattr(row, column), f"{HIT_CALIBRATION}[bin_key={row.bin_key}].{column}", "probability"
    )


def _reliability_sentence(bins: pd.DataFrame) -> tuple[dict[str, Any] | None, Figure | None]:
    """'Of tracks given about 30%, 29% were hits ...' from the model's bins with enough tracks,
    and the largest gap among them (a figure); (None, None) without such bins."""
    usable = bins[(bins["variant"] == MODEL) & (bins["n"] >= MIN_BIN_TRACKS)].dropna(
        subset=["mean_predicted", "observed_rate"]
    )
    if usable.empty:
        return None, None
    gaps = (usable["mean_predicted"] - usable["observed_rate"]).abs()
    worst = usable.loc[gaps.idxmax()]
    example = usable.loc[(usable["mean_predicted"] - EXAMPLE_PROBABILITY).abs().idxmin()]
    largest = float(gaps.max())
    gap = figure(
        largest,
        f"{HIT_CALIBRATION}[variant={MODEL}, n >= {MIN_BIN_TRACKS}]: "
        "max |mean_predicted - observed_rate|",
        "probability",
    )
    quoted = [_bin_figure(example, "mean_predicted"), _bin_figure(example, "observed_rate")]
    text = (
        f"Of tracks given about {fmt_share(example.mean_predicted, 0)}, "
        f"{fmt_share(example.observed_rate, 0)} were hits"
    )
    scope = (
        f"{len(usable)} probability bins with >= {MIN_BIN_TRACKS} held-out tracks "
        f"({int(usable['n'].sum()):,} tracks)"
    )
    off = int((gaps > TOLERANCE).sum())
    if off == 0:
        text += (
            f": in all {scope} the observed hit rate is within {TOLERANCE:.2f} of the predicted "
            f"probability (largest gap {largest:.3f}), so a probability can be read as a hit rate."
        )
    else:
        direction = "over" if worst.mean_predicted > worst.observed_rate else "under"
        quoted += [_bin_figure(worst, "mean_predicted"), _bin_figure(worst, "observed_rate")]
        text += (
            f". Not within {TOLERANCE:.2f} everywhere: in {off} of {scope} the gap is larger; "
            f"the largest, {largest:.3f} ({largest - TOLERANCE:.3f} beyond {TOLERANCE:.2f}), is "
            f"for tracks given about {fmt_share(worst.mean_predicted, 0)}, of which "
            f"{fmt_share(worst.observed_rate, 0)} were hits (the probability {direction}states "
            "the chance there)."
        )
    return {"key": "hit_probability_reliability", "text": text, "figures": [*quoted, gap]}, gap


def _run_param(data: ReportData, model_name: str, name: str) -> str | None:
    """A text parameter of the latest run's model (ml.runs.params_json), None if unrecorded."""
    runs = data.table("ml.runs")
    if runs is None or runs.empty:
        return None
    match = runs[runs["model_name"] == model_name]
    if match.empty:
        return None
    try:
        params = json.loads(match["params_json"].iloc[0] or "{}")
    except (TypeError, ValueError):
        return None
    value = params.get(name)
    return value if isinstance(value, str) else None


def _calibration_method(data: ReportData) -> str | None:
    return _run_param(data, HIT, "calibration_method")


def hit_calibration(data: ReportData, look: Lookup, spec: ModelSpec) -> dict[str, Any] | None:
    """Probability quality of the hit classifier: the reliability bins (marts.hit_calibration),
    the largest gap among well-filled bins and a plain sentence about it."""
    if spec.task != "classification":
        return None
    table = data.table(HIT_CALIBRATION)
    status = "not built" if table is None else ("ok" if not table.empty else "no rows")
    bins = [] if table is None else [
        {
            "variant": row.variant,
            "bin": number(row.bin),
            "p_low": number(row.p_low),
            "p_high": number(row.p_high),
            "mean_predicted": number(row.mean_predicted),
            "observed_rate": number(row.observed_rate),
            "n": number(row.n),
        }
        for row in table.itertuples(index=False)
    ]  # fmt: skip
    sentence, gap = (None, None) if not bins else _reliability_sentence(table)
    return {
        "status": status,
        "source": HIT_CALIBRATION,
        "method": _calibration_method(data),
        "min_bin_tracks": MIN_BIN_TRACKS,
        "tolerance": TOLERANCE,
        "max_gap": gap,
        "within_tolerance": None if gap is None else bool(value_of(gap) <= TOLERANCE),
        "bins": bins,
        "sentence": sentence,
    }
