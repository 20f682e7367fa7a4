"""Predictions of the three models: every distinct track of marts.tracks after training (the
rows of ml.predictions). Scoring a CSV of new tracks (`python -m ml score`) is
ml/modeling/score.py, which asks the models through predict_frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ml.config import Settings
from ml.modeling.dataset import TRACKS_RELATION, ModellingData, iter_tracks
from ml.modeling.serving import ServingModels, predict_tracks
from ml.modeling.specs import (
    SPLIT_NOT_SAMPLED,
    SPLIT_TEST,
    SPLIT_TRAIN,
    SPLIT_UNLABELLED,
    VARIANT_MODEL,
)
from ml.runtime.errors import PipelineError
from ml.runtime.progress import progress_bar


def predict_frame(
    frame: pd.DataFrame, pipelines: Mapping[str, Pipeline], hit_threshold: float
) -> pd.DataFrame:
    """Predictions of the three artist-aware models for rows shaped like marts.tracks, without
    routing by artist (see serving.predict_tracks for the routed batch prediction)."""
    models = ServingModels({VARIANT_MODEL: pipelines}, {VARIANT_MODEL: hit_threshold})
    return predict_tracks(frame, models)


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


# Columns of ml.predictions taken from the batch prediction (dbt_project/macros/ml_tables.sql).
PREDICTION_TABLE_COLUMNS = (
    "predicted_log_streams", "predicted_streams", "hit_probability", "predicted_hit",
    "predicted_log_views", "predicted_views", "model_variant",
)  # fmt: skip


def write_predictions(
    settings: Settings,
    run_id: str,
    models: ServingModels,
    data: ModellingData,
    out_dir: Path,
    *,
    batch_rows: int,
) -> str:
    """Predict every distinct track of marts.tracks in batches into parquet parts (routed by
    artist like any batch prediction); return a glob of the parts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    train_uris, test_uris = set(data.train["uri"]), set(data.test["uri"])
    writer = duckdb.connect()
    total = 0
    try:
        with progress_bar(desc="predictions", unit="tracks") as bar:
            batches = iter_tracks(settings.warehouse_path, batch_rows=batch_rows)
            for number, batch in enumerate(batches):
                predictions = predict_tracks(batch, models)
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
                        predictions.loc[:, list(PREDICTION_TABLE_COLUMNS)],
                    ],
                    axis=1,
                )
                writer.register("batch", frame)
                part = out_dir / f"part-{number:05d}.parquet"
                quoted = part.as_posix().replace("'", "''")
                writer.execute(f"copy batch to '{quoted}' (format parquet)")
                writer.unregister("batch")
                total += len(frame)
                bar.update(len(frame))
    finally:
        writer.close()
    if total == 0:
        raise PipelineError(f"{TRACKS_RELATION} is empty: nothing to predict", step="train")
    return (out_dir / "part-*.parquet").as_posix()
