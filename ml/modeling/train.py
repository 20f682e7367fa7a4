"""Train the three forests from marts.model_features with honest evaluation, record the run.

One `train_all` call = one run_id shared by the stream regressor, the hit classifier and the
views regressor. For each model (`train_model`): k-fold CV on the training 80% (the model and the
mean / base-rate baseline; ml/modeling/cross_validation.py), a final fit on the whole training
part, the audio-only forest fitted once on the training part (its out-of-bag predictions stand in
for CV: split 'oob'), metrics on the held-out 20%, impurity and permutation importances. Then one
joblib artifact per model and the run's records (ml/modeling/run_record.py), predictions for every
distinct track of marts.tracks (ml/modeling/predict.py), and one atomic publish to the ml tables.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ml.config import Settings
from ml.modeling import registry
from ml.modeling.cross_validation import CrossValidation, cross_validate, out_of_bag_rows
from ml.modeling.dataset import (
    MODELLING_RELATION,
    ModellingData,
    load_modelling_frame,
    split_by_track,
)
from ml.modeling.evaluate import impurity_importances, metric_rows, permutation_importances
from ml.modeling.features import build_pipeline, model_input, target_values
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
    SPLIT_TEST,
    SPLIT_TEST_NEW_ARTISTS,
    SPLIT_TRAIN,
    VARIANT_AUDIO_ONLY,
    VARIANT_COLD_START,
    VARIANT_MODEL,
    ModelSpec,
)
from ml.modeling.variants import Evaluation, FittedVariant, calibrated_variant, evaluate, refit
from ml.runtime.errors import PipelineError
from ml.runtime.progress import say


@dataclass(frozen=True)
class TrainingConfig:
    """Study defaults; every field can be overridden by an env var ML_<FIELD> (tests use tiny
    forests) or by `python -m ml train --<field>`."""

    n_estimators: int | None = None  # None: each model's study setting (200 / 200 / 150)
    max_depth: int | None = None  # None: each model's study setting (15 / 10 / 12)
    cv_folds: int = 5
    test_size: float = 0.2
    # Cap on modelling rows (a seeded sample of tracks) so that very large inputs train in bounded
    # time; the real file has ~18k modelling rows (never capped). None: no cap. Measured on 10M
    # generated rows (8.7M modelling tracks, ~1 effective core): 100k -> 12.3 min of fitting,
    # 50k -> 5.3 min, same held-out metrics within 0.01 (README, Performance). Predicting every
    # track afterwards (~4-5 min for 9.1M tracks) does not depend on this cap.
    max_training_rows: int | None = 50_000
    permutation_repeats: int = 3
    random_state: int = 42
    n_jobs: int = -1
    prediction_batch_rows: int = 200_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> TrainingConfig:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = environ.get(f"ML_{item.name.upper()}", "").strip()
            if not raw:
                continue
            try:
                if raw.lower() == "none":
                    values[item.name] = None
                elif item.name == "test_size":
                    values[item.name] = float(raw)
                else:
                    values[item.name] = int(raw)
            except ValueError as error:
                raise PipelineError(
                    f"ML_{item.name.upper()}={raw!r} is not a valid {item.name}", step="train"
                ) from error
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).validated()

    def validated(self) -> TrainingConfig:
        problems = []
        if self.n_estimators is not None and self.n_estimators < 1:
            problems.append("n_estimators must be >= 1")
        if self.max_depth is not None and self.max_depth < 1:
            problems.append("max_depth must be >= 1")
        if self.cv_folds < 2:
            problems.append("cv_folds must be >= 2")
        if not 0.0 < self.test_size < 1.0:
            problems.append("test_size must be in (0, 1)")
        if self.max_training_rows is not None and self.max_training_rows < 100:
            problems.append("max_training_rows must be >= 100 (or None)")
        if self.permutation_repeats < 1:
            problems.append("permutation_repeats must be >= 1")
        if problems:
            raise PipelineError("invalid training config: " + "; ".join(problems), step="train")
        return self

    def forest_params(self, spec: ModelSpec) -> dict[str, Any]:
        return {
            "n_estimators": self.n_estimators or spec.n_estimators,
            "max_depth": self.max_depth or spec.max_depth,
            "class_weight": spec.class_weight,
            "max_features": spec.max_features,
            "min_samples_leaf": spec.min_samples_leaf,
            "random_state": self.random_state,
            "n_jobs": self.n_jobs,
        }

    def pipeline(self, spec: ModelSpec, *, oob_score: bool = False) -> Pipeline:
        """A new, unfitted pipeline of `spec` with this config's forest settings."""
        params = self.forest_params(spec)
        return build_pipeline(
            spec,
            n_estimators=params["n_estimators"],
            max_depth=params["max_depth"],
            random_state=self.random_state,
            n_jobs=self.n_jobs,
            cv_folds=self.cv_folds,
            oob_score=oob_score,
        )


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


