"""Train the three forests from marts.model_features with honest evaluation, record the run.

One `train_all` call = one run_id shared by the stream regressor, the hit classifier and the
views regressor. For each model: 5-fold CV on the training 80% (the model and the mean / base-rate
baseline), a final fit on the whole training part, the audio-only forest fitted once on the
training part (its out-of-bag predictions stand in for CV: split 'oob'), metrics on the held-out
20%, impurity and permutation importances, one joblib artifact. Then predictions for every
distinct track of marts.tracks, and one atomic publish to the ml tables.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from ml.config import Settings
from ml.modeling import evaluate, registry
from ml.modeling.dataset import ModellingData, iter_tracks, load_modelling_frame, split_by_track
from ml.modeling.features import build_pipeline, model_input, target_values
from ml.modeling.specs import MODEL_SPECS, VARIANTS, ModelSpec
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


@dataclass
class ModelResult:
    spec: ModelSpec
    pipeline: Pipeline
    params: dict[str, Any]
    metrics: list[dict[str, Any]] = field(default_factory=list)
    importances: pd.DataFrame | None = None
    threshold: float | None = None
    n_train: int = 0
    n_test: int = 0
    fit_seconds: float = 0.0
    total_seconds: float = 0.0

    def metric(self, variant: str, split: str, name: str) -> float:
        for row in self.metrics:
            if (row["variant"], row["split"], row["metric"]) == (variant, split, name):
                return float(row["value"])
        return float("nan")


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


def _rows(frame: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    if spec.row_filter is None:
        return frame
    return frame[frame[spec.row_filter].astype("boolean").fillna(False)].reset_index(drop=True)


def _pipeline(spec: ModelSpec, config: TrainingConfig, *, oob_score: bool = False) -> Pipeline:
    params = config.forest_params(spec)
    return build_pipeline(
        spec,
        n_estimators=params["n_estimators"],
        max_depth=params["max_depth"],
        random_state=config.random_state,
        n_jobs=config.n_jobs,
        cv_folds=config.cv_folds,
        oob_score=oob_score,
    )


def _out_of_bag(pipeline: Pipeline) -> tuple[np.ndarray, np.ndarray]:
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


def _predict(pipeline: Pipeline, spec: ModelSpec, features: pd.DataFrame) -> np.ndarray:
    if spec.task == "classification":
        return pipeline.predict_proba(features)[:, 1]
    return pipeline.predict(features)


def _metrics(
    spec: ModelSpec, y: np.ndarray, predicted: np.ndarray, threshold: float | None
) -> dict[str, float]:
    if spec.task == "classification":
        return evaluate.classification_metrics(
            y, predicted, 0.5 if threshold is None else threshold
        )
    return evaluate.regression_metrics(y, predicted)


def _rows_for(variant: str, split: str, values: Mapping[str, float]) -> list[dict[str, Any]]:
    return [
        {"variant": variant, "split": split, "metric": name, "value": float(value)}
        for name, value in values.items()
    ]


def _headline_metric(spec: ModelSpec, y: np.ndarray, predicted: np.ndarray) -> str:
    if spec.task == "classification":
        return f"ROC-AUC {evaluate.classification_metrics(y, predicted, 0.5)['roc_auc']:.3f}"
    return f"R2 {evaluate.regression_metrics(y, predicted)['r2']:.3f}"


# A base-rate classifier predicts the training hit rate as every track's probability and the
# majority class (not a hit) as its label: accuracy = 1 - hit rate, F1 = 0, ROC-AUC = 0.5.
_NEVER = float("inf")


def _cross_validate(
    spec: ModelSpec,
    frame: pd.DataFrame,
    config: TrainingConfig,
    progress: Progress,
) -> tuple[list[dict[str, Any]], dict[str, float | None]]:
    """5-fold CV on the training part for the model and the mean / base-rate baseline; returns
    metric rows and the decision thresholds chosen on the out-of-fold predictions (classifier).

    The audio-only classifier is cross-validated too, so that its decision threshold is chosen
    exactly like the model's; the audio-only regressors have no threshold and are estimated
    out-of-bag instead (train_model), which costs one fit instead of cv_folds."""
    y = target_values(frame, spec)
    specs = {"model": spec}
    if spec.task == "classification":
        specs["audio_only"] = spec.audio_only()
    fit_inputs = {v: model_input(frame, s, fitting=True) for v, s in specs.items()}
    predict_inputs = {v: model_input(frame, s) for v, s in specs.items()}
    splitter = (
        StratifiedKFold(config.cv_folds, shuffle=True, random_state=config.random_state)
        if spec.task == "classification"
        else KFold(config.cv_folds, shuffle=True, random_state=config.random_state)
    )
    folds = list(splitter.split(frame, y))
    cv_variants = (*specs, "mean_baseline")
    out_of_fold = {variant: np.zeros(len(frame)) for variant in cv_variants}
    for number, (fit_index, check_index) in enumerate(folds, start=1):
        started = time.perf_counter()
        for variant, variant_spec in specs.items():
            pipeline = _pipeline(variant_spec, config)
            pipeline.fit(fit_inputs[variant].iloc[fit_index], y[fit_index])
            out_of_fold[variant][check_index] = _predict(
                pipeline, variant_spec, predict_inputs[variant].iloc[check_index]
            )
        out_of_fold["mean_baseline"][check_index] = y[fit_index].mean()
        summary = _headline_metric(spec, y[check_index], out_of_fold["model"][check_index])
        progress(
            f"{spec.name}: CV fold {number}/{len(folds)} {summary} "
            f"({time.perf_counter() - started:.1f} s)"
        )
    thresholds: dict[str, float | None] = {variant: None for variant in VARIANTS}
    if spec.task == "classification":
        for variant in specs:
            thresholds[variant] = evaluate.best_f1_threshold(y, out_of_fold[variant])
        thresholds["mean_baseline"] = _NEVER
    rows: list[dict[str, Any]] = []
    for variant in cv_variants:
        per_fold = [
            _metrics(spec, y[check], out_of_fold[variant][check], thresholds[variant])
            for _, check in folds
        ]
        for split, values in evaluate.summarise_folds(per_fold).items():
            rows.extend(_rows_for(variant, split, values))
    return rows, thresholds


def train_model(
    spec: ModelSpec, data: ModellingData, config: TrainingConfig, progress: Progress
) -> ModelResult:
    started = time.perf_counter()
    train, test = _rows(data.train, spec), _rows(data.test, spec)
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
    metric_rows, thresholds = _cross_validate(spec, train, config, progress)

    y_train, y_test = target_values(train, spec), target_values(test, spec)
    fit_started = time.perf_counter()
    pipeline = _pipeline(spec, config).fit(model_input(train, spec, fitting=True), y_train)
    fit_seconds = time.perf_counter() - fit_started
    progress(f"{spec.name}: final fit on {len(train):,} rows ({fit_seconds:.1f} s)")
    audio_started = time.perf_counter()
    audio_spec = spec.audio_only()
    out_of_bag = spec.task == "regression"  # the classifier was cross-validated instead
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "some inputs do not have OOB scores": masked below
        audio_pipeline = _pipeline(audio_spec, config, oob_score=out_of_bag).fit(
            model_input(train, audio_spec, fitting=True), y_train
        )
    if out_of_bag:
        # Fitted once: its out-of-bag predictions on the training part are its "unseen rows"
        # estimate (split 'oob'), at the cost of one fit instead of cv_folds + 1.
        predicted, bagged = _out_of_bag(audio_pipeline)
        if bagged.sum() < 2:
            raise PipelineError(
                f"{spec.name}: the audio-only forest has no out-of-bag predictions "
                f"({params['n_estimators']} trees): use more trees",
                step="train",
            )
        metric_rows.extend(
            _rows_for("audio_only", "oob", _metrics(spec, y_train[bagged], predicted[bagged], None))
        )
        estimate = f"out-of-bag {_headline_metric(spec, y_train[bagged], predicted[bagged])}"
    else:
        estimate = "cross-validated above"
    progress(
        f"{spec.name}: audio-only baseline, {estimate} "
        f"({time.perf_counter() - audio_started:.1f} s)"
    )

    fitted = {"model": (pipeline, spec), "audio_only": (audio_pipeline, audio_spec)}
    for variant, (fitted_pipeline, variant_spec) in fitted.items():
        for split, part, y in (("train", train, y_train), ("test", test, y_test)):
            predicted = _predict(fitted_pipeline, variant_spec, model_input(part, variant_spec))
            values = _metrics(spec, y, predicted, thresholds[variant])
            metric_rows.extend(_rows_for(variant, split, values))
    for split, y in (("train", y_train), ("test", y_test)):
        constant = np.full(len(y), y_train.mean())
        metric_rows.extend(
            _rows_for(
                "mean_baseline",
                split,
                _metrics(spec, y, constant, thresholds["mean_baseline"]),
            )
        )
    if spec.task == "classification":
        for variant in ("model", "audio_only"):
            metric_rows.extend(
                _rows_for(variant, "train", {"decision_threshold": thresholds[variant]})
            )

    importances = pd.concat(
        [
            evaluate.impurity_importances(pipeline),
            evaluate.permutation_importances(
                pipeline,
                model_input(test, spec),
                y_test,
                scoring="roc_auc" if spec.task == "classification" else "r2",
                repeats=config.permutation_repeats,
                random_state=config.random_state,
            ),
        ],
        ignore_index=True,
    )
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
        metrics=metric_rows,
        importances=importances,
        threshold=thresholds["model"],
        n_train=len(train),
        n_test=len(test),
        fit_seconds=fit_seconds,
    )
    result.total_seconds = time.perf_counter() - started
    if spec.task == "classification":
        headline = (
            f"test ROC-AUC {result.metric('model', 'test', 'roc_auc'):.3f} "
            f"(audio-only {result.metric('audio_only', 'test', 'roc_auc'):.3f}), "
            f"PR-AUC {result.metric('model', 'test', 'pr_auc'):.3f}, "
            f"F1 {result.metric('model', 'test', 'f1'):.3f} at threshold {result.threshold:.3f}"
        )
    else:
        headline = (
            f"test R2 {result.metric('model', 'test', 'r2'):.3f} "
            f"(audio-only {result.metric('audio_only', 'test', 'r2'):.3f}, "
            f"mean {result.metric('mean_baseline', 'test', 'r2'):.3f}), "
            f"CV R2 {result.metric('model', 'cv_mean', 'r2'):.3f} "
            f"+- {result.metric('model', 'cv_std', 'r2'):.3f}"
        )
    progress(f"{spec.name}: {headline} ({result.total_seconds:.1f} s)")
    return result


# --- predictions for every distinct track -------------------------------------------------------


def predict_frame(
    frame: pd.DataFrame, pipelines: Mapping[str, Pipeline], hit_threshold: float
) -> pd.DataFrame:
    """Predictions of the three models for rows shaped like marts.tracks.

    The views model reads log_streams; where streams are unknown (new or unlabelled tracks) it gets
    the stream regressor's prediction instead."""
    by_name = {spec.name: spec for spec in MODEL_SPECS}
    stream_spec, hit_spec, views_spec = (
        by_name["stream_regressor"],
        by_name["hit_classifier"],
        by_name["views_regressor"],
    )
    log_streams = pipelines[stream_spec.name].predict(model_input(frame, stream_spec))
    hit_probability = pipelines[hit_spec.name].predict_proba(model_input(frame, hit_spec))[:, 1]
    known = pd.to_numeric(frame["log_streams"], errors="coerce")
    views_input = frame.assign(log_streams=known.fillna(pd.Series(log_streams, index=frame.index)))
    log_views = pipelines[views_spec.name].predict(model_input(views_input, views_spec))
    return pd.DataFrame(
        {
            "predicted_log_streams": log_streams,
            "predicted_streams": np.expm1(log_streams),
            "hit_probability": hit_probability,
            "predicted_hit": hit_probability >= hit_threshold,
            "predicted_log_views": log_views,
            "predicted_views": np.expm1(log_views),
        },
        index=frame.index,
    )


