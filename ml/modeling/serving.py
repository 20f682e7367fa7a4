"""Batch prediction with routing by artist: the artist-aware models for tracks of artists seen in
training (the catalog), the cold-start models (no artist input) for the others.

    models = load_models(models_dir).serving()      # or TrainedRun.serving() after training
    scores = predict_tracks(frame, models)          # frame shaped like marts.tracks

Output columns per row (PREDICTION_OUTPUT_COLUMNS): predicted_log_streams, predicted_streams,
predicted_streams_p10 / _p90 (10th-90th percentile of the stream forest's trees, on the log scale
then expm1), hit_probability (calibrated), predicted_hit (at the routed model's threshold),
predicted_log_views, predicted_views, model_variant ('model' or 'cold_start'), artist_in_catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ml.modeling.dataset import KeySet, artist_keys, is_in
from ml.modeling.evaluate import tree_quantiles
from ml.modeling.features import model_input
from ml.modeling.specs import (
    HIT_CLASSIFIER,
    STREAM_REGRESSOR,
    VARIANT_COLD_START,
    VARIANT_MODEL,
    VIEWS_REGRESSOR,
    ModelSpec,
)

PREDICTION_OUTPUT_COLUMNS: tuple[str, ...] = (
    "predicted_log_streams", "predicted_streams", "predicted_streams_p10",
    "predicted_streams_p90", "hit_probability", "predicted_hit", "predicted_log_views",
    "predicted_views", "model_variant", "artist_in_catalog",
)  # fmt: skip


@dataclass
class ServingModels:
    """The fitted pipelines by variant ('model', 'cold_start') and model name, the hit decision
    threshold of each variant, and the artists seen in training (None: route everything to the
    artist-aware models, e.g. models saved before cold-start variants existed)."""

    pipelines: Mapping[str, Mapping[str, Pipeline]]
    hit_thresholds: Mapping[str, float]
    training_artists: frozenset[str] | None = None

    def spec(self, variant: str, base: ModelSpec) -> ModelSpec:
        return base.cold_start() if variant == VARIANT_COLD_START else base

    @cached_property
    def _artist_keys(self) -> KeySet:
        return KeySet(self.training_artists or ())

    def in_catalog(self, frame: pd.DataFrame) -> pd.Series:
        if self.training_artists is None or VARIANT_COLD_START not in self.pipelines:
            return pd.Series(True, index=frame.index)
        return pd.Series(is_in(artist_keys(frame), self._artist_keys), index=frame.index)


# The stream interval columns: one prediction per tree (tree_quantiles), the costliest part of a
# batch prediction; predict_tracks(..., intervals=False) leaves them out.
INTERVAL_COLUMNS: tuple[str, ...] = ("predicted_streams_p10", "predicted_streams_p90")


def _predict_variant(
    frame: pd.DataFrame, models: ServingModels, variant: str, *, intervals: bool
) -> dict[str, np.ndarray]:
    """The three models of one variant on `frame` (rows routed to it)."""
    pipelines = models.pipelines[variant]
    stream_spec = models.spec(variant, STREAM_REGRESSOR)
    stream_input = model_input(frame, stream_spec)
    log_streams = pipelines[STREAM_REGRESSOR.name].predict(stream_input)
    interval: dict[str, np.ndarray] = {}
    if intervals:
        low, high = tree_quantiles(pipelines[STREAM_REGRESSOR.name], stream_input)
        interval = dict(zip(INTERVAL_COLUMNS, (np.expm1(low), np.expm1(high)), strict=True))
    hit_spec = models.spec(variant, HIT_CLASSIFIER)
    hit_probability = pipelines[HIT_CLASSIFIER.name].predict_proba(model_input(frame, hit_spec))[
        :, 1
    ]
    # the views model reads log_streams; where streams are unknown it gets the prediction
    known = pd.to_numeric(frame["log_streams"], errors="coerce")
    views_input = frame.assign(log_streams=known.fillna(pd.Series(log_streams, index=frame.index)))
    views_spec = models.spec(variant, VIEWS_REGRESSOR)
    log_views = pipelines[VIEWS_REGRESSOR.name].predict(model_input(views_input, views_spec))
    return {
        "predicted_log_streams": log_streams,
        "predicted_streams": np.expm1(log_streams),
        **interval,
        "hit_probability": hit_probability,
        "predicted_hit": hit_probability >= models.hit_thresholds[variant],
        "predicted_log_views": log_views,
        "predicted_views": np.expm1(log_views),
    }


def predict_tracks(
    frame: pd.DataFrame, models: ServingModels, *, intervals: bool = True
) -> pd.DataFrame:
    """Predictions for rows shaped like marts.tracks (unique index), each row by the models of
    its route: the artist-aware models when the artist is in the training catalog, the
    cold-start models otherwise. Columns: PREDICTION_OUTPUT_COLUMNS (without INTERVAL_COLUMNS
    when not `intervals`), index: the frame's."""
    columns = [
        name for name in PREDICTION_OUTPUT_COLUMNS if intervals or name not in INTERVAL_COLUMNS
    ]
    in_catalog = models.in_catalog(frame)
    parts = [
        pd.DataFrame(
            _predict_variant(frame[rows], models, variant, intervals=intervals),
            index=frame.index[rows],
        ).assign(model_variant=variant)
        for variant, rows in ((VARIANT_MODEL, in_catalog), (VARIANT_COLD_START, ~in_catalog))
        if rows.any()
    ]
    if not parts:
        return pd.DataFrame(columns=columns, index=frame.index)
    out = pd.concat(parts).reindex(frame.index)
    out["artist_in_catalog"] = in_catalog.to_numpy(dtype=bool)
    return out.loc[:, columns]
