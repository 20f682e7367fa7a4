"""Train the three forests from marts.model_features with honest evaluation, record the run.

One `train_all` call = one run_id shared by the stream regressor, the hit classifier and the
views regressor. For each model (`train_model`): the model, its audio-only baseline and its
cold-start variant fitted once on the training 80%, each judged on the training part without
extra fits where it can (out-of-bag; the headline stream model by k-fold CV of smaller forests:
ModelSpec.training_estimate, TrainingConfig.evaluation_trees), a classifier calibrated there;
metrics on the held-out 20%, the three refitted on the split by artist and measured on its
held-out artists, the gradient-boosting challenger, impurity and permutation importances. Then
one joblib artifact per model and the run's records (ml/modeling/run_record.py), predictions for
every distinct track of marts.tracks (ml/modeling/predict.py), and one atomic publish to the ml
tables.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline

from ml.config import Settings
from ml.modeling import registry
from ml.modeling.challenger import choose_serving, fit_challenger, serving_setting
from ml.modeling.cross_validation import cross_validate
from ml.modeling.dataset import (
    MODELLING_RELATION,
    ModellingData,
    load_modelling_frame,
    split_by_track,
)
from ml.modeling.evaluate import impurity_importances, metric_rows, permutation_importances
from ml.modeling.features import model_input, target_values
from ml.modeling.out_of_bag import out_of_bag_estimate
from ml.modeling.predict import write_predictions
from ml.modeling.reference import record_training_reference
from ml.modeling.run_record import (
    ModelResult,
    TrainedRun,
    format_summary,
    new_run_id,
    save_artifacts,
)
from ml.modeling.specs import (
    DECISION_THRESHOLD,
    HIT_CLASSIFIER,
    METRIC_R2,
    METRIC_ROC_AUC,
    MODEL_SPECS,
    SERVING_CHALLENGER,
    SPLIT_TEST,
    SPLIT_TEST_NEW_ARTISTS,
    SPLIT_TRAIN,
    VARIANT_AUDIO_ONLY,
    VARIANT_CHALLENGER,
    VARIANT_COLD_START,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    ModelSpec,
)
from ml.modeling.training_config import TrainingConfig
from ml.modeling.variants import Evaluation, FittedVariant, calibrated_variant, evaluate, refit
from ml.runtime.errors import PipelineError
from ml.runtime.progress import say


class Progress:
    """Progress lines on stderr (`[train 12.3s] stream_regressor: ...`), bar-safe (progress.say)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            say(f"[train {time.perf_counter() - self.start:6.1f}s] {message}")


# --- one model --------------------------------------------------------------------------------


