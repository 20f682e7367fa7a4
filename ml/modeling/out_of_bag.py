"""Out-of-bag estimates: the "unseen rows" quality of a forest from the ONE fit on the training
part, instead of k-fold cross-validation (k more fits).

Every tree of a forest is fitted on a bootstrap sample; a training row left out of a tree's
sample is unseen by that tree. Averaging only those trees gives each row a prediction by a forest
that never trained on it (about 37% of the trees, ~74 of 200). Where a model's training estimate
is 'oob' (ModelSpec.training_estimate: every forest but the headline stream model), its metric
rows have split 'oob'; for a classifier the calibrator is fitted on the out-of-bag probabilities
and the decision threshold chosen on them, exactly as the cross-validated model's were on its
out-of-fold probabilities. Measured on the default data (README, Model quality): the same held-out
ROC-AUC, Brier score and mean probability as the 5-fold CV calibration, at one fit instead of six.

A classifier needs `class_weight='balanced_subsample'` for this (ml/modeling/specs.py): with
'balanced', scikit-learn >= 1.9 draws the bootstrap samples by class weight, so a hit is almost
never out-of-bag.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from ml.modeling.calibration import calibrate
from ml.modeling.cross_validation import NEVER, CrossValidation
from ml.modeling.evaluate import best_f1_threshold, headline, metric_rows, task_metrics
from ml.modeling.specs import (
    ALL_VARIANTS,
    SPLIT_OOB,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    ModelSpec,
)
from ml.runtime.errors import PipelineError

# scikit-learn warns when a row is in every tree's bootstrap sample (only with very few trees):
# out_of_bag() masks those rows and out_of_bag_estimate() refuses too few. A process-wide filter,
# not catch_warnings(), which is not thread-safe (the challenger is fitted in a second thread).
OOB_WARNING = "Some inputs do not have OOB scores"
warnings.filterwarnings("ignore", message=OOB_WARNING, category=UserWarning)


def out_of_bag(pipeline: Pipeline) -> tuple[np.ndarray, np.ndarray]:
    """A fitted forest's (fitted with oob_score=True) out-of-bag prediction of each training row
    (a regressor's value, a classifier's raw hit probability), and which rows have one (a row
    drawn into every tree's bootstrap sample has none; only possible with very few trees)."""
    forest = pipeline.named_steps["forest"]
    if hasattr(forest, "oob_decision_function_"):
        predicted = np.asarray(forest.oob_decision_function_, dtype=float)[:, 1]
    else:
        predicted = np.asarray(forest.oob_prediction_, dtype=float).ravel()
    has_oob = np.zeros(len(predicted), dtype=bool)
    for drawn in forest.estimators_samples_:
        in_bag = np.zeros(len(predicted), dtype=bool)
        in_bag[drawn] = True
        has_oob |= ~in_bag
    return np.nan_to_num(predicted), has_oob


def out_of_bag_estimate(
    spec: ModelSpec,
    fitted: Mapping[str, Pipeline],
    y_train: np.ndarray,
    *,
    folds: int,
    random_state: int,
) -> CrossValidation:
    """Metric rows (split 'oob') of each fitted variant (variant -> pipeline fitted on the whole
    training part with oob_score=True); for a classifier also its calibrator (isotonic or
    sigmoid chosen by Brier score cross-fitted over `folds` folds of the out-of-bag
    probabilities; no model is refitted) and its decision threshold."""
    y_train = np.asarray(y_train)
    rows: list[dict[str, Any]] = []
    thresholds: dict[str, float | None] = {variant: None for variant in ALL_VARIANTS}
    result = CrossValidation(rows, thresholds)
    for variant, pipeline in fitted.items():
        predicted, bagged = out_of_bag(pipeline)
        if bagged.sum() < 2 * folds:
            trees = len(pipeline.named_steps["forest"].estimators_)
            raise PipelineError(
                f"{spec.name}: the {variant} forest has too few out-of-bag predictions "
                f"({int(bagged.sum())} rows, {trees} trees): use more trees",
                step="train",
            )
        y, values = y_train[bagged], predicted[bagged]
        if spec.task == "classification":
            splits = list(
                StratifiedKFold(folds, shuffle=True, random_state=random_state).split(values, y)
            )
            calibration = calibrate(y, values, splits)
            values = calibration.calibrated
            result.calibrations[variant] = calibration
            thresholds[variant] = best_f1_threshold(y, values)
        values_by_metric = task_metrics(spec, y, values, thresholds[variant])
        rows.extend(metric_rows(variant, SPLIT_OOB, values_by_metric))
        result.out_of_fold[variant] = values
        if variant == VARIANT_MODEL:
            result.headline = f"out-of-bag {headline(spec, y, values)}"
    if spec.task == "classification":
        thresholds[VARIANT_MEAN_BASELINE] = NEVER
    return result
