"""Charts of the HTML report: matplotlib (Agg backend) figures as inline SVG strings.

Every function takes plain DataFrames / numbers read from the marts and returns one
self-contained ``<svg>`` element (no XML prolog, no external references; element ids prefixed
so that several charts can live in one HTML page). Scatter points are rasterised into a PNG
embedded in the SVG (a data: URI), which keeps a 20k-point chart small.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from ml.reporting.data import TierHistogram

# Colour-blind-safe palette (Okabe-Ito)
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
RED = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
GREY = "#8C8C8C"
LIGHT = "#D9D9D9"
VARIANT_COLOURS = {"model": BLUE, "audio_only": ORANGE, "mean_baseline": GREY}
VARIANT_LABELS = {
    "model": "model",
    "audio_only": "audio-only forest",
    "mean_baseline": "mean / base rate",
}
TIER_COLOURS = {
    "P1 high-budget video": GREEN,
    "P2 high-budget video, check budget": ORANGE,
    "P3 lyric video": BLUE,
    "P4 lyric video, low priority": GREY,
}

_STYLE = {
    "svg.fonttype": "none",  # text stays text: small, selectable, printable
    "svg.hashsalt": "music-performance-intelligence",  # deterministic ids
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: the same metrics everywhere
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "savefig.dpi": 110,
}
_counter = itertools.count(1)
_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_SIZE = re.compile(r'<svg([^>]*?)\swidth="[^"]*"\s+height="[^"]*"')


def plain(text: object) -> str:
    """Text for a matplotlib label: '$' would start mathtext."""
    return str(text).replace("$", r"\$")


def to_svg(figure: Figure, title: str) -> str:
    """The figure as an inline <svg> element: no prolog or metadata, ids unique in the page,
    width scaling with its container, an accessible title."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    svg = _METADATA.sub("", _PROLOG.sub("", buffer.getvalue(), count=1))
    prefix = f"c{next(_counter)}-"
    ids = set(_ID.findall(svg))
    svg = _ID.sub(lambda match: f'id="{prefix}{match.group(1)}"', svg)
    for old in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'href="#{old}"', f'href="#{prefix}{old}"')
        svg = svg.replace(f"url(#{old})", f"url(#{prefix}{old})")
    label = (
        title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
    svg = _SIZE.sub(
        lambda match: f'<svg{match.group(1)} class="chart" role="img" aria-label="{label}"',
        svg,
        count=1,
    )
    return svg.replace(">", f"><title>{label}</title>", 1).strip()


def _styled(function):
    """Run a chart function inside the report's matplotlib style."""

    def wrapper(*args, **kwargs):
        with plt.rc_context(_STYLE):
            return function(*args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


def _big(value: float, _position: object = None) -> str:
    """1.2B / 345M / 12k axis labels."""
    if value is None or not math.isfinite(value):
        return ""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:g}"


def _finite(value: object) -> bool:
    return value is not None and not pd.isna(value) and math.isfinite(float(value))


@_styled
def hypotheses_chart(hypotheses: pd.DataFrame) -> str | None:
    """H1-H3 estimates with 95% intervals against their thresholds, one panel each."""
    if hypotheses is None or hypotheses.empty:
        return None
    rows = hypotheses.sort_values("hypothesis").reset_index(drop=True)
    figure, axes = plt.subplots(len(rows), 1, figsize=(6.4, 0.95 * len(rows) + 0.5))
    axes = np.atleast_1d(axes)
    for axis, (_, row) in zip(axes, rows.iterrows(), strict=True):
        percent = row["metric"] == "mean_stream_lift"
        scale = 100.0 if percent else 1.0
        threshold = float(row["threshold"]) * scale
        axis.axvline(threshold, color=RED, linestyle="--", linewidth=1.2)
        axis.text(threshold, 0.55, " threshold", color=RED, fontsize=8, va="bottom")
        label = f"{row['hypothesis']} {plain(row['metric'])}"
        if _finite(row["estimate"]):
            estimate = float(row["estimate"]) * scale
            low = float(row["ci_low"]) * scale if _finite(row["ci_low"]) else estimate
            high = float(row["ci_high"]) * scale if _finite(row["ci_high"]) else estimate
            axis.errorbar(
                [estimate],
                [0],
                xerr=[[estimate - low], [high - estimate]],
                fmt="o",
                color=BLUE,
                capsize=4,
                markersize=6,
            )
            span = [low, high, threshold]
            axis.text(
                estimate,
                -0.5,
                f"{estimate:.1f}%" if percent else f"{estimate:.3f}",
                ha="center",
                va="top",
                fontsize=8,
            )
            axis.set_title(f"{label}: {row['verdict']}", loc="left", fontsize=9)
        else:
            span = [threshold * 0.8, threshold * 1.2]
            axis.text(threshold, -0.2, "no estimate yet", ha="center", va="center", color=GREY)
            axis.set_title(f"{label}: {row['verdict']}", loc="left", fontsize=9)
            axis.set_xticks([])
        lo, hi = min(span), max(span)
        pad = max((hi - lo) * 0.25, abs(hi) * 0.05, 0.02 * scale)
        axis.set_xlim(lo - pad, hi + pad)
        axis.set_ylim(-1, 1)
        axis.set_yticks([])
        axis.grid(axis="y", visible=False)
        axis.spines["left"].set_visible(False)
        if percent:
            axis.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    figure.tight_layout(h_pad=0.6)
    return to_svg(figure, "H1-H3 estimates with 95% intervals and thresholds")


@_styled
def model_quality_chart(
    rows: Sequence[tuple[str, dict[str, float | None], float | None]],
) -> str | None:
    """Grouped bars: each headline metric for the model, the audio-only forest and the
    mean / base-rate baseline, with the study's claim as a marker. rows: (label, values by
    variant, claim)."""
    rows = [row for row in rows if any(_finite(v) for v in row[1].values())]
    if not rows:
        return None
    figure, axis = plt.subplots(figsize=(6.4, 3.4))
    variants = ["model", "audio_only", "mean_baseline"]
    width = 0.26
    positions = np.arange(len(rows))
    for offset, variant in enumerate(variants):
        values = [row[1].get(variant) for row in rows]
        heights = [float(v) if _finite(v) else 0.0 for v in values]
        bars = axis.bar(
            positions + (offset - 1) * width,
            heights,
            width,
            color=VARIANT_COLOURS[variant],
            label=VARIANT_LABELS[variant],
        )
        for bar, value in zip(bars, values, strict=True):
            if _finite(value):
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
            [p - width for p, _ in claims],
            [c for _, c in claims],
            marker="D",
            color=RED,
            zorder=5,
            s=28,
            label="study's claim",
        )
    axis.set_xticks(positions, [plain(row[0]) for row in rows])
    axis.set_ylim(min(0.0, *[float(v) for r in rows for v in r[1].values() if _finite(v)]), 1.08)
    axis.axhline(0, color="#333333", linewidth=0.6)
    axis.set_ylabel("held-out test score")
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4)
    axis.set_title("Model quality vs baselines (held-out 20%)", loc="left")
    figure.tight_layout()
    return to_svg(figure, "Model quality against the baselines and the study's claims")


