"""Metrics, the decision threshold, and feature importances (no training here), and the rows
of ml.metrics they become."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_curve,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)
from sklearn.pipeline import Pipeline

from ml.modeling.calibration import calibration_metrics
from ml.modeling.specs import (
    INTERVAL_QUANTILES,
    METRIC_ACCURACY,
    METRIC_F1,
    METRIC_MAE,
    METRIC_MSE,
    METRIC_PR_AUC,
    METRIC_PRECISION,
    METRIC_R2,
    METRIC_R2_ORIGINAL_UNITS,
    METRIC_RECALL,
    METRIC_RMSE,
    METRIC_ROC_AUC,
    SPLIT_CV_MEAN,
    SPLIT_CV_STD,
    ModelSpec,
)

# Decision threshold of a classifier that has none recorded.
DEFAULT_THRESHOLD = 0.5


def decision_threshold(recorded: float | None) -> float:
    """A classifier's recorded decision threshold (DEFAULT_THRESHOLD when none)."""
    return DEFAULT_THRESHOLD if recorded is None else float(recorded)


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Metrics in the model's (log) space, plus R2 back in counts (expm1 of both sides)."""
    mse = float(mean_squared_error(y_true, y_pred))
    return {
        METRIC_R2: float(r2_score(y_true, y_pred)),
        METRIC_RMSE: float(np.sqrt(mse)),
        METRIC_MSE: mse,
        METRIC_MAE: float(mean_absolute_error(y_true, y_pred)),
        METRIC_R2_ORIGINAL_UNITS: float(r2_score(np.expm1(y_true), np.expm1(y_pred))),
    }


def classification_metrics(
    y_true: np.ndarray, probability: np.ndarray, threshold: float
) -> dict[str, float]:
    """Threshold-free ranking metrics first (ROC-AUC, PR-AUC), then positive-class metrics at the
    given decision threshold. With one class only, the ranking metrics are NaN."""
    y_true = np.asarray(y_true, dtype=int)
    predicted = (np.asarray(probability) >= threshold).astype(int)
    both_classes = len(np.unique(y_true)) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-division warnings: reported as 0
        return {
            METRIC_ROC_AUC: float(roc_auc_score(y_true, probability)) if both_classes else np.nan,
            METRIC_PR_AUC: float(average_precision_score(y_true, probability))
            if both_classes
            else np.nan,
            METRIC_F1: float(f1_score(y_true, predicted, zero_division=0)),
            METRIC_PRECISION: float(precision_score(y_true, predicted, zero_division=0)),
            METRIC_RECALL: float(recall_score(y_true, predicted, zero_division=0)),
            METRIC_ACCURACY: float(accuracy_score(y_true, predicted)),
        }


def best_f1_threshold(y_true: np.ndarray, probability: np.ndarray) -> float:
    """The probability threshold that maximises positive-class F1 (ties: the highest threshold).

    Call it on out-of-fold TRAINING predictions only, never on the test set."""
    precision, recall, thresholds = precision_recall_curve(y_true, probability)
    if len(thresholds) == 0:
        return DEFAULT_THRESHOLD
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)[
            :-1
        ]
    best = np.flatnonzero(f1 == f1.max())[-1]
    return float(thresholds[best])


