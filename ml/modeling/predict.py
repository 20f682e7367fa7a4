"""Predictions of the three models: every distinct track of marts.tracks after training (the
rows of ml.predictions), and a CSV of new tracks scored with the current trained models.

    python -m ml score --input NEW.csv --output OUT.csv

1. The file's header is checked (the raw layout; `Stream` may be absent or empty).
2. The current models are loaded and their sha256 checked (before any work is done).
3. `dbt run --select scoring` reads the file (SCORE_INPUT_PATH) with the same macros as the
   warehouse: typing + quarantine, median imputation with the training warehouse's medians,
   every derived feature. Nothing of the feature logic is repeated in Python.
4. scoring.score_input_features is read in batches and scored; OUT.csv gets one row per input row,
   in file order, with `not_scored_reason` for rows that could not be scored.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ml.config import Settings
from ml.modeling.dataset import TRACKS_RELATION, ModellingData, iter_tracks
from ml.modeling.evaluate import DEFAULT_THRESHOLD
from ml.modeling.registry import LoadedModels, load_models
from ml.modeling.serving import ServingModels, predict_tracks
from ml.modeling.specs import (
    DECISION_THRESHOLD,
    HIT_CLASSIFIER,
    SPLIT_NOT_SAMPLED,
    SPLIT_TEST,
    SPLIT_TRAIN,
    SPLIT_UNLABELLED,
    VARIANT_MODEL,
)
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.errors import PipelineError
from ml.runtime.progress import progress_bar
from ml.runtime.raw_input import OPTIONAL_FOR_SCORING, REQUIRED_COLUMNS, check_raw_csv
from ml.runtime.warehouse import connect


def predict_frame(
    frame: pd.DataFrame, pipelines: Mapping[str, Pipeline], hit_threshold: float
) -> pd.DataFrame:
    """Predictions of the three artist-aware models for rows shaped like marts.tracks, without
    routing by artist (see serving.predict_tracks for the routed batch prediction)."""
    models = ServingModels({VARIANT_MODEL: pipelines}, {VARIANT_MODEL: hit_threshold})
    return predict_tracks(frame, models)


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


# --- scoring a CSV of new tracks ----------------------------------------------------------------

SCORING_SELECTOR = "path:models/score_input"
SCORING_RELATION = "scoring.score_input_features"
OUTPUT_COLUMNS = (
    "row_id",
    "uri",
    "predicted_streams",
    "hit_probability",
    "predicted_hit",
    "predicted_views",
    "not_scored_reason",
)
BATCH_ROWS = 100_000


def _scores(batch: pd.DataFrame, loaded: LoadedModels, threshold: float) -> pd.DataFrame:
    """One output row per input row of the batch; quarantined rows keep their reason."""
    out = pd.DataFrame(
        {
            "row_id": batch["source_index"].where(
                batch["source_index"].notna(), batch["row_id"].astype(str)
            ),
            "uri": batch["uri"],
            "predicted_streams": np.nan,
            "hit_probability": np.nan,
            "predicted_hit": pd.Series(pd.NA, index=batch.index, dtype="boolean"),
            "predicted_views": np.nan,
            "not_scored_reason": batch["quarantine_reason"],
        },
        index=batch.index,
    )
    scorable = batch["quarantine_reason"].isna()
    if scorable.any():
        predictions = predict_tracks(batch[scorable], loaded.serving())
        out.loc[scorable, "predicted_streams"] = predictions["predicted_streams"]
        out.loc[scorable, "hit_probability"] = predictions["hit_probability"].round(4)
        out.loc[scorable, "predicted_hit"] = predictions["predicted_hit"]
        out.loc[scorable, "predicted_views"] = predictions["predicted_views"]
    for column in ("predicted_streams", "predicted_views"):  # counts: whole numbers
        out[column] = out[column].round().astype("Int64")
    return out.loc[:, list(OUTPUT_COLUMNS)]


def score_file(
    settings: Settings,
    input_path: Path,
    output_path: Path,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: bool = True,
) -> int:
    """Score `input_path` into `output_path` (written atomically); return the number of rows."""
    input_path = Path(input_path).resolve()
    output_path = Path(output_path).resolve()
    required = tuple(name for name in REQUIRED_COLUMNS if name not in OPTIONAL_FOR_SCORING)
    header = check_raw_csv(input_path, required=required)
    missing = sorted(name for name in OPTIONAL_FOR_SCORING if name not in header)
    if output_path == input_path:
        raise PipelineError(f"--output {output_path} would overwrite the input file", step="score")
    loaded = load_models(settings.models_dir)
    if not settings.warehouse_path.exists():
        raise PipelineError(
            f"warehouse {settings.warehouse_path} does not exist "
            "(scoring imputes missing audio with its medians)",
            step="score",
            hint="run `python -m ml build` and `python -m ml train` first",
        )
    threshold = _decision_threshold(loaded.model(HIT_CLASSIFIER.name).get(DECISION_THRESHOLD))
    variables = {"score_input_enabled": True, "score_missing_columns": missing}
    run_dbt(
        settings,
        ["run", "--select", SCORING_SELECTOR, "--vars", json.dumps(variables)],
        step="score: dbt run (scoring features)",
        quiet=not progress,
        env_overrides={"SCORE_INPUT_PATH": str(input_path)},
    )

    output_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = output_path.with_name(output_path.name + ".tmp")
    written = unscored = 0
    connection = connect(settings.warehouse_path, read_only=True)
    try:
        result = connection.execute(f"select * from {SCORING_RELATION} order by row_id")
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            while True:
                batch = result.fetch_df_chunk(max(1, batch_rows // 2048))
                if batch.empty and written:
                    break
                scores = _scores(batch, loaded, threshold)
                scores.to_csv(handle, header=written == 0, index=False, lineterminator="\n")
                written += len(scores)
                unscored += int(scores["not_scored_reason"].notna().sum())
                if progress:
                    print(f"[score] {written:,} rows scored", file=sys.stderr, flush=True)
                if batch.empty:
                    break
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        connection.close()
    temporary.replace(output_path)
    if progress:
        print(
            f"[score] {output_path}: {written:,} rows ({unscored:,} not scored, see "
            f"not_scored_reason); models of run {loaded.run_id}",
            file=sys.stderr,
            flush=True,
        )
    return written