def _fit_audio_only(
    spec: ModelSpec, train: pd.DataFrame, y_train: np.ndarray, config: TrainingConfig
) -> tuple[Pipeline, list[dict[str, Any]]]:
    """The audio-only baseline fitted on the training part; for a regressor also its out-of-bag
    metric rows (the classifier was cross-validated instead)."""
    audio_spec = spec.audio_only()
    out_of_bag = spec.task == "regression"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "some inputs do not have OOB scores": masked below
        audio_pipeline = config.pipeline(audio_spec, oob_score=out_of_bag).fit(
            model_input(train, audio_spec, fitting=True), y_train
        )
    if not out_of_bag:
        return audio_pipeline, []
    trees = config.forest_params(spec)["n_estimators"]
    rows, _ = out_of_bag_rows(spec, audio_pipeline, y_train, trees)
    return audio_pipeline, rows


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


def _new_artist_evaluation(
    spec: ModelSpec,
    fitted: Mapping[str, FittedVariant],
    data: ModellingData,
    config: TrainingConfig,
) -> Evaluation:
    """The model, its audio-only baseline and its cold-start variant refitted once each on the
    split by artist and measured on its held-out artists (split test_new_artists)."""
    train = _checked_rows(spec, data.new_artist_train, config.cv_folds * 2, "train by artist")
    test = _checked_rows(spec, data.new_artist_test, 2, "test by artist")
    refitted = {
        variant: refit(item, train, new_pipeline=config.pipeline)
        for variant, item in fitted.items()
    }
    return evaluate(spec, refitted, train, {SPLIT_TEST_NEW_ARTISTS: test})


def _fit_variant(
    spec: ModelSpec, train: pd.DataFrame, cv: CrossValidation, variant: str, config: TrainingConfig
) -> FittedVariant:
    """Fit one variant on the whole training part, with its CV calibrator and threshold."""
    pipeline = config.pipeline(spec).fit(
        model_input(train, spec, fitting=True), target_values(train, spec)
    )
    return calibrated_variant(spec, pipeline, cv.calibrations.get(variant), cv.thresholds[variant])


def train_model(
    spec: ModelSpec, data: ModellingData, config: TrainingConfig, progress: Progress
) -> ModelResult:
    """Cross-validate (and calibrate a classifier on its out-of-fold probabilities), fit on the
    whole training part, fit the audio-only baseline and the cold-start variant, measure them on
    the held-out tracks, refit the three on the split by artist and measure them on the held-out
    artists, and compute the importances of one model."""
    started = time.perf_counter()
    train = _checked_rows(spec, data.train, config.cv_folds * 2, "train")
    test = _checked_rows(spec, data.test, 2, "test")
    params = config.forest_params(spec)
    progress(
        f"{spec.name}: fitting on {len(train):,} train rows ({config.cv_folds}-fold CV, final, "
        f"audio-only, cold-start, by-artist fits; {params['n_estimators']} trees)"
    )
    cv = cross_validate(
        spec,
        train,
        folds=config.cv_folds,
        random_state=config.random_state,
        new_pipeline=config.pipeline,
    )
    rows = list(cv.rows)
    fit_started = time.perf_counter()
    model = _fit_variant(spec, train, cv, VARIANT_MODEL, config)
    fit_seconds = time.perf_counter() - fit_started
    audio_pipeline, audio_rows = _fit_audio_only(spec, train, target_values(train, spec), config)
    rows.extend(audio_rows)
    fitted = {
        VARIANT_MODEL: model,
        VARIANT_AUDIO_ONLY: calibrated_variant(
            spec.audio_only(),
            audio_pipeline,
            cv.calibrations.get(VARIANT_AUDIO_ONLY),
            cv.thresholds[VARIANT_AUDIO_ONLY],
        ),
        VARIANT_COLD_START: _fit_variant(spec.cold_start(), train, cv, VARIANT_COLD_START, config),
    }
    evaluation = evaluate(spec, fitted, train, {SPLIT_TRAIN: train, SPLIT_TEST: test})
    evaluation.extend(_new_artist_evaluation(spec, fitted, data, config))
    rows.extend(evaluation.rows)
    if spec.task == "classification":
        for variant, item in fitted.items():
            rows.extend(metric_rows(variant, SPLIT_TRAIN, {DECISION_THRESHOLD: item.threshold}))
    cold_start = fitted[VARIANT_COLD_START]
    result = ModelResult(
        spec=spec,
        pipeline=model.pipeline,
        params={
            **params,
            "cv_folds": config.cv_folds,
            "test_size": config.test_size,
            "artist_encoding_target": (spec.artist_level_target or spec.target)
            if spec.uses_artist
            else None,
            "row_filter": spec.row_filter,
            **model.params(),
            "cold_start": {DECISION_THRESHOLD: cold_start.threshold, **cold_start.params()},
        },
        metrics=rows,
        importances=_importances(spec, model.pipeline, test, config),
        threshold=model.threshold,
        n_train=len(train),
        n_test=len(test),
        fit_seconds=fit_seconds,
        cold_start=cold_start,
        reliability=evaluation.reliability,
    )
    result.total_seconds = time.perf_counter() - started
    progress(f"{spec.name}: {result.summary()} ({result.total_seconds:.0f} s)")
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
