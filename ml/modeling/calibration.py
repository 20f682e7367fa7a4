"""Calibrated hit probabilities: probability-quality metrics (Brier, log loss, ECE), the
reliability table, the calibrators (isotonic, sigmoid/Platt) and the pipeline that serves them.

The hit classifier is fitted with balanced class weights, so its raw predict_proba over-states
the hit rate. A calibrator is fitted on probabilities of rows the forests did not train on
(a forest's out-of-bag predictions, a challenger's out-of-fold CV predictions: no extra fits)
and is applied to the final model's probabilities: CalibratedPipeline.predict_proba returns
calibrated probabilities.
The method (isotonic or sigmoid) is chosen by cross-fitted Brier score on those probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from ml.modeling.specs import (
    CALIBRATION_BINS,
    CALIBRATION_METHODS,
    METRIC_BRIER,
    METRIC_ECE,
    METRIC_LOG_LOSS,
    METRIC_MEAN_PROBABILITY,
    METRIC_OBSERVED_RATE,
)

# log loss of a probability of exactly 0 or 1 (isotonic can return them) is clipped here
LOG_LOSS_EPS = 1e-15
Folds = Sequence[tuple[np.ndarray, np.ndarray]]


# --- metrics -------------------------------------------------------------------------------------


def brier_score(y: np.ndarray, probability: np.ndarray) -> float:
    """Mean squared difference between the probability and the 0/1 outcome."""
    return float(np.mean((np.asarray(probability, float) - np.asarray(y, float)) ** 2))


def log_loss(y: np.ndarray, probability: np.ndarray) -> float:
    """Mean negative log-likelihood of the outcomes (probabilities clipped to [eps, 1 - eps])."""
    y = np.asarray(y, float)
    p = np.clip(np.asarray(probability, float), LOG_LOSS_EPS, 1 - LOG_LOSS_EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _bin_index(probability: np.ndarray, bins: int) -> np.ndarray:
    """Equal-width bins of [0, 1]: bin b holds b/bins <= p < (b+1)/bins (p = 1 in the last)."""
    return np.minimum((np.asarray(probability, float) * bins).astype(int), bins - 1)


def reliability_table(
    y: np.ndarray, probability: np.ndarray, bins: int = CALIBRATION_BINS
) -> pd.DataFrame:
    """One row per equal-width bin (numbered from 1): its bounds, the rows in it, their mean
    predicted probability and observed rate (null for an empty bin)."""
    y, probability = np.asarray(y, float), np.asarray(probability, float)
    index = _bin_index(probability, bins)
    counts = np.bincount(index, minlength=bins)
    predicted_sum = np.bincount(index, weights=probability, minlength=bins)
    observed_sum = np.bincount(index, weights=y, minlength=bins)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_predicted = np.where(counts > 0, predicted_sum / counts, np.nan)
        observed = np.where(counts > 0, observed_sum / counts, np.nan)
    return pd.DataFrame(
        {
            "bin": np.arange(1, bins + 1),
            "p_low": np.arange(bins) / bins,
            "p_high": np.arange(1, bins + 1) / bins,
            "mean_predicted": mean_predicted,
            "observed_rate": observed,
            "n": counts.astype("int64"),
        }
    )


def expected_calibration_error(
    y: np.ndarray, probability: np.ndarray, bins: int = CALIBRATION_BINS
) -> float:
    """Sum over equal-width bins of (rows in bin / rows) x |mean probability - observed rate|."""
    table = reliability_table(y, probability, bins)
    filled = table[table["n"] > 0]
    gaps = (filled["mean_predicted"] - filled["observed_rate"]).abs()
    return float((gaps * filled["n"]).sum() / max(int(filled["n"].sum()), 1))


def calibration_metrics(y: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """The probability-quality metrics of ml.metrics (specs.CALIBRATION_METRICS)."""
    return {
        METRIC_BRIER: brier_score(y, probability),
        METRIC_LOG_LOSS: log_loss(y, probability),
        METRIC_ECE: expected_calibration_error(y, probability),
        METRIC_MEAN_PROBABILITY: float(np.mean(probability)),
        METRIC_OBSERVED_RATE: float(np.mean(y)),
    }


# --- calibrators ---------------------------------------------------------------------------------


@dataclass
class ProbabilityCalibrator:
    """A monotone map from a forest's probability to a calibrated one (fitted, picklable)."""

    method: str
    model: Any = None

    def fit(self, probability: np.ndarray, y: np.ndarray) -> ProbabilityCalibrator:
        probability, y = np.asarray(probability, float), np.asarray(y, int)
        if self.method == "isotonic":
            self.model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
            self.model.fit(probability, y)
        elif self.method == "sigmoid":  # Platt scaling on the log-odds of the probability
            self.model = LogisticRegression(C=1e6).fit(_log_odds(probability), y)
        else:
            raise ValueError(f"unknown calibration method {self.method!r}")
        return self

    def transform(self, probability: np.ndarray) -> np.ndarray:
        probability = np.asarray(probability, float)
        if self.method == "isotonic":
            return np.clip(self.model.predict(probability), 0.0, 1.0)
        return self.model.predict_proba(_log_odds(probability))[:, 1]


