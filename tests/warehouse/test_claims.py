"""The study-claims marts (dbt_project/models/marts/claims) against independent pandas / scipy
computations on the small generated warehouse.

Populations are rebuilt here from marts.tracks (not kpi_tracks) so a change of a KPI flag shows
up as a mismatch. study_claims is checked on COPIES of the warehouse: without a training run
(model rows 'not yet measured') and with a FAKE run (tests/reporting/fake_ml.py) plus an older
run that must be ignored, each followed by `dbt build --select source:ml+` as `make run` does.
"""

from __future__ import annotations

import json
import math
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ml.config import Settings
from ml.runtime.dbt_runner import run_dbt
from tests.helpers import isolated_settings
from tests.reporting.fake_ml import FAKE_RUN_ID, insert_fake_run

Z = stats.norm.ppf(0.975)
MIN_TRACKS = 30
POST_MODEL = ["build", "--select", "source:ml+"]
VERDICTS = {"supported", "not supported", "not measurable", "not yet measured"}
MODEL_CLAIMS = {
    "stream_r2": ("stream_regressor", "test", "r2", lambda value: value),
    "stream_cv_r2_std": ("stream_regressor", "cv_std", "r2", lambda value: value),
    "stream_cv_r2_variance": ("stream_regressor", "cv_std", "r2", lambda value: value**2),
    "hit_accuracy": ("hit_classifier", "test", "accuracy", lambda value: value),
    "hit_f1": ("hit_classifier", "test", "f1", lambda value: value),
    "youtube_r2": ("views_regressor", "test", "r2", lambda value: value),
}


def frame(settings: Settings, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql).df()


def one_row(settings: Settings, table: str) -> dict[str, Any]:
    rows = frame(settings, f"select * from marts.{table}")
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


@pytest.fixture(scope="module")
def kept(built_warehouse: Settings) -> pd.DataFrame:
    """Kept tracks (distinct Uri, not an outlier) straight from marts.tracks."""
    tracks = frame(built_warehouse, "select * from marts.tracks where not is_outlier")
    for column in ("stream", "views", "likes", "comments"):
        tracks[column] = tracks[column].astype("float64")
    return tracks


def ratio_of_means_interval(high: pd.Series, rest: pd.Series) -> tuple[float, float]:
    ratio = high.mean() / rest.mean()
    se = math.sqrt(
        high.var(ddof=1) / (len(high) * high.mean() ** 2)
        + rest.var(ddof=1) / (len(rest) * rest.mean() ** 2)
    )
    return ratio * math.exp(-Z * se), ratio * math.exp(Z * se)


def median_interval(values: pd.Series) -> tuple[float, float]:
    """Distribution-free 97.5% interval of a median: order statistics by the normal
    approximation of Binomial(n, 1/2)."""
    ordered = np.sort(values.to_numpy())
    n = len(ordered)
    z = stats.norm.ppf(1 - 0.025 / 2)
    low = max(1, math.floor(n / 2 - z * math.sqrt(n) / 2))
    high = min(n, math.ceil(1 + n / 2 + z * math.sqrt(n) / 2))
    return float(ordered[low - 1]), float(ordered[high - 1])


