"""Estimates on the training part only: k-fold cross-validation (out-of-fold predictions, the
classifiers' decision thresholds) and the out-of-bag estimate of the audio-only regressors.

The held-out 20% is never read here: thresholds chosen on it would flatter the test metrics.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

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
    SPLIT_OOB,
    VARIANT_AUDIO_ONLY,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    VARIANTS,
    ModelSpec,
)
from ml.runtime.errors import PipelineError

# A base-rate classifier predicts the training hit rate as every track's probability and the
# majority class (not a hit) as its label: accuracy = 1 - hit rate, F1 = 0, ROC-AUC = 0.5.
NEVER = float("inf")

NewPipeline = Callable[[ModelSpec], Pipeline]
Report = Callable[[str], None]


def cross_validate(
    spec: ModelSpec,
    frame: pd.DataFrame,
    *,
    folds: int,
    random_state: int,
    new_pipeline: NewPipeline,
    progress: Report,
) -> tuple[list[dict[str, Any]], dict[str, float | None]]:
    """k-fold CV on the training part for the model and the mean / base-rate baseline; returns
    metric rows and the decision thresholds chosen on the out-of-fold predictions (classifier).

    The audio-only classifier is cross-validated too, so that its decision threshold is chosen
    exactly like the model's; the audio-only regressors have no threshold and are estimated
    out-of-bag instead (out_of_bag_rows), which costs one fit instead of `folds`."""
    y = target_values(frame, spec)
    specs = {VARIANT_MODEL: spec}
    if spec.task == "classification":
        specs[VARIANT_AUDIO_ONLY] = spec.audio_only()
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
    for number, (fit_index, check_index) in enumerate(splits, start=1):
        started = time.perf_counter()
        for variant, variant_spec in specs.items():
            pipeline = new_pipeline(variant_spec)
            pipeline.fit(fit_inputs[variant].iloc[fit_index], y[fit_index])
            out_of_fold[variant][check_index] = predict_target(
                pipeline, variant_spec, predict_inputs[variant].iloc[check_index]
            )
        out_of_fold[VARIANT_MEAN_BASELINE][check_index] = y[fit_index].mean()
        summary = headline(spec, y[check_index], out_of_fold[VARIANT_MODEL][check_index])
        progress(
            f"{spec.name}: CV fold {number}/{len(splits)} {summary} "
            f"({time.perf_counter() - started:.1f} s)"
        )
    thresholds: dict[str, float | None] = {variant: None for variant in VARIANTS}
    if spec.task == "classification":
        for variant in specs:
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
    return rows, thresholds


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
