"""Feature sets of the three models, the leakage guard, and the sklearn preprocessing pipelines.

Every feature VALUE is computed in SQL (dbt macros in dbt_project/macros/features.sql, read from
marts.model_features / marts.tracks / the scoring models). This module only says which columns each
model may use, refuses columns derived from a model's target, and builds the sklearn pipelines
(one-hot album type, out-of-fold artist target encoding, random forest).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, TargetEncoder

from ml.runtime.errors import PipelineError

Task = Literal["regression", "classification"]

# The nine audio features of the study plus key (a pitch class the forest can split on).
AUDIO_FEATURES: tuple[str, ...] = (
    "danceability", "energy", "key", "loudness", "speechiness", "acousticness",
    "instrumentalness", "liveness", "valence", "tempo",
)  # fmt: skip
AUDIO_DERIVED: tuple[str, ...] = ("duration_minutes", "audio_positivity", "audio_complexity")
# What the audio-only baseline sees: the track's sound and length, nothing about its audience.
AUDIO_ONLY: tuple[str, ...] = AUDIO_FEATURES + AUDIO_DERIVED

BOOLEAN_FEATURES: frozenset[str] = frozenset({"official_video", "licensed", "has_youtube_video"})
CATEGORICAL_FEATURES: frozenset[str] = frozenset({"album_type"})
ARTIST_FEATURE = "artist"  # encoded out-of-fold (TargetEncoder cross-fitting), never raw
# Input column carrying an artist-level encoding target during fit only (ArtistLevelEncoder).
ENCODING_TARGET = "artist_encoding_target"

# Columns derived from each target: a model that uses one of them would read its own answer.
_STREAM_DERIVED = {
    "stream": "is the target (streams)",
    "log_streams": "is ln(1 + streams), the target",
    "cross_platform_ratio": "is streams / views (contains the target)",
    "is_hit": "is streams >= the hit threshold (a function of the target)",
    "predicted_log_streams": "is a prediction of the target",
}
_VIEWS_DERIVED = {
    "views": "is the target (views)",
    "log_views": "is ln(1 + views), the target",
    "likes": "is a YouTube count that moves with views (r = 0.97)",
    "comments": "is a YouTube count that moves with views (r = 0.92)",
    "log_likes": "is ln(1 + likes), a YouTube count that moves with views",
    "log_comments": "is ln(1 + comments), a YouTube count that moves with views",
    "youtube_engagement": "is (likes + comments) / views (contains the target)",
    "cross_platform_ratio": "is streams / views (contains the target)",
}
FORBIDDEN_FEATURES: dict[str, dict[str, str]] = {
    "log_streams": _STREAM_DERIVED,
    "is_hit": _STREAM_DERIVED,
    "log_views": _VIEWS_DERIVED,
}


@dataclass(frozen=True)
class ModelSpec:
    """One model: its target, its input columns and the study's forest settings."""

    name: str
    target: str
    task: Task
    features: tuple[str, ...]
    n_estimators: int
    max_depth: int
    class_weight: str | None = None
    # Not set by the study (sklearn defaults then): for the regressors one third of the inputs per
    # split (Breiman's regression default) and leaves of >= 5 tracks give the same held-out R2 as
    # sklearn's all-features / 1-track leaves, fit ~3x faster and make ~4x smaller artifacts.
    max_features: float | str | None = None
    min_samples_leaf: int = 1
    # Encode the artist by the out-of-fold mean of this column (default: the model's own target).
    # Read only while fitting; a prediction never sees it (model_input leaves it empty).
    artist_level_target: str | None = None
    # Rows the model is trained and evaluated on (a SQL-free boolean column of the frame).
    row_filter: str | None = None
    description: str = ""

    @property
    def numeric_features(self) -> list[str]:
        return [
            name
            for name in self.features
            if name not in CATEGORICAL_FEATURES and name != ARTIST_FEATURE
        ]

    @property
    def categorical_features(self) -> list[str]:
        return [name for name in self.features if name in CATEGORICAL_FEATURES]

    @property
    def uses_artist(self) -> bool:
        return ARTIST_FEATURE in self.features

    def audio_only(self) -> ModelSpec:
        """The audio-only baseline: same forest, audio features only."""
        return ModelSpec(
            name=self.name,
            target=self.target,
            task=self.task,
            features=AUDIO_ONLY,
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            class_weight=self.class_weight,
            max_features=self.max_features,
            min_samples_leaf=self.min_samples_leaf,
            artist_level_target=self.artist_level_target,
            row_filter=self.row_filter,
        )