@_styled
def importance_chart(importances: pd.DataFrame, top: int = 8) -> str | None:
    """Top permutation importances of each model (drop in the test score when a column is
    shuffled), with their spread over repeats; impurity importances when no permutation ran."""
    if importances is None or importances.empty:
        return None
    models = [m for m in ("stream_regressor", "hit_classifier", "views_regressor")]
    models = [m for m in models if (importances["model_name"] == m).any()]
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
            color=BLUE if model != "hit_classifier" else PURPLE,
            error_kw={"elinewidth": 0.8, "capsize": 2},
        )
        axis.set_title(plain(model), loc="left", fontsize=9)
        axis.set_xlabel(plain(kind.replace("_", " ")), fontsize=8)
        axis.tick_params(axis="y", labelsize=8)
        axis.grid(axis="y", visible=False)
    figure.tight_layout(w_pad=1.0)
    return to_svg(figure, "Feature importances of the three models")


@_styled
def streams_views_chart(
    pairs: pd.DataFrame,
    pearson: float | None,
    log_pearson: float | None,
    group_counts: dict[str, int] | None = None,
) -> str | None:
    """Streams vs views on log-log axes, coloured by video group (every correlation track, or
    a sample of them: ``group_counts`` holds the full count of each group, for the legend)."""
    if pairs is None or pairs.empty:
        return None
    figure, axis = plt.subplots(figsize=(6.4, 4.0))
    for group, colour in (("official", BLUE), ("unofficial", ORANGE), ("unknown", GREY)):
        subset = pairs[pairs["video_group"] == group]
        if subset.empty:
            continue
        count = len(subset) if group_counts is None else group_counts.get(group, len(subset))
        axis.scatter(
            subset["views"],
            subset["stream"],
            s=3,
            alpha=0.25,
            color=colour,
            linewidths=0,
            rasterized=True,
            label=f"{group} video ({count:,})",
        )
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.xaxis.set_major_formatter(FuncFormatter(_big))
    axis.yaxis.set_major_formatter(FuncFormatter(_big))
    axis.set_xlabel("YouTube views (log scale)")
    axis.set_ylabel("Spotify streams (log scale)")
    parts = []
    if _finite(pearson):
        parts.append(f"Pearson r = {pearson:.3f} (raw)")
    if _finite(log_pearson):
        parts.append(f"{log_pearson:.3f} (log-log)")
    title = "Streams vs views: " + ", ".join(parts)
    description = "Spotify streams against YouTube views, log-log"
    total = len(pairs) if group_counts is None else sum(group_counts.values())
    if len(pairs) < total:
        shown = f"{len(pairs):,} of {total:,} tracks shown (fixed sample)"
        title += f"\n{shown}"
        description += f"; {shown}"
    axis.set_title(title, loc="left")
    legend = axis.legend(loc="lower right", markerscale=4)
    for handle in legend.legend_handles:
        handle.set_alpha(1)
    figure.tight_layout()
    return to_svg(figure, description)


