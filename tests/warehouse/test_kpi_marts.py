"""KPI marts on the small generated warehouse, checked against independent pandas/scipy figures."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ml.config import Settings

NUMERIC = ["Stream", "Views", "Likes", "Comments", "Danceability", "Energy"]


def frame(settings: Settings, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql).df()


def summary(settings: Settings) -> dict[str, Any]:
    return frame(settings, "select * from marts.kpi_summary").iloc[0].to_dict()


def independent_tracks(settings: Settings) -> pd.DataFrame:
    """Distinct, non-outlier tracks from the raw CSV with pandas alone; only the ids of the
    quarantined and outlier rows come from the warehouse's fate ledger."""
    raw = pd.read_csv(settings.raw_data_path, dtype=str, keep_default_na=False)
    raw = raw.rename(columns={raw.columns[0]: "row_id"})
    raw["row_id"] = raw["row_id"].astype(int)
    for column in NUMERIC:
        raw[column] = pd.to_numeric(raw[column].replace("", None), errors="coerce")
    fates = frame(settings, "select row_id, fate from marts.row_fate")
    quarantined = set(fates.loc[fates["fate"] == "quarantined", "row_id"])
    outliers = set(fates.loc[fates["fate"] == "outlier", "row_id"])
    usable = raw[~raw["row_id"].isin(quarantined)]
    first_listings = usable.sort_values("row_id").drop_duplicates("Uri", keep="first")
    return first_listings[~first_listings["row_id"].isin(outliers)]


def test_raw_pearson_agrees_with_an_independent_computation(built_warehouse: Settings) -> None:
    tracks = independent_tracks(built_warehouse)
    pairs = tracks[(tracks["Stream"] > 0) & (tracks["Views"] > 0)]
    expected = np.corrcoef(pairs["Stream"], pairs["Views"])[0, 1]
    kpis = summary(built_warehouse)
    assert kpis["pearson_streams_views"] == pytest.approx(expected, abs=0.01)
    assert kpis["correlation_tracks"] == pytest.approx(len(pairs), rel=0.01)


def test_correlations_match_scipy_on_the_kpi_population(built_warehouse: Settings) -> None:
    pairs = frame(
        built_warehouse,
        "select stream, views, log_streams, log_views from marts.kpi_tracks where in_correlation",
    )
    kpis = summary(built_warehouse)
    assert kpis["correlation_tracks"] == len(pairs)
    pearson = stats.pearsonr(pairs["stream"], pairs["views"]).statistic
    log_pearson = stats.pearsonr(pairs["log_streams"], pairs["log_views"]).statistic
    spearman = stats.spearmanr(pairs["stream"], pairs["views"]).statistic
    assert kpis["pearson_streams_views"] == pytest.approx(pearson, abs=1e-9)
    assert kpis["pearson_log_streams_log_views"] == pytest.approx(log_pearson, abs=1e-9)
    assert kpis["spearman_streams_views"] == pytest.approx(spearman, abs=1e-9)


def test_cleaning_counts_match_the_fate_ledger(built_warehouse: Settings) -> None:
    kpis = summary(built_warehouse)
    fates = frame(
        built_warehouse,
        "select fate, outlier_column, count(*) as n from marts.row_fate group by all",
    )
    by_fate = fates.groupby("fate")["n"].sum()
    assert kpis["raw_rows"] == by_fate.sum()
    assert kpis["rows_kept"] == by_fate.get("kept", 0) == kpis["tracks"]
    assert kpis["rows_duplicate"] == by_fate.get("duplicate", 0) > 0
    assert kpis["rows_outlier"] == by_fate.get("outlier", 0)
    outliers = fates[fates["fate"] == "outlier"].set_index("outlier_column")["n"].to_dict()
    by_column = dict(kpis["rows_outlier_by_column"])
    assert {column: n for column, n in by_column.items() if n} == outliers
    assert 0 < kpis["data_quality_score"] <= 1
    distinct_records = kpis["raw_rows"] - kpis["rows_duplicate"]
    assert kpis["data_quality_score"] == pytest.approx(
        kpis["kept_tracks_complete"] / distinct_records
    )


