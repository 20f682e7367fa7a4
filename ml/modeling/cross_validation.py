"""Estimates on the training part only: k-fold cross-validation (out-of-fold predictions, the
classifiers' calibrators and decision thresholds) and the out-of-bag estimate of the audio-only
regressors.

The held-out 20% is never read here: thresholds chosen on it would flatter the test metrics.
"""

from __future__ import annotations

from collections.abc import Callable
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
from ml.modeling.specs import (
    ALL_VARIANTS,
    SPLIT_OOB,
    VARIANT_AUDIO_ONLY,
    VARIANT_COLD_START,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    ModelSpec,
)
from ml.runtime.errors import PipelineError
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


def cross_validate(
    spec: ModelSpec,
    frame: pd.DataFrame,
    *,
    folds: int,
    random_state: int,
    new_pipeline: NewPipeline,
) -> CrossValidation:
    """k-fold CV on the training part for the model and the mean / base-rate baseline; returns
    metric rows, and for a classifier the calibrators fitted on the out-of-fold probabilities and
    the decision thresholds chosen on the calibrated out-of-fold probabilities.

    The audio-only and cold-start classifiers are cross-validated too, so that they are
    calibrated and their thresholds chosen exactly like the model's (out-of-bag probabilities
    cannot stand in: with class_weight='balanced', scikit-learn >= 1.9 draws the bootstrap
    samples by class weight, so a hit is almost never out-of-bag and its out-of-bag probability
    is biased low); the audio-only regressors have no threshold and
    are estimated out-of-bag instead (out_of_bag_rows), which costs one fit instead of `folds`.
    The CV metrics of a classifier are those of its cross-fitted calibrated probabilities."""
    y = target_values(frame, spec)
    specs = {VARIANT_MODEL: spec}
    if spec.task == "classification":
        specs[VARIANT_AUDIO_ONLY] = spec.audio_only()
        specs[VARIANT_COLD_START] = spec.cold_start()
    fit_inputs = {v: model_input(frame, s, fitting=True) for v, s in specs.items()}
    predict_inputs = {v: model_input(frame, s) for v, s in specs.items()}
    splitter = (
        StratifiedKFold(folds, shuffle=True, random_state=random_state)
        if spec.task == "classification"
        else KFold(folds, shuffle=True, random_state=random_state)
    )
    splits = list(splitter.split(frame, y))
    cv_variants = (*specs, VARIANT_MEAN_BASELINE)
    out_of_fold = {variant: np.zeros(len(frame)) for variant in cv_variants}
    for fit_index, check_index in progress(splits, desc=f"{spec.name}: CV", unit="fold"):
        for variant, variant_spec in specs.items():
            pipeline = new_pipeline(variant_spec)
            pipeline.fit(fit_inputs[variant].iloc[fit_index], y[fit_index])
            out_of_fold[variant][check_index] = predict_target(
                pipeline, variant_spec, predict_inputs[variant].iloc[check_index]
            )
        out_of_fold[VARIANT_MEAN_BASELINE][check_index] = y[fit_index].mean()
    thresholds: dict[str, float | None] = {variant: None for variant in ALL_VARIANTS}
    calibrations: dict[str, Calibration] = {}
    if spec.task == "classification":
        for variant in specs:
            calibrations[variant] = calibrate(y, out_of_fold[variant], splits)
            out_of_fold[variant] = calibrations[variant].calibrated
            thresholds[variant] = best_f1_threshold(y, out_of_fold[variant])
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
    return CrossValidation(rows, thresholds, calibrations, summary)


def out_of_bag(pipeline: Pipeline) -> tuple[np.ndarray, np.ndarray]:
    """A fitted regression forest's out-of-bag prediction of each training row, and which rows
    have one (a row drawn into every tree's bootstrap sample has none: sklearn reports 0 for it;
    only possible with very few trees)."""
    forest = pipeline.named_steps["forest"]
    predicted = np.asarray(forest.oob_prediction_, dtype=float).ravel()
    has_oob = np.zeros(len(predicted), dtype=bool)
    for drawn in forest.estimators_samples_:
        in_bag = np.zeros(len(predicted), dtype=bool)
        in_bag[drawn] = True
        has_oob |= ~in_bag
    return predicted, has_oob


def out_of_bag_rows(
    spec: ModelSpec, audio_pipeline: Pipeline, y_train: np.ndarray, trees: int
) -> tuple[list[dict[str, Any]], str]:
    """The audio-only regressor, fitted once on the training part with oob_score: its out-of-bag
    predictions are its "unseen rows" estimate (split 'oob'), at the cost of one fit instead of
    cv_folds + 1. Returns the metric rows and a progress summary."""
    predicted, bagged = out_of_bag(audio_pipeline)
    if bagged.sum() < 2:
        raise PipelineError(
            f"{spec.name}: the audio-only forest has no out-of-bag predictions "
            f"({trees} trees): use more trees",
            step="train",
        )
    values = task_metrics(spec, y_train[bagged], predicted[bagged], None)
    summary = f"out-of-bag {headline(spec, y_train[bagged], predicted[bagged])}"
    return metric_rows(VARIANT_AUDIO_ONLY, SPLIT_OOB, values), summary