@_styled
def official_video_chart(impact: pd.DataFrame) -> str | None:
    """Mean and median streams by video group, with the lift over unofficial videos."""
    if impact is None or impact.empty or impact["tracks_with_streams"].fillna(0).sum() == 0:
        return None
    frame = impact.set_index("video_group").reindex(["official", "unofficial", "unknown"])
    figure, axis = plt.subplots(figsize=(6.4, 3.4))
    positions = np.arange(len(frame))
    width = 0.38
    for offset, column, colour, label in (
        (-0.5, "mean_streams", BLUE, "mean streams"),
        (0.5, "median_streams", SKY, "median streams"),
    ):
        values = frame[column].astype(float).fillna(0).to_numpy()
        bars = axis.bar(positions + offset * width, values, width, color=colour, label=label)
        lift_column = "mean_stream_lift" if column == "mean_streams" else "median_stream_lift"
        for bar, lift in zip(bars, frame[lift_column], strict=True):
            text = _big(bar.get_height())
            if _finite(lift) and abs(float(lift)) > 1e-12:
                text += f"\n{float(lift):+.1%}"
            axis.text(
                bar.get_x() + bar.get_width() / 2,
                bar.get_height(),
                text,
                ha="center",
                va="bottom",
                fontsize=7.5,
            )
    labels = [
        f"{group}\n({int(n):,} tracks)" if _finite(n) else group
        for group, n in zip(frame.index, frame["tracks_with_streams"], strict=True)
    ]
    axis.set_xticks(positions, labels)
    axis.yaxis.set_major_formatter(FuncFormatter(_big))
    axis.set_ylim(0, float(np.nanmax(frame[["mean_streams", "median_streams"]].to_numpy())) * 1.3)
    axis.set_ylabel("streams per track")
    axis.legend(loc="upper right")
    axis.set_title("Official vs unofficial video (lift vs unofficial)", loc="left")
    figure.tight_layout()
    return to_svg(figure, "Streams by video group: official, unofficial, no video")