def test_engagement_streams_matches_pandas(built_warehouse: Settings, kept: pd.DataFrame) -> None:
    population = kept[(kept["views"] > 0) & ~kept["engagement_was_filled"] & kept["stream"].notna()]
    engagement = (population["likes"] + population["comments"]) / population["views"]
    assert np.allclose(engagement, population["youtube_engagement"])
    mart = frame(built_warehouse, "select * from marts.claims_engagement_streams").set_index(
        "split"
    )
    assert list(mart.index) == ["top_quartile", "above_median"]
    for split, quantile in (("top_quartile", 0.75), ("above_median", 0.5)):
        row = mart.loc[split]
        cut = engagement.quantile(quantile)
        high = population.loc[engagement > cut, "stream"]
        rest = population.loc[engagement <= cut, "stream"]
        assert row["engagement_cut"] == pytest.approx(cut, rel=1e-9)
        assert (row["high_tracks"], row["rest_tracks"]) == (len(high), len(rest))
        assert row["mean_ratio"] == pytest.approx(high.mean() / rest.mean(), rel=1e-9)
        assert row["median_ratio"] == pytest.approx(high.median() / rest.median(), rel=1e-9)
        low, upper = ratio_of_means_interval(high, rest)
        assert row["mean_ratio_ci_low"] == pytest.approx(low, rel=1e-9)
        assert row["mean_ratio_ci_high"] == pytest.approx(upper, rel=1e-9)
        high_low, high_high = median_interval(high)
        rest_low, rest_high = median_interval(rest)
        assert row["median_ratio_ci_low"] == pytest.approx(high_low / rest_high, rel=1e-9)
        assert row["median_ratio_ci_high"] == pytest.approx(high_high / rest_low, rel=1e-9)
        assert row["median_ratio_ci_low"] <= row["median_ratio"] <= row["median_ratio_ci_high"]
    # the quartile split really is about a quarter of the tracks
    assert mart.loc["top_quartile", "high_tracks"] == pytest.approx(len(population) / 4, rel=0.02)


def test_audio_hit_lift_matches_pandas(built_warehouse: Settings, kept: pd.DataFrame) -> None:
    labelled = kept[~kept["audio_was_imputed"] & kept["is_hit"].notna()]
    hit = labelled["is_hit"].astype(bool)
    segment = (labelled["danceability"] > 0.7) & (labelled["energy"] > 0.8)
    a, n1 = int(hit[segment].sum()), int(segment.sum())
    c, n0 = int(hit[~segment].sum()), int((~segment).sum())
    row = one_row(built_warehouse, "claims_audio_hit_lift")
    assert (row["segment_hits"], row["segment_tracks"]) == (a, n1)
    assert (row["rest_hits"], row["rest_tracks"]) == (c, n0)
    assert n1 >= MIN_TRACKS and a > 0  # the small file exercises the interval
    ratio = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    assert row["hit_rate_lift"] == pytest.approx(ratio - 1, rel=1e-9)
    assert row["hit_rate_lift_ci_low"] == pytest.approx(ratio * math.exp(-Z * se) - 1, rel=1e-9)
    assert row["hit_rate_lift_ci_high"] == pytest.approx(ratio * math.exp(Z * se) - 1, rel=1e-9)


