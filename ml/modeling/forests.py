"""The forests of one model: the model, its audio-only baseline and its cold-start variant fitted
on the training part with their training estimates (k-fold CV for a spec whose training_estimate
is 'cv', out-of-bag otherwise; a classifier calibrated there), measured on the held-out tracks,
refitted on the split by artist and measured on its held-out artists, and the model's impurity
and permutation importances. ml/modeling/train.py runs them for every model beside the
challengers.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline

from ml.modeling.cross_validation import cross_validate
from ml.modeling.dataset import ModellingData
from ml.modeling.evaluate import impurity_importances, metric_rows, permutation_importances
from ml.modeling.features import model_input, target_values
from ml.modeling.out_of_bag import out_of_bag_estimate
from ml.modeling.specs import (
    DECISION_THRESHOLD,
    METRIC_R2,
    METRIC_ROC_AUC,
    SPLIT_TEST,
    SPLIT_TEST_NEW_ARTISTS,
    SPLIT_TRAIN,
    VARIANT_AUDIO_ONLY,
    VARIANT_COLD_START,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    ModelSpec,
)
from ml.modeling.training_config import TrainingConfig
from ml.modeling.variants import Evaluation, FittedVariant, calibrated_variant, evaluate, refit
from ml.runtime.errors import PipelineError


def _model_rows(frame: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    """The rows the model is trained and evaluated on (its spec's row_filter)."""
    if spec.row_filter is None:
        return frame
    return frame[frame[spec.row_filter].astype("boolean").fillna(False)].reset_index(drop=True)


def _fit(
    spec: ModelSpec, variant: str, train: pd.DataFrame, config: TrainingConfig, oob: bool
) -> Pipeline:
    """One forest of a variant (`spec` is the variant's own) fitted on the whole training part
    with the variant's tree count, keeping its out-of-bag predictions when `oob`."""
    return config.variant_pipeline(spec, variant, oob_score=oob).fit(
        model_input(train, spec, fitting=True), target_values(train, spec)
    )


def _fit_variants(
    spec: ModelSpec, train: pd.DataFrame, config: TrainingConfig
) -> tuple[dict[str, FittedVariant], list[dict[str, Any]], float]:
    """The model, its audio-only baseline and its cold-start variant fitted on the whole training
    part, each with its training estimate: k-fold CV (fewer trees per fold) for a model whose
    spec says 'cv', out-of-bag otherwise; a classifier calibrated and its threshold chosen on
    those predictions. Returns the fitted variants, their metric rows and the model's fit time."""
    specs = {
        VARIANT_MODEL: spec,
        VARIANT_AUDIO_ONLY: spec.audio_only(),
        VARIANT_COLD_START: spec.cold_start(),
    }
    cross_validated = spec.training_estimate == "cv"
    pipelines: dict[str, Pipeline] = {}
    fit_seconds = 0.0
    for variant, variant_spec in specs.items():
        started = time.perf_counter()
        oob = not (cross_validated and variant == VARIANT_MODEL)
        pipelines[variant] = _fit(variant_spec, variant, train, config, oob)
        if variant == VARIANT_MODEL:
            fit_seconds = time.perf_counter() - started
    estimate = out_of_bag_estimate(
        spec,
        {v: p for v, p in pipelines.items() if not (cross_validated and v == VARIANT_MODEL)},
        target_values(train, spec),
        folds=config.cv_folds,
        random_state=config.random_state,
    )
    rows = list(estimate.rows)
    if cross_validated:
        cv = cross_validate(
            spec,
            train,
            folds=config.cv_folds,
            random_state=config.random_state,
            new_pipeline=config.evaluation_pipeline,
        )
        rows = [*cv.rows, *rows]
        estimate.calibrations.update(cv.calibrations)
        for variant in (VARIANT_MODEL, VARIANT_MEAN_BASELINE):
            estimate.thresholds[variant] = cv.thresholds[variant]
    fitted = {
        variant: calibrated_variant(
            specs[variant],
            pipelines[variant],
            estimate.calibrations.get(variant),
            estimate.thresholds[variant],
        )
        for variant in specs
    }
    return fitted, rows, fit_seconds


def model_importances(
    spec: ModelSpec, pipeline: Pipeline, test: pd.DataFrame, config: TrainingConfig
) -> pd.DataFrame:
    """Impurity importances of the fitted forest and permutation importances on the test part
    (a seeded sample of config.permutation_rows rows when it is larger)."""
    if config.permutation_rows is not None and len(test) > config.permutation_rows:
        test = test.sample(config.permutation_rows, random_state=config.random_state)
    return pd.concat(
        [
            impurity_importances(pipeline),
            permutation_importances(
                pipeline,
                model_input(test, spec),
                target_values(test, spec),
                scoring=METRIC_ROC_AUC if spec.task == "classification" else METRIC_R2,
                repeats=config.permutation_repeats,
                random_state=config.random_state,
            ),
        ],
        ignore_index=True,
    )


def _checked_rows(
    spec: ModelSpec, frame: pd.DataFrame | None, minimum: int, what: str
) -> pd.DataFrame:
    """The model's rows of one part, refused (PipelineError) when fewer than `minimum`."""
    rows = _model_rows(frame if frame is not None else pd.DataFrame(), spec)
    if len(rows) < minimum:
        raise PipelineError(
            f"{spec.name}: too few rows to train and evaluate ({len(rows)} {what})", step="train"
        )
    return rows


def _by_artist(
    spec: ModelSpec, data: ModellingData, config: TrainingConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The model's rows of the split by artist: (train, test), refused when too few."""
    return (
        _checked_rows(spec, data.new_artist_train, config.cv_folds * 2, "train by artist"),
        _checked_rows(spec, data.new_artist_test, 2, "test by artist"),
    )


def _new_artist_evaluation(
    spec: ModelSpec,
    fitted: Mapping[str, FittedVariant],
    by_artist: tuple[pd.DataFrame, pd.DataFrame],
    config: TrainingConfig,
) -> Evaluation:
    """The model, its audio-only baseline and its cold-start variant refitted once each on the
    split by artist and measured on its held-out artists (split test_new_artists)."""
    train, test = by_artist
    refitted = {
        variant: refit(item, train, new_pipeline=config.evaluation_pipeline)
        for variant, item in fitted.items()
    }
    return evaluate(spec, refitted, train, {SPLIT_TEST_NEW_ARTISTS: test})


def fit_forests(
    spec: ModelSpec,
    train: pd.DataFrame,
    test: pd.DataFrame,
    by_artist: tuple[pd.DataFrame, pd.DataFrame],
    config: TrainingConfig,
) -> tuple[dict[str, FittedVariant], list[dict[str, Any]], float, Evaluation]:
    """The forests of one model (_fit_variants) measured on the held-out tracks, refitted and
    measured on the held-out artists: fitted variants, metric rows, the model's fit time and the
    evaluation (reliability rows)."""
    fitted, rows, fit_seconds = _fit_variants(spec, train, config)
    # in-sample (train) metrics of the model only: the baselines' would cost predictions of every
    # training row for figures nobody reads
    evaluation = evaluate(spec, {VARIANT_MODEL: fitted[VARIANT_MODEL]}, train, {SPLIT_TRAIN: train})
    evaluation.extend(evaluate(spec, fitted, train, {SPLIT_TEST: test}))
    evaluation.extend(_new_artist_evaluation(spec, fitted, by_artist, config))
    rows.extend(evaluation.rows)
    if spec.task == "classification":
        for variant, item in fitted.items():
            rows.extend(metric_rows(variant, SPLIT_TRAIN, {DECISION_THRESHOLD: item.threshold}))
    return fitted, rows, fit_seconds, evaluation


@dataclass(frozen=True)
class ModelParts:
    """The rows one model is trained and measured on: the training and held-out tracks, and the
    split by artist (train, test)."""

    train: pd.DataFrame
    test: pd.DataFrame
    by_artist: tuple[pd.DataFrame, pd.DataFrame]


def model_parts(spec: ModelSpec, data: ModellingData, config: TrainingConfig) -> ModelParts:
    """The model's rows of each part (its row_filter), refused when too few."""
    return ModelParts(
        train=_checked_rows(spec, data.train, config.cv_folds * 2, "train"),
        test=_checked_rows(spec, data.test, 2, "test"),
        by_artist=_by_artist(spec, data, config),
    )
