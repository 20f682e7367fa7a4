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

FAKE_RUN_ID = "20240601T120000Z-fake0001"
FAKE_CREATED_AT = datetime(2024, 6, 1, 12, 0, 0)

# model -> variant -> split -> metric -> value (cv_std derived below)
_REGRESSION = {
    "stream_regressor": {"model": 0.62, "audio_only": 0.08, "mean_baseline": -0.001},
    "views_regressor": {"model": 0.35, "audio_only": 0.05, "mean_baseline": -0.002},
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
}
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


def _metric_rows(run_id: str) -> list[tuple]:
    rows: list[tuple] = []
    for model, variants in _REGRESSION.items():
        for variant, r2 in variants.items():
            for split, shift in (("train", 0.25), ("test", 0.0), ("cv_mean", -0.01)):
                value = min(r2 + (shift if variant != "mean_baseline" else 0.0), 0.99)
                rmse = 2.0 * (1.0 - value) ** 0.5
                for metric, metric_value in (
                    ("r2", value),
                    ("rmse", rmse),
                    ("mse", rmse**2),
                    ("mae", 0.8 * rmse),
                    ("r2_original_units", value - 0.2),
                ):
                    rows.append((run_id, model, variant, split, metric, metric_value))
            for metric, spread in (("r2", 0.015), ("rmse", 0.02), ("mse", 0.04), ("mae", 0.02)):
                rows.append((run_id, model, variant, "cv_std", metric, spread))
            rows.append((run_id, model, variant, "cv_std", "r2_original_units", 0.05))
    for variant, metrics in _CLASSIFICATION.items():
        for split, shift in (("train", 0.05), ("test", 0.0), ("cv_mean", -0.005)):
            for metric, value in metrics.items():
                bump = shift if variant != "mean_baseline" else 0.0
                rows.append(
                    (run_id, "hit_classifier", variant, split, metric, min(value + bump, 1.0))
                )
        for metric in metrics:
            rows.append((run_id, "hit_classifier", variant, "cv_std", metric, 0.01))
    rows.append((run_id, "hit_classifier", "model", "train", "decision_threshold", 0.41))
    rows.append((run_id, "hit_classifier", "audio_only", "train", "decision_threshold", 0.33))
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
        for table in ("runs", "metrics", "feature_importance", "predictions"):
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
        connection.register("fake_predictions", predictions)
        connection.execute("insert into ml.predictions by name select * from fake_predictions")
    return run_id