def test_tempo_synergy_matches_scipy(built_warehouse: Settings, kept: pd.DataFrame) -> None:
    pairs = kept[~kept["audio_was_imputed"] & (kept["stream"] > 0) & (kept["views"] > 0)]
    mart = frame(built_warehouse, "select * from marts.claims_tempo_synergy").set_index(
        "tempo_band"
    )
    expected: dict[str, dict[int, tuple[float, int]]] = {"pearson": {}, "spearman": {}}
    for band, group in pairs.groupby((pairs["tempo"] // 10 * 10).astype(int)):
        row = mart.loc[band]
        assert row["correlation_tracks"] == len(group)
        assert bool(row["is_eligible"]) == (len(group) >= MIN_TRACKS)
        if len(group) < MIN_TRACKS:
            assert pd.isna(row["spearman_streams_views"]) and pd.isna(row["pearson_rank"])
            continue
        pearson = stats.pearsonr(np.log1p(group["stream"]), np.log1p(group["views"])).statistic
        spearman = stats.spearmanr(group["stream"], group["views"]).statistic
        expected["pearson"][band] = (pearson, len(group))
        expected["spearman"][band] = (spearman, len(group))
        assert row["pearson_log_streams_log_views"] == pytest.approx(pearson, abs=1e-9)
        assert row["spearman_streams_views"] == pytest.approx(spearman, abs=1e-9)
    assert len(expected["pearson"]) >= 5
    for method, factor in (("pearson", 1.0), ("spearman", 1.06)):
        values = expected[method]
        order = sorted(values, key=lambda band: (-values[band][0], band))
        for rank, band in enumerate(order, start=1):
            row = mart.loc[band]
            r, n = values[band]
            se = math.sqrt(factor / (n - 3))
            assert row[f"{method}_ci_low"] == pytest.approx(math.tanh(math.atanh(r) - Z * se))
            assert row[f"{method}_ci_high"] == pytest.approx(math.tanh(math.atanh(r) + Z * se))
            assert row[f"{method}_rank"] == rank
            other = order[1] if rank == 1 else order[0]
            assert row[f"{method}_best_other_band"] == other
            r_other, n_other = values[other]
            z = (math.atanh(r) - math.atanh(r_other)) / math.sqrt(se**2 + factor / (n_other - 3))
            assert row[f"{method}_diff_z"] == pytest.approx(z, rel=1e-9)
            assert row[f"{method}_diff_p_value"] == pytest.approx(
                2 * stats.norm.sf(abs(z)), abs=1e-6
            )


def test_kpi_checks_match_pandas(built_warehouse: Settings, kept: pd.DataFrame) -> None:
    row = one_row(built_warehouse, "claims_kpi_checks")
    pairs = kept[(kept["stream"] > 0) & (kept["views"] > 0)]
    r = stats.pearsonr(pairs["stream"], pairs["views"]).statistic
    se = 1 / math.sqrt(len(pairs) - 3)
    assert row["pearson_streams_views"] == pytest.approx(r, abs=1e-9)
    assert row["pearson_ci_low"] == pytest.approx(math.tanh(math.atanh(r) - Z * se))
    assert row["pearson_ci_high"] == pytest.approx(math.tanh(math.atanh(r) + Z * se))

    videos = kept[kept["stream"].notna() & kept["official_video"].notna()]
    official = videos.loc[videos["official_video"].astype(bool), "stream"]
    unofficial = videos.loc[~videos["official_video"].astype(bool), "stream"]
    low, high = ratio_of_means_interval(official, unofficial)
    assert row["official_video_mean_stream_lift"] == pytest.approx(
        official.mean() / unofficial.mean() - 1, rel=1e-9
    )
    assert (row["video_lift_ci_low"], row["video_lift_ci_high"]) == pytest.approx(
        (low - 1, high - 1), rel=1e-9
    )

    engaged = kept[(kept["views"] > 0) & ~kept["engagement_was_filled"]]
    rate = engaged["youtube_engagement"]
    half = Z * rate.std(ddof=1) / math.sqrt(len(rate))
    assert row["mean_engagement_rate"] == pytest.approx(rate.mean(), rel=1e-9)
    assert row["mean_engagement_ci_low"] == pytest.approx(rate.mean() - half, rel=1e-9)
    assert row["mean_engagement_lift"] == pytest.approx(rate.mean() / 0.021 - 1, rel=1e-9)
    assert row["mean_engagement_lift_ci_high"] == pytest.approx(
        (rate.mean() + half) / 0.021 - 1, rel=1e-9
    )
    y = engaged["likes"] + engaged["comments"]
    x = engaged["views"]
    weighted = y.sum() / x.sum()
    n = len(engaged)
    half = Z * math.sqrt(((y - weighted * x) ** 2).sum() / ((n - 1) * n * x.mean() ** 2))
    assert row["weighted_engagement_rate"] == pytest.approx(weighted, rel=1e-9)
    assert row["weighted_engagement_ci_low"] == pytest.approx(weighted - half, rel=1e-6)
    assert row["weighted_engagement_ci_high"] == pytest.approx(weighted + half, rel=1e-6)
    assert row["weighted_engagement_lift"] == pytest.approx(weighted / 0.021 - 1, rel=1e-9)

    fates = frame(built_warehouse, "select fate from marts.row_fate")["fate"].value_counts()
    raw = int(fates.sum())
    complete = int((~kept["audio_was_imputed"] & ~kept["engagement_was_filled"]).sum())
    assert row["data_quality_score"] == pytest.approx(complete / (raw - fates["duplicate"]))
    assert row["rows_outlier"] == fates["outlier"] > 0
    assert (
        row["rows_before_outlier_rule"]
        == fates["kept"] + fates["outlier"]
        == len(kept) + fates["outlier"]
    )
    assert row["outlier_share_of_rule_input"] == pytest.approx(
        fates["outlier"] / (fates["kept"] + fates["outlier"])
    )
    assert row["outlier_share_of_raw_rows"] == pytest.approx(fates["outlier"] / raw)


# --- study_claims (post-model) ----------------------------------------------------------------


def _post_model_copy(source: Settings, root: Path, fake_run: bool) -> Settings:
    settings = isolated_settings(root, source.raw_data_path)
    shutil.copy(source.warehouse_path, settings.warehouse_path)
    if fake_run:
        insert_fake_run(settings.warehouse_path)
        _insert_older_run(settings.warehouse_path)
    run_dbt(settings, POST_MODEL, quiet=True)
    return settings


def _insert_older_run(warehouse_path: Path) -> None:
    """An older run with perfect scores: study_claims must ignore it (latest run only)."""
    with duckdb.connect(str(warehouse_path)) as connection:
        connection.execute(
            "insert into ml.runs (run_id, model_name, created_at, params_json) values (?, ?, ?, ?)",
            ["20240101T000000Z-old", "stream_regressor", datetime(2024, 1, 1), json.dumps({})],
        )
        connection.executemany(
            "insert into ml.metrics values ('20240101T000000Z-old', ?, 'model', ?, ?, 0.999)",
            [(model, split, metric) for model, split, metric, _ in MODEL_CLAIMS.values()],
        )


@pytest.fixture(scope="module")
def no_run(built_warehouse: Settings, tmp_path_factory) -> Settings:
    return _post_model_copy(built_warehouse, tmp_path_factory.mktemp("claims_no_run"), False)


@pytest.fixture(scope="module")
def fake_run(built_warehouse: Settings, tmp_path_factory) -> Settings:
    return _post_model_copy(built_warehouse, tmp_path_factory.mktemp("claims_fake_run"), True)


DECIMALS = {"data_quality_score": 3, "outlier_removal_rule_input": 2, "outlier_removal_raw_rows": 2}


def _expected_verdict(row: pd.Series, tempo: pd.DataFrame) -> str:
    """The verdict rules of _claims__models.yml, re-implemented."""
    rule, claimed, measured = row["verdict_rule"], row["claimed_value"], row["measured_value"]
    if rule == "not_measurable":
        return "not measurable"
    if pd.isna(measured):
        return "not yet measured" if row["source"].startswith("ml.") else "not measurable"
    if rule == "at_least":
        supported = measured >= claimed
    elif rule == "below":
        supported = measured < claimed
    elif rule == "in_interval":
        if pd.isna(row["ci_low"]) or pd.isna(row["ci_high"]):
            return "not measurable"
        supported = row["ci_low"] <= claimed <= row["ci_high"]
    elif rule == "at_precision":
        decimals = DECIMALS[row["claim_id"]]
        supported = round(measured, decimals) == round(claimed, decimals)
    else:
        assert rule == "is_maximum"
        method = row["claim_id"].removeprefix("tempo_synergy_")
        band = tempo.set_index("tempo_band").loc[int(claimed)]
        supported = band[f"{method}_rank"] == 1 and band[f"{method}_diff_p_value"] < 0.05
        assert (measured == claimed) == (band[f"{method}_rank"] == 1)
    return "supported" if supported else "not supported"


def _check_rules(settings: Settings) -> pd.DataFrame:
    claims = frame(settings, "select * from marts.study_claims order by claim_order")
    tempo = frame(settings, "select * from marts.claims_tempo_synergy")
    for _, row in claims.iterrows():
        assert row["verdict"] in VERDICTS
        assert row["verdict"] == _expected_verdict(row, tempo), row["claim_id"]
        assert row["verdict_reason"] and row["definition"] and row["claim"]
    return claims


def test_study_claims_without_a_run(built_warehouse: Settings, no_run: Settings) -> None:
    claims = _check_rules(no_run).set_index("claim_id")
    assert len(claims) >= 15 and claims.index.is_unique
    model_rows = claims[claims["source"].str.startswith("ml.")]
    assert set(MODEL_CLAIMS) | {"stream_cv_r2"} == set(model_rows.index)
    assert (model_rows["verdict"] == "not yet measured").all()
    assert model_rows["measured_value"].isna().all() and model_rows["run_id"].isna().all()
    lag = claims.loc["engagement_precedes_streams"]
    assert lag["verdict"] == "not measurable" and pd.isna(lag["measured_value"])
    assert "no dates" in lag["verdict_reason"]
    # every pre-model row is the mart's value and interval
    kpi = one_row(built_warehouse, "claims_kpi_checks")
    hit = one_row(built_warehouse, "claims_audio_hit_lift")
    streams = frame(built_warehouse, "select * from marts.claims_engagement_streams")
    streams = streams.set_index("split")
    tempo = frame(built_warehouse, "select * from marts.claims_tempo_synergy")
    expected = {
        "streams_views_correlation": (kpi["pearson_streams_views"], kpi["pearson_ci_low"]),
        "official_video_lift": (kpi["official_video_mean_stream_lift"], kpi["video_lift_ci_low"]),
        "danceable_energetic_hit_lift": (hit["hit_rate_lift"], hit["hit_rate_lift_ci_low"]),
        "engagement_rate_mean": (kpi["mean_engagement_rate"], kpi["mean_engagement_ci_low"]),
        "engagement_vs_industry_weighted": (
            kpi["weighted_engagement_lift"],
            kpi["weighted_engagement_lift_ci_low"],
        ),
        "data_quality_score": (kpi["data_quality_score"], None),
        "outlier_removal_rule_input": (kpi["outlier_share_of_rule_input"], None),
        "outlier_removal_raw_rows": (kpi["outlier_share_of_raw_rows"], None),
        "tempo_synergy_spearman": (
            float(tempo.loc[tempo["spearman_rank"] == 1, "tempo_band"].iloc[0]),
            None,
        ),
    }
    for split in ("top_quartile", "above_median"):
        for kind in ("mean", "median"):
            expected[f"engagement_streams_{split}_{kind}"] = (
                streams.loc[split, f"{kind}_ratio"],
                streams.loc[split, f"{kind}_ratio_ci_low"],
            )
    for claim_id, (value, low) in expected.items():
        assert claims.loc[claim_id, "measured_value"] == pytest.approx(value), claim_id
        if low is None:
            assert pd.isna(claims.loc[claim_id, "ci_low"]), claim_id
        else:
            assert claims.loc[claim_id, "ci_low"] == pytest.approx(low), claim_id


def test_study_claims_read_the_latest_run(fake_run: Settings) -> None:
    claims = _check_rules(fake_run).set_index("claim_id")
    metrics = frame(
        fake_run, f"select * from ml.metrics where run_id = '{FAKE_RUN_ID}' and variant = 'model'"
    )
    value = metrics.set_index(["model_name", "split", "metric"])["value"]
    for claim_id, (model, split, metric, transform) in MODEL_CLAIMS.items():
        row = claims.loc[claim_id]
        assert row["measured_value"] == pytest.approx(transform(value[(model, split, metric)]))
        assert row["run_id"] == FAKE_RUN_ID
    # 5 folds (the fake run's params carry no cv_folds): mean +- t(0.975, 4) sd / sqrt(5)
    cv_mean = value[("stream_regressor", "cv_mean", "r2")]
    half = stats.t.ppf(0.975, 4) * value[("stream_regressor", "cv_std", "r2")] / math.sqrt(5)
    row = claims.loc["stream_cv_r2"]
    assert row["measured_value"] == pytest.approx(cv_mean)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (cv_mean - half, cv_mean + half), abs=1e-4
    )
    # the fake scores sit below the study's: R2 0.62 < 0.847, CV std 0.015 < 0.02
    assert claims.loc["stream_r2", "verdict"] == "not supported"
    assert claims.loc["stream_cv_r2_std", "verdict"] == "supported"
    assert claims.loc["stream_cv_r2_variance", "verdict"] == "supported"
