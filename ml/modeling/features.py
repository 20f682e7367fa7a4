"""The sklearn side of the models: model-ready inputs, encoders and preprocessing pipelines.

Every feature VALUE is computed in SQL (dbt macros in dbt_project/macros/features.sql, read from
marts.model_features / marts.tracks / the scoring models). This module only says which columns each
model may use, refuses columns derived from a model's target, and builds the sklearn pipelines
(one-hot album type, out-of-fold artist and album target encodings, random forest; the
gradient-boosting challenger reuses the same preprocessing: ml/modeling/challenger.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, TargetEncoder

from ml.modeling.encoders import AlbumLevelEncoder
from ml.modeling.specs import (
    ALBUM_FEATURE,
    ARTIST_FEATURE,
    BOOLEAN_FEATURES,
    CATEGORICAL_FEATURES,
    ENCODING_TARGET,
    ModelSpec,
    Task,
    check_no_leakage,
)
from ml.runtime.errors import PipelineError


def model_input(frame: pd.DataFrame, spec: ModelSpec, *, fitting: bool = False) -> pd.DataFrame:
    """The spec's columns in model-ready dtypes (booleans as 0/1, unknown flags as 0, text filled).

    Flags follow marts.model_features (coalesce(flag, false)); nothing is derived here. With
    `fitting`, the artist-level encoding target is added (training rows only); otherwise that
    column is empty, so no prediction can read it."""
    missing = [name for name in spec.features if name not in frame.columns]
    if missing:
        raise PipelineError(f"input frame lacks feature column(s) {missing} for {spec.name}")
    columns: dict[str, pd.Series] = {}
    for name in spec.features:
        series = frame[name]
        if name in BOOLEAN_FEATURES:
            columns[name] = series.astype("boolean").fillna(False).astype("float64")
        elif name in CATEGORICAL_FEATURES or name == ARTIST_FEATURE:
            columns[name] = _text(series)
        elif name == ALBUM_FEATURE:  # an album is keyed within its artist ("Greatest Hits")
            columns[name] = _text(frame[ARTIST_FEATURE]) + ALBUM_KEY_SEPARATOR + _text(series)
        else:
            columns[name] = pd.to_numeric(series, errors="coerce").astype("float64")
    if spec.uses_album and not spec.uses_artist:
        columns[ARTIST_FEATURE] = _text(frame[ARTIST_FEATURE])
    if (spec.uses_artist or spec.uses_album) and spec.artist_level_target:
        columns[ENCODING_TARGET] = (
            pd.to_numeric(frame[spec.artist_level_target], errors="coerce").astype("float64")
            if fitting
            else pd.Series(np.nan, index=frame.index)
        )
    return pd.DataFrame(columns, index=frame.index)


ALBUM_KEY_SEPARATOR = "\x1f"


def _text(series: pd.Series) -> pd.Series:
    return series.astype("object").where(series.notna(), "(unknown)").astype(str)


class ArtistLevelEncoder(TransformerMixin, BaseEstimator):
    """Artist -> shrunk mean of ENCODING_TARGET over the artist's training tracks, cross-fitted in
    fit_transform (a training row's own value never reaches its encoding); transform maps by
    artist only and never reads ENCODING_TARGET. Unseen artists get the overall mean."""

    def __init__(self, cv_folds: int = 5, random_state: int = 0) -> None:
        self.cv_folds = cv_folds
        self.random_state = random_state

    def _encoder(self) -> TargetEncoder:
        return artist_encoder("regression", self.cv_folds, self.random_state)

    def fit(self, X: pd.DataFrame, y: object = None) -> ArtistLevelEncoder:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: pd.DataFrame, y: object = None) -> np.ndarray:
        target = X[ENCODING_TARGET].to_numpy(dtype=float)
        known = np.isfinite(target)
        if not known.all():
            raise PipelineError(f"{ENCODING_TARGET} has missing values while fitting")
        self.encoder_ = self._encoder()
        return self.encoder_.fit_transform(X[[ARTIST_FEATURE]], target)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        return self.encoder_.transform(X[[ARTIST_FEATURE]])

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array([ARTIST_FEATURE], dtype=object)


def target_values(frame: pd.DataFrame, spec: ModelSpec) -> np.ndarray:
    if spec.task == "classification":
        return frame[spec.target].astype(bool).to_numpy(dtype=int)
    return frame[spec.target].to_numpy(dtype=float)


def _sklearn_version() -> tuple[int, int]:
    major, minor = sklearn.__version__.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def artist_encoder(task: Task, cv_folds: int, random_state: int) -> TargetEncoder:
    """Artist -> shrunk mean target of the artist's OTHER-fold training tracks (cross-fitted in
    fit_transform); at predict time the full-training-set mean, the overall mean when unseen."""
    target_type = "binary" if task == "classification" else "continuous"
    if _sklearn_version() >= (1, 9):  # splitter objects as cv; shuffle/random_state deprecated
        splitter = (StratifiedKFold if task == "classification" else KFold)(
            cv_folds, shuffle=True, random_state=random_state
        )
        return TargetEncoder(target_type=target_type, cv=splitter)
    return TargetEncoder(
        target_type=target_type, cv=cv_folds, shuffle=True, random_state=random_state
    )


def preprocessor(spec: ModelSpec, *, cv_folds: int, random_state: int) -> ColumnTransformer:
    """The inputs of any estimator of `spec` (refused when one is derived from the target):
    numeric columns as they are, album type one-hot, the artist's and the album's target
    encodings cross-fitted inside fit (TargetEncoder / ArtistLevelEncoder / AlbumLevelEncoder
    fit_transform), so a training row never sees its own target through them."""
    check_no_leakage(spec.target, spec.features)
    transformers: list[tuple[str, object, list[str]]] = [
        ("numeric", "passthrough", spec.numeric_features)
    ]
    if spec.categorical_features:
        transformers.append(
            (
                "category",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                spec.categorical_features,
            )
        )
    encoding_target = [ENCODING_TARGET] if spec.artist_level_target else []
    if spec.uses_artist and spec.artist_level_target:
        transformers.append(
            (
                "artist",
                ArtistLevelEncoder(cv_folds=cv_folds, random_state=random_state),
                [ARTIST_FEATURE, ENCODING_TARGET],
            )
        )
    elif spec.uses_artist:
        transformers.append(
            ("artist", artist_encoder(spec.task, cv_folds, random_state), [ARTIST_FEATURE])
        )
    if spec.uses_album:
        transformers.append(
            (
                "album",
                AlbumLevelEncoder(cv_folds=cv_folds, random_state=random_state),
                [ARTIST_FEATURE, ALBUM_FEATURE, *encoding_target],
            )
        )
    return ColumnTransformer(transformers, verbose_feature_names_out=False)


def build_pipeline(
    spec: ModelSpec,
    *,
    n_estimators: int,
    max_depth: int | None,
    random_state: int,
    n_jobs: int = -1,
    cv_folds: int = 5,
    oob_score: bool = False,
) -> Pipeline:
    """Preprocessing (`preprocessor`) + forest. `oob_score`: the forest keeps out-of-bag
    predictions of its training rows (used for the audio-only baseline, which has no artist
    encoding to cross-fit)."""
    preprocess = preprocessor(spec, cv_folds=cv_folds, random_state=random_state)
    forest: RandomForestRegressor | RandomForestClassifier
    if spec.task == "classification":
        forest = RandomForestClassifier(
            n_estimators=n_estimators,
            max_depth=max_depth,
            class_weight=spec.class_weight,
            max_features=spec.max_features or "sqrt",
            min_samples_leaf=spec.min_samples_leaf,
            oob_score=oob_score,
            random_state=random_state,
            n_jobs=n_jobs,
        )
    else:
        forest = RandomForestRegressor(
            n_estimators=n_estimators,
            max_depth=max_depth,
            max_features=spec.max_features or 1.0,
            min_samples_leaf=spec.min_samples_leaf,
            oob_score=oob_score,
            random_state=random_state,
            n_jobs=n_jobs,
        )
    return Pipeline([("preprocess", preprocess), ("forest", forest)])