@_styled
def tempo_chart(
    bands: pd.DataFrame, intervals: pd.DataFrame | None, reference: float | None
) -> str | None:
    """Hit rate per 10-BPM tempo band (bars), its interval when the A&R checklist has it, the
    overall rate, and the number of tracks (line, right axis)."""
    if bands is None or bands.empty:
        return None
    frame = bands.sort_values("tempo_band").reset_index(drop=True)
    figure, axis = plt.subplots(figsize=(6.4, 3.4))
    positions = np.arange(len(frame))
    too_few: set[str] = set()
    if intervals is not None and not intervals.empty:
        too_few = set(intervals.loc[intervals["scout_signal"] == "too few tracks", "segment"])
    colours = [LIGHT if label in too_few else BLUE for label in frame["tempo_band_label"]]
    axis.bar(positions, frame["hit_rate"].astype(float).fillna(0), color=colours, width=0.75)
    if intervals is not None and not intervals.empty:
        read = intervals[intervals["scout_signal"] != "too few tracks"]
        merged = frame.merge(
            read[["segment", "hit_rate_ci_low", "hit_rate_ci_high"]],
            left_on="tempo_band_label",
            right_on="segment",
            how="left",
        )
        rate = merged["hit_rate"].astype(float)
        low = (rate - merged["hit_rate_ci_low"].astype(float)).clip(lower=0)
        high = (merged["hit_rate_ci_high"].astype(float) - rate).clip(lower=0)
        axis.errorbar(
            positions, rate, yerr=[low.fillna(0), high.fillna(0)], fmt="none", ecolor="#333333",
            elinewidth=0.8, capsize=2,
        )  # fmt: skip
    if _finite(reference):
        axis.axhline(float(reference), color=RED, linestyle="--", linewidth=1.1, label="overall")
        axis.legend(loc="upper left")
    axis.set_xticks(positions, [str(int(b)) for b in frame["tempo_band"]], fontsize=8)
    axis.set_xlabel("tempo band (lower edge, BPM); grey: too few tracks to read")
    axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axis.set_ylabel("hit rate")
    axis.set_ylim(0, min(1.0, max(0.3, float(np.nanmax(frame["hit_rate"].astype(float))) * 1.6)))
    twin = axis.twinx()
    twin.plot(positions, frame["tracks"], color=ORANGE, marker=".", linewidth=1, label="tracks")
    twin.set_ylabel("tracks", color=ORANGE)
    twin.tick_params(axis="y", colors=ORANGE)
    twin.grid(False)
    twin.spines["right"].set_visible(True)
    twin.yaxis.set_major_formatter(FuncFormatter(_big))
    axis.set_title("Hit rate by tempo band (99% intervals)", loc="left")
    figure.tight_layout()
    return to_svg(figure, "Hit rate and tracks by tempo band")


@_styled
def segment_heatmap(segments: pd.DataFrame) -> str | None:
    """Danceability x energy grid: hit rate per cell (colour centred on the overall rate)."""
    if segments is None or segments.empty:
        return None
    order = ["low", "mid", "high"]
    rates = np.full((3, 3), np.nan)
    counts = np.zeros((3, 3), dtype=int)
    for _, row in segments.iterrows():
        i = order.index(row["energy_band"])
        j = order.index(row["danceability_band"])
        rates[i, j] = float(row["hit_rate"]) if _finite(row["hit_rate"]) else np.nan
        counts[i, j] = int(row["tracks_with_streams"] or 0)
    overall = segments["overall_hit_rate"].dropna()
    centre = float(overall.iloc[0]) if not overall.empty else float(np.nanmean(rates))
    finite = rates[np.isfinite(rates)]
    if finite.size == 0:
        return None
    # at least +-50% of the overall rate: differences of a point or two stay pale, not loud
    spread = max(float(np.max(np.abs(finite - centre))), 0.5 * centre, 0.01)
    figure, axis = plt.subplots(figsize=(6.4, 3.1))
    image = axis.imshow(
        rates,
        origin="lower",
        cmap="RdBu",
        norm=TwoSlopeNorm(vcenter=centre, vmin=centre - spread, vmax=centre + spread),
    )
    for i in range(3):
        for j in range(3):
            text = f"{rates[i, j]:.1%}\nn={counts[i, j]:,}" if np.isfinite(rates[i, j]) else "empty"
            axis.text(j, i, text, ha="center", va="center", fontsize=8)
    dance = segments.drop_duplicates("danceability_band").set_index("danceability_band")
    energy = segments.drop_duplicates("energy_band").set_index("energy_band")

    def ticks(bands: pd.DataFrame, column: str) -> list[str]:
        return [
            f"{b}\n{bands.loc[b, column + '_from']:g}-{bands.loc[b, column + '_to']:g}"
            for b in order
        ]

    axis.set_xticks(range(3), ticks(dance, "danceability"))
    axis.set_yticks(range(3), ticks(energy, "energy"))
    axis.set_xlabel("danceability")
    axis.set_ylabel("energy")
    axis.grid(False)
    colourbar = figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04)
    colourbar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    colourbar.set_label(f"hit rate (overall {centre:.1%})", fontsize=8)
    axis.set_title("Hit rate: danceability x energy", loc="left")
    figure.tight_layout()
    return to_svg(figure, "Hit rate by danceability and energy band")