def test_official_video_lift_is_the_same_everywhere(built_warehouse: Settings) -> None:
    tracks = frame(
        built_warehouse,
        "select official_video, stream from marts.tracks"
        " where not is_outlier and stream is not null and official_video is not null",
    )
    official = tracks.loc[tracks["official_video"], "stream"]
    unofficial = tracks.loc[~tracks["official_video"].astype(bool), "stream"]
    expected_mean = official.mean() / unofficial.mean() - 1
    expected_median = official.median() / unofficial.median() - 1
    kpis = summary(built_warehouse)
    impact = frame(built_warehouse, "select * from marts.official_video_impact").set_index(
        "video_group"
    )
    assert kpis["official_video_mean_stream_lift"] == pytest.approx(expected_mean, rel=1e-9)
    assert kpis["official_video_median_stream_lift"] == pytest.approx(expected_median, rel=1e-9)
    assert impact.loc["official", "mean_stream_lift"] == pytest.approx(expected_mean, rel=1e-9)
    assert impact.loc["unofficial", "mean_stream_lift"] == 0
    assert pd.isna(impact.loc["unknown", "mean_stream_lift"])
    assert impact["tracks"].sum() == kpis["tracks"]


def test_engagement_rates_and_benchmark(built_warehouse: Settings) -> None:
    tracks = frame(
        built_warehouse,
        "select likes, comments, views from marts.tracks"
        " where not is_outlier and views > 0 and not engagement_was_filled",
    )
    rates = (tracks["likes"] + tracks["comments"]) / tracks["views"]
    weighted = (tracks["likes"] + tracks["comments"]).sum() / tracks["views"].sum()
    kpis = summary(built_warehouse)
    assert kpis["engagement_benchmark"] == 0.021
    assert kpis["mean_engagement_rate"] == pytest.approx(rates.mean(), rel=1e-9)
    assert kpis["weighted_engagement_rate"] == pytest.approx(weighted, rel=1e-9)
    assert kpis["mean_engagement_vs_benchmark"] == pytest.approx(rates.mean() - 0.021, rel=1e-9)


def test_hit_rate_uses_the_one_hit_definition(built_warehouse: Settings) -> None:
    kpis = summary(built_warehouse)
    threshold = frame(built_warehouse, "select * from intermediate.int_hit_threshold").iloc[0]
    assert kpis["hit_threshold_streams"] == pytest.approx(threshold["hit_threshold_streams"])
    assert 0.08 <= kpis["hit_rate"] <= 0.12
    artists = frame(built_warehouse, "select * from marts.kpi_by_artist")
    assert artists["lead_tracks"].sum() == kpis["tracks"]
    assert artists["hit_rate"].dropna().between(0, 1).all()
    assert artists["stream_rank"].min() == 1


def test_audio_segments_name_the_dance_energy_cell(built_warehouse: Settings) -> None:
    segments = frame(built_warehouse, "select * from marts.kpi_audio_segments")
    assert len(segments) == 9
    named = segments[segments["dance_gt_0_7_energy_gt_0_8"]]
    assert len(named) == 1
    [(expected,)] = frame(
        built_warehouse,
        "select count(*) from marts.tracks"
        " where not is_outlier and not audio_was_imputed and danceability > 0.7 and energy > 0.8",
    ).itertuples(index=False)
    assert named["tracks"].iloc[0] == expected
    assert (
        segments["tracks"].sum()
        == frame(
            built_warehouse, "select count(*) as n from marts.kpi_tracks where in_audio_trends"
        )["n"].iloc[0]
    )


def test_tempo_bands_and_album_types_cover_the_tracks(built_warehouse: Settings) -> None:
    bands = frame(built_warehouse, "select * from marts.kpi_tempo_bands")
    assert (
        bands["tracks"].sum()
        == summary(built_warehouse)["tracks"]
        - frame(
            built_warehouse, "select count(*) as n from marts.kpi_tracks where audio_was_imputed"
        )["n"].iloc[0]
    )
    small = bands["correlation_tracks"] < 30
    assert bands.loc[small, "pearson_streams_views"].isna().all()
    assert bands.loc[~small, "pearson_streams_views"].notna().all()
    album_types = frame(built_warehouse, "select * from marts.kpi_by_album_type")
    assert set(album_types["album_type"]) <= {"album", "single", "compilation", "unknown"}
    assert album_types["share_of_tracks"].sum() == pytest.approx(1.0)
