"""Album-level target encoding, out-of-fold like the artist encoding.

An album is keyed within its artist (features.model_input builds the key). Its encoding is the
mean target of the album's OTHER training tracks shrunk towards the artist's encoding, which is
itself the mean target of the artist's other training tracks shrunk towards the overall mean:

    artist = (sum_artist + m_artist * overall) / (n_artist + m_artist)
    album  = (sum_album + m_album * artist) / (n_album + m_album)

so an album with no other training track (the median album of the real file has one track) is
encoded by its artist, and an unseen artist by the overall mean. fit_transform is cross-fitted
(k folds: a row's encoding is computed from the other folds only, so a row's own target never
reaches it); transform maps by key with the statistics of every training row and never reads a
target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import KFold

from ml.modeling.specs import ALBUM_FEATURE, ARTIST_FEATURE, ENCODING_TARGET
from ml.runtime.errors import PipelineError


class _LevelMeans:
    """Per-key sum and count of a target (one level: artist or album)."""

    def __init__(self, keys: pd.Series, target: np.ndarray) -> None:
        grouped = pd.DataFrame({"key": keys.to_numpy(), "y": target}).groupby("key")["y"]
        self.sums = grouped.sum()
        self.counts = grouped.count()

    def shrunk(self, keys: pd.Series, prior: np.ndarray, smoothing: float) -> np.ndarray:
        sums = keys.map(self.sums).fillna(0.0).to_numpy(dtype=float)
        counts = keys.map(self.counts).fillna(0.0).to_numpy(dtype=float)
        return (sums + smoothing * prior) / (counts + smoothing)


class AlbumLevelEncoder(TransformerMixin, BaseEstimator):
    """(artist, album key[, ENCODING_TARGET]) -> the album's shrunk out-of-fold mean target.

    The target is ENCODING_TARGET when the input has it (a model encoding by another column, e.g.
    the hit classifier by log streams), else the y passed to fit."""

    def __init__(
        self,
        cv_folds: int = 5,
        random_state: int = 0,
        artist_smoothing: float = 5.0,
        album_smoothing: float = 2.0,
    ) -> None:
        self.cv_folds = cv_folds
        self.random_state = random_state
        self.artist_smoothing = artist_smoothing
        self.album_smoothing = album_smoothing

    def _target(self, X: pd.DataFrame, y: object) -> np.ndarray:
        source = X[ENCODING_TARGET] if ENCODING_TARGET in X.columns else y
        if source is None:
            raise PipelineError("the album encoding needs a target to fit")
        target = np.asarray(source, dtype=float)
        if not np.isfinite(target).all():
            raise PipelineError("the album encoding target has missing values while fitting")
        return target

    def _encode(
        self, means: tuple[_LevelMeans, _LevelMeans], apply: pd.DataFrame, overall: float
    ) -> np.ndarray:
        artist_means, album_means = means
        artist = artist_means.shrunk(
            apply[ARTIST_FEATURE], np.full(len(apply), overall), self.artist_smoothing
        )
        return album_means.shrunk(apply[ALBUM_FEATURE], artist, self.album_smoothing)

    @staticmethod
    def _means(keys: pd.DataFrame, target: np.ndarray) -> tuple[_LevelMeans, _LevelMeans]:
        return _LevelMeans(keys[ARTIST_FEATURE], target), _LevelMeans(keys[ALBUM_FEATURE], target)

    def fit(self, X: pd.DataFrame, y: object = None) -> AlbumLevelEncoder:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: pd.DataFrame, y: object = None, **_: object) -> np.ndarray:
        target = self._target(X, y)
        keys = X[[ARTIST_FEATURE, ALBUM_FEATURE]].reset_index(drop=True)
        self.means_ = self._means(keys, target)
        self.overall_ = float(target.mean())
        encoded = np.empty(len(keys))
        splitter = KFold(self.cv_folds, shuffle=True, random_state=self.random_state)
        for fit_index, apply_index in splitter.split(keys):
            fold_means = self._means(keys.iloc[fit_index], target[fit_index])
            overall = float(target[fit_index].mean())
            encoded[apply_index] = self._encode(fold_means, keys.iloc[apply_index], overall)
        return encoded.reshape(-1, 1)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        apply = X[[ARTIST_FEATURE, ALBUM_FEATURE]].reset_index(drop=True)
        return self._encode(self.means_, apply, self.overall_).reshape(-1, 1)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array([ALBUM_FEATURE], dtype=object)
