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
import sys
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
from ml.modeling.cross_validation import cross_validate, out_of_bag_rows
from ml.modeling.dataset import (
    MODELLING_RELATION,
    ModellingData,
    load_modelling_frame,
    split_by_track,
)
from ml.modeling.evaluate import (
    impurity_importances,
    metric_rows,
    permutation_importances,
    predict_target,
    task_metrics,
)
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
    SPLIT_TRAIN,
    VARIANT_AUDIO_ONLY,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    ModelSpec,
)
from ml.runtime.errors import PipelineError


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
    """Progress lines on stderr: `[train 12.3s] stream_regressor: CV fold 2/5 ...`."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            elapsed = time.perf_counter() - self.start
            print(f"[train {elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


# --- one model --------------------------------------------------------------------------------


def _model_rows(frame: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    """The rows the model is trained and evaluated on (its spec's row_filter)."""
    if spec.row_filter is None:
        return frame
    return frame[frame[spec.row_filter].astype("boolean").fillna(False)].reset_index(drop=True)


def _fit_audio_only(
    spec: ModelSpec, train: pd.DataFrame, y_train: np.ndarray, config: TrainingConfig
) -> tuple[Pipeline, list[dict[str, Any]], str]:
    """The audio-only baseline fitted on the training part; for a regressor also its out-of-bag
    metric rows (the classifier was cross-validated instead). Returns a progress summary too."""
    audio_spec = spec.audio_only()
    out_of_bag = spec.task == "regression"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "some inputs do not have OOB scores": masked below
        audio_pipeline = config.pipeline(audio_spec, oob_score=out_of_bag).fit(
            model_input(train, audio_spec, fitting=True), y_train
        )
    if not out_of_bag:
        return audio_pipeline, [], "cross-validated above"
    trees = config.forest_params(spec)["n_estimators"]
    rows, summary = out_of_bag_rows(spec, audio_pipeline, y_train, trees)
    return audio_pipeline, rows, summary


def _train_and_test_rows(
    spec: ModelSpec,
    fitted: Mapping[str, tuple[Pipeline, ModelSpec]],
    train: pd.DataFrame,
    test: pd.DataFrame,
    thresholds: Mapping[str, float | None],
) -> list[dict[str, Any]]:
    """Metrics of the fitted variants and of the mean / base-rate baseline on the training part
    and on the held-out part, and the classifiers' decision thresholds."""
    y_train, y_test = target_values(train, spec), target_values(test, spec)
    rows: list[dict[str, Any]] = []
    for variant, (fitted_pipeline, variant_spec) in fitted.items():
        for split, part, y in ((SPLIT_TRAIN, train, y_train), (SPLIT_TEST, test, y_test)):
            predicted = predict_target(
                fitted_pipeline, variant_spec, model_input(part, variant_spec)
            )
            rows.extend(
                metric_rows(variant, split, task_metrics(spec, y, predicted, thresholds[variant]))
            )
    for split, y in ((SPLIT_TRAIN, y_train), (SPLIT_TEST, y_test)):
        constant = np.full(len(y), y_train.mean())
        values = task_metrics(spec, y, constant, thresholds[VARIANT_MEAN_BASELINE])
        rows.extend(metric_rows(VARIANT_MEAN_BASELINE, split, values))
    if spec.task == "classification":
        for variant in fitted:
            rows.extend(
                metric_rows(variant, SPLIT_TRAIN, {DECISION_THRESHOLD: thresholds[variant]})
            )
    return rows


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


def train_model(
    spec: ModelSpec, data: ModellingData, config: TrainingConfig, progress: Progress
) -> ModelResult:
    """Cross-validate, fit on the whole training part, fit the audio-only baseline, measure all
    variants on the held-out part, and compute the importances of one model."""
    started = time.perf_counter()
    train, test = _model_rows(data.train, spec), _model_rows(data.test, spec)
    if len(train) < config.cv_folds * 2 or len(test) < 2:
        raise PipelineError(
            f"{spec.name}: too few rows to train and evaluate "
            f"({len(train)} train, {len(test)} test)",
            step="train",
        )
    params = config.forest_params(spec)
    progress(
        f"{spec.name}: target {spec.target}, {len(train):,} train / {len(test):,} test rows, "
        f"{len(spec.features)} inputs, {params['n_estimators']} trees, depth {params['max_depth']}"
    )
    rows, thresholds = cross_validate(
        spec,
        train,
        folds=config.cv_folds,
        random_state=config.random_state,
        new_pipeline=config.pipeline,
        progress=progress,
    )

    y_train = target_values(train, spec)
    fit_started = time.perf_counter()
    pipeline = config.pipeline(spec).fit(model_input(train, spec, fitting=True), y_train)
    fit_seconds = time.perf_counter() - fit_started
    progress(f"{spec.name}: final fit on {len(train):,} rows ({fit_seconds:.1f} s)")
    audio_started = time.perf_counter()
    audio_pipeline, audio_rows, estimate = _fit_audio_only(spec, train, y_train, config)
    rows.extend(audio_rows)
    progress(
        f"{spec.name}: audio-only baseline, {estimate} "
        f"({time.perf_counter() - audio_started:.1f} s)"
    )
    fitted = {
        VARIANT_MODEL: (pipeline, spec),
        VARIANT_AUDIO_ONLY: (audio_pipeline, spec.audio_only()),
    }
    rows.extend(_train_and_test_rows(spec, fitted, train, test, thresholds))
    result = ModelResult(
        spec=spec,
        pipeline=pipeline,
        params={
            **params,
            "cv_folds": config.cv_folds,
            "test_size": config.test_size,
            "artist_encoding_target": (spec.artist_level_target or spec.target)
            if spec.uses_artist
            else None,
            "row_filter": spec.row_filter,
        },
        metrics=rows,
        importances=_importances(spec, pipeline, test, config),
        threshold=thresholds[VARIANT_MODEL],
        n_train=len(train),
        n_test=len(test),
        fit_seconds=fit_seconds,
    )
    result.total_seconds = time.perf_counter() - started
    progress(f"{spec.name}: {result.summary()} ({result.total_seconds:.1f} s)")
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
    report(f"run {run_id}: reading {MODELLING_RELATION} from {settings.warehouse_path}")
    frame, total_rows = load_modelling_frame(
        settings.warehouse_path,
        max_rows=config.max_training_rows,
        random_state=config.random_state,
    )
    fingerprint = registry.frame_fingerprint(frame)
    data = split_by_track(
        frame, test_size=config.test_size, random_state=config.random_state, total_rows=total_rows
    )
    if data.sampled:
        report(
            f"{total_rows:,} modelling tracks exceed max_training_rows="
            f"{config.max_training_rows:,}: training on a seeded sample of {len(frame):,}"
        )
    report(
        f"{len(frame):,} distinct tracks: {len(data.train):,} train / {len(data.test):,} test "
        f"(hit rate {frame[HIT_CLASSIFIER.target].mean():.3f})"
    )

    results = {spec.name: train_model(spec, data, config, report) for spec in MODEL_SPECS}

    directory = registry.run_dir(settings.models_dir, run_id)
    artifacts = save_artifacts(settings.models_dir, directory, results)
    report(f"artifacts saved in {directory}")
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
        results,
        data,
        directory / "predictions",
        batch_rows=config.prediction_batch_rows,
        progress=report,
    )

    tables = run.tables(predictions_glob)
    published = registry.publish_run(settings.warehouse_path, tables)
    registry.promote_run(settings.models_dir, run_id)
    report(
        f"run {run_id} published: {len(tables.metrics)} metrics, "
        f"{len(tables.feature_importance)} importances, {published:,} predictions"
    )
    if progress:
        print(format_summary(results), file=sys.stderr, flush=True)
    return run_id
