"""H1-H3: the verdicts on hand-made data with known answers, then on a copy of a warehouse."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from ml.config import Settings
from ml.modeling.specs import STREAM_REGRESSOR
from ml.runtime.dbt_runner import run_dbt
from ml.statistics import hypotheses as stats
from ml.statistics import inference
from tests.helpers import copy_warehouse, sql_frame


def test_perfect_correlation_is_supported() -> None:
    x = np.arange(1.0, 51.0)
    result = stats.evaluate_h3(1e6 * x, 3 * x + 7)
    assert result.estimate == pytest.approx(1.0)
    assert result.ci_low == pytest.approx(1.0) and result.ci_high == pytest.approx(1.0)
    assert result.verdict == inference.SUPPORTED
    assert result.n == 50


def test_independent_noise_is_not_supported() -> None:
    rng = np.random.default_rng(0)
    result = stats.evaluate_h3(rng.normal(size=2000), rng.normal(size=2000))
    assert abs(result.estimate) < 0.1
    assert result.verdict == inference.NOT_SUPPORTED
    assert result.p_value == pytest.approx(1.0)


def test_too_few_pairs_is_not_evaluated() -> None:
    result = stats.evaluate_h3(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))
    assert result.verdict == inference.NOT_EVALUATED and result.estimate is None


def test_delta_interval_agrees_with_the_bootstrap_on_large_groups(monkeypatch) -> None:
    """Above BOOTSTRAP_MAX_TRACKS the H2 interval comes from the delta method: on groups large
    enough for the CLT it matches the bootstrap, and evaluate_h2 says which one it used."""
    rng = np.random.default_rng(4)
    official = rng.lognormal(mean=18.5, sigma=1.5, size=20_000)
    unofficial = rng.lognormal(mean=18.0, sigma=1.5, size=10_000)
    boot = inference.bootstrap_mean_lift(official, unofficial, seed=42)
    delta = inference.delta_mean_lift_interval(official, unofficial)
    width = boot[1] - boot[0]
    assert abs(delta[0] - boot[0]) < 0.1 * width and abs(delta[1] - boot[1]) < 0.1 * width
    assert "bootstrap" in stats.evaluate_h2(official, unofficial, seed=42).method
    monkeypatch.setattr(stats, "BOOTSTRAP_MAX_TRACKS", 1_000)
    result = stats.evaluate_h2(official, unofficial, seed=42)
    assert "delta-method" in result.method
    assert (result.ci_low, result.ci_high) == pytest.approx(delta)


def test_known_lift_is_supported_and_no_lift_is_not() -> None:
    rng = np.random.default_rng(3)
    unofficial = rng.lognormal(mean=17.0, sigma=0.5, size=400)
    doubled = stats.evaluate_h2(2 * unofficial, unofficial, seed=42)
    assert doubled.estimate == pytest.approx(1.0)
    assert doubled.ci_low <= 1.0 <= doubled.ci_high
    assert doubled.verdict == inference.SUPPORTED and doubled.p_value < 0.05
    same = stats.evaluate_h2(unofficial.copy(), unofficial, seed=42)
    assert same.estimate == pytest.approx(0.0)
    assert same.verdict == inference.NOT_SUPPORTED


def test_h1_rule_on_cv_scores() -> None:
    assert stats.evaluate_h1(None).verdict == inference.NOT_EVALUATED
    good = stats.evaluate_h1(stats.CvScore(run_id="r", mean=0.83, std=0.012, n=1000))
    assert good.verdict == inference.SUPPORTED and good.run_id == "r"
    assert good.ci_low < 0.83 < good.ci_high
    assert good.ci_high - 0.83 == pytest.approx(scipy_stats.t.ppf(0.975, 4) * 0.012 / 5**0.5)
    poor = stats.evaluate_h1(stats.CvScore(run_id="r", mean=0.45, std=0.02, n=1000))
    assert poor.verdict == inference.NOT_SUPPORTED
    close = stats.evaluate_h1(stats.CvScore(run_id="r", mean=0.71, std=0.05, n=1000))
    assert close.verdict == inference.INCONCLUSIVE


@pytest.fixture
def warehouse_copy(built_warehouse: Settings, tmp_path: Path) -> Settings:
    """A private copy of the shared warehouse (these tests write to it)."""
    return copy_warehouse(built_warehouse, tmp_path)


def test_hypothesis_table_before_any_training_run(warehouse_copy: Settings) -> None:
    result = stats.run_hypothesis_tests(warehouse_copy).set_index("hypothesis")
    stored = sql_frame(warehouse_copy, "select * from ml.hypothesis_tests").set_index("hypothesis")
    assert list(stored.index) == ["H1", "H2", "H2b", "H3"] == list(result.index)
    assert stored.loc["H1", "verdict"] == inference.NOT_EVALUATED
    assert pd.isna(stored.loc["H1", "estimate"]) and pd.isna(stored.loc["H1", "run_id"])
    for hypothesis in ("H2", "H2b", "H3"):
        row = stored.loc[hypothesis]
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
        assert row["verdict"] in {
            inference.SUPPORTED,
            inference.NOT_SUPPORTED,
            inference.INCONCLUSIVE,
        }
        assert row["n"] > 0
        if hypothesis != "H2b":  # H2b: interval rule only, no p-value
            assert 0 <= row["p_value"] <= 1
    assert pd.isna(stored.loc["H2b", "p_value"])
    assert list(stored["threshold"]) == [0.70, 0.30, 0.30, 0.60]
    kpis = sql_frame(warehouse_copy, "select * from marts.kpi_summary").iloc[0]
    assert stored.loc["H3", "estimate"] == pytest.approx(kpis["pearson_streams_views"], abs=1e-9)
    assert stored.loc["H2", "estimate"] == pytest.approx(
        kpis["official_video_mean_stream_lift"], rel=1e-9
    )
    official = sql_frame(
        warehouse_copy, "select * from marts.official_video_impact where video_group = 'official'"
    ).iloc[0]
    # the mart's SQL point estimate and its counts are the Python estimate's
    assert stored.loc["H2b", "estimate"] == pytest.approx(
        official["within_artist_stream_lift"], abs=1e-9
    )
    assert stored.loc["H2b", "n"] == official["within_artist_tracks"]
    assert f"{official['within_artist_artists']} artists" in stored.loc["H2b", "method"]

    again = stats.run_hypothesis_tests(warehouse_copy)  # idempotent and seeded
    stored_again = sql_frame(warehouse_copy, "select * from ml.hypothesis_tests")
    assert len(stored_again) == 4
    columns = ["estimate", "ci_low", "ci_high", "p_value"]
    pd.testing.assert_frame_equal(again[columns], result.reset_index()[columns])


def test_h1_uses_the_latest_training_run(warehouse_copy: Settings) -> None:
    runs = [("old", datetime(2024, 1, 1), 0.40, 0.05), ("new", datetime(2024, 6, 1), 0.83, 0.012)]
    with duckdb.connect(str(warehouse_copy.warehouse_path)) as connection:
        for run_id, created_at, cv_mean, cv_std in runs:
            connection.execute(
                "insert into ml.runs (run_id, model_name, created_at, n_train, n_test)"
                " values (?, ?, ?, 800, 200)",
                [run_id, STREAM_REGRESSOR.name, created_at],
            )
            connection.executemany(
                "insert into ml.metrics values (?, ?, 'model', ?, 'r2', ?)",
                [
                    [run_id, STREAM_REGRESSOR.name, "cv_mean", cv_mean],
                    [run_id, STREAM_REGRESSOR.name, "cv_std", cv_std],
                ],
            )
    result = stats.run_hypothesis_tests(warehouse_copy).set_index("hypothesis")
    h1 = result.loc["H1"]
    assert h1["run_id"] == "new" and h1["estimate"] == pytest.approx(0.83)
    assert h1["ci_low"] < 0.83 < h1["ci_high"]
    assert h1["verdict"] == inference.SUPPORTED and h1["n"] == 1000


# the mart reads the staging view of ml.hypothesis_tests: build both
HYPOTHESIS_MART = ["build", "--select", "stg_ml__hypothesis_tests", "hypothesis_tests"]


@pytest.mark.slow
def test_hypothesis_mart_builds_empty_then_full(warehouse_copy: Settings) -> None:
    run_dbt(warehouse_copy, HYPOTHESIS_MART, quiet=True)
    assert len(sql_frame(warehouse_copy, "select * from marts.hypothesis_tests")) == 0
    stats.run_hypothesis_tests(warehouse_copy)
    run_dbt(warehouse_copy, HYPOTHESIS_MART, quiet=True)
    mart = sql_frame(warehouse_copy, "select * from marts.hypothesis_tests order by hypothesis")
    assert list(mart["hypothesis"]) == ["H1", "H2", "H2b", "H3"]
