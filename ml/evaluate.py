"""Metrics, the decision threshold, and feature importances (no training here)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
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

REGRESSION_METRICS = ("r2", "rmse", "mse", "mae", "r2_original_units")
CLASSIFICATION_METRICS = ("roc_auc", "pr_auc", "f1", "precision", "recall", "accuracy")


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Metrics in the model's (log) space, plus R2 back in counts (expm1 of both sides)."""
    mse = float(mean_squared_error(y_true, y_pred))
    return {
        "r2": float(r2_score(y_true, y_pred)),
        "rmse": float(np.sqrt(mse)),
        "mse": mse,
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "r2_original_units": float(r2_score(np.expm1(y_true), np.expm1(y_pred))),
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
            "roc_auc": float(roc_auc_score(y_true, probability)) if both_classes else np.nan,
            "pr_auc": float(average_precision_score(y_true, probability))
            if both_classes
            else np.nan,
            "f1": float(f1_score(y_true, predicted, zero_division=0)),
            "precision": float(precision_score(y_true, predicted, zero_division=0)),
            "recall": float(recall_score(y_true, predicted, zero_division=0)),
            "accuracy": float(accuracy_score(y_true, predicted)),
        }


def best_f1_threshold(y_true: np.ndarray, probability: np.ndarray) -> float:
    """The probability threshold that maximises positive-class F1 (ties: the highest threshold).

    Call it on out-of-fold TRAINING predictions only, never on the test set."""
    precision, recall, thresholds = precision_recall_curve(y_true, probability)
    if len(thresholds) == 0:
        return 0.5
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
        "cv_mean": frame.mean().to_dict(),
        "cv_std": frame.std(ddof=1).fillna(0.0).to_dict(),
    }


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
) -> pd.DataFrame:
    """Drop in the test score when one input column is shuffled (raw columns: artist as a whole)."""
    result = permutation_importance(
        pipeline,
        features,
        target,
        scoring=scoring,
        n_repeats=repeats,
        random_state=random_state,
        n_jobs=1,  # the forest already predicts on every core
    )
    frame = pd.DataFrame(
        {
            "feature": list(features.columns),
            "importance_type": f"permutation_{scoring}",
            "importance": result.importances_mean,
            "importance_std": result.importances_std,
        }
    )
    # leave out columns that are empty at prediction time (the artist encoding's fit-only target)
    return frame[features.notna().any().to_numpy()].reset_index(drop=True)
