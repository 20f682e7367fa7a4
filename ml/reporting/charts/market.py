"""Charts of what the KPI marts show: the hypothesis tests, streams vs views, official videos,
tempo bands, danceability x energy segments and the fate of every raw row."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.ticker import FuncFormatter, PercentFormatter

from ml.reporting.charts.svg import (
    BLUE,
    GREEN,
    GREY,
    LIGHT,
    ORANGE,
    RED,
    SKY,
    big,
    finite,
    plain,
    styled,
    to_svg,
)


@styled
def hypotheses_chart(hypotheses: pd.DataFrame) -> str | None:
    """H1-H3 estimates with 95% intervals against their thresholds, one panel each."""
    if hypotheses is None or hypotheses.empty:
        return None
    rows = hypotheses.sort_values("hypothesis").reset_index(drop=True)
    figure, axes = plt.subplots(len(rows), 1, figsize=(6.4, 0.95 * len(rows) + 0.5))
    axes = np.atleast_1d(axes)
    for axis, (_, row) in zip(axes, rows.iterrows(), strict=True):
        percent = row["metric"].endswith("stream_lift")  # H2 and H2b
        scale = 100.0 if percent else 1.0
        threshold = float(row["threshold"]) * scale
        axis.axvline(threshold, color=RED, linestyle="--", linewidth=1.2)
        axis.text(threshold, 0.55, " threshold", color=RED, fontsize=8, va="bottom")
        label = f"{row['hypothesis']} {plain(row['metric'])}"
        if finite(row["estimate"]):
            estimate = float(row["estimate"]) * scale
            low = float(row["ci_low"]) * scale if finite(row["ci_low"]) else estimate
            high = float(row["ci_high"]) * scale if finite(row["ci_high"]) else estimate
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


@styled
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
    axis.xaxis.set_major_formatter(FuncFormatter(big))
    axis.yaxis.set_major_formatter(FuncFormatter(big))
    axis.set_xlabel("YouTube views (log scale)")
    axis.set_ylabel("Spotify streams (log scale)")
    parts = []
    if finite(pearson):
        parts.append(f"Pearson r = {pearson:.3f} (raw)")
    if finite(log_pearson):
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


@styled
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
            text = big(bar.get_height())
            if finite(lift) and abs(float(lift)) > 1e-12:
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
        f"{group}\n({int(n):,} tracks)" if finite(n) else group
        for group, n in zip(frame.index, frame["tracks_with_streams"], strict=True)
    ]
    axis.set_xticks(positions, labels)
    axis.yaxis.set_major_formatter(FuncFormatter(big))
    axis.set_ylim(0, float(np.nanmax(frame[["mean_streams", "median_streams"]].to_numpy())) * 1.3)
    axis.set_ylabel("streams per track")
    axis.legend(loc="upper right")
    axis.set_title("Official vs unofficial video (lift vs unofficial)", loc="left")
    figure.tight_layout()
    return to_svg(figure, "Streams by video group: official, unofficial, no video")


@styled
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
    if finite(reference):
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
    twin.yaxis.set_major_formatter(FuncFormatter(big))
    axis.set_title("Hit rate by tempo band (99% intervals)", loc="left")
    figure.tight_layout()
    return to_svg(figure, "Hit rate and tracks by tempo band")


@styled
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
        rates[i, j] = float(row["hit_rate"]) if finite(row["hit_rate"]) else np.nan
        counts[i, j] = int(row["tracks_with_streams"] or 0)
    overall = segments["overall_hit_rate"].dropna()
    centre = float(overall.iloc[0]) if not overall.empty else float(np.nanmean(rates))
    known = rates[np.isfinite(rates)]
    if known.size == 0:
        return None
    # at least +-50% of the overall rate: differences of a point or two stay pale, not loud
    spread = max(float(np.max(np.abs(known - centre))), 0.5 * centre, 0.01)
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


@styled
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
    axis.xaxis.set_major_formatter(FuncFormatter(big))
    axis.set_xlim(0, max(values) * 8)
    axis.set_xlabel("raw rows (symmetric log scale)")
    axis.grid(axis="y", visible=False)
    axis.set_title(f"Fate of the {total:,} raw rows", loc="left")
    figure.tight_layout()
    return to_svg(figure, "Fate of every raw row")
