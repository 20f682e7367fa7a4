"""BENCHMARK COMPARISON ONLY: the SQL layer re-written in vectorised pandas.

The product's cleaning, features and KPIs live in SQL (dbt_project/models, dbt_project/macros).
This module exists so that `scripts/bench.py` can compare DuckDB with a fair pandas peer doing
the same work; nothing in the pipeline imports it. `ml.bench.runner` checks that its outputs
agree with the marts (row counts per fate, tracks, KPIs), so the comparison is apples to apples.

What it does, mirroring the models:
  load        every column as text (the raw file's Description is not kept, as in SQL), trimmed,
              empty text as missing; row_id = record position
  typed       explicit numeric / flag coercion; a row with an unusable value is quarantined
              (same checks and bounds as macros/raw_tracks.sql; reasons built for bad rows only)
  listings    de-duplication by Uri: first listing (lowest row_id) kept, credited artists
  features    median imputation over distinct tracks, zero-fill, derived features
  outliers    z-score on the same columns and threshold (dbt vars' defaults)
  marts       tracks, model_features, row_fate, kpi_tracks and the KPI marts' aggregates:
              summary, by artist, by album type, tempo bands, audio segments, official video

Fair by construction: vectorised pandas/numpy throughout (Python-level loops only over the
groups of collaborations when joining artist names), pandas' C CSV engine (pyarrow's reader
rejects quoted multi-line fields), nothing deliberately slow. Unlike the SQL layer,
the peer keeps its tables in memory and persists only a small JSON summary.

Known differences on exotic input (not present in the generated data): Python's str.strip also
removes tabs/newlines (DuckDB's trim removes spaces only); DuckDB casts '1_000' to 1000, pandas
does not; a 'nan' value is "not a number" here, "not a finite number" in SQL; the quarantine
reasons name the same columns but are worded differently (only the fates are compared).

    python -m ml.bench.pandas_peer --input data.csv --output peer.json
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# (snake_case name, raw header): the same column groups as macros/column_lists.sql
TEXT_COLUMNS = [
    ("artist", "Artist"), ("url_spotify", "Url_spotify"), ("track", "Track"), ("album", "Album"),
    ("album_type", "Album_type"), ("uri", "Uri"), ("url_youtube", "Url_youtube"),
    ("title", "Title"), ("channel", "Channel"),
]  # fmt: skip
UNIT_AUDIO = [
    ("danceability", "Danceability"), ("energy", "Energy"), ("speechiness", "Speechiness"),
    ("acousticness", "Acousticness"), ("instrumentalness", "Instrumentalness"),
    ("liveness", "Liveness"), ("valence", "Valence"),
]  # fmt: skip
OTHER_AUDIO = [("key", "Key"), ("loudness", "Loudness"), ("tempo", "Tempo")]
ENGAGEMENT = [("views", "Views"), ("likes", "Likes"), ("comments", "Comments")]
COUNTS = [*ENGAGEMENT, ("stream", "Stream")]
NUMERIC = [*UNIT_AUDIO, *OTHER_AUDIO, ("duration_ms", "Duration_ms"), *COUNTS]
FLAGS = [("licensed", "Licensed"), ("official_video", "official_video")]
AUDIO_FEATURES = [
    "danceability", "energy", "key", "loudness", "speechiness", "acousticness",
    "instrumentalness", "liveness", "valence", "tempo", "duration_ms",
]  # fmt: skip
MAX_PLAUSIBLE_COUNT = 1e13
# dbt vars' defaults (dbt_project.yml) and macros/kpi.sql constants
OUTLIER_COLUMNS = ["duration_minutes", "tempo", "log_streams"]
OUTLIER_Z_THRESHOLD = 3.0
HIT_QUANTILE = 0.9
ENGAGEMENT_BENCHMARK = 0.021
MIN_CORRELATION_PAIRS = 30
DANCE_CUTS = (0.5, 0.7)
ENERGY_CUTS = (0.5, 0.8)


class Timer:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = round(now - self._last, 4)
        self._last = now


def csv_engine() -> str:
    """pandas' C engine: pyarrow's CSV reader (present when e.g. the mlflow extra is installed)
    rejects the file's quoted multi-line Description fields."""
    return "c"


