"""Charts of what the training run shows: model quality against the baselines and the study's
claims, feature importances, and the music-video priority built on predicted streams."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from ml.modeling.specs import MODEL_NAMES
from ml.reporting.charts.svg import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    RED,
    big,
    finite,
    plain,
    styled,
    to_svg,
)
from ml.reporting.labels import (
    AUDIO_ONLY,
    COLD_START,
    HIT,
    MEAN_BASELINE,
    MODEL,
    VARIANT_LABELS,
)
from ml.reporting.report_data import TierHistogram

VARIANT_COLOURS = {MODEL: BLUE, AUDIO_ONLY: ORANGE, MEAN_BASELINE: GREY, COLD_START: PURPLE}
# the bars of the quality chart: the three variants on held-out tracks of catalog artists, then
# the cold-start model on held-out artists (key of the values, legend label)
QUALITY_BARS = (
    (MODEL, VARIANT_LABELS[MODEL]),
    (AUDIO_ONLY, VARIANT_LABELS[AUDIO_ONLY]),
    (MEAN_BASELINE, VARIANT_LABELS[MEAN_BASELINE]),
    (COLD_START, "cold start, new artists"),
)
RELIABILITY_VARIANTS = (MODEL, COLD_START)
TIER_COLOURS = {
    "P1 high-budget video": GREEN,
    "P2 high-budget video, check budget": ORANGE,
    "P3 lyric video": BLUE,
    "P4 lyric video, low priority": GREY,
}


@styled
def model_quality_chart(
    rows: Sequence[tuple[str, dict[str, float | None], float | None]],
) -> str | None:
    """Grouped bars: each headline metric for the model, the audio-only forest and the
    mean / base-rate baseline on held-out tracks of catalog artists, and the cold-start model on
    held-out artists, with the study's claim as a marker. rows: (label, values by QUALITY_BARS
    key, claim)."""
    rows = [row for row in rows if any(finite(v) for v in row[1].values())]
    if not rows:
        return None
    figure, axis = plt.subplots(figsize=(6.4, 3.4))
    width = 0.2
    positions = np.arange(len(rows))
    for offset, (variant, label) in enumerate(QUALITY_BARS):
        values = [row[1].get(variant) for row in rows]
        heights = [float(v) if finite(v) else 0.0 for v in values]
        bars = axis.bar(
            positions + (offset - 1.5) * width,
            heights,
            width,
            color=VARIANT_COLOURS[variant],
            label=label,
        )
        for bar, value in zip(bars, values, strict=True):
            if finite(value):
                axis.text(
                    bar.get_x() + bar.get_width() / 2,
                    max(bar.get_height(), 0) + 0.015,
                    f"{float(value) + 0.0:.2f}".replace("-0.00", "0.00"),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                )
    claims = [(position, row[2]) for position, row in zip(positions, rows, strict=True) if row[2]]
    if claims:
        axis.scatter(
            [p - 1.5 * width for p, _ in claims],
            [c for _, c in claims],
            marker="D",
            color=RED,
            zorder=5,
            s=28,
            label="study's claim",
        )
    axis.set_xticks(positions, [plain(row[0]) for row in rows])
    axis.set_ylim(min(0.0, *[float(v) for r in rows for v in r[1].values() if finite(v)]), 1.08)
    axis.axhline(0, color="#333333", linewidth=0.6)
    axis.set_ylabel("held-out score")
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=7)
    axis.set_title("Model quality: catalog artists vs new artists (held out)", loc="left")
    figure.tight_layout()
    return to_svg(figure, "Model quality against the baselines and the study's claims")


@styled
def reliability_chart(bins: pd.DataFrame | None, min_tracks: int = 50) -> str | None:
    """Reliability of the calibrated hit probability on held-out tracks (marts.hit_calibration):
    each probability bin's mean predicted probability against its observed hit rate, point area
    by its number of tracks (hollow: fewer than min_tracks), for the model and the cold-start
    model, beside the diagonal of perfect calibration."""
    if bins is None or bins.empty:
        return None
    frame = bins[bins["variant"].isin(RELIABILITY_VARIANTS) & (bins["n"] > 0)].dropna(
        subset=["mean_predicted", "observed_rate"]
    )
    if frame.empty:
        return None
    figure, axis = plt.subplots(figsize=(4.6, 4.0))
    axis.plot([0, 1], [0, 1], color=GREY, linestyle="--", linewidth=1, label="perfectly calibrated")
    largest = float(frame["n"].max())
    for variant in RELIABILITY_VARIANTS:
        rows = frame[frame["variant"] == variant].sort_values("mean_predicted")
        if rows.empty:
            continue
        colour = VARIANT_COLOURS[variant]
        axis.plot(rows["mean_predicted"], rows["observed_rate"], color=colour, linewidth=0.8)
        label = f"{VARIANT_LABELS[variant]} ({int(rows['n'].sum()):,} tracks)"
        for enough in (True, False):
            part = rows[(rows["n"] >= min_tracks) == enough]
            axis.scatter(
                part["mean_predicted"],
                part["observed_rate"],
                s=20 + 280 * np.sqrt(part["n"].astype(float) / largest),
                facecolors=colour if enough else "white",
                edgecolors=colour,
                alpha=0.75,
                zorder=3,
                label=label if enough or not (rows["n"] >= min_tracks).any() else None,
            )
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    percent = FuncFormatter(lambda v, _p: f"{v:.0%}")
    axis.xaxis.set_major_formatter(percent)
    axis.yaxis.set_major_formatter(percent)
    axis.set_xlabel("calibrated hit probability (mean of the bin)")
    axis.set_ylabel("observed hit rate")
    axis.legend(loc="upper left", fontsize=7)
    axis.set_title("Hit probability: predicted vs observed", loc="left")
    figure.tight_layout()
    return to_svg(figure, "Reliability of the calibrated hit probability on held-out tracks")


@styled
def importance_chart(importances: pd.DataFrame, top: int = 8) -> str | None:
    """Top permutation importances of each model (drop in the test score when a column is
    shuffled), with their spread over repeats; impurity importances when no permutation ran."""
    if importances is None or importances.empty:
        return None
    models = [m for m in MODEL_NAMES if (importances["model_name"] == m).any()]
    if not models:
        return None
    figure, axes = plt.subplots(1, len(models), figsize=(3.3 * len(models), 3.2))
    axes = np.atleast_1d(axes)
    for axis, model in zip(axes, models, strict=True):
        frame = importances[importances["model_name"] == model]
        permutation = frame[frame["importance_type"].str.startswith("permutation")]
        chosen = (
            permutation if not permutation.empty else frame[frame["importance_type"] == "impurity"]
        )
        kind = chosen["importance_type"].iloc[0] if not chosen.empty else ""
        chosen = chosen.sort_values("importance", ascending=False).head(top).iloc[::-1]
        axis.barh(
            [plain(name) for name in chosen["feature"]],
            chosen["importance"],
            xerr=chosen["importance_std"].fillna(0),
            color=BLUE if model != HIT else PURPLE,
            error_kw={"elinewidth": 0.8, "capsize": 2},
        )
        axis.set_title(plain(model), loc="left", fontsize=9)
        axis.set_xlabel(plain(kind.replace("_", " ")), fontsize=8)
        axis.tick_params(axis="y", labelsize=8)
        axis.grid(axis="y", visible=False)
    figure.tight_layout(w_pad=1.0)
    return to_svg(figure, "Feature importances of the three models")


@styled
def mv_matrix_chart(
    histogram: TierHistogram | None,
    *,
    top_cutoff: float | None,
    high_budget_cost: float | None,
    lyric_cost: float | None,
    value_per_stream: float | None,
    max_lift: float | None,
    measured_lift: tuple[float | None, float | None, float | None] = (None, None, None),
    measured_label: str = "measured official-video lift (H2)",
) -> str | None:
    """Music-video priority: how many tracks sit at each level of predicted streams (top, by
    tier: bins counted in DuckDB, ml/reporting/report_data.py) and what stream lift each video type
    needs there to pay for itself (bottom: the break-even curves cost / (streams x value per
    stream)), against the maximum lift that counts as cost-efficient and the measured
    official-video lift (H2, observational)."""
    if histogram is None or not all(
        finite(v) for v in (high_budget_cost, lyric_cost, value_per_stream)
    ):
        return None
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(6.4, 4.6), sharex=True, gridspec_kw={"height_ratios": [1, 1.5]}
    )
    bins = histogram.edges
    stacks, weights, colours, labels = [], [], [], []
    for tier, colour in TIER_COLOURS.items():
        tracks = histogram.tracks.get(tier, 0)
        if not tracks:
            continue
        # one point per bin centre weighted by its count: the histogram of the tier's values
        stacks.append(histogram.centres)
        weights.append(histogram.counts.get(tier, np.zeros(len(bins) - 1, dtype=np.int64)))
        colours.append(colour)
        labels.append(f"{tier} ({tracks:,})")
    top.hist(stacks, bins=bins, weights=weights, stacked=True, color=colours, label=labels)
    top.set_xscale("log")
    top.set_ylabel("tracks")
    top.legend(loc="upper left", fontsize=7)
    top.set_title("Music-video priority: predicted streams x cost efficiency", loc="left")
    grid = np.logspace(np.log10(histogram.low), np.log10(histogram.high), 200)
    for cost, colour, label in (
        (high_budget_cost, GREEN, f"high-budget video (assumed USD {high_budget_cost:,.0f})"),
        (lyric_cost, BLUE, f"lyric video (assumed USD {lyric_cost:,.0f})"),
    ):
        bottom.plot(
            grid, cost / (grid * value_per_stream), color=colour, linewidth=1.6, label=label
        )
    estimate, low, high = measured_lift
    if finite(low) and finite(high):
        bottom.axhspan(float(low), float(high), color=ORANGE, alpha=0.2, linewidth=0)
    if finite(estimate):
        bottom.axhline(float(estimate), color=ORANGE, linewidth=1.2, label=measured_label)
    if finite(max_lift):
        bottom.axhline(
            float(max_lift), color=RED, linestyle="--", linewidth=1, label="max break-even lift"
        )
    for axis in (top, bottom):
        if finite(top_cutoff):
            axis.axvline(float(top_cutoff), color="#333333", linestyle=":", linewidth=1)
    if finite(top_cutoff):
        bottom.text(float(top_cutoff), 1e-3, " top 20% ->", fontsize=8, va="bottom")
    bottom.set_yscale("log")
    bottom.set_ylim(1e-3, 10)
    bottom.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _p: f"{v:.0%}" if v >= 0.01 else f"{v:.1%}")
    )
    bottom.xaxis.set_major_formatter(FuncFormatter(big))
    bottom.set_xlabel("predicted streams (log scale)")
    bottom.set_ylabel("break-even stream lift")
    bottom.legend(loc="upper right", fontsize=7)
    figure.tight_layout(h_pad=0.4)
    return to_svg(figure, "Music-video priority: tracks by predicted streams and break-even lifts")