def summarise_folds(fold_metrics: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """{'cv_mean': {...}, 'cv_std': {...}} over folds (std with ddof=1, as sklearn users expect)."""
    frame = pd.DataFrame(fold_metrics)
    return {
        SPLIT_CV_MEAN: frame.mean().to_dict(),
        SPLIT_CV_STD: frame.std(ddof=1).fillna(0.0).to_dict(),
    }


def predict_target(pipeline: Pipeline, spec: ModelSpec, features: pd.DataFrame) -> np.ndarray:
    """What the metrics read: the hit probability of a classifier, the value of a regressor."""
    if spec.task == "classification":
        return pipeline.predict_proba(features)[:, 1]
    return pipeline.predict(features)


def task_metrics(
    spec: ModelSpec, y: np.ndarray, predicted: np.ndarray, threshold: float | None
) -> dict[str, float]:
    """The spec's metrics (classification at `threshold`, DEFAULT_THRESHOLD when None, and the
    probability-quality metrics)."""
    if spec.task == "classification":
        return {
            **classification_metrics(y, predicted, decision_threshold(threshold)),
            **calibration_metrics(y, predicted),
        }
    return regression_metrics(y, predicted)


def tree_quantiles(
    pipeline: Pipeline,
    features: pd.DataFrame,
    quantiles: tuple[float, float] = INTERVAL_QUANTILES,
    *,
    chunk_rows: int = 20_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the low and high quantile of the regression forest's per-tree predictions (in
    the model's scale: ln(1 + streams)). The spread of the trees, not of the tracks: see the
    interval_coverage_80 metric for how often it holds the actual value.
    A pipeline without trees to spread (the gradient-boosting challenger) carries
    `interval_offsets_`: its prediction plus the quantiles of its out-of-fold residuals."""
    offsets = getattr(pipeline, "interval_offsets_", None)
    if offsets is not None:
        predicted = np.asarray(pipeline.predict(features), dtype=float)
        return predicted + offsets[0], predicted + offsets[1]
    transformed = pipeline[:-1].transform(features)
    trees = pipeline.named_steps["forest"].estimators_
    low, high = np.empty(len(features)), np.empty(len(features))
    for start in range(0, len(features), chunk_rows):
        # one float32 copy per block for all trees (tree.predict would validate and convert it
        # once per tree): the same values at ~25% less CPU
        block = np.ascontiguousarray(transformed[start : start + chunk_rows], dtype=np.float32)
        per_tree = np.stack([tree.tree_.predict(block)[:, 0] for tree in trees])
        low[start : start + len(block)], high[start : start + len(block)] = np.quantile(
            per_tree, quantiles, axis=0
        )
    return low, high


def interval_coverage(y: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Share of rows whose actual value lies in [low, high]."""
    y = np.asarray(y, float)
    return float(np.mean((low <= y) & (y <= high)))


def metric_rows(variant: str, split: str, values: Mapping[str, float]) -> list[dict[str, Any]]:
    """ml.metrics rows (without run and model) of one variant on one split."""
    return [
        {"variant": variant, "split": split, "metric": name, "value": float(value)}
        for name, value in values.items()
    ]


def headline(spec: ModelSpec, y: np.ndarray, predicted: np.ndarray) -> str:
    """The one number a progress line shows: ROC-AUC of a classifier, R2 of a regressor."""
    if spec.task == "classification":
        roc_auc = classification_metrics(y, predicted, DEFAULT_THRESHOLD)[METRIC_ROC_AUC]
        return f"ROC-AUC {roc_auc:.3f}"
    return f"R2 {regression_metrics(y, predicted)[METRIC_R2]:.3f}"


def impurity_importances(pipeline: Pipeline) -> pd.DataFrame:
    """Mean decrease in impurity per transformed column (album_type one-hots, artist encoding...),
    with the spread over trees."""
    forest = pipeline.named_steps["forest"]
    names = pipeline.named_steps["preprocess"].get_feature_names_out()
    per_tree = np.array([tree.feature_importances_ for tree in forest.estimators_])
    return pd.DataFrame(
        {
            "feature": [str(name) for name in names],
            "importance_type": "impurity",
            "importance": forest.feature_importances_,
            "importance_std": per_tree.std(axis=0),
        }
    )


def permutation_importances(
    pipeline: Pipeline,
    features: pd.DataFrame,
    target: np.ndarray,
    *,
    scoring: str,
    repeats: int,
    random_state: int,
    max_batch_rows: int = 250_000,
) -> pd.DataFrame:
    """Drop in the test score when one input column is shuffled (raw columns: artist as a whole).

    The same quantity as sklearn's permutation_importance (score on the intact rows minus score
    with one column permuted, mean and std over `repeats` seeded permutations), but every
    permuted copy is scored in a few large predict calls instead of one small call per column and
    repeat: a forest's per-call overhead dominates on a few thousand test rows. Columns that are
    empty at prediction time (the artist encoding's fit-only target) are left out."""
    if scoring not in (METRIC_ROC_AUC, METRIC_R2):
        raise ValueError(f"unsupported scoring {scoring!r}")
    target = np.asarray(target)

    def predict(frame: pd.DataFrame) -> np.ndarray:
        if scoring == METRIC_ROC_AUC:
            return pipeline.predict_proba(frame)[:, 1]
        return pipeline.predict(frame)

    def score(predicted: np.ndarray) -> float:
        if scoring == METRIC_ROC_AUC:
            return float(roc_auc_score(target, predicted))
        return float(r2_score(target, predicted))

    rows = len(features)
    columns = [name for name in features.columns if features[name].notna().any()]
    baseline = score(predict(features))
    rng = np.random.RandomState(random_state)
    tasks = [(column, rng.permutation(rows)) for column in columns for _ in range(repeats)]
    per_batch = max(1, max_batch_rows // max(rows, 1))
    drops: list[float] = []
    for start in range(0, len(tasks), per_batch):
        blocks = []
        for column, order in tasks[start : start + per_batch]:
            block = features.copy()
            block[column] = features[column].to_numpy()[order]
            blocks.append(block)
        predicted = predict(pd.concat(blocks, ignore_index=True))
        for number in range(len(blocks)):
            drops.append(baseline - score(predicted[number * rows : (number + 1) * rows]))
    by_column = np.array(drops, dtype=float).reshape(len(columns), repeats)
    return pd.DataFrame(
        {
            "feature": columns,
            "importance_type": f"permutation_{scoring}",
            "importance": by_column.mean(axis=1),
            "importance_std": by_column.std(axis=1),
        }
    )