# --- load and type ---------------------------------------------------------------------------


def load_raw(path: Path) -> pd.DataFrame:
    """Every column but Description as text, trimmed, empty as missing; row_id = position."""
    headers = [""] + [h for _, h in TEXT_COLUMNS + NUMERIC + FLAGS]
    with path.open(encoding="utf-8", newline="") as handle:
        file_header = next(csv.reader(handle))
    wanted = [
        index
        for index, name in enumerate(file_header)
        if name in headers or name.startswith("Unnamed: 0")
    ]
    raw = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        usecols=wanted,
        engine=csv_engine(),
    )
    raw = raw.rename(columns={raw.columns[0]: "source_index"})  # the empty first header
    frame = pd.DataFrame({"row_id": np.arange(len(raw), dtype=np.int64)})
    frame["source_index"] = _nullif_blank(raw["source_index"].str.strip())
    for name, header in TEXT_COLUMNS + FLAGS:
        frame[name] = _nullif_blank(raw[header].str.strip())
    for name, header in NUMERIC:
        frame[name] = raw[header]  # stripped lazily: numbers parse with surrounding spaces
    return frame


def _nullif_blank(series: pd.Series) -> pd.Series:
    return series.mask(series == "")


def type_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Numeric and flag columns typed; quarantine_reason for rows with an unusable value."""
    problems: list[tuple[str, pd.Series, pd.Series]] = []  # (label, mask, raw text)
    typed = frame[["row_id", "source_index"] + [n for n, _ in TEXT_COLUMNS]].copy()
    typed["album_type"] = typed["album_type"].str.lower()
    bad_uri = typed["uri"].isna()
    problems.append(("Uri: missing", bad_uri, typed["uri"]))
    for name, header in NUMERIC:
        text = frame[name]
        number = pd.to_numeric(text, errors="coerce").astype("float64")
        failed = text.notna() & number.isna()
        if failed.any():  # whitespace-only text is a missing value, not junk
            blank = failed & text.str.strip().eq("")
            text = text.mask(blank)
            failed &= ~blank
        finite = np.isfinite(number)
        problems.append((f"{header}: not a number", failed, text))
        problems.append((f"{header}: not a finite number", text.notna() & ~failed & ~finite, text))
        if (name, header) in UNIT_AUDIO:
            rule, label = (number < 0) | (number > 1), "outside [0, 1]"
        elif name == "key":
            rule = (number < 0) | (number > 11) | (number != np.floor(number))
            label = "is not a pitch class 0..11"
        elif name == "loudness":
            rule, label = (number < -60) | (number > 5), "dB outside [-60, 5]"
        elif name == "tempo":
            rule, label = (number < 0) | (number > 300), "BPM outside [0, 300]"
        elif name == "duration_ms":
            rule, label = (number <= 0) | (number > 86_400_000), "outside (0, 1 day]"
        else:
            rule = (number < 0) | (number > MAX_PLAUSIBLE_COUNT)
            label = "negative or implausible count"
        problems.append((f"{header}: {label}", rule & finite, text))
        typed[name] = number
    for name, header in FLAGS:
        lowered = frame[name].str.lower()
        value = lowered.map({"true": True, "false": False})
        problems.append(
            (f"{header}: unknown flag value", frame[name].notna() & value.isna(), frame[name])
        )
        typed[name] = value.astype("boolean")
    typed["key"] = _round_half_away(typed["key"])
    typed["tempo"] = typed["tempo"].mask(typed["tempo"] == 0)  # 0 = not measured
    typed["duration_ms"] = _round_half_away(typed["duration_ms"])
    for name, _ in COUNTS:
        typed[name] = _round_half_away(typed[name])
    any_bad = np.zeros(len(frame), dtype=bool)
    for _, mask, _ in problems:
        any_bad |= mask.to_numpy(dtype=bool, na_value=False)
    reason = pd.Series(pd.NA, index=frame.index, dtype="object")
    if any_bad.any():  # the text of a reason only for the (few) bad rows
        parts = []
        for label, mask, text in problems:
            hit = mask.to_numpy(dtype=bool, na_value=False) & any_bad
            if hit.any():
                parts.append(label + " (" + text[hit].fillna("").str.slice(0, 40) + ")")
        reason.loc[any_bad] = pd.concat(parts, axis=1).apply(
            lambda row: "; ".join(row.dropna()), axis=1
        )
    typed["quarantine_reason"] = reason
    return typed


def _round_half_away(values: pd.Series) -> pd.Series:
    """DuckDB's cast of a double to an integer: round half away from zero."""
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


