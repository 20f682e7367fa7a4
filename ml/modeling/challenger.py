"""The gradient-boosting challenger of each study forest, and which of the two serves the scores.

The challenger is a HistGradientBoostingRegressor / Classifier (native missing values) on the
SAME inputs and preprocessing as the forest (features.preprocessor: album type one-hot,
out-of-fold artist and album encodings), evaluated exactly like it: k-fold CV on the training
part (a classifier calibrated on its out-of-fold probabilities, its threshold chosen there),
metrics on the held-out tracks (`test`) and, refitted on the split by artist, on the held-out
artists (`test_new_artists`); its rows in ml.metrics have variant 'challenger' (the baselines are
the forest's: the same rows, not repeated). Fixed iterations, no early stopping, seeded: a run is
reproducible. A regressor's 80% interval is its prediction plus the 10th / 90th percentile of its
out-of-fold residuals (it has no trees to spread).

Which model serves is ML_SERVING_MODEL: forest | challenger | auto (default: the one with the
better lead metric on unseen rows of the training part, R2 / ROC-AUC: the challenger's CV mean
against the forest's CV mean or, for a forest estimated out-of-bag, its out-of-bag value; never
the test split).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from ml.modeling.cross_validation import cross_validate
from ml.modeling.evaluate import metric_rows
from ml.modeling.features import model_input, preprocessor, target_values
from ml.modeling.specs import (
    DECISION_THRESHOLD,
    INTERVAL_QUANTILES,
    METRIC_R2,
    METRIC_ROC_AUC,
    SERVING_AUTO,
    SERVING_CHALLENGER,
    SERVING_FOREST,
    SERVING_MODELS,
    SPLIT_CV_MEAN,
    SPLIT_OOB,
    SPLIT_TEST,
    SPLIT_TEST_NEW_ARTISTS,
    SPLIT_TRAIN,
    VARIANT_CHALLENGER,
    VARIANT_MODEL,
    ModelSpec,
)
from ml.modeling.variants import FittedVariant, calibrated_variant, evaluate
from ml.runtime.errors import PipelineError

SERVING_ENV = "ML_SERVING_MODEL"
# Settings of the challenger (not tuned on the test split): fixed rounds, no early stopping.
# 100 rounds at 0.15 (earlier 150 at 0.1, first 300 at 0.05): a third less CPU than 150 at 0.1,
# CV means within 0.006 of it on the default data (stream R2 0.703 vs 0.705, hit ROC-AUC 0.915 vs
# 0.916, views R2 0.574 vs 0.579; fold sd 0.010-0.018), the serving stream model's test R2 0.734
# vs 0.737; README, Model quality.
BOOSTING_PARAMS: dict[str, Any] = {
    "max_iter": 100,
    "learning_rate": 0.15,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "early_stopping": False,
}


def serving_setting(environ: Mapping[str, str] | None = None) -> str:
    """ML_SERVING_MODEL (forest | challenger | auto; default auto), refused when unknown."""
    environ = os.environ if environ is None else environ
    value = environ.get(SERVING_ENV, "").strip().lower() or SERVING_AUTO
    if value not in SERVING_MODELS:
        raise PipelineError(
            f"{SERVING_ENV}={value!r} is not one of {', '.join(SERVING_MODELS)}", step="train"
        )
    return value


# OpenMP threads of the boosting: 1. With more threads than free cores (a shared machine, CV fits
# beside other jobs), OpenMP's busy waiting made one fit on 2.6k rows take 143 s instead of 7 s.
OPENMP_THREADS = 1
# Its CV folds are fitted side by side instead, one single-threaded fit per core (at most 5).
PARALLEL_FOLDS = max(1, os.cpu_count() or 1)


class _Limited:
    """Fit and predict with OPENMP_THREADS threads (threadpoolctl), otherwise sklearn's own."""

    def fit(self, X: Any, y: Any, **params: Any) -> Any:
        with threadpool_limits(limits=OPENMP_THREADS, user_api="openmp"):
            return super().fit(X, y, **params)  # type: ignore[misc]

    def predict(self, X: Any) -> Any:
        with threadpool_limits(limits=OPENMP_THREADS, user_api="openmp"):
            return super().predict(X)  # type: ignore[misc]


class BoostedRegressor(_Limited, HistGradientBoostingRegressor):
    """HistGradientBoostingRegressor limited to OPENMP_THREADS threads."""


class BoostedClassifier(_Limited, HistGradientBoostingClassifier):
    """HistGradientBoostingClassifier limited to OPENMP_THREADS threads."""

    def predict_proba(self, X: Any) -> Any:
        with threadpool_limits(limits=OPENMP_THREADS, user_api="openmp"):
            return super().predict_proba(X)


def challenger_pipeline(spec: ModelSpec, *, random_state: int, cv_folds: int) -> Pipeline:
    """The forest's preprocessing + histogram gradient boosting (step name 'forest' kept: it is
    the estimator step every pipeline of the project has)."""
    booster: BoostedRegressor | BoostedClassifier
    if spec.task == "classification":
        booster = BoostedClassifier(**BOOSTING_PARAMS, random_state=random_state)
    else:
        booster = BoostedRegressor(**BOOSTING_PARAMS, random_state=random_state)
    preprocess = preprocessor(spec, cv_folds=cv_folds, random_state=random_state)
    return Pipeline([("preprocess", preprocess), ("forest", booster)])


