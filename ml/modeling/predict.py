"""Predictions of the three models: every distinct track of marts.tracks after training (the
rows of ml.predictions). Scoring a CSV of new tracks (`python -m ml score`) is
ml/modeling/score.py, which asks the models through predict_frame.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ml.config import Settings
from ml.modeling.dataset import TRACKS_RELATION, KeySet, ModellingData, is_in, iter_tracks
from ml.modeling.serving import ServingModels, predict_tracks
from ml.modeling.specs import (
    SPLIT_NOT_SAMPLED,
    SPLIT_TEST,
    SPLIT_TRAIN,
    SPLIT_UNLABELLED,
    VARIANT_MODEL,
)
from ml.runtime.errors import PipelineError
from ml.runtime.parallel import bounded_results
from ml.runtime.progress import progress_bar
from ml.runtime.warehouse import sql_path


def predict_frame(
    frame: pd.DataFrame, pipelines: Mapping[str, Pipeline], hit_threshold: float
) -> pd.DataFrame:
    """Predictions of the three artist-aware models for rows shaped like marts.tracks, without
    routing by artist (see serving.predict_tracks for the routed batch prediction)."""
    models = ServingModels({VARIANT_MODEL: pipelines}, {VARIANT_MODEL: hit_threshold})
    return predict_tracks(frame, models)


def _prediction_splits(batch: pd.DataFrame, train_uris: KeySet, test_uris: KeySet) -> np.ndarray:
    """ml.predictions.split of each track: train / test as in the run; not_sampled: a modelling
    track left out by the max_training_rows cap; unlabelled: streams unknown or an outlier."""
    return np.select(
        [
            is_in(batch["uri"], train_uris),
            is_in(batch["uri"], test_uris),
            batch["is_modelling_track"].astype(bool),
        ],
        [SPLIT_TRAIN, SPLIT_TEST, SPLIT_NOT_SAMPLED],
        default=SPLIT_UNLABELLED,
    )


# Columns of ml.predictions taken from the batch prediction (dbt_project/macros/ml_tables.sql).
PREDICTION_TABLE_COLUMNS = (
    "predicted_log_streams", "predicted_streams", "hit_probability", "predicted_hit",
    "predicted_log_views", "predicted_views", "model_variant",
)  # fmt: skip


def _prediction_rows(
    run_id: str, batch: pd.DataFrame, models: ServingModels, splits: tuple[KeySet, KeySet]
) -> pd.DataFrame:
    """The ml.predictions rows of one batch of marts.tracks (it has no stream interval columns,
    so the per-tree predictions behind them are not computed: ~40% of a batch's CPU)."""
    predictions = predict_tracks(batch, models, intervals=False)
    keys = pd.DataFrame(
        {
            "run_id": run_id,
            "uri": batch["uri"],
            "row_id": batch["row_id"].astype("int64"),
            "split": _prediction_splits(batch, *splits),
        }
    )
    return pd.concat([keys, predictions.loc[:, list(PREDICTION_TABLE_COLUMNS)]], axis=1)


def write_predictions(
    settings: Settings,
    run_id: str,
    models: ServingModels,
    data: ModellingData,
    out_dir: Path,
    *,
    batch_rows: int,
    workers: int | None = None,
) -> str:
    """Predict every distinct track of marts.tracks in batches into parquet parts (routed by
    artist like any batch prediction); return a glob of the parts.

    Batches are predicted and written by a pool of `workers` threads (default: the CPU count)
    while the next batch is read: the forests' tree traversal and DuckDB's parquet writer release
    the GIL, so reading, predicting and writing overlap. At most `workers` batches are in flight
    (memory stays bounded); part numbers follow the read order, so the parts' contents do not
    depend on the thread count."""
    out_dir.mkdir(parents=True, exist_ok=True)
    splits = (KeySet(data.train["uri"]), KeySet(data.test["uri"]))
    writer = duckdb.connect()

    def predict_and_write(number: int, batch: pd.DataFrame) -> int:
        frame = _prediction_rows(run_id, batch, models, splits)
        part = out_dir / f"part-{number:05d}.parquet"
        cursor = writer.cursor()  # one connection per thread
        try:
            cursor.register("batch", frame)
            cursor.execute(f"copy batch to {sql_path(part)} (format parquet)")
        finally:
            cursor.close()
        return len(frame)

    limit = workers or os.cpu_count() or 1
    written: list[int] = []
    try:
        with (
            progress_bar(desc="predictions", unit="tracks") as bar,
            ThreadPoolExecutor(max_workers=limit) as pool,
        ):
            batches = iter_tracks(settings.warehouse_path, batch_rows=batch_rows)
            for count in bounded_results(pool, predict_and_write, enumerate(batches), limit):
                written.append(count)
                bar.update(count)
    finally:
        writer.close()
    total = sum(written)
    if total == 0:
        raise PipelineError(f"{TRACKS_RELATION} is empty: nothing to predict", step="train")
    return (out_dir / "part-*.parquet").as_posix()
