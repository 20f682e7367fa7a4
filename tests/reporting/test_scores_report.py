"""Decision-grade scores in the report: the two qualities of every model (catalog artists vs new
artists), the calibrated hit probability's reliability, the stream interval's coverage.

The side-by-side figures are checked against the ml.metrics rows of a REAL tiny training run
(tests/modeling/test_models.py's TINY forests on a copy of the small warehouse); the reliability
sentence and chart also against hand-made tables that are, and are not, calibrated.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from ml.config import Settings
from ml.modeling.specs import (
    ALL_SPLITS,
    ALL_VARIANTS,
    CALIBRATION_METRICS,
    MODEL_SPECS,
    SPLIT_TEST,
    SPLIT_TEST_NEW_ARTISTS,
    VARIANT_AUDIO_ONLY,
    VARIANT_CHALLENGER,
    VARIANT_COLD_START,
    VARIANT_MODEL,
)
from ml.modeling.train import TrainingConfig, train_all
from ml.reporting import build_executive_report, console_summary, render_reports
from ml.reporting.charts.models import reliability_chart
from ml.reporting.figures import Lookup
from ml.reporting.labels import LEAD_METRICS
from ml.reporting.model_quality import (
    HIT_CALIBRATION,
    MIN_BIN_TRACKS,
    TOLERANCE,
    quality_by_audience,
)
from ml.reporting.model_quality import _reliability_sentence as reliability_sentence
from ml.reporting.report_data import load_report_data
from ml.reporting.validation import validate
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.run_log import RunLog
from tests.conftest import isolated_settings
from tests.reporting.fake_ml import calibration_rows

TINY = TrainingConfig(n_estimators=8, max_depth=5, cv_folds=3, permutation_repeats=1)
POST_MODEL = ["build", "--select", "source:ml+"]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the small warehouse with a real tiny training run and its post-model marts."""
    settings = isolated_settings(tmp_path_factory.mktemp("scores"), built_warehouse.raw_data_path)
    shutil.copy(built_warehouse.warehouse_path, settings.warehouse_path)
    train_all(settings, progress=False, config=TINY)
    run_dbt(settings, POST_MODEL, quiet=True)
    return settings


@pytest.fixture(scope="module")
def report(trained: Settings) -> dict[str, Any]:
    return build_executive_report(load_report_data(trained.warehouse_path), trained)


def _metrics(settings: Settings) -> dict[tuple[str, str, str, str], float]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        rows = connection.execute(
            "select model_name, variant, split, metric, value from ml.metrics "
            "where run_id = (select max(run_id) from ml.runs)"
        ).fetchall()
    return {(m, v, s, k): value for m, v, s, k, value in rows}


def _source(model: str, variant: str, split: str, metric: str) -> str:
    return f"model_name={model}, variant={variant}, split={split}, metric={metric}]"


def test_report_validates_and_has_every_variant_and_split(report: dict[str, Any]) -> None:
    validate(report, "executive_report")
    for model in report["models"]:
        splits = {row["split"] for row in model["metrics"]}
        assert {SPLIT_TEST, SPLIT_TEST_NEW_ARTISTS} <= splits <= set(ALL_SPLITS)
        for row in model["metrics"]:
            assert set(ALL_VARIANTS) <= set(row)
    hit = next(m for m in report["models"] if m["task"] == "classification")
    held_out = {row["metric"] for row in hit["metrics"] if row["split"] == SPLIT_TEST}
    assert set(CALIBRATION_METRICS) <= held_out


def test_every_metric_cell_equals_its_ml_metrics_row(
    trained: Settings, report: dict[str, Any]
) -> None:
    metrics = _metrics(trained)
    checked = 0
    for model in report["models"]:
        for row in model["metrics"]:
            for variant in ALL_VARIANTS:
                key = (model["model_name"], variant, row["split"], row["metric"])
                assert row[variant]["value"] == pytest.approx(metrics.get(key), nan_ok=True), key
                assert row[variant]["source"].endswith(_source(*key))
                checked += key in metrics
    # every stored row of the report's metrics is shown (cold_start / new artists included)
    assert checked >= sum(
        1 for (_, variant, split, _) in metrics if variant == VARIANT_COLD_START and split in {
            SPLIT_TEST, SPLIT_TEST_NEW_ARTISTS}
    )  # fmt: skip


