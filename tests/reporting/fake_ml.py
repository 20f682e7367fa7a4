"""FAKE training runs for tests: plausible rows in the ml tables of a warehouse COPY.

The real rows come from `python -m ml train` (ml/modeling/train.py). These helpers write rows
with the same columns (dbt_project/macros/ml_tables.sql) and the same vocabulary: model names,
variants, splits and metric names from ml/modeling/specs.py, the splits of each variant as
ml/modeling/train.py writes them (tests/modeling/test_model_values.py compares them with a real
run), so the post-model marts and the reports can be tested without training forests. The
numbers are invented; never use them for anything else.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ml.modeling.specs import (
    ALL_VARIANTS,
    CALIBRATION_BINS,
    DECISION_THRESHOLD,
    HIT_CLASSIFIER,
    METRIC_ACCURACY,
    METRIC_BRIER,
    METRIC_ECE,
    METRIC_F1,
    METRIC_INTERVAL_COVERAGE_80,
    METRIC_LOG_LOSS,
    METRIC_MAE,
    METRIC_MEAN_PROBABILITY,
    METRIC_MSE,
    METRIC_OBSERVED_RATE,
    METRIC_PR_AUC,
    METRIC_PRECISION,
    METRIC_R2,
    METRIC_R2_ORIGINAL_UNITS,
    METRIC_RECALL,
    METRIC_RMSE,
    METRIC_ROC_AUC,
    MODEL_SPECS,
    SPLIT_CV_MEAN,
    SPLIT_CV_STD,
    SPLIT_NOT_SAMPLED,
    SPLIT_OOB,
    SPLIT_TEST,
    SPLIT_TEST_NEW_ARTISTS,
    SPLIT_TRAIN,
    SPLIT_UNLABELLED,
    STREAM_REGRESSOR,
    VARIANT_AUDIO_ONLY,
    VARIANT_CHALLENGER,
    VARIANT_COLD_START,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    VIEWS_REGRESSOR,
    ModelSpec,
    metric_names,
)

# variants with a reliability table (the base rate is one constant probability)
RELIABILITY_VARIANTS = (VARIANT_MODEL, VARIANT_AUDIO_ONLY, VARIANT_COLD_START)

FAKE_RUN_ID = "20240601T120000Z-fake0001"
FAKE_CREATED_AT = datetime(2024, 6, 1, 12, 0, 0)

# Headline values per model and variant (R2 of the regressors; the classifier's metrics below).
_REGRESSION = {
    STREAM_REGRESSOR.name: dict(zip(ALL_VARIANTS, (0.62, 0.08, -0.001, 0.45, 0.60), strict=True)),
    VIEWS_REGRESSOR.name: dict(zip(ALL_VARIANTS, (0.35, 0.05, -0.002, 0.25, 0.33), strict=True)),
}
_CLASSIFICATION = {
    VARIANT_MODEL: {
        METRIC_ROC_AUC: 0.86,
        METRIC_PR_AUC: 0.45,
        METRIC_F1: 0.46,
        METRIC_PRECISION: 0.40,
        METRIC_RECALL: 0.55,
        METRIC_ACCURACY: 0.88,
    },
    VARIANT_AUDIO_ONLY: {
        METRIC_ROC_AUC: 0.55,
        METRIC_PR_AUC: 0.12,
        METRIC_F1: 0.19,
        METRIC_PRECISION: 0.12,
        METRIC_RECALL: 0.45,
        METRIC_ACCURACY: 0.62,
    },
    VARIANT_COLD_START: {
        METRIC_ROC_AUC: 0.78,
        METRIC_PR_AUC: 0.33,
        METRIC_F1: 0.38,
        METRIC_PRECISION: 0.31,
        METRIC_RECALL: 0.50,
        METRIC_ACCURACY: 0.84,
    },
    VARIANT_CHALLENGER: {
        METRIC_ROC_AUC: 0.85,
        METRIC_PR_AUC: 0.43,
        METRIC_F1: 0.45,
        METRIC_PRECISION: 0.39,
        METRIC_RECALL: 0.54,
        METRIC_ACCURACY: 0.87,
    },
    VARIANT_MEAN_BASELINE: {
        METRIC_ROC_AUC: 0.5,
        METRIC_PR_AUC: 0.10,
        METRIC_F1: 0.0,
        METRIC_PRECISION: 0.0,
        METRIC_RECALL: 0.0,
        METRIC_ACCURACY: 0.90,
    },
}
# probability quality on every split (the base rate's Brier is p(1-p) of a 10% hit rate)
_CALIBRATION = {
    VARIANT_MODEL: {METRIC_BRIER: 0.065, METRIC_LOG_LOSS: 0.22, METRIC_ECE: 0.012},
    VARIANT_AUDIO_ONLY: {METRIC_BRIER: 0.089, METRIC_LOG_LOSS: 0.31, METRIC_ECE: 0.015},
    VARIANT_MEAN_BASELINE: {METRIC_BRIER: 0.09, METRIC_LOG_LOSS: 0.325, METRIC_ECE: 0.004},
    VARIANT_COLD_START: {METRIC_BRIER: 0.074, METRIC_LOG_LOSS: 0.26, METRIC_ECE: 0.018},
    VARIANT_CHALLENGER: {METRIC_BRIER: 0.066, METRIC_LOG_LOSS: 0.23, METRIC_ECE: 0.014},
}
_COVERAGE = 0.78  # interval_coverage_80 of a fitted regressor on held-out tracks
_THRESHOLDS = {
    VARIANT_MODEL: 0.41,
    VARIANT_AUDIO_ONLY: 0.33,
    VARIANT_COLD_START: 0.38,
    VARIANT_CHALLENGER: 0.40,
}
# a metric a newer specs.py adds and this file does not know yet still gets a (plausible) value
_OTHER_METRIC_VALUE = 0.5
_FEATURES = {
    STREAM_REGRESSOR.name: [
        "log_views",
        "artist",
        "log_likes",
        "youtube_engagement",
        "danceability",
        "energy",
        "duration_minutes",
        "album_type_single",
    ],
    HIT_CLASSIFIER.name: ["log_views", "artist", "log_likes", "energy", "valence", "tempo"],
    VIEWS_REGRESSOR.name: ["log_streams", "artist", "danceability", "loudness", "album_type_album"],
}


def _splits(spec: ModelSpec, variant: str) -> tuple[str, ...]:
    """The splits training writes for a variant (ml/modeling/train.py): held-out tracks and
    held-out artists always; the model's estimate on unseen training rows (CV for a spec whose
    training_estimate is 'cv', out-of-bag otherwise; the baseline's CV beside a CV) and its
    in-sample rows; the audio-only and cold-start forests out-of-bag; the challenger CV."""
    held_out = (SPLIT_TEST, SPLIT_TEST_NEW_ARTISTS)
    cross_validated = spec.training_estimate == "cv"
    if variant in (VARIANT_AUDIO_ONLY, VARIANT_COLD_START):
        return (*held_out, SPLIT_OOB)
    if variant == VARIANT_CHALLENGER or (cross_validated and variant != VARIANT_MODEL):
        return (SPLIT_TRAIN, *held_out, SPLIT_CV_MEAN, SPLIT_CV_STD)
    if variant == VARIANT_MODEL:
        estimate = (SPLIT_CV_MEAN, SPLIT_CV_STD) if cross_validated else (SPLIT_OOB,)
        return (SPLIT_TRAIN, *held_out, *estimate)
    return (SPLIT_TRAIN, *held_out)


def _regression_values(r2: float) -> dict[str, float]:
    rmse = 2.0 * (1.0 - r2) ** 0.5
    return {
        METRIC_R2: r2,
        METRIC_RMSE: rmse,
        METRIC_MSE: rmse**2,
        METRIC_MAE: 0.8 * rmse,
        METRIC_R2_ORIGINAL_UNITS: r2 - 0.2,
    }


def _values(spec: ModelSpec, variant: str, split: str) -> dict[str, float]:
    """Invented values of every metric specs.py names for the model's task (and, for a fitted
    regressor on held-out tracks, the coverage of its tree interval)."""
    shift = {SPLIT_TRAIN: 0.25, SPLIT_CV_MEAN: -0.01, SPLIT_OOB: -0.01}.get(split, 0.0)
    shift = {SPLIT_TEST_NEW_ARTISTS: -0.1}.get(split, shift)
    if variant == VARIANT_MEAN_BASELINE:
        shift = 0.0
    if spec.task == "regression":
        known = _regression_values(min(_REGRESSION[spec.name][variant] + shift, 0.99))
    else:
        known = {
            name: min(value + shift / 5, 1.0) for name, value in _CLASSIFICATION[variant].items()
        }
        known.update(_CALIBRATION[variant])
        known[METRIC_MEAN_PROBABILITY] = 0.1 + _CALIBRATION[variant][METRIC_ECE] / 2
        known[METRIC_OBSERVED_RATE] = 0.1
    values = {name: known.get(name, _OTHER_METRIC_VALUE) for name in metric_names(spec.task)}
    held_out = split in (SPLIT_TEST, SPLIT_TEST_NEW_ARTISTS)
    if spec.task == "regression" and held_out and variant != VARIANT_MEAN_BASELINE:
        values[METRIC_INTERVAL_COVERAGE_80] = _COVERAGE
    if split == SPLIT_CV_STD:
        return {name: 0.015 for name in values}
    return values


def fake_metric_rows(run_id: str) -> list[tuple]:
    rows: list[tuple] = []
    for spec in MODEL_SPECS:
        for variant in ALL_VARIANTS:
            for split in _splits(spec, variant):
                for metric, value in _values(spec, variant, split).items():
                    rows.append((run_id, spec.name, variant, split, metric, value))
            if spec.task == "classification" and variant in _THRESHOLDS:
                threshold = _THRESHOLDS[variant]
                rows.append(
                    (run_id, spec.name, variant, SPLIT_TRAIN, DECISION_THRESHOLD, threshold)
                )
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
        scoring = METRIC_ROC_AUC if model == HIT_CLASSIFIER.name else METRIC_R2
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
    draw = rng.random(n)  # 20% held out, 10% beyond a training cap (not_sampled), the rest train
    sampled = np.where(draw < 0.2, SPLIT_TEST, np.where(draw < 0.3, SPLIT_NOT_SAMPLED, SPLIT_TRAIN))
    split = np.where(labelled, sampled, SPLIT_UNLABELLED)
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
        n_test = int((predictions["split"] == SPLIT_TEST).sum())
        n_train = int((predictions["split"] == SPLIT_TRAIN).sum())
        for table in ("runs", "metrics", "feature_importance", "predictions", "calibration"):
            connection.execute(f"delete from ml.{table}")
        for spec in MODEL_SPECS:
            connection.execute(
                "insert into ml.runs (run_id, model_name, created_at, params_json, features_json,"
                " target, n_train, n_test, data_fingerprint, artifact_path, artifact_sha256,"
                " fit_seconds, total_seconds, code_version, status)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, 'fake', ?, 'fake', 1.5, 9.0, 'fake', 'ok')",
                [
                    run_id,
                    spec.name,
                    created_at,
                    json.dumps(
                        {
                            "n_estimators": spec.n_estimators,
                            "max_depth": spec.max_depth,
                            "random_state": 42,
                            "evaluation_trees": 50,
                            "audio_only_trees": 50,
                            "cold_start_trees": 100,
                            "permutation_rows": 2000,
                        }
                    ),
                    json.dumps(_FEATURES[spec.name]),
                    spec.target,
                    n_train,
                    n_test,
                    f"runs/{run_id}/{spec.name}.joblib",
                ],
            )
        connection.executemany(
            "insert into ml.metrics values (?, ?, ?, ?, ?, ?)", fake_metric_rows(run_id)
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