@dataclass
class Challenger:
    """The fitted challenger, its ml.metrics rows (variant 'challenger'), settings and timing."""

    fitted: FittedVariant
    rows: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def params(self) -> dict[str, Any]:
        return {
            "estimator": type(self.fitted.pipeline.named_steps["forest"]).__name__,
            **BOOSTING_PARAMS,
            DECISION_THRESHOLD: self.fitted.threshold,
            **self.fitted.params(),
            "seconds": round(self.seconds, 2),
        }


def _only(rows: list[dict[str, Any]], variant: str) -> list[dict[str, Any]]:
    return [{**row, "variant": VARIANT_CHALLENGER} for row in rows if row["variant"] == variant]


def _fit(
    spec: ModelSpec, train: pd.DataFrame, like: FittedVariant | None, **settings: int
) -> FittedVariant:
    pipeline = challenger_pipeline(spec, **settings).fit(
        model_input(train, spec, fitting=True), target_values(train, spec)
    )
    if like is None:
        return FittedVariant(spec, pipeline)
    fitted = calibrated_variant(spec, pipeline, like.calibration, like.threshold)
    offsets = getattr(like.pipeline, "interval_offsets_", None)
    if offsets is not None:
        fitted.pipeline.interval_offsets_ = offsets  # type: ignore[attr-defined]
    return fitted


def fit_challenger(
    spec: ModelSpec,
    train: pd.DataFrame,
    test: pd.DataFrame,
    by_artist: tuple[pd.DataFrame, pd.DataFrame],
    *,
    folds: int,
    random_state: int,
) -> Challenger:
    """Cross-validate, fit and evaluate the challenger of `spec` on both splits."""
    started = time.perf_counter()
    settings = {"random_state": random_state, "cv_folds": folds}
    cv = cross_validate(
        spec,
        train,
        folds=folds,
        random_state=random_state,
        new_pipeline=lambda s: challenger_pipeline(s, **settings),
        parallel_folds=PARALLEL_FOLDS,
    )
    fitted = calibrated_variant(
        spec,
        _fit(spec, train, None, **settings).pipeline,
        cv.calibrations.get(VARIANT_MODEL),
        cv.thresholds[VARIANT_MODEL],
    )
    if spec.task == "regression":
        residuals = target_values(train, spec) - cv.out_of_fold[VARIANT_MODEL]
        offsets = tuple(float(q) for q in np.quantile(residuals, INTERVAL_QUANTILES))
        fitted.pipeline.interval_offsets_ = offsets  # type: ignore[attr-defined]
    rows = _only(cv.rows, VARIANT_MODEL)
    parts = {SPLIT_TRAIN: train, SPLIT_TEST: test}
    rows += _only(evaluate(spec, {VARIANT_MODEL: fitted}, train, parts).rows, VARIANT_MODEL)
    artist_train, artist_test = by_artist
    refitted = _fit(spec, artist_train, fitted, **settings)
    new_artists = evaluate(
        spec, {VARIANT_MODEL: refitted}, artist_train, {SPLIT_TEST_NEW_ARTISTS: artist_test}
    )
    rows += _only(new_artists.rows, VARIANT_MODEL)
    if spec.task == "classification":
        rows += metric_rows(VARIANT_CHALLENGER, SPLIT_TRAIN, {DECISION_THRESHOLD: fitted.threshold})
    return Challenger(fitted, rows, time.perf_counter() - started)


def _cv_lead(rows: list[dict[str, Any]], variant: str, metric: str) -> float:
    """The variant's estimate on unseen training rows: its CV mean, else its out-of-bag value
    (the forests other than the headline stream model are not cross-validated)."""
    found = {
        row["split"]: float(row["value"])
        for row in rows
        if (row["variant"], row["metric"]) == (variant, metric)
        and row["split"] in (SPLIT_CV_MEAN, SPLIT_OOB)
    }
    return found.get(SPLIT_CV_MEAN, found.get(SPLIT_OOB, float("nan")))


def choose_serving(
    spec: ModelSpec, rows: list[dict[str, Any]], setting: str
) -> tuple[str, dict[str, Any]]:
    """Which model serves (forest or challenger) and the record of the choice for ml.runs: the
    setting, and the cross-validated lead metric of both on the training part."""
    metric = METRIC_ROC_AUC if spec.task == "classification" else METRIC_R2
    forest = _cv_lead(rows, VARIANT_MODEL, metric)
    challenger = _cv_lead(rows, VARIANT_CHALLENGER, metric)
    if setting == SERVING_AUTO:
        chosen = SERVING_CHALLENGER if challenger > forest else SERVING_FOREST
    else:
        chosen = setting
    return chosen, {
        "serving_model": chosen,
        "serving_setting": setting,
        "serving_cv_metric": {
            "metric": metric,
            SERVING_FOREST: forest,
            SERVING_CHALLENGER: challenger,
        },
    }