@_styled
def row_fate_chart(fates: Sequence[tuple[str, int]]) -> str | None:
    """What happened to every raw row: kept, duplicate, outlier (per column), quarantined."""
    fates = [(label, int(n)) for label, n in fates if n is not None]
    if not fates or sum(n for _, n in fates) == 0:
        return None
    figure, axis = plt.subplots(figsize=(6.4, 0.34 * len(fates) + 0.9))
    labels = [plain(label) for label, _ in fates][::-1]
    values = [n for _, n in fates][::-1]
    total = sum(n for label, n in fates if not label.startswith("  "))
    colours = [
        GREEN if label == "kept" else (GREY if label.startswith("  ") else ORANGE)
        for label in labels
    ]
    bars = axis.barh(labels, values, color=colours)
    for bar, value in zip(bars, values, strict=True):
        axis.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f" {value:,} ({value / total:.1%})" if total else f" {value:,}",
            va="center",
            fontsize=8,
        )
    axis.set_xscale("symlog", linthresh=10)
    axis.xaxis.set_major_formatter(FuncFormatter(_big))
    axis.set_xlim(0, max(values) * 8)
    axis.set_xlabel("raw rows (symmetric log scale)")
    axis.grid(axis="y", visible=False)
    axis.set_title(f"Fate of the {total:,} raw rows", loc="left")
    figure.tight_layout()
    return to_svg(figure, "Fate of every raw row")


@_styled
def mv_matrix_chart(
    histogram: TierHistogram | None,
    *,
    top_cutoff: float | None,
    high_budget_cost: float | None,
    lyric_cost: float | None,
    value_per_stream: float | None,
    max_lift: float | None,
    measured_lift: tuple[float | None, float | None, float | None] = (None, None, None),
) -> str | None:
    """Music-video priority: how many tracks sit at each level of predicted streams (top, by
    tier: bins counted in DuckDB, ml/report_data.py) and what stream lift each video type
    needs there to pay for itself (bottom: the break-even curves cost / (streams x value per
    stream)), against the maximum lift that counts as cost-efficient and the measured
    official-video lift (H2, observational)."""
    if histogram is None or not all(
        _finite(v) for v in (high_budget_cost, lyric_cost, value_per_stream)
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
        (high_budget_cost, GREEN, f"high-budget video (USD {high_budget_cost:,.0f})"),
        (lyric_cost, BLUE, f"lyric video (USD {lyric_cost:,.0f})"),
    ):
        bottom.plot(
            grid, cost / (grid * value_per_stream), color=colour, linewidth=1.6, label=label
        )
    estimate, low, high = measured_lift
    if _finite(low) and _finite(high):
        bottom.axhspan(float(low), float(high), color=ORANGE, alpha=0.2, linewidth=0)
    if _finite(estimate):
        bottom.axhline(
            float(estimate), color=ORANGE, linewidth=1.2, label="measured official-video lift (H2)"
        )
    if _finite(max_lift):
        bottom.axhline(
            float(max_lift), color=RED, linestyle="--", linewidth=1, label="max break-even lift"
        )
    for axis in (top, bottom):
        if _finite(top_cutoff):
            axis.axvline(float(top_cutoff), color="#333333", linestyle=":", linewidth=1)
    if _finite(top_cutoff):
        bottom.text(float(top_cutoff), 1e-3, " top 20% ->", fontsize=8, va="bottom")
    bottom.set_yscale("log")
    bottom.set_ylim(1e-3, 10)
    bottom.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _p: f"{v:.0%}" if v >= 0.01 else f"{v:.1%}")
    )
    bottom.xaxis.set_major_formatter(FuncFormatter(_big))
    bottom.set_xlabel("predicted streams (log scale)")
    bottom.set_ylabel("break-even stream lift")
    bottom.legend(loc="upper right", fontsize=7)
    figure.tight_layout(h_pad=0.4)
    return to_svg(figure, "Music-video priority: tracks by predicted streams and break-even lifts")
