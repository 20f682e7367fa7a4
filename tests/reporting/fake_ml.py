"""FAKE training runs for tests: plausible rows in the ml tables of a warehouse COPY.

The real rows come from `python -m ml train` (ml/modeling/train.py). These helpers write rows
with the same columns (dbt_project/macros/ml_tables.sql) and the same vocabulary (model names,
variants, splits, metric names, importance types), so the post-model marts and the reports can
be tested without training forests. The numbers are invented; never use them for anything else.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ml.modeling.specs import (
    ALL_SPLITS,
    ALL_VARIANTS,
    CALIBRATION_BINS,
    CALIBRATION_METRICS,
    CLASSIFICATION_METRICS,
    DECISION_THRESHOLD,
    METRIC_INTERVAL_COVERAGE_80,
    METRIC_MEAN_PROBABILITY,
    METRIC_OBSERVED_RATE,
    SPLIT_CV_MEAN,
    SPLIT_CV_STD,
    SPLIT_OOB,
    SPLIT_TEST,
    SPLIT_TEST_NEW_ARTISTS,
    SPLIT_TRAIN,
    VARIANT_AUDIO_ONLY,
    VARIANT_COLD_START,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
)

# variants with a reliability table (the base rate is one constant probability)
RELIABILITY_VARIANTS = (VARIANT_MODEL, VARIANT_AUDIO_ONLY, VARIANT_COLD_START)

FAKE_RUN_ID = "20240601T120000Z-fake0001"
FAKE_CREATED_AT = datetime(2024, 6, 1, 12, 0, 0)

# model -> variant -> test R2 (other splits shifted below, cv_std a fixed spread)
_REGRESSION = {
    "stream_regressor": {
        "model": 0.62,
        "audio_only": 0.08,
        "mean_baseline": -0.001,
        "cold_start": 0.45,
        "challenger": 0.60,
    },
    "views_regressor": {
        "model": 0.35,
        "audio_only": 0.05,
        "mean_baseline": -0.002,
        "cold_start": 0.22,
        "challenger": 0.33,
    },
}
_CLASSIFICATION = {
    "model": {
        "roc_auc": 0.86,
        "pr_auc": 0.45,
        "f1": 0.46,
        "precision": 0.40,
        "recall": 0.55,
        "accuracy": 0.88,
    },
    "audio_only": {
        "roc_auc": 0.55,
        "pr_auc": 0.12,
        "f1": 0.19,
        "precision": 0.12,
        "recall": 0.45,
        "accuracy": 0.62,
    },
    "mean_baseline": {
        "roc_auc": 0.5,
        "pr_auc": 0.10,
        "f1": 0.0,
        "precision": 0.0,
        "recall": 0.0,
        "accuracy": 0.90,
    },
    "cold_start": {
        "roc_auc": 0.78,
        "pr_auc": 0.31,
        "f1": 0.36,
        "precision": 0.30,
        "recall": 0.50,
        "accuracy": 0.85,
    },
    "challenger": {
        "roc_auc": 0.85,
        "pr_auc": 0.43,
        "f1": 0.45,
        "precision": 0.39,
        "recall": 0.54,
        "accuracy": 0.87,
    },
}
# probability quality on every split (the base rate's Brier is p(1-p) of a 10% hit rate)
_CALIBRATION = {
    "model": {"brier": 0.065, "log_loss": 0.22, "ece": 0.012},
    "audio_only": {"brier": 0.089, "log_loss": 0.31, "ece": 0.015},
    "mean_baseline": {"brier": 0.09, "log_loss": 0.325, "ece": 0.004},
    "cold_start": {"brier": 0.074, "log_loss": 0.26, "ece": 0.018},
    "challenger": {"brier": 0.066, "log_loss": 0.23, "ece": 0.014},
}
_INTERVAL_COVERAGE = {"model": 0.66, "audio_only": 0.74, "cold_start": 0.61}
# added to every non-baseline score on a split (train: optimistic, new artists: harder)
_SHIFT = {SPLIT_TRAIN: 0.25, SPLIT_TEST: 0.0, SPLIT_CV_MEAN: -0.01, SPLIT_TEST_NEW_ARTISTS: -0.12}
HELD_OUT = (SPLIT_TEST, SPLIT_TEST_NEW_ARTISTS)
# the vocabulary of the fake rows is specs.py's: a new variant / split / metric fails here
assert set(_CLASSIFICATION) == set(_CALIBRATION) == set(ALL_VARIANTS)
assert all(set(v) == set(ALL_VARIANTS) for v in _REGRESSION.values())
assert set(_SHIFT) | {SPLIT_CV_STD, SPLIT_OOB} == set(ALL_SPLITS)
assert all(set(v) == set(CLASSIFICATION_METRICS) for v in _CLASSIFICATION.values())
assert all(set(v) | {METRIC_MEAN_PROBABILITY, METRIC_OBSERVED_RATE} == set(CALIBRATION_METRICS)
           for v in _CALIBRATION.values())  # fmt: skip
_FEATURES = {
    "stream_regressor": [
        "log_views",
        "artist",
        "log_likes",
        "youtube_engagement",
        "danceability",
        "energy",
        "duration_minutes",
        "album_type_single",
    ],
    "hit_classifier": ["log_views", "artist", "log_likes", "energy", "valence", "tempo"],
    "views_regressor": ["log_streams", "artist", "danceability", "loudness", "album_type_album"],
}


def _regression_rows(run_id: str, model: str, variant: str, r2: float) -> list[tuple]:
    rows: list[tuple] = []
    for split, shift in _SHIFT.items():
        value = min(r2 + (shift if variant != VARIANT_MEAN_BASELINE else 0.0), 0.99)
        rmse = 2.0 * (1.0 - value) ** 0.5
        values = {"r2": value, "rmse": rmse, "mse": rmse**2, "mae": 0.8 * rmse}
        values["r2_original_units"] = value - 0.2
        if split in HELD_OUT and variant in _INTERVAL_COVERAGE:
            coverage = _INTERVAL_COVERAGE[variant] - (0.04 if split != SPLIT_TEST else 0.0)
            values[METRIC_INTERVAL_COVERAGE_80] = coverage
        rows += [(run_id, model, variant, split, metric, v) for metric, v in values.items()]
    for metric, spread in (("r2", 0.015), ("rmse", 0.02), ("mse", 0.04), ("mae", 0.02)):
        rows.append((run_id, model, variant, SPLIT_CV_STD, metric, spread))
    rows.append((run_id, model, variant, SPLIT_CV_STD, "r2_original_units", 0.05))
    return rows


def _classification_rows(run_id: str, variant: str) -> list[tuple]:
    model = "hit_classifier"
    rows: list[tuple] = []
    for split, shift in _SHIFT.items():
        bump = 0.0 if variant == VARIANT_MEAN_BASELINE else shift / 5
        values = {metric: min(v + bump, 1.0) for metric, v in _CLASSIFICATION[variant].items()}
        values.update(_CALIBRATION[variant])
        values[METRIC_MEAN_PROBABILITY] = 0.1 + _CALIBRATION[variant]["ece"] / 2
        values[METRIC_OBSERVED_RATE] = 0.1
        rows += [(run_id, model, variant, split, metric, v) for metric, v in values.items()]
    for metric in _CLASSIFICATION[variant]:
        rows.append((run_id, model, variant, SPLIT_CV_STD, metric, 0.01))
    return rows


def _metric_rows(run_id: str) -> list[tuple]:
    rows: list[tuple] = []
    for model, variants in _REGRESSION.items():
        for variant, r2 in variants.items():
            rows += _regression_rows(run_id, model, variant, r2)
    for variant in _CLASSIFICATION:
        rows += _classification_rows(run_id, variant)
    thresholds = {"model": 0.41, "audio_only": 0.33, "cold_start": 0.38, "challenger": 0.40}
    for variant, threshold in thresholds.items():
        rows.append((run_id, "hit_classifier", variant, SPLIT_TRAIN, DECISION_THRESHOLD, threshold))
    return rows


def calibration_rows(run_id: str, variants: tuple[str, ...] = RELIABILITY_VARIANTS) -> list[tuple]:
    """ml.calibration rows of the hit classifier on held-out tracks: CALIBRATION_BINS bins per
    variant, fewer tracks in the higher bins, the observed rate within 0.03 of the prediction
    (the model) or further off (the others)."""
    rows: list[tuple] = []
    for offset, variant in enumerate(variants):
        for index in range(CALIBRATION_BINS):
            low, high = index / CALIBRATION_BINS, (index + 1) / CALIBRATION_BINS
            n = max(2000 // (index + 1) ** 2, 3)
            predicted = low + 0.4 / CALIBRATION_BINS
            gap = (0.02 if index % 2 else -0.02) * (1 + 2 * offset)
            observed = min(max(predicted + gap, 0.0), 1.0)
            rows.append(
                (run_id, "hit_classifier", variant, SPLIT_TEST, index + 1, low, high, predicted,
                 observed, n)
            )  # fmt: skip
    return rows


def _importance_rows(run_id: str) -> list[tuple]:
    rows: list[tuple] = []
    for model, features in _FEATURES.items():
        scoring = "roc_auc" if model == "hit_classifier" else "r2"
        weights = np.linspace(1.0, 0.1, len(features))
        impurity = weights / weights.sum()
        for feature, value in zip(features, impurity, strict=True):
            rows.append((run_id, model, feature, "impurity", float(value), float(value) / 5))
            rows.append((run_id, model, feature, f"permutation_{scoring}", float(value) / 2, 0.01))
    return rows


def _predictions(connection: duckdb.DuckDBPyConnection, run_id: str, seed: int) -> pd.DataFrame:
    tracks = connection.execute(
        "select uri, row_id, is_outlier, stream, log_streams, log_views, is_hit "
        "from marts.tracks order by row_id"
    ).df()
    rng = np.random.default_rng(seed)
    n = len(tracks)
    labelled = tracks["log_streams"].notna() & ~tracks["is_outlier"].astype(bool)
    split = np.where(labelled, np.where(rng.random(n) < 0.2, "test", "train"), "unlabelled")
    known = tracks["log_streams"].astype(float)
    mean_log = float(known.mean()) if known.notna().any() else 17.0
    predicted_log_streams = known.fillna(mean_log).to_numpy() * 0.8 + 0.2 * mean_log
    predicted_log_streams = predicted_log_streams + rng.normal(0, 0.6, n)
    hit = tracks["is_hit"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    logit = np.where(hit, 1.0, -2.2) + rng.normal(0, 1.2, n)
    hit_probability = 1 / (1 + np.exp(-logit))
    predicted_log_views = tracks["log_views"].astype(float).to_numpy() * 0.7 + rng.normal(0, 1, n)
    predicted_log_views = np.clip(predicted_log_views + 4.0, 0, None)
    return pd.DataFrame(
        {
            "run_id": run_id,
            "uri": tracks["uri"],
            "row_id": tracks["row_id"].astype("int64"),
            "split": split,
            "predicted_log_streams": predicted_log_streams,
            "predicted_streams": np.expm1(predicted_log_streams),
            "hit_probability": hit_probability,
            "predicted_hit": hit_probability >= 0.41,
            "predicted_log_views": predicted_log_views,
            "predicted_views": np.expm1(predicted_log_views),
        }
    )


def insert_fake_run(
    warehouse_path: Path,
    *,
    run_id: str = FAKE_RUN_ID,
    created_at: datetime = FAKE_CREATED_AT,
    seed: int = 0,
) -> str:
    """Replace the ml tables' rows with one FAKE run (three models) and return its run_id."""
    with duckdb.connect(str(warehouse_path)) as connection:
        predictions = _predictions(connection, run_id, seed)
        n_test = int((predictions["split"] == "test").sum())
        n_train = int((predictions["split"] == "train").sum())
        for table in ("runs", "metrics", "feature_importance", "predictions", "calibration"):
            connection.execute(f"delete from ml.{table}")
        for model, trees, depth in (
            ("stream_regressor", 200, 15),
            ("hit_classifier", 200, 10),
            ("views_regressor", 150, 12),
        ):
            connection.execute(
                "insert into ml.runs (run_id, model_name, created_at, params_json, features_json,"
                " target, n_train, n_test, data_fingerprint, artifact_path, artifact_sha256,"
                " fit_seconds, total_seconds, code_version, status)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, 'fake', ?, 'fake', 1.5, 9.0, 'fake', 'ok')",
                [
                    run_id,
                    model,
                    created_at,
                    json.dumps({"n_estimators": trees, "max_depth": depth, "random_state": 42}),
                    json.dumps(_FEATURES[model]),
                    {"hit_classifier": "is_hit", "views_regressor": "log_views"}.get(
                        model, "log_streams"
                    ),
                    n_train,
                    n_test,
                    f"runs/{run_id}/{model}.joblib",
                ],
            )
        connection.executemany(
            "insert into ml.metrics values (?, ?, ?, ?, ?, ?)", _metric_rows(run_id)
        )
        connection.executemany(
            "insert into ml.feature_importance values (?, ?, ?, ?, ?, ?)", _importance_rows(run_id)
        )
        connection.executemany(
            "insert into ml.calibration values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            calibration_rows(run_id),
        )
        connection.register("fake_predictions", predictions)
        connection.execute("insert into ml.predictions by name select * from fake_predictions")
    return run_id