class LeakageError(PipelineError):
    """A feature is derived from the model's target."""


def check_no_leakage(target: str, features: Iterable[str]) -> None:
    """Refuse (LeakageError) any feature that is derived from `target`."""
    features = list(features)
    forbidden = FORBIDDEN_FEATURES.get(target, {})
    problems = [f"{name} {forbidden[name]}" for name in features if name in forbidden]
    if target in features:
        problems.insert(0, f"{target} is the target itself")
    if problems:
        raise LeakageError(
            f"refusing to train a model of {target} on feature(s) derived from the target: "
            + "; ".join(problems),
            step="train",
            hint="remove these columns from the feature list (see ml/features.py)",
        )


STREAM_REGRESSOR = ModelSpec(
    name="stream_regressor",
    target="log_streams",
    task="regression",
    features=(
        *AUDIO_FEATURES,
        *AUDIO_DERIVED,
        "log_views",
        "youtube_engagement",
        "log_likes",
        "log_comments",
        "official_video",
        "licensed",
        "has_youtube_video",
        "album_type",
        ARTIST_FEATURE,
    ),
    n_estimators=200,
    max_depth=15,
    max_features=1 / 3,
    min_samples_leaf=5,
    description="Spotify streams (log) from audio, YouTube engagement, album type and artist",
)

HIT_CLASSIFIER = ModelSpec(
    name="hit_classifier",
    target="is_hit",
    task="classification",
    # the study's list first, then the honest additions
    features=(
        *("danceability", "energy", "valence", "tempo", "loudness", "audio_positivity"),
        *("duration_minutes", "youtube_engagement"),
        *("key", "speechiness", "acousticness", "instrumentalness", "liveness"),
        *("audio_complexity", "log_views", "log_likes", "log_comments"),
        *("official_video", "licensed", "has_youtube_video", "album_type", ARTIST_FEATURE),
    ),
    n_estimators=200,
    max_depth=10,
    class_weight="balanced",
    # an artist's typical stream level says more about a new track than its count of past hits
    artist_level_target="log_streams",
    description="hit (top 10% of streams, marts is_hit) from the same inputs as the regressor",
)

VIEWS_REGRESSOR = ModelSpec(
    name="views_regressor",
    target="log_views",
    task="regression",
    # Spotify-side inputs only: no likes/comments/engagement, no video flags.
    features=(*AUDIO_FEATURES, *AUDIO_DERIVED, "log_streams", "album_type", ARTIST_FEATURE),
    n_estimators=150,
    max_depth=12,
    max_features=1 / 3,
    min_samples_leaf=5,
    # views of a track without a video are "unknown" (zero-filled), not an observed 0
    row_filter="has_youtube_video",
    description="YouTube views (log) of tracks with a video, from Spotify-side data",
)

MODEL_SPECS: tuple[ModelSpec, ...] = (STREAM_REGRESSOR, HIT_CLASSIFIER, VIEWS_REGRESSOR)


def spec_by_name(name: str) -> ModelSpec:
    for spec in MODEL_SPECS:
        if spec.name == name:
            return spec
    raise KeyError(name)


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
            columns[name] = series.astype("object").where(series.notna(), "(unknown)").astype(str)
        else:
            columns[name] = pd.to_numeric(series, errors="coerce").astype("float64")
    if spec.uses_artist and spec.artist_level_target:
        columns[ENCODING_TARGET] = (
            pd.to_numeric(frame[spec.artist_level_target], errors="coerce").astype("float64")
            if fitting
            else pd.Series(np.nan, index=frame.index)
        )
    return pd.DataFrame(columns, index=frame.index)


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
    """Preprocessing + forest. The artist's target encoding is cross-fitted inside fit (sklearn's
    TargetEncoder.fit_transform), so a training row never sees its own target through it.
    `oob_score`: the forest keeps out-of-bag predictions of its training rows (used for the
    audio-only baseline, which has no artist encoding to cross-fit)."""
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
    preprocess = ColumnTransformer(transformers, verbose_feature_names_out=False)
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
