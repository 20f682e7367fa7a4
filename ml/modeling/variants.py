"""Fitted variants of a model and their held-out evaluation.

A variant is one fitted pipeline of a spec (the model, its audio-only baseline, its cold-start
version without artist input) with its calibrator and decision threshold (classifier). `refit`
fits a variant again on another split in ONE forest fit, keeping its calibrator and threshold.
`evaluate` measures fitted variants and the mean / base-rate baseline on held-out parts (metric
rows of ml.metrics, reliability rows of ml.calibration, the regressors' tree-interval coverage).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ml.modeling.calibration import CalibratedPipeline, Calibration, reliability_table
from ml.modeling.cross_validation import NEVER
from ml.modeling.evaluate import (
    interval_coverage,
    metric_rows,
    predict_target,
    task_metrics,
    tree_quantiles,
)
from ml.modeling.features import model_input, target_values
from ml.modeling.specs import (
    METRIC_INTERVAL_COVERAGE_80,
    SPLIT_TRAIN,
    VARIANT_MEAN_BASELINE,
    ModelSpec,
)

# spec -> a new unfitted pipeline with the run's forest settings
NewPipeline = Callable[[ModelSpec], Pipeline]


@dataclass
class FittedVariant:
    """One fitted pipeline of a spec (calibrated when a classifier) and its decision threshold."""

    spec: ModelSpec
    pipeline: Pipeline
    threshold: float | None = None
    calibration: Calibration | None = None

    def params(self) -> dict[str, Any]:
        return {} if self.calibration is None else self.calibration.params()


def calibrated_variant(
    spec: ModelSpec, pipeline: Pipeline, calibration: Calibration | None, threshold: float | None
) -> FittedVariant:
    """Wrap a fitted classifier with its calibrator (a regressor is returned as it is)."""
    if calibration is None:
        return FittedVariant(spec, pipeline, threshold)
    wrapped = CalibratedPipeline.wrap(pipeline, calibration.calibrator)
    return FittedVariant(spec, wrapped, threshold, calibration)


def refit(like: FittedVariant, train: pd.DataFrame, *, new_pipeline: NewPipeline) -> FittedVariant:
    """Fit `like`'s spec again on another training part (one forest fit). A classifier keeps the
    calibrator and threshold of `like` (chosen on out-of-bag / out-of-fold probabilities of the
    catalog split): the refit is judged exactly as the served model would be, with no extra
    fits."""
    spec = like.spec
    pipeline = new_pipeline(spec).fit(
        model_input(train, spec, fitting=True), target_values(train, spec)
    )
    return calibrated_variant(spec, pipeline, like.calibration, like.threshold)


@dataclass
class Evaluation:
    """ml.metrics rows (without run and model) and ml.calibration rows (without run and model)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    reliability: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: Evaluation) -> None:
        self.rows.extend(other.rows)
        self.reliability.extend(other.reliability)


def _reliability_rows(
    variant: str, split: str, y: np.ndarray, probability: np.ndarray
) -> list[dict[str, Any]]:
    table = reliability_table(y, probability).assign(variant=variant, split=split)
    return table.to_dict("records")


def evaluate(
    spec: ModelSpec,
    fitted: Mapping[str, FittedVariant],
    train: pd.DataFrame,
    parts: Mapping[str, pd.DataFrame],
) -> Evaluation:
    """Metrics of every fitted variant and of the mean / base-rate baseline (the training mean)
    on each part; on held-out parts also a classifier's reliability table and a regressor's
    coverage of the 10th-90th percentile interval of its trees."""
    y_train = target_values(train, spec)
    result = Evaluation()
    for split, part in parts.items():
        y = target_values(part, spec)
        held_out = split != SPLIT_TRAIN
        for variant, item in fitted.items():
            features = model_input(part, item.spec)
            predicted = predict_target(item.pipeline, item.spec, features)
            values = task_metrics(spec, y, predicted, item.threshold)
            if held_out and spec.task == "classification":
                result.reliability.extend(_reliability_rows(variant, split, y, predicted))
            if held_out and spec.task == "regression":
                low, high = tree_quantiles(item.pipeline, features)
                values[METRIC_INTERVAL_COVERAGE_80] = interval_coverage(y, low, high)
            result.rows.extend(metric_rows(variant, split, values))
        constant = np.full(len(y), y_train.mean())
        threshold = NEVER if spec.task == "classification" else None
        result.rows.extend(
            metric_rows(VARIANT_MEAN_BASELINE, split, task_metrics(spec, y, constant, threshold))
        )
    return result