def _serving_model(trained: Settings, model_name: str) -> str | None:
    """ml.runs' serving_model of a model (forest / challenger)."""
    with duckdb.connect(str(trained.warehouse_path), read_only=True) as connection:
        [(params,)] = connection.execute(
            "select params_json from ml.runs where model_name = ?", [model_name]
        ).fetchall()
    return json.loads(params).get("serving_model")


def test_side_by_side_figures_equal_ml_metrics(trained: Settings, report: dict[str, Any]) -> None:
    metrics = _metrics(trained)
    assert [m["model_name"] for m in report["models"]] == [s.name for s in MODEL_SPECS]
    for model in report["models"]:
        name = model["model_name"]
        by_audience = model["by_audience"]
        metric = by_audience["metric"]
        assert metric == LEAD_METRICS[name][0]
        known, new = by_audience["audiences"]
        # catalog artists: the SERVED model (the forest, or the challenger when it serves)
        served = _serving_model(trained, name)
        served_variant = VARIANT_CHALLENGER if served == "challenger" else VARIANT_MODEL
        assert (known["split"], known["variant"]) == (SPLIT_TEST, served_variant)
        assert (new["split"], new["variant"]) == (SPLIT_TEST_NEW_ARTISTS, VARIANT_COLD_START)
        for audience in (known, new):
            for field, variant in (
                ("score", audience["variant"]),
                ("audio_only", VARIANT_AUDIO_ONLY),
            ):
                key = (name, variant, audience["split"], metric)
                assert key in metrics, key
                assert audience[field]["value"] == pytest.approx(metrics[key])
                assert audience[field]["source"].endswith(_source(*key))
        text = by_audience["sentence"]["text"]
        words = "gradient-boosting challenger" if served == "challenger" else "study's forest"
        assert text.startswith(
            f"For a new track by an artist already in the catalog (scored with the {words}): "
        )
        assert "never seen (scored with the cold-start model)" in text
        quoted = re.findall(r"-?\d+\.\d+", text)
        for figure in by_audience["sentence"]["figures"]:
            assert f"{figure['value']:.2f}" in quoted


def test_catalog_audience_quotes_the_served_model(trained: Settings) -> None:
    """Whichever model serves the catalog artists' scores (ml.runs serving_model), the audience
    sentence quotes that model's held-out lead metric and names it."""
    metrics = _metrics(trained)
    data = load_report_data(trained.warehouse_path)
    runs = data.tables["ml.runs"]
    for served, variant, words in (
        ("forest", VARIANT_MODEL, "study's forest"),
        ("challenger", VARIANT_CHALLENGER, "gradient-boosting challenger"),
    ):
        data.tables["ml.runs"] = runs.assign(
            params_json=[
                json.dumps({**json.loads(params or "{}"), "serving_model": served})
                for params in runs["params_json"]
            ]
        )
        for spec in MODEL_SPECS:
            by_audience = quality_by_audience(Lookup(data), spec)
            known = by_audience["audiences"][0]
            key = (spec.name, variant, SPLIT_TEST, by_audience["metric"])
            assert known["variant"] == variant
            assert known["score"]["value"] == pytest.approx(metrics[key])
            assert known["score"]["source"].endswith(_source(*key))
            text = by_audience["sentence"]["text"]
            assert f"(scored with the {words}): " in text
            assert f"{metrics[key]:.2f}" in text


def test_interval_coverage_is_quoted_honestly(trained: Settings, report: dict[str, Any]) -> None:
    metrics = _metrics(trained)
    for model in report["models"]:
        interval = model["interval"]
        if model["task"] == "classification":
            assert interval is None
            continue
        # the range of the served catalog model (forest, or the challenger when it serves)
        served = _serving_model(trained, model["model_name"])
        variant = VARIANT_CHALLENGER if served == "challenger" else VARIANT_MODEL
        key = (model["model_name"], variant, SPLIT_TEST, "interval_coverage_80")
        coverage = metrics[key]
        assert interval["known_artist"]["value"] == pytest.approx(coverage)
        text = interval["sentence"]["text"]
        assert f"{coverage:.0%}" in text
        assert ("below the nominal 80%" in text) == (
            min(coverage, interval["new_artist"]["value"]) < 0.78
        )


