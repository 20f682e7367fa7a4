"""k-fold cross-validation on the training part: out-of-fold predictions, metric rows and, for a
classifier, the calibrators and decision thresholds (the headline stream forest and the
gradient-boosting challengers; the other forests are estimated out-of-bag: out_of_bag.py).

The held-out 20% is never read here: thresholds chosen on it would flatter the test metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from ml.modeling.calibration import Calibration, calibrate
from ml.modeling.evaluate import (
    best_f1_threshold,
    headline,
    metric_rows,
    predict_target,
    summarise_folds,
    task_metrics,
)
from ml.modeling.features import model_input, target_values
from ml.modeling.specs import ALL_VARIANTS, VARIANT_MEAN_BASELINE, VARIANT_MODEL, ModelSpec
from ml.runtime.progress import progress

# A base-rate classifier predicts the training hit rate as every track's probability and the
# majority class (not a hit) as its label: accuracy = 1 - hit rate, F1 = 0, ROC-AUC = 0.5.
NEVER = float("inf")

NewPipeline = Callable[[ModelSpec], Pipeline]


@dataclass
class CrossValidation:
    """CV metric rows, the decision thresholds and (classifier) the calibrations by variant."""

    rows: list[dict[str, Any]]
    thresholds: dict[str, float | None]
    calibrations: dict[str, Calibration] = field(default_factory=dict)
    headline: str = ""
    # the out-of-fold predictions by variant (calibrated probabilities for a classifier)
    out_of_fold: dict[str, np.ndarray] = field(default_factory=dict)


def cross_validate(
    spec: ModelSpec,
    frame: pd.DataFrame,
    *,
    folds: int,
    random_state: int,
    new_pipeline: NewPipeline,
    parallel_folds: int = 1,
) -> CrossValidation:
    """k-fold CV on the training part for the model and the mean / base-rate baseline; returns
    metric rows, and for a classifier the calibrator fitted on the out-of-fold probabilities and
    the decision threshold chosen on the calibrated out-of-fold probabilities. The CV metrics of
    a classifier are those of its cross-fitted calibrated probabilities.

    `parallel_folds` > 1 fits that many folds at once in threads (for single-threaded
    estimators: the challengers; a forest already uses every core)."""
    y = target_values(frame, spec)
    fit_input = model_input(frame, spec, fitting=True)
    predict_input = model_input(frame, spec)
    splitter = (
        StratifiedKFold(folds, shuffle=True, random_state=random_state)
        if spec.task == "classification"
        else KFold(folds, shuffle=True, random_state=random_state)
    )
    splits = list(splitter.split(frame, y))

    def fold(indices: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        fit_index, check_index = indices
        pipeline = new_pipeline(spec).fit(fit_input.iloc[fit_index], y[fit_index])
        return predict_target(pipeline, spec, predict_input.iloc[check_index])

    cv_variants = (VARIANT_MODEL, VARIANT_MEAN_BASELINE)
    out_of_fold = {variant: np.zeros(len(frame)) for variant in cv_variants}
    with ThreadPoolExecutor(max_workers=max(1, parallel_folds)) as pool:
        predicted = pool.map(fold, splits)
        for (fit_index, check_index), values in progress(
            zip(splits, predicted, strict=True),
            total=len(splits),
            desc=f"{spec.name}: CV",
            unit="fold",
        ):
            out_of_fold[VARIANT_MODEL][check_index] = values
            out_of_fold[VARIANT_MEAN_BASELINE][check_index] = y[fit_index].mean()
    thresholds: dict[str, float | None] = {variant: None for variant in ALL_VARIANTS}
    calibrations: dict[str, Calibration] = {}
    if spec.task == "classification":
        calibrations[VARIANT_MODEL] = calibrate(y, out_of_fold[VARIANT_MODEL], splits)
        out_of_fold[VARIANT_MODEL] = calibrations[VARIANT_MODEL].calibrated
        thresholds[VARIANT_MODEL] = best_f1_threshold(y, out_of_fold[VARIANT_MODEL])
        thresholds[VARIANT_MEAN_BASELINE] = NEVER
    rows: list[dict[str, Any]] = []
    for variant in cv_variants:
        per_fold = [
            task_metrics(spec, y[check], out_of_fold[variant][check], thresholds[variant])
            for _, check in splits
        ]
        for split, values in summarise_folds(per_fold).items():
            rows.extend(metric_rows(variant, split, values))
    summary = f"CV {headline(spec, y, out_of_fold[VARIANT_MODEL])}"
    return CrossValidation(rows, thresholds, calibrations, summary, out_of_fold)