# --- de-duplication, features, outliers --------------------------------------------------------


def listings(typed: pd.DataFrame) -> pd.DataFrame:
    """Usable rows with listing_count, credited_artists and duplicate_of_row_id (by Uri)."""
    usable = typed[typed["quarantine_reason"].isna()].drop(columns="quarantine_reason")
    by_uri = usable.groupby("uri", sort=False)["row_id"]
    first = by_uri.transform("min")
    count = by_uri.transform("size")
    usable = usable.assign(
        listing_count=count.astype("int64"),
        duplicate_of_row_id=first.where(usable["row_id"] > first),
        credited_artists=usable["artist"],
    )
    multi = usable["listing_count"] > 1
    if multi.any():
        joined = (
            usable.loc[multi & usable["artist"].notna()]
            .groupby("uri", sort=False)["artist"]
            .agg(" | ".join)
        )
        usable.loc[multi, "credited_artists"] = usable.loc[multi, "uri"].map(joined)
    return usable


def features(deduplicated: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Distinct tracks, imputed, with every derived feature; and the audio medians."""
    tracks = deduplicated[deduplicated["duplicate_of_row_id"].isna()].drop(
        columns="duplicate_of_row_id"
    )
    medians = tracks[AUDIO_FEATURES].median()
    audio_missing = tracks[AUDIO_FEATURES].isna().any(axis=1)
    engagement_missing = tracks[[n for n, _ in ENGAGEMENT]].isna().any(axis=1)
    tracks = tracks.fillna({name: medians[name] for name in AUDIO_FEATURES})
    tracks = tracks.fillna({name: 0.0 for name, _ in ENGAGEMENT})
    tracks["key"] = _round_half_away(tracks["key"]).astype("int64")
    tracks["duration_ms"] = _round_half_away(tracks["duration_ms"]).astype("int64")
    for name, _ in ENGAGEMENT:
        tracks[name] = tracks[name].astype("int64")
    views = tracks["views"].astype("float64").replace(0.0, np.nan)
    stream = tracks["stream"]
    tracks = tracks.assign(
        audio_was_imputed=audio_missing,
        engagement_was_filled=engagement_missing,
        has_youtube_video=tracks["url_youtube"].notna(),
        duration_minutes=tracks["duration_ms"] / 60000.0,
        audio_positivity=(tracks["danceability"] + tracks["energy"] + tracks["valence"]) / 3.0,
        audio_complexity=(
            tracks["speechiness"]
            + tracks["acousticness"]
            + tracks["instrumentalness"]
            + tracks["liveness"]
        )
        / 4.0,
        youtube_engagement=(tracks["likes"] + tracks["comments"]) / views,
        cross_platform_ratio=stream / views,
        log_streams=np.log(1 + stream),
        log_views=np.log(1 + tracks["views"].astype("float64")),
        log_likes=np.log(1 + tracks["likes"].astype("float64")),
        log_comments=np.log(1 + tracks["comments"].astype("float64")),
        tempo_band=(np.floor(tracks["tempo"] / 10.0) * 10).astype("Int64"),
    )
    return tracks, medians


def flag_outliers(tracks: pd.DataFrame) -> pd.DataFrame:
    z = pd.DataFrame(
        {
            column: (tracks[column] - tracks[column].mean()) / tracks[column].std(ddof=1)
            for column in OUTLIER_COLUMNS
        },
        index=tracks.index,
    )
    absolute = z.abs().fillna(0.0)
    max_abs_z = absolute.max(axis=1)
    is_outlier = max_abs_z > OUTLIER_Z_THRESHOLD
    column_index = absolute.to_numpy().argmax(axis=1)  # first column with the largest |z|
    outlier_column = pd.Series(np.array(OUTLIER_COLUMNS)[column_index], index=tracks.index)
    outlier_z = pd.Series(z.to_numpy()[np.arange(len(z)), column_index], index=tracks.index)
    return tracks.assign(
        is_outlier=is_outlier,
        outlier_column=outlier_column.where(is_outlier),
        outlier_z=outlier_z.where(is_outlier),
    )


def mark_hits(tracks: pd.DataFrame) -> tuple[pd.DataFrame, float, int]:
    modelling = ~tracks["is_outlier"] & tracks["stream"].notna()
    threshold = float(tracks.loc[modelling, "stream"].quantile(HIT_QUANTILE))
    is_hit = (tracks["stream"] >= threshold).astype("boolean").where(modelling)
    return tracks.assign(is_hit=is_hit), threshold, int(modelling.sum())


def row_fate(typed: pd.DataFrame, deduplicated: pd.DataFrame, tracks: pd.DataFrame) -> pd.DataFrame:
    fate = pd.Series("kept", index=typed.index, dtype="object")
    reason = pd.Series(pd.NA, index=typed.index, dtype="object")
    quarantined = typed["quarantine_reason"].notna()
    fate[quarantined] = "quarantined"
    reason[quarantined] = typed.loc[quarantined, "quarantine_reason"]
    duplicate_of = deduplicated.set_index("row_id")["duplicate_of_row_id"].dropna()
    positions = duplicate_of.index.to_numpy()  # row_id == position
    fate.iloc[positions] = "duplicate"
    reason.iloc[positions] = (
        "duplicate of row_id " + duplicate_of.astype("int64").astype(str) + " (same Uri)"
    ).to_numpy()
    outliers = tracks[tracks["is_outlier"]]
    positions = outliers["row_id"].to_numpy()
    fate.iloc[positions] = "outlier"
    reason.iloc[positions] = (
        "outlier on "
        + outliers["outlier_column"]
        + " (z = "
        + outliers["outlier_z"].round(2).astype(str)
        + ")"
    ).to_numpy()
    return pd.DataFrame(
        {
            "row_id": typed["row_id"],
            "uri": typed["uri"],
            "artist": typed["artist"],
            "fate": fate,
            "reason": reason,
            "outlier_column": tracks.set_index("row_id")["outlier_column"]
            .reindex(typed["row_id"])
            .to_numpy(),
        }
    )


# --- KPI marts ---------------------------------------------------------------------------------


KPI_TRACK_COLUMNS = [
    "uri", "row_id", "artist", "album_type", "stream", "views", "likes", "comments",
    "log_streams", "log_views", "youtube_engagement", "has_youtube_video", "official_video",
    "tempo", "tempo_band", "danceability", "energy", "audio_was_imputed",
    "engagement_was_filled", "is_hit",
]  # fmt: skip


def kpi_tracks(tracks: pd.DataFrame) -> pd.DataFrame:
    """Kept tracks, the columns of marts.kpi_tracks, and the population flags."""
    kept = tracks.loc[~tracks["is_outlier"], KPI_TRACK_COLUMNS]
    official = kept["official_video"]
    stream, views = kept["stream"], kept["views"]
    return kept.assign(
        video_group=np.select(
            [
                official.eq(True).to_numpy(dtype=bool, na_value=False),
                official.eq(False).to_numpy(dtype=bool, na_value=False),
            ],
            ["official", "unofficial"],
            "unknown",
        ),
        in_stream_kpis=stream.notna(),
        in_correlation=((stream > 0) & (views > 0)).fillna(False).astype(bool),
        in_engagement=(views > 0) & ~kept["engagement_was_filled"],
        in_video_lift=stream.notna() & official.notna(),
        in_audio_trends=~kept["audio_was_imputed"],
        hit=kept["is_hit"].astype("float64"),  # 1 / 0 / NaN: mean = hit rate, sum = hits
    )


def _pearson(y: pd.Series, x: pd.Series, min_pairs: int = MIN_CORRELATION_PAIRS) -> float | None:
    both = y.notna() & x.notna()
    if both.sum() < min_pairs:
        return None
    return float(np.corrcoef(y[both].astype("float64"), x[both].astype("float64"))[0, 1])


def _lift(treated: float | None, baseline: float | None) -> float | None:
    if treated is None or baseline is None or baseline == 0 or _nan(treated) or _nan(baseline):
        return None
    return treated / baseline - 1


def _nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def kpi_summary(kpi: pd.DataFrame, fates: pd.DataFrame, threshold: float) -> dict[str, Any]:
    stream, views = kpi["stream"], kpi["views"]
    video = kpi["has_youtube_video"]
    correlation = kpi.loc[kpi["in_correlation"], ["stream", "views", "log_streams", "log_views"]]
    engagement = kpi.loc[kpi["in_engagement"], ["youtube_engagement", "likes", "comments", "views"]]
    lift = kpi.loc[kpi["in_video_lift"], ["video_group", "stream"]]
    official = lift.loc[lift["video_group"] == "official", "stream"]
    unofficial = lift.loc[lift["video_group"] == "unofficial", "stream"]
    fate_counts = fates["fate"].value_counts()
    outlier_by_column = fates.loc[fates["fate"] == "outlier", "outlier_column"].value_counts()
    complete = int((~kpi["audio_was_imputed"] & ~kpi["engagement_was_filled"]).sum())
    raw_rows = len(fates)
    duplicates = int(fate_counts.get("duplicate", 0))
    mean_official, mean_unofficial = _float(official.mean()), _float(unofficial.mean())
    median_official, median_unofficial = _float(official.median()), _float(unofficial.median())
    mean_engagement = _float(engagement["youtube_engagement"].mean())
    weighted = _float(
        (engagement["likes"] + engagement["comments"]).sum() / engagement["views"].sum()
        if len(engagement)
        else None
    )
    return {
        "tracks": len(kpi),
        "artists": int(kpi["artist"].nunique()),
        "tracks_with_streams": int(stream.notna().sum()),
        "total_streams": int(stream.sum()),
        "median_streams": _float(stream.median()),
        "tracks_with_video": int(video.sum()),
        "total_views": int(views.sum()),
        "median_views": _float(views[video].median()),
        "correlation_tracks": len(correlation),
        "pearson_streams_views": _pearson(correlation["stream"], correlation["views"]),
        "pearson_log_streams_log_views": _pearson(
            correlation["log_streams"], correlation["log_views"]
        ),
        "spearman_streams_views": _pearson(
            correlation["stream"].rank(method="average"),
            correlation["views"].rank(method="average"),
        ),
        "engagement_tracks": len(engagement),
        "mean_engagement_rate": mean_engagement,
        "weighted_engagement_rate": weighted,
        "official_video_tracks": len(official),
        "unofficial_video_tracks": len(unofficial),
        "mean_streams_official": mean_official,
        "mean_streams_unofficial": mean_unofficial,
        "official_video_mean_stream_lift": _lift(mean_official, mean_unofficial),
        "median_streams_official": median_official,
        "median_streams_unofficial": median_unofficial,
        "official_video_median_stream_lift": _lift(median_official, median_unofficial),
        "hit_threshold_streams": threshold,
        "hit_tracks": int((kpi["hit"] == 1).sum()),
        "hit_rate": _float(kpi["hit"].mean()),
        "raw_rows": raw_rows,
        "rows_kept": int(fate_counts.get("kept", 0)),
        "rows_quarantined": int(fate_counts.get("quarantined", 0)),
        "rows_duplicate": duplicates,
        "rows_outlier": int(fate_counts.get("outlier", 0)),
        "rows_outlier_by_column": {c: int(outlier_by_column.get(c, 0)) for c in OUTLIER_COLUMNS},
        "kept_tracks_audio_imputed": int(kpi["audio_was_imputed"].sum()),
        "kept_tracks_engagement_filled": int(kpi["engagement_was_filled"].sum()),
        "kept_tracks_complete": complete,
        "data_quality_score": complete / (raw_rows - duplicates) if raw_rows > duplicates else None,
    }


def _masked(frame: pd.DataFrame, column: str, mask: str) -> pd.Series:
    return frame[column].where(frame[mask])


def _group_stats(frame: pd.DataFrame, keys: str | list[str]) -> pd.DataFrame:
    """The aggregates most KPI marts share, per group."""
    work = frame.assign(
        streams_known=frame["in_stream_kpis"].astype("int64"),
        views_if_video=_masked(frame, "views", "has_youtube_video").astype("float64"),
        video=frame["has_youtube_video"].astype("int64"),
        engagement_if=_masked(frame, "youtube_engagement", "in_engagement"),
        interactions_if=(frame["likes"] + frame["comments"]).where(frame["in_engagement"], 0),
        views_if_engagement=frame["views"].where(frame["in_engagement"], 0),
        engaged=frame["in_engagement"].astype("int64"),
        official_share=frame["official_video"].astype("float64"),
    )
    grouped = work.groupby(keys, sort=True, dropna=False)
    stats = grouped.agg(
        tracks=("row_id", "size"),
        tracks_with_streams=("streams_known", "sum"),
        total_streams=("stream", "sum"),
        mean_streams=("stream", "mean"),
        median_streams=("stream", "median"),
        tracks_with_video=("video", "sum"),
        total_views=("views", "sum"),
        mean_views=("views_if_video", "mean"),
        median_views=("views_if_video", "median"),
        engagement_tracks=("engaged", "sum"),
        mean_engagement_rate=("engagement_if", "mean"),
        interactions=("interactions_if", "sum"),
        engaged_views=("views_if_engagement", "sum"),
        hit_tracks=("hit", "sum"),
        hit_rate=("hit", "mean"),
        official_video_share=("official_share", "mean"),
    )
    stats["weighted_engagement_rate"] = stats["interactions"] / stats["engaged_views"].replace(
        0, np.nan
    )
    return stats.drop(columns=["interactions", "engaged_views"])


def kpi_by_artist(kpi: pd.DataFrame, fates: pd.DataFrame) -> pd.DataFrame:
    listed = fates["fate"].isin(["kept", "duplicate"]) & fates["artist"].notna()
    credited = (
        fates.loc[listed, ["artist", "uri"]]
        .drop_duplicates()
        .merge(kpi.rename(columns={"artist": "lead_artist"}), on="uri", how="inner")
    )
    credited["lead"] = (credited["artist"] == credited["lead_artist"]).astype("int64")
    stats = _group_stats(credited, "artist")
    stats["lead_tracks"] = credited.groupby("artist", sort=True)["lead"].sum()
    stats["total_streams"] = stats["total_streams"].fillna(0).astype("int64")
    stats["weighted_engagement_vs_benchmark"] = (
        stats["weighted_engagement_rate"] - ENGAGEMENT_BENCHMARK
    )
    rank = stats["total_streams"].rank(method="min", ascending=False)
    stats["stream_rank"] = rank.astype("int64")
    return stats.reset_index()


def kpi_by_album_type(kpi: pd.DataFrame) -> pd.DataFrame:
    frame = kpi.assign(album_type=kpi["album_type"].fillna("unknown"))
    stats = _group_stats(frame, "album_type")
    overall_median = frame["stream"].median()
    overall_hit_rate = frame["hit"].mean()
    stats["share_of_tracks"] = stats["tracks"] / len(frame)
    stats["median_streams_lift"] = stats["median_streams"] / overall_median - 1
    stats["hit_rate_lift"] = stats["hit_rate"] / overall_hit_rate - 1
    return stats.reset_index()


def kpi_tempo_bands(kpi: pd.DataFrame) -> pd.DataFrame:
    frame = kpi[kpi["in_audio_trends"]]
    corr = frame[frame["in_correlation"]]
    stats = _group_stats(frame, "tempo_band")
    stats["share_of_tracks"] = stats["tracks"] / len(frame)
    stats["hit_rate_lift"] = stats["hit_rate"] / frame["hit"].mean() - 1
    pairs = corr.groupby("tempo_band").size()
    stats["correlation_tracks"] = pairs.reindex(stats.index, fill_value=0)
    for name, (y, x) in {
        "pearson_streams_views": ("stream", "views"),
        "pearson_log_streams_log_views": ("log_streams", "log_views"),
    }.items():
        stats[name] = _grouped_pearson(corr, "tempo_band", y, x).reindex(stats.index)
    return stats.reset_index()


def _grouped_pearson(frame: pd.DataFrame, key: str, y: str, x: str) -> pd.Series:
    """Pearson per group from sums (vectorised); null below MIN_CORRELATION_PAIRS pairs."""
    work = pd.DataFrame(
        {key: frame[key], "x": frame[x].astype("float64"), "y": frame[y].astype("float64")}
    )
    work = work.dropna()
    work["xx"], work["yy"], work["xy"] = work["x"] ** 2, work["y"] ** 2, work["x"] * work["y"]
    sums = work.groupby(key).agg(
        n=("x", "size"), x=("x", "sum"), y=("y", "sum"), xx=("xx", "sum"), yy=("yy", "sum"),
        xy=("xy", "sum"),
    )  # fmt: skip
    n = sums["n"]
    cov = sums["xy"] - sums["x"] * sums["y"] / n
    var_x = sums["xx"] - sums["x"] ** 2 / n
    var_y = sums["yy"] - sums["y"] ** 2 / n
    return (cov / np.sqrt(var_x * var_y)).where(n >= MIN_CORRELATION_PAIRS)


def _band(values: pd.Series, cuts: tuple[float, float]) -> np.ndarray:
    return np.select([values <= cuts[0], values <= cuts[1]], ["low", "mid"], "high")


def kpi_audio_segments(kpi: pd.DataFrame) -> pd.DataFrame:
    frame = kpi[kpi["in_audio_trends"]]
    frame = frame.assign(
        danceability_band=_band(frame["danceability"], DANCE_CUTS),
        energy_band=_band(frame["energy"], ENERGY_CUTS),
    )
    stats = _group_stats(frame, ["danceability_band", "energy_band"])
    order = ["low", "mid", "high"]
    grid = pd.MultiIndex.from_product([order, order], names=["danceability_band", "energy_band"])
    stats = stats.reindex(grid)
    for column in ("tracks", "tracks_with_streams", "hit_tracks"):  # empty cells: 0, as in SQL
        stats[column] = stats[column].fillna(0).astype("int64")
    stats["share_of_tracks"] = stats["tracks"] / len(frame) if len(frame) else np.nan
    stats["median_streams_lift"] = stats["median_streams"] / frame["stream"].median() - 1
    stats["overall_hit_rate"] = frame["hit"].mean()
    stats["hit_rate_lift"] = stats["hit_rate"] / stats["overall_hit_rate"] - 1
    stats = stats.reset_index()
    stats["segment"] = (
        "danceability " + stats["danceability_band"] + " x energy " + stats["energy_band"]
    )
    return stats


def official_video_impact(kpi: pd.DataFrame) -> pd.DataFrame:
    stats = _group_stats(kpi, "video_group").reindex(["official", "unofficial", "unknown"])
    for column in ("tracks", "tracks_with_streams", "tracks_with_video"):
        stats[column] = stats[column].fillna(0).astype("int64")
    stats["share_of_tracks"] = stats["tracks"] / len(kpi) if len(kpi) else np.nan
    baseline = stats.loc["unofficial"]
    compared = stats.index.isin(["official", "unofficial"])
    for lift, column in {
        "mean_stream_lift": "mean_streams",
        "median_stream_lift": "median_streams",
        "mean_views_lift": "mean_views",
        "median_views_lift": "median_views",
    }.items():
        stats[lift] = (stats[column] / baseline[column] - 1).where(compared)
    return stats.reset_index(names="video_group")


# --- the whole layer ---------------------------------------------------------------------------


def run(path: Path) -> dict[str, Any]:
    """Every step of the SQL layer in pandas; returns the results (frames in memory) + timings."""
    timer = Timer()
    raw = load_raw(path)
    timer.lap("load")
    typed = type_rows(raw)
    del raw
    timer.lap("type_and_quarantine")
    deduplicated = listings(typed)
    timer.lap("deduplicate")
    tracks, medians = features(deduplicated)
    timer.lap("impute_and_derive")
    tracks = flag_outliers(tracks)
    tracks, threshold, modelling = mark_hits(tracks)
    timer.lap("outliers_and_hits")
    fates = row_fate(typed, deduplicated, tracks)
    model_features = tracks[~tracks["is_outlier"] & tracks["stream"].notna()]
    timer.lap("row_fate_and_model_features")
    kpi = kpi_tracks(tracks)
    marts = {
        "kpi_summary": kpi_summary(kpi, fates, threshold),
        "kpi_by_artist": kpi_by_artist(kpi, fates),
        "kpi_by_album_type": kpi_by_album_type(kpi),
        "kpi_tempo_bands": kpi_tempo_bands(kpi),
        "kpi_audio_segments": kpi_audio_segments(kpi),
        "official_video_impact": official_video_impact(kpi),
    }
    timer.lap("kpi_marts")
    return {
        "tracks": tracks,
        "model_features": model_features,
        "row_fate": fates,
        "medians": medians,
        "modelling_tracks": modelling,
        "marts": marts,
        "stages": timer.stages,
    }


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """The JSON-able results the runner compares with the marts."""
    marts = result["marts"]

    def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
        out = frame[columns].astype(object).where(frame[columns].notna(), None)
        return [
            {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
            for row in out.to_dict(orient="records")
        ]

    artists = marts["kpi_by_artist"]
    common = ["tracks", "tracks_with_streams", "median_streams", "hit_tracks", "hit_rate"]
    video_columns = ["tracks", "tracks_with_streams", "median_streams", "hit_rate"]
    video_columns.append("mean_stream_lift")  # official_video_impact has no hit_tracks
    return {
        "row_fate": result["row_fate"]["fate"].value_counts().to_dict(),
        "tracks": len(result["tracks"]),
        "model_features": len(result["model_features"]),
        "medians": {k: float(v) for k, v in result["medians"].items()},
        "kpi_summary": marts["kpi_summary"],
        "kpi_by_album_type": records(
            marts["kpi_by_album_type"], ["album_type", *common, "weighted_engagement_rate"]
        ),
        "kpi_tempo_bands": records(
            marts["kpi_tempo_bands"], ["tempo_band", *common, "pearson_log_streams_log_views"]
        ),
        "kpi_audio_segments": records(marts["kpi_audio_segments"], ["segment", *common]),
        "official_video_impact": records(
            marts["official_video_impact"], ["video_group", *video_columns]
        ),
        "kpi_by_artist": {
            "rows": len(artists),
            "sum_tracks": int(artists["tracks"].sum()),
            "sum_lead_tracks": int(artists["lead_tracks"].sum()),
            "sum_hit_tracks": int(artists["hit_tracks"].sum()),
            "top": records(
                artists.sort_values(["stream_rank", "artist"]).head(5),
                ["artist", "tracks", "total_streams", "stream_rank"],
            ),
        },
        "stages_seconds": result["stages"],
        "csv_engine": csv_engine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True, help="summary JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(args.input)
    payload = summary(result)
    payload["seconds"] = round(time.perf_counter() - started, 3)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    message = f"pandas peer: {payload['tracks']:,} tracks in {payload['seconds']:.1f} s"
    print(message, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