def _model_rows(frame: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    """The rows the model is trained and evaluated on (its spec's row_filter)."""
    if spec.row_filter is None:
        return frame
    return frame[frame[spec.row_filter].astype("boolean").fillna(False)].reset_index(drop=True)


def _fit(spec: ModelSpec, train: pd.DataFrame, config: TrainingConfig, oob: bool) -> Pipeline:
    """One forest of `spec` fitted on the whole training part (keeping its out-of-bag
    predictions when `oob`)."""
    return config.pipeline(spec, oob_score=oob).fit(
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
        pipelines[variant] = _fit(variant_spec, train, config, oob)
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


def _importances(
    spec: ModelSpec, pipeline: Pipeline, test: pd.DataFrame, config: TrainingConfig
) -> pd.DataFrame:
    """Impurity importances of the fitted forest and permutation importances on the test part."""
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


def _forests(
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


def train_model(
    spec: ModelSpec, data: ModellingData, config: TrainingConfig, progress: Progress
) -> ModelResult:
    """Fit the model, its audio-only baseline and its cold-start variant on the whole training
    part with their training estimates (_fit_variants), measure them on the held-out tracks,
    refit the three on the split by artist and measure them on the held-out artists, fit the
    challenger, choose the served model and compute the importances of one model."""
    started = time.perf_counter()
    train = _checked_rows(spec, data.train, config.cv_folds * 2, "train")
    test = _checked_rows(spec, data.test, 2, "test")
    params = config.forest_params(spec)
    by_artist = _by_artist(spec, data, config)
    cv_trees = config.evaluation_tree_count(spec)
    estimate = (
        f"{config.cv_folds}-fold CV of {cv_trees} trees"
        if spec.training_estimate == "cv"
        else "out-of-bag estimates"
    )
    progress(
        f"{spec.name}: fitting on {len(train):,} train rows (model, audio-only, cold-start, "
        f"{estimate}, by-artist refits; {params['n_estimators']} trees)"
    )
    # The challenger's fits are single-threaded: they run beside the forests' (which keep every
    # core busy only part of the time), on the same data and seeds: the results do not depend on it.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="challenger") as background:
        pending_challenger = background.submit(
            fit_challenger,
            spec,
            train,
            test,
            by_artist,
            folds=config.cv_folds,
            random_state=config.random_state,
        )
        fitted, rows, fit_seconds, evaluation = _forests(spec, train, test, by_artist, config)
        progress(f"{spec.name}: waiting for the gradient-boosting challenger (fitted beside)")
        challenger = pending_challenger.result()
    model, cold_start = fitted[VARIANT_MODEL], fitted[VARIANT_COLD_START]
    rows.extend(challenger.rows)
    serving, serving_record = choose_serving(spec, rows, serving_setting())
    served = challenger.fitted if serving == SERVING_CHALLENGER else model
    result = ModelResult(
        spec=spec,
        pipeline=served.pipeline,
        params={
            **params,
            "cv_folds": config.cv_folds,
            "training_estimate": spec.training_estimate,
            "evaluation_trees": cv_trees,
            "test_size": config.test_size,
            "artist_encoding_target": (spec.artist_level_target or spec.target)
            if spec.uses_artist
            else None,
            "row_filter": spec.row_filter,
            **model.params(),
            "cold_start": {DECISION_THRESHOLD: cold_start.threshold, **cold_start.params()},
            VARIANT_CHALLENGER: challenger.params(),
            **serving_record,
        },
        metrics=rows,
        importances=_importances(spec, model.pipeline, test, config),
        threshold=served.threshold,
        n_train=len(train),
        n_test=len(test),
        fit_seconds=fit_seconds,
        cold_start=cold_start,
        reliability=evaluation.reliability,
    )
    result.total_seconds = time.perf_counter() - started
    progress(
        f"{spec.name}: {result.summary()} ({result.total_seconds:.0f} s, of which challenger "
        f"{challenger.seconds:.0f} s; serving {serving})"
    )
    return result


# --- the run ------------------------------------------------------------------------------------


def train_all(
    settings: Settings, *, progress: bool = True, config: TrainingConfig | None = None
) -> str:
    """Train, evaluate, save and publish the three models; return the run_id."""
    config = config or TrainingConfig.from_env()
    report = Progress(progress)
    created_at = datetime.now(timezone.utc).replace(microsecond=0)
    run_id = new_run_id(created_at)
    frame, total_rows = load_modelling_frame(
        settings.warehouse_path,
        max_rows=config.max_training_rows,
        random_state=config.random_state,
    )
    fingerprint = registry.frame_fingerprint(frame)
    data = split_by_track(
        frame, test_size=config.test_size, random_state=config.random_state, total_rows=total_rows
    )
    sampled = (
        f" (a seeded sample of {total_rows:,} modelling tracks: max_training_rows="
        f"{config.max_training_rows:,})"
        if data.sampled
        else ""
    )
    report(
        f"run {run_id}: {len(frame):,} tracks of {MODELLING_RELATION}{sampled}, "
        f"{len(data.train):,} train / {len(data.test):,} test, hit rate "
        f"{frame[HIT_CLASSIFIER.target].mean():.3f}; by artist {len(data.new_artist_train):,} / "
        f"{len(data.new_artist_test):,}"
    )

    results = {spec.name: train_model(spec, data, config, report) for spec in MODEL_SPECS}

    directory = registry.run_dir(settings.models_dir, run_id)
    artifacts = save_artifacts(settings.models_dir, directory, results, data.train)
    run = TrainedRun(
        run_id=run_id,
        created_at=created_at,
        data_fingerprint=fingerprint,
        code_version=registry.code_version(),
        results=results,
        artifacts=artifacts,
    )
    registry.write_run_metadata(settings.models_dir, run_id, run.metadata(data, asdict(config)))
    record_training_reference(settings.warehouse_path, settings.models_dir, run_id, data.train)
    predictions_glob = write_predictions(
        settings,
        run_id,
        run.serving(directory),
        data,
        directory / "predictions",
        batch_rows=config.prediction_batch_rows,
    )

    tables = run.tables(predictions_glob)
    published = registry.publish_run(settings.warehouse_path, tables)
    registry.promote_run(settings.models_dir, run_id)
    report(
        f"run {run_id} published ({directory}): {len(tables.metrics)} metrics, "
        f"{len(tables.calibration)} reliability bins, {published:,} predictions"
    )
    if progress:
        say(format_summary(results))
    return run_id
