"""Training, the run registry, atomic publishing and scoring, on copies of the small warehouse.

Forests are tiny (TINY below) so the whole file runs in well under a minute."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from ml.__main__ import main
from ml.config import Settings
from ml.modeling import registry
from ml.modeling.dataset import iter_tracks, load_modelling_frame, split_by_track
from ml.modeling.predict import write_predictions
from ml.modeling.serving import INTERVAL_COLUMNS, predict_tracks
from ml.modeling.specs import MODEL_SPECS
from ml.modeling.train import TrainingConfig, train_all
from ml.runtime.errors import PipelineError
from tests.helpers import copy_warehouse, sql_rows

TINY = TrainingConfig(n_estimators=8, max_depth=5, cv_folds=3, permutation_repeats=1)
MODEL_NAMES = {"stream_regressor", "hit_classifier", "views_regressor"}

pytestmark = pytest.mark.slow


def metric_values(settings: Settings, run_id: str) -> pd.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(
            "select model_name, variant, split, metric, value from ml.metrics where run_id = ? "
            "order by all",
            [run_id],
        ).df()


@pytest.fixture(scope="module")
def trained(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = copy_warehouse(built_warehouse, tmp_path_factory.mktemp("trained"))
    train_all(settings, progress=False, config=TINY)
    return settings


def test_first_dbt_build_leaves_empty_ml_tables(built_warehouse: Settings) -> None:
    tables = ("runs", "metrics", "feature_importance", "predictions", "hypothesis_tests")
    for table in (*tables, "calibration"):
        assert sql_rows(built_warehouse, f"select count(*) from ml.{table}") == [(0,)]
    schemas = {
        row[0] for row in sql_rows(built_warehouse, "select schema_name from duckdb_schemas()")
    }
    assert "scoring" not in schemas, "scoring models are disabled in a plain dbt build"


def test_run_is_recorded(trained: Settings) -> None:
    runs = sql_rows(
        trained, "select run_id, model_name, artifact_sha256, code_version from ml.runs"
    )
    assert {row[1] for row in runs} == MODEL_NAMES
    assert len({row[0] for row in runs}) == 1
    [(run_id, *_)] = runs[:1]
    metadata = json.loads((trained.models_dir / "model_metadata.json").read_text())
    assert metadata["run_id"] == run_id
    for _, name, sha, _ in runs:
        artifact = trained.models_dir / metadata["models"][name]["artifact_path"]
        assert registry.sha256_file(artifact) == sha
    variants = set(sql_rows(trained, "select distinct model_name, variant, split from ml.metrics"))
    cross_validated = ("train", "test", "cv_mean", "cv_std", "test_new_artists")
    for spec in MODEL_SPECS:
        # the model's estimate on unseen training rows: 5-fold CV for the headline stream forest,
        # out-of-bag for the others; audio-only and cold-start forests always out-of-bag, and
        # measured in-sample (train) only for the model; the challengers are cross-validated
        estimate = ("cv_mean", "cv_std") if spec.training_estimate == "cv" else ("oob",)
        baseline = ("cv_mean", "cv_std") if spec.training_estimate == "cv" else ()
        held_out = ("test", "test_new_artists")
        # a classifier variant's decision threshold is a row of split train
        threshold = ("train",) if spec.task == "classification" else ()
        assert {(v, s) for m, v, s in variants if m == spec.name} == {
            *(("model", split) for split in ("train", *held_out, *estimate)),
            *(("mean_baseline", split) for split in ("train", *held_out, *baseline)),
            *(("audio_only", split) for split in (*held_out, "oob", *threshold)),
            *(("cold_start", split) for split in (*held_out, "oob", *threshold)),
            *(("challenger", split) for split in cross_validated),
        }, spec.name
    thresholds = dict(
        sql_rows(
            trained,
            "select variant, value from ml.metrics where model_name = 'hit_classifier' "
            "and metric = 'decision_threshold'",
        )
    )
    assert set(thresholds) == {"model", "audio_only", "cold_start", "challenger"}
    assert all(0.0 <= value <= 1.0 for value in thresholds.values()), thresholds
    # the rows ml/statistics/hypotheses.py reads for H1
    h1 = sql_rows(
        trained,
        "select split, value from ml.metrics where model_name = 'stream_regressor' "
        "and variant = 'model' and split in ('cv_mean', 'cv_std') and metric = 'r2'",
    )
    assert {split for split, _ in h1} == {"cv_mean", "cv_std"}
    importance_types = {
        row[0]
        for row in sql_rows(trained, "select distinct importance_type from ml.feature_importance")
    }
    assert "impurity" in importance_types and len(importance_types) >= 2


def test_calibration_and_new_artist_metrics_are_recorded(trained: Settings) -> None:
    [(run_id,)] = sql_rows(trained, "select distinct run_id from ml.runs")
    metrics = metric_values(trained, run_id).set_index(["model_name", "variant", "split", "metric"])
    value = metrics["value"]
    for variant in ("model", "audio_only", "mean_baseline", "cold_start", "challenger"):
        for metric in ("brier", "log_loss", "ece", "mean_probability", "observed_rate"):
            for split in ("test", "test_new_artists"):
                assert np.isfinite(value["hit_classifier", variant, split, metric])
    for split, variant in (
        ("test", "model"),
        ("test_new_artists", "cold_start"),
        ("test", "challenger"),
    ):
        assert 0.0 <= value["stream_regressor", variant, split, "interval_coverage_80"] <= 1.0
    params = json.loads(
        sql_rows(trained, "select params_json from ml.runs where model_name = 'hit_classifier'")[0][
            0
        ]
    )
    assert params["calibration_method"] in ("isotonic", "sigmoid")
    assert params["cold_start"]["calibration_method"] in ("isotonic", "sigmoid")
    assert params["challenger"]["calibration_method"] in ("isotonic", "sigmoid")
    # which model serves: ML_SERVING_MODEL (default auto: the better CV metric on training)
    assert params["serving_setting"] == "auto"
    cv = params["serving_cv_metric"]
    better = "challenger" if cv["challenger"] > cv["forest"] else "forest"
    assert params["serving_model"] == better
    bins = sql_rows(
        trained,
        "select variant, split, count(*), sum(n), min(bin), max(bin) from ml.calibration "
        "group by all order by all",
    )
    [(test_rows,)] = sql_rows(trained, "select count(*) from ml.predictions where split = 'test'")
    assert {(variant, split) for variant, split, *_ in bins} == {
        (variant, split)
        for variant in ("audio_only", "cold_start", "model")
        for split in ("test", "test_new_artists")
    }
    for variant, split, count, tracks, low, high in bins:
        assert (count, low, high) == (10, 1, 10), (variant, split)
        if split == "test":
            assert tracks == test_rows


def test_predictions_cover_every_distinct_track_once(trained: Settings) -> None:
    [(tracks,)] = sql_rows(trained, "select count(*) from marts.tracks")
    [(rows, uris, run_ids)] = sql_rows(
        trained, "select count(*), count(distinct uri), count(distinct run_id) from ml.predictions"
    )
    assert rows == uris == tracks and run_ids == 1
    splits = dict(sql_rows(trained, "select split, count(*) from ml.predictions group by 1"))
    [(modelling,)] = sql_rows(trained, "select count(*) from marts.model_features")
    assert splits["train"] + splits["test"] == modelling
    assert splits.get("unlabelled", 0) == tracks - modelling
    [(test_share,)] = sql_rows(
        trained, "select avg((split = 'test')::int) from ml.predictions where split != 'unlabelled'"
    )
    assert test_share == pytest.approx(0.2, abs=0.01)
    [(bad,)] = sql_rows(
        trained,
        "select count(*) from ml.predictions where predicted_streams is null "
        "or hit_probability not between 0 and 1 or predicted_views is null",
    )
    assert bad == 0


def test_predictions_in_threads_match_one_thread(trained: Settings, tmp_path: Path) -> None:
    """write_predictions over batches of one DuckDB vector (2,048 rows) in 1 and 3 threads: the
    same parts, the same rows (up to the last bits that the forests' own threaded sums already
    move, ~1e-14)."""
    config = TINY
    models = registry.load_models(trained.models_dir).serving()
    frame, total = load_modelling_frame(
        trained.warehouse_path, max_rows=config.max_training_rows, random_state=config.random_state
    )
    data = split_by_track(
        frame, test_size=config.test_size, random_state=config.random_state, total_rows=total
    )
    outputs = {}
    for workers in (1, 3):
        glob = write_predictions(
            trained, "run", models, data, tmp_path / str(workers), batch_rows=2048, workers=workers
        )
        with duckdb.connect() as connection:
            outputs[workers] = connection.execute(
                f"select * from read_parquet('{glob}') order by row_id"
            ).df()
    parts = sorted(path.name for path in (tmp_path / "1").iterdir())
    assert len(parts) >= 2 and parts == sorted(path.name for path in (tmp_path / "3").iterdir())
    [(tracks,)] = sql_rows(trained, "select count(*) from marts.tracks")
    assert len(outputs[1]) == tracks and outputs[1]["uri"].is_unique
    pd.testing.assert_frame_equal(outputs[1], outputs[3], check_exact=False, rtol=1e-12)
    # ml.predictions has no interval columns, so they are not computed; the rest is unchanged
    batch = next(iter_tracks(trained.warehouse_path, batch_rows=2048))
    full = predict_tracks(batch, models).set_index(batch["uri"])
    written = outputs[1].set_index("uri").loc[full.index]
    assert not set(INTERVAL_COLUMNS) & set(written.columns)
    for column in ("predicted_log_streams", "hit_probability", "predicted_log_views"):
        np.testing.assert_allclose(written[column], full[column], rtol=1e-12)
    assert (written["model_variant"] == full["model_variant"]).all()


def test_rerun_is_reproducible_and_replaces_predictions(trained: Settings, tmp_path: Path) -> None:
    settings = copy_warehouse(trained, tmp_path)
    shutil.copytree(trained.models_dir, settings.models_dir)
    [(first_run,)] = sql_rows(settings, "select distinct run_id from ml.predictions")
    second_run = train_all(settings, progress=False, config=TINY)
    assert second_run != first_run
    pd.testing.assert_frame_equal(
        metric_values(settings, first_run), metric_values(settings, second_run)
    )
    [(rows, uris, run_ids)] = sql_rows(
        settings, "select count(*), count(distinct uri), min(run_id) from ml.predictions"
    )
    assert rows == uris and run_ids == second_run
    assert sql_rows(settings, "select count(distinct run_id) from ml.runs") == [(2,)]


def test_predictions_do_not_read_the_targets(trained: Settings) -> None:
    """Stream and hit predictions of a track do not change with its streams (the views model may
    read log_streams, a Spotify-side input)."""
    from ml.modeling.dataset import iter_tracks
    from ml.modeling.predict import predict_frame

    loaded = registry.load_models(trained.models_dir)
    frame = next(iter_tracks(trained.warehouse_path, batch_rows=4096))
    before = predict_frame(frame, loaded.pipelines, 0.5)
    after = predict_frame(
        frame.assign(log_streams=frame["log_streams"] * 0 + 1.0), loaded.pipelines, 0.5
    )
    for column in ("predicted_log_streams", "hit_probability"):
        pd.testing.assert_series_equal(before[column], after[column])


def test_tampered_artifact_is_refused(trained: Settings, tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    shutil.copytree(trained.models_dir, models_dir)
    registry.load_models(models_dir)  # intact: loads
    metadata = json.loads((models_dir / "model_metadata.json").read_text())
    artifact = models_dir / metadata["models"]["hit_classifier"]["artifact_path"]
    with artifact.open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(PipelineError, match="does not match its recorded sha256"):
        registry.load_models(models_dir)


@pytest.mark.parametrize("entry", ["cold_start", "training_artists"])
def test_tampered_cold_start_model_or_artist_list_is_refused(
    trained: Settings, tmp_path: Path, entry: str
) -> None:
    models_dir = tmp_path / "models"
    shutil.copytree(trained.models_dir, models_dir)
    loaded = registry.load_models(models_dir)
    assert set(loaded.cold_start_pipelines) == MODEL_NAMES
    assert loaded.training_artists
    metadata = json.loads((models_dir / "model_metadata.json").read_text())
    if entry == "cold_start":
        artifact = (
            models_dir / metadata["models"]["stream_regressor"]["cold_start"]["artifact_path"]
        )
    else:
        artifact = models_dir / metadata["training_artists"]["artifact_path"]
    with artifact.open("ab") as handle:
        handle.write(b" ")
    with pytest.raises(PipelineError, match="does not match its recorded sha256"):
        registry.load_models(models_dir)


def test_failed_publish_leaves_the_warehouse_as_it_was(trained: Settings, tmp_path: Path) -> None:
    settings = copy_warehouse(trained, tmp_path)
    shutil.copytree(trained.models_dir, settings.models_dir)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        # a NOT NULL column that training does not write: replacing ml.predictions fails after
        # the run's other rows are inserted and the old predictions deleted (one transaction)
        connection.execute("alter table ml.predictions add column audit_note varchar default 'x'")
        connection.execute("alter table ml.predictions alter column audit_note set not null")
        connection.execute("alter table ml.predictions alter column audit_note drop default")
    before = {
        table: sql_rows(settings, f"select * from ml.{table} order by all")
        for table in ("predictions", "runs", "metrics")
    }
    current = (settings.models_dir / "model_metadata.json").read_text()
    with pytest.raises(duckdb.ConstraintException, match="audit_note"):
        train_all(settings, progress=False, config=TINY)
    for table, rows in before.items():
        assert sql_rows(settings, f"select * from ml.{table} order by all") == rows, table
    assert (settings.models_dir / "model_metadata.json").read_text() == current


def _write_new_tracks(source: Path, target: Path, rows: int, *, stream: str) -> list[list[str]]:
    """The first `rows` records of the raw file as new tracks: Stream emptied or dropped."""
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        records = [next(reader) for _ in range(rows)]
    at = header.index("Stream")
    views = header.index("Views")
    records[1][views] = ""  # a track without YouTube numbers yet
    records[2][header.index("Danceability")] = "loud"  # unusable: quarantined, not scored
    if stream == "empty":
        records = [[*r[:at], "", *r[at + 1 :]] for r in records]
    else:
        header = header[:at] + header[at + 1 :]
        records = [r[:at] + r[at + 1 :] for r in records]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(records)
    return records


@pytest.mark.parametrize("stream", ["empty", "absent"])
def test_score_cli_gives_one_row_per_input_row(
    trained: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stream: str
) -> None:
    settings = copy_warehouse(trained, tmp_path / "warehouse")
    shutil.copytree(trained.models_dir, settings.models_dir)
    for name, value in {
        "WAREHOUSE_PATH": settings.warehouse_path,
        "MODELS_DIR": settings.models_dir,
        "REPORTS_DIR": settings.reports_dir,
        "RAW_DATA_PATH": settings.raw_data_path,
        **settings.extra_env,
    }.items():
        monkeypatch.setenv(name, str(value))
    new_tracks = tmp_path / "new_tracks.csv"
    records = _write_new_tracks(settings.raw_data_path, new_tracks, 40, stream=stream)
    output = tmp_path / "scores.csv"

    assert main(["score", "--input", str(new_tracks), "--output", str(output)]) == 0

    scores = pd.read_csv(output, dtype={"row_id": str})
    assert list(scores["row_id"]) == [record[0] for record in records]
    assert scores.loc[2, "not_scored_reason"].startswith("Danceability: not a number")
    scored = scores.drop(index=2)
    assert scored["not_scored_reason"].isna().all()
    assert scored[["predicted_streams", "hit_probability", "predicted_views"]].notna().all().all()
    # the same SQL features and models as training: identical stream and hit predictions for
    # tracks of the warehouse whose inputs were not changed here (rows 1 and 2 were)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        known = connection.execute(
            "select uri, cast(row_id as varchar) as row_id, predicted_streams, hit_probability "
            "from ml.predictions"
        ).df()
    # (a collaboration's later listing has another artist, so only first listings compare)
    same = scores.iloc[3:].merge(known, on=["uri", "row_id"], suffixes=("", "_warehouse"))
    assert len(same) > 10
    assert (
        same["predicted_streams"] - same["predicted_streams_warehouse"].round()
    ).abs().max() <= 1
    assert (same["hit_probability"] - same["hit_probability_warehouse"]).abs().max() < 1e-4


def test_score_refuses_a_file_without_required_columns(trained: Settings, tmp_path: Path) -> None:
    from ml.modeling.score import score_file

    bad = tmp_path / "bad.csv"
    bad.write_text(",Artist,Uri\n0,a,spotify:track:x\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="missing column"):
        score_file(trained, bad, tmp_path / "out.csv", progress=False)
