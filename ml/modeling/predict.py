"""Predictions of the three models: every distinct track of marts.tracks after training (the
rows of ml.predictions). Scoring a CSV of new tracks (`python -m ml score`) is
ml/modeling/score.py, which asks the models through predict_frame.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ml.config import Settings
from ml.modeling.dataset import TRACKS_RELATION, ModellingData, iter_tracks
from ml.modeling.evaluate import DEFAULT_THRESHOLD
from ml.modeling.features import model_input
from ml.modeling.run_record import ModelResult
from ml.modeling.specs import (
    HIT_CLASSIFIER,
    SPLIT_NOT_SAMPLED,
    SPLIT_TEST,
    SPLIT_TRAIN,
    SPLIT_UNLABELLED,
    STREAM_REGRESSOR,
    VIEWS_REGRESSOR,
)
from ml.runtime.errors import PipelineError


def predict_frame(
    frame: pd.DataFrame, pipelines: Mapping[str, Pipeline], hit_threshold: float
) -> pd.DataFrame:
    """Predictions of the three models for rows shaped like marts.tracks.

    The views model reads log_streams; where streams are unknown (new or unlabelled tracks) it gets
    the stream regressor's prediction instead."""
    log_streams = pipelines[STREAM_REGRESSOR.name].predict(model_input(frame, STREAM_REGRESSOR))
    hit_probability = pipelines[HIT_CLASSIFIER.name].predict_proba(
        model_input(frame, HIT_CLASSIFIER)
    )[:, 1]
    known = pd.to_numeric(frame["log_streams"], errors="coerce")
    views_input = frame.assign(log_streams=known.fillna(pd.Series(log_streams, index=frame.index)))
    log_views = pipelines[VIEWS_REGRESSOR.name].predict(model_input(views_input, VIEWS_REGRESSOR))
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


def _decision_threshold(recorded: float | None) -> float:
    return DEFAULT_THRESHOLD if recorded is None else float(recorded)


def _prediction_splits(
    batch: pd.DataFrame, train_uris: set[str], test_uris: set[str]
) -> np.ndarray:
    """ml.predictions.split of each track: train / test as in the run; not_sampled: a modelling
    track left out by the max_training_rows cap; unlabelled: streams unknown or an outlier."""
    return np.select(
        [
            batch["uri"].isin(train_uris),
            batch["uri"].isin(test_uris),
            batch["is_modelling_track"].astype(bool),
        ],
        [SPLIT_TRAIN, SPLIT_TEST, SPLIT_NOT_SAMPLED],
        default=SPLIT_UNLABELLED,
    )


def write_predictions(
    settings: Settings,
    run_id: str,
    results: Mapping[str, ModelResult],
    data: ModellingData,
    out_dir: Path,
    *,
    batch_rows: int,
    progress: Callable[[str], None],
) -> str:
    """Predict every distinct track of marts.tracks in batches into parquet parts; return a glob."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pipelines = {name: result.pipeline for name, result in results.items()}
    threshold = _decision_threshold(results[HIT_CLASSIFIER.name].threshold)
    train_uris, test_uris = set(data.train["uri"]), set(data.test["uri"])
    writer = duckdb.connect()
    total = 0
    try:
        for number, batch in enumerate(iter_tracks(settings.warehouse_path, batch_rows=batch_rows)):
            frame = pd.concat(
                [
                    pd.DataFrame(
                        {
                            "run_id": run_id,
                            "uri": batch["uri"],
                            "row_id": batch["row_id"].astype("int64"),
                            "split": _prediction_splits(batch, train_uris, test_uris),
                        }
                    ),
                    predict_frame(batch, pipelines, threshold),
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
        raise PipelineError(f"{TRACKS_RELATION} is empty: nothing to predict", step="train")
    return (out_dir / "part-*.parquet").as_posix()
