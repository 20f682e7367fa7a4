"""Train the three models from marts.model_features with honest evaluation, record the run.

One `train_all` call = one run_id shared by the stream regressor, the hit classifier and the
views regressor. For each model (`train_model`): its forests (ml/modeling/forests.py: the model,
its audio-only baseline and its cold-start variant with their training estimates, held-out and
new-artist metrics), its gradient-boosting challenger (ml/modeling/challenger.py, fitted on a side
thread while the forests use every core), the choice of the served model, and the model's
importances (on another side thread). Then one joblib artifact per model and the run's records
(ml/modeling/run_record.py), predictions for every distinct track of marts.tracks
(ml/modeling/predict.py), and one atomic publish to the ml tables.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime, timezone

import pandas as pd

from ml.config import Settings
from ml.modeling import registry
from ml.modeling.challenger import Challenger, choose_serving, fit_challenger, serving_setting
from ml.modeling.dataset import (
    MODELLING_RELATION,
    ModellingData,
    load_modelling_frame,
    split_by_track,
)
from ml.modeling.forests import ModelParts, fit_forests, model_importances, model_parts
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
    MODEL_SPECS,
    SERVING_CHALLENGER,
    VARIANT_AUDIO_ONLY,
    VARIANT_CHALLENGER,
    VARIANT_COLD_START,
    VARIANT_MODEL,
    ModelSpec,
)
from ml.modeling.training_config import TrainingConfig
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


def start_challenger(
    spec: ModelSpec, parts: ModelParts, config: TrainingConfig, executor: Executor
) -> Future[Challenger]:
    """Fit and evaluate the gradient-boosting challenger of `spec` on `executor` (its fits are
    single-threaded: they run beside the forests, on the same data and seeds, so the results do
    not depend on it)."""
    return executor.submit(
        fit_challenger,
        spec,
        parts.train,
        parts.test,
        parts.by_artist,
        folds=config.cv_folds,
        random_state=config.random_state,
    )


def train_model(
    spec: ModelSpec,
    parts: ModelParts,
    config: TrainingConfig,
    progress: Progress,
    pending_challenger: Future[Challenger],
    side: Executor,
) -> tuple[ModelResult, Future[pd.DataFrame]]:
    """Fit the model, its audio-only baseline and its cold-start variant on the whole training
    part with their training estimates (_fit_variants), measure them on the held-out tracks,
    refit the three on the split by artist and measure them on the held-out artists, take the
    challenger (fitted beside), choose the served model, and start the importances of the model
    on `side`. Returns the result and its pending importances."""
    started = time.perf_counter()
    train, test = parts.train, parts.test
    params = config.forest_params(spec)
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
    fitted, rows, fit_seconds, evaluation = fit_forests(spec, train, test, parts.by_artist, config)
    model, cold_start = fitted[VARIANT_MODEL], fitted[VARIANT_COLD_START]
    importances = side.submit(model_importances, spec, model.pipeline, test, config)
    if not pending_challenger.done():
        progress(f"{spec.name}: waiting for the gradient-boosting challenger (fitted beside)")
    challenger = pending_challenger.result()
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
            "audio_only_trees": config.variant_tree_count(spec, VARIANT_AUDIO_ONLY),
            "cold_start_trees": config.variant_tree_count(spec, VARIANT_COLD_START),
            "permutation_rows": min(len(test), config.permutation_rows or len(test)),
            "permutation_repeats": config.permutation_repeats,
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
        threshold=served.threshold,
        n_train=len(train),
        n_test=len(test),
        fit_seconds=fit_seconds,
        cold_start=cold_start,
        reliability=evaluation.reliability,
    )
    result.total_seconds = time.perf_counter() - started
    progress(
        f"{spec.name}: {result.summary()} ({result.total_seconds:.0f} s; challenger "
        f"{challenger.seconds:.0f} s beside; serving {serving})"
    )
    return result, importances


def train_models(
    data: ModellingData, config: TrainingConfig, progress: Progress
) -> dict[str, ModelResult]:
    """Every model of MODEL_SPECS. The challengers are queued on one side thread from the start
    (back to back, while the forests use every core), the importances on another as each forest
    is done: the forests never wait for them."""
    parts = {spec.name: model_parts(spec, data, config) for spec in MODEL_SPECS}
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="challenger") as challengers,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="importances") as side,
    ):
        pending = {
            spec.name: start_challenger(spec, parts[spec.name], config, challengers)
            for spec in MODEL_SPECS
        }
        trained = {
            spec.name: train_model(
                spec, parts[spec.name], config, progress, pending[spec.name], side
            )
            for spec in MODEL_SPECS
        }
        results = {}
        for name, (result, importances) in trained.items():
            result.importances = importances.result()
            results[name] = result
    return results


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

    results = train_models(data, config, report)

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