def write_predictions(
    settings: Settings,
    run_id: str,
    results: Mapping[str, ModelResult],
    data: ModellingData,
    config: TrainingConfig,
    out_dir: Path,
    progress: Progress,
) -> str:
    """Predict every distinct track of marts.tracks in batches into parquet parts; return a glob."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pipelines = {name: result.pipeline for name, result in results.items()}
    threshold = results["hit_classifier"].threshold
    threshold = 0.5 if threshold is None else threshold
    train_uris, test_uris = set(data.train["uri"]), set(data.test["uri"])
    writer = duckdb.connect()
    total = 0
    try:
        for number, batch in enumerate(
            iter_tracks(settings.warehouse_path, batch_rows=config.prediction_batch_rows)
        ):
            predictions = predict_frame(batch, pipelines, threshold)
            # unlabelled: streams unknown or an outlier; not_sampled: a modelling track left out
            # by the max_training_rows cap
            split = np.select(
                [
                    batch["uri"].isin(train_uris),
                    batch["uri"].isin(test_uris),
                    batch["is_modelling_track"].astype(bool),
                ],
                ["train", "test", "not_sampled"],
                default="unlabelled",
            )
            frame = pd.concat(
                [
                    pd.DataFrame(
                        {
                            "run_id": run_id,
                            "uri": batch["uri"],
                            "row_id": batch["row_id"].astype("int64"),
                            "split": split,
                        }
                    ),
                    predictions,
                ],
                axis=1,
            )
            writer.register("batch", frame)
            part = out_dir / f"part-{number:05d}.parquet"
            quoted = part.as_posix().replace("'", "''")
            writer.execute(f"copy batch to '{quoted}' (format parquet)")
            writer.unregister("batch")
            total += len(frame)
            progress(f"predictions: {total:,} tracks")
    finally:
        writer.close()
    if total == 0:
        raise PipelineError("marts.tracks is empty: nothing to predict", step="train")
    return (out_dir / "part-*.parquet").as_posix()


# --- the run ------------------------------------------------------------------------------------


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _metadata(
    run_id: str,
    created_at: datetime,
    fingerprint: str,
    data: ModellingData,
    config: TrainingConfig,
    results: Mapping[str, ModelResult],
    artifacts: Mapping[str, tuple[str, str]],
    version: str,
) -> dict[str, Any]:
    models = {}
    for name, result in results.items():
        test = {
            row["metric"]: row["value"]
            for row in result.metrics
            if row["variant"] == "model" and row["split"] == "test"
        }
        models[name] = {
            "target": result.spec.target,
            "task": result.spec.task,
            "description": result.spec.description,
            "features": list(result.spec.features),
            "row_filter": result.spec.row_filter,
            "params": result.params,
            "decision_threshold": result.threshold,
            "n_train": result.n_train,
            "n_test": result.n_test,
            "test_metrics": test,
            "artifact_path": artifacts[name][0],
            "artifact_sha256": artifacts[name][1],
        }
    return {
        "run_id": run_id,
        "created_at": created_at.isoformat(),
        "code_version": version,
        "data_fingerprint": fingerprint,
        "modelling_rows": data.total_rows,
        "sampled_rows": len(data.train) + len(data.test),
        "training_config": asdict(config),
        "environment": registry.environment_summary(),
        "models": models,
    }


def train_all(
    settings: Settings, *, progress: bool = True, config: TrainingConfig | None = None
) -> str:
    """Train, evaluate, save and publish the three models; return the run_id."""
    config = config or TrainingConfig.from_env()
    report = Progress(progress)
    created_at = datetime.now(timezone.utc).replace(microsecond=0)
    run_id = new_run_id(created_at)
    report(f"run {run_id}: reading marts.model_features from {settings.warehouse_path}")
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
        f"(hit rate {frame['is_hit'].mean():.3f})"
    )

    results: dict[str, ModelResult] = {}
    for spec in MODEL_SPECS:
        results[spec.name] = train_model(spec, data, config, report)

    directory = registry.run_dir(settings.models_dir, run_id)
    artifacts: dict[str, tuple[str, str]] = {}
    for name, result in results.items():
        path = directory / f"{name}.joblib"
        sha = registry.save_model(result.pipeline, path)
        artifacts[name] = (path.relative_to(settings.models_dir).as_posix(), sha)
    report(f"artifacts saved in {directory}")
    version = registry.code_version()
    registry.write_run_metadata(
        settings.models_dir,
        run_id,
        _metadata(run_id, created_at, fingerprint, data, config, results, artifacts, version),
    )
    predictions_glob = write_predictions(
        settings, run_id, results, data, config, directory / "predictions", report
    )

    tables = _run_tables(run_id, created_at, fingerprint, results, artifacts, version)
    tables = replace(tables, predictions_glob=predictions_glob)
    published = registry.publish_run(settings.warehouse_path, tables)
    registry.promote_run(settings.models_dir, run_id)
    report(
        f"run {run_id} published: {len(tables.metrics)} metrics, "
        f"{len(tables.feature_importance)} importances, {published:,} predictions"
    )
    if progress:
        print(format_summary(results), file=sys.stderr, flush=True)
    return run_id


def _run_tables(
    run_id: str,
    created_at: datetime,
    fingerprint: str,
    results: Mapping[str, ModelResult],
    artifacts: Mapping[str, tuple[str, str]],
    version: str,
) -> registry.RunTables:
    created = pd.Timestamp(created_at.replace(tzinfo=None))
    runs = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "model_name": name,
                "created_at": created,
                "params_json": json.dumps(
                    {**result.params, "decision_threshold": result.threshold}, sort_keys=True
                ),
                "features_json": json.dumps(list(result.spec.features)),
                "target": result.spec.target,
                "n_train": result.n_train,
                "n_test": result.n_test,
                "data_fingerprint": fingerprint,
                "artifact_path": artifacts[name][0],
                "artifact_sha256": artifacts[name][1],
                "fit_seconds": result.fit_seconds,
                "total_seconds": result.total_seconds,
                "code_version": version,
                "status": "ok",
            }
            for name, result in results.items()
        ]
    )
    metrics = pd.DataFrame(
        [
            {"run_id": run_id, "model_name": name, **row}
            for name, result in results.items()
            for row in result.metrics
        ]
    )
    importances = pd.concat(
        [
            result.importances.assign(run_id=run_id, model_name=name)
            for name, result in results.items()
        ],
        ignore_index=True,
    )
    return registry.RunTables(
        runs=runs, metrics=metrics, feature_importance=importances, predictions_glob=""
    )


def format_summary(results: Mapping[str, ModelResult]) -> str:
    """Held-out and CV metrics of each model beside its baselines, as a text table (the audio-only
    forest has no CV: its out-of-bag estimate is in ml.metrics, split 'oob')."""
    lines = [f"{'model':<18}{'metric':<10}{'split':<9}{'model':>9}{'audio':>9}{'mean':>9}"]
    for name, result in results.items():
        metrics = (
            ("r2", "rmse") if result.spec.task == "regression" else ("roc_auc", "pr_auc", "f1")
        )
        for metric in metrics:
            for split in ("test", "cv_mean"):
                values = [result.metric(variant, split, metric) for variant in VARIANTS]
                lines.append(
                    f"{name:<18}{metric:<10}{split:<9}"
                    + "".join(f"{v:9.3f}" if np.isfinite(v) else f"{'-':>9}" for v in values)
                )
    return "\n".join(lines)