def _log_odds(probability: np.ndarray) -> np.ndarray:
    p = np.clip(probability, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p)).reshape(-1, 1)


@dataclass
class Calibration:
    """The chosen calibrator, the cross-fitted calibrated probabilities of the rows it was chosen
    on, and the cross-fitted scores of every method (recorded in ml.runs params)."""

    calibrator: ProbabilityCalibrator
    calibrated: np.ndarray
    scores: dict[str, dict[str, float]]

    @property
    def method(self) -> str:
        return self.calibrator.method

    def params(self) -> dict[str, Any]:
        return {"calibration_method": self.method, "calibration_scores": self.scores}


def calibrate(y: np.ndarray, probability: np.ndarray, folds: Folds) -> Calibration:
    """Choose isotonic or sigmoid by cross-fitted Brier score (each fold's probabilities mapped
    by a calibrator fitted on the other folds), then fit the winner on all rows.

    `probability` must come from models that did not train on the rows (out-of-fold); the
    returned `calibrated` values are cross-fitted too (for thresholds, CV)."""
    y, probability = np.asarray(y, int), np.asarray(probability, float)
    crossfitted: dict[str, np.ndarray] = {}
    scores: dict[str, dict[str, float]] = {}
    for method in CALIBRATION_METHODS:
        values = np.zeros(len(y))
        for fit_index, check_index in folds:
            calibrator = ProbabilityCalibrator(method).fit(probability[fit_index], y[fit_index])
            values[check_index] = calibrator.transform(probability[check_index])
        crossfitted[method] = values
        scores[method] = {
            METRIC_BRIER: brier_score(y, values),
            METRIC_LOG_LOSS: log_loss(y, values),
        }
    best = min(
        CALIBRATION_METHODS,
        key=lambda method: (scores[method][METRIC_BRIER], scores[method][METRIC_LOG_LOSS]),
    )
    return Calibration(
        calibrator=ProbabilityCalibrator(best).fit(probability, y),
        calibrated=crossfitted[best],
        scores=scores,
    )


class CalibratedPipeline(Pipeline):
    """A fitted classifier pipeline whose predict_proba returns calibrated probabilities
    (`calibrator_`, fitted on held-out probabilities); `raw_predict_proba` keeps the forest's."""

    calibrator_: ProbabilityCalibrator

    @classmethod
    def wrap(cls, pipeline: Pipeline, calibrator: ProbabilityCalibrator) -> CalibratedPipeline:
        wrapped = cls(pipeline.steps)
        wrapped.calibrator_ = calibrator
        return wrapped

    def raw_predict_proba(self, X: Any, **params: Any) -> np.ndarray:
        return super().predict_proba(X, **params)

    def predict_proba(self, X: Any, **params: Any) -> np.ndarray:
        calibrated = self.calibrator_.transform(self.raw_predict_proba(X, **params)[:, 1])
        return np.column_stack([1 - calibrated, calibrated])

    def predict(self, X: Any, **params: Any) -> np.ndarray:
        return (self.predict_proba(X, **params)[:, 1] >= 0.5).astype(int)