def test_calibration_block_reads_marts_hit_calibration(
    trained: Settings, report: dict[str, Any]
) -> None:
    with duckdb.connect(str(trained.warehouse_path), read_only=True) as connection:
        mart = connection.execute(f"select * from {HIT_CALIBRATION}").df()
    hit = next(m for m in report["models"] if m["task"] == "classification")
    calibration = hit["calibration"]
    assert calibration["status"] == "ok" and calibration["method"] in {"isotonic", "sigmoid"}
    assert len(calibration["bins"]) == len(mart) > 0
    assert sum(b["n"] for b in calibration["bins"] if b["variant"] == VARIANT_MODEL) == int(
        mart.loc[mart["variant"] == VARIANT_MODEL, "n"].sum()
    )
    usable = mart[(mart["variant"] == VARIANT_MODEL) & (mart["n"] >= MIN_BIN_TRACKS)]
    if usable.empty:
        assert calibration["sentence"] is None
    else:
        gap = (usable["mean_predicted"] - usable["observed_rate"]).abs().max()
        assert calibration["max_gap"]["value"] == pytest.approx(gap)
        assert calibration["within_tolerance"] == (gap <= TOLERANCE)
    assert all(m["calibration"] is None for m in report["models"] if m["task"] != "classification")


def _bins(rows: list[tuple]) -> pd.DataFrame:
    columns = ["run_id", "model_name", "variant", "split", "bin", "p_low", "p_high"]
    frame = pd.DataFrame(rows, columns=[*columns, "mean_predicted", "observed_rate", "n"])
    frame["bin_key"] = frame["variant"] + ":" + frame["bin"].astype(str)
    return frame


def test_reliability_sentence_within_and_not_within() -> None:
    calibrated = _bins(calibration_rows("r"))
    sentence, gap = reliability_sentence(calibrated)
    assert gap is not None and gap["value"] == pytest.approx(0.02)
    assert "within 0.05 of the predicted probability" in sentence["text"]
    assert sentence["text"].startswith("Of tracks given about ")
    assert all(f["source"].startswith(f"{HIT_CALIBRATION}[") for f in sentence["figures"][:2])
    # the model's bin 3 twelve points over-confident: said plainly, and by how much
    off = calibrated.copy()
    third = (off["variant"] == VARIANT_MODEL) & (off["bin"] == 3)
    off.loc[third, "observed_rate"] = off.loc[third, "mean_predicted"] - 0.12
    sentence, gap = reliability_sentence(off)
    assert gap["value"] == pytest.approx(0.12)
    assert "Not within 0.05 everywhere: in 1 of " in sentence["text"]
    assert "0.120 (0.070 beyond 0.05)" in sentence["text"] and "overstates" in sentence["text"]
    # too few tracks in every bin: no sentence rather than a claim on noise
    assert reliability_sentence(calibrated.assign(n=MIN_BIN_TRACKS - 1)) == (None, None)


def test_reliability_chart_with_and_without_data() -> None:
    svg = reliability_chart(_bins(calibration_rows("r")), MIN_BIN_TRACKS)
    assert svg is not None and svg.startswith("<svg") and "perfectly calibrated" in svg
    assert "cold-start model" in svg and "audio-only" not in svg  # model and cold start only
    assert reliability_chart(None) is None
    assert reliability_chart(_bins([])) is None
    assert reliability_chart(_bins(calibration_rows("r", (VARIANT_AUDIO_ONLY,)))) is None


def test_html_and_console_show_both_qualities(trained: Settings, report: dict[str, Any]) -> None:
    _, html_path = render_reports(trained, RunLog())
    page = html_path.read_text("utf-8")
    assert "How good are the scores, for known and for new artists?" in page
    assert "new artists: cold start" in page
    assert "Hit probability: predicted vs observed" in page  # the reliability chart's title
    assert "calibrated hit probability" in page and "model probability" not in page
    summary = console_summary(report, Path("index.html"))
    assert "new artists (cold start)" in summary
    # every model line names the model it measures, and the interval line the model that serves
    assert summary.count("(test, study's forest): ") == len(report["models"])
    assert re.search(r"80% interval of the served (forest|challenger) covers \d", summary)
    # when the challenger serves, the line says so and quotes its held-out lead metric
    challenged = copy.deepcopy(report)
    for run in challenged["model_run"]["models"]:
        run["params"]["serving_model"] = "challenger"
    stream = console_summary(challenged).split("stream_regressor (test, study's forest): ")[1]
    assert re.match(r"[^\n]*; scores served by the gradient-boosting challenger: R² -?\d", stream)
    assert "80% interval of the served challenger covers" in stream
