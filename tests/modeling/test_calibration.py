"""Probability-quality metrics against hand computations, calibration on a synthetic frame, the
split by artist, the cold-start spec, routing by artist and the tree-interval coverage. No
warehouse: small frames and tiny forests only."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from ml.modeling.calibration import (
    CalibratedPipeline,
    brier_score,
    calibrate,
    expected_calibration_error,
    log_loss,
    reliability_table,
)
from ml.modeling.dataset import split_by_artist
from ml.modeling.evaluate import interval_coverage, tree_quantiles
from ml.modeling.serving import ServingModels, predict_tracks
from ml.modeling.specs import (
    ARTIST_FEATURE,
    CALIBRATION_METHODS,
    ENCODING_TARGET,
    MODEL_SPECS,
    VARIANT_COLD_START,
    VARIANT_MODEL,
)

Y = np.array([1, 0, 1, 0])
P = np.array([0.9, 0.2, 0.6, 0.05])


def test_brier_and_log_loss_match_hand_computations() -> None:
    # (0.1^2 + 0.2^2 + 0.4^2 + 0.05^2) / 4
    assert brier_score(Y, P) == pytest.approx((0.01 + 0.04 + 0.16 + 0.0025) / 4)
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.6) + math.log(0.95)) / 4
    assert log_loss(Y, P) == pytest.approx(expected)
    assert math.isfinite(log_loss(np.array([1, 0]), np.array([0.0, 1.0])))  # clipped, not inf


def test_ece_and_reliability_table_match_hand_computations() -> None:
    # bins of width 0.1: 0.05 -> bin 1, 0.2 -> bin 3, 0.6 -> bin 7, 0.9 and 1.0 -> bin 10
    y = np.array([0, 0, 1, 1, 0])
    p = np.array([0.05, 0.2, 0.6, 0.9, 1.0])
    table = reliability_table(y, p).set_index("bin")
    assert table["n"].sum() == 5 and table.loc[10, "n"] == 2
    assert table.loc[10, "mean_predicted"] == pytest.approx(0.95)
    assert table.loc[10, "observed_rate"] == pytest.approx(0.5)
    assert table.loc[2, "n"] == 0 and np.isnan(table.loc[2, "mean_predicted"])
    assert table.loc[3, ["p_low", "p_high"]].tolist() == pytest.approx([0.2, 0.3])
    # sum of n_b / N * |mean p_b - rate_b|: (0.05 + 0.2 + 0.4 + 2 * 0.45) / 5
    assert expected_calibration_error(y, p) == pytest.approx((0.05 + 0.2 + 0.4 + 0.9) / 5)


def _imbalanced_frame(rows: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 3))
    logit = -3.0 + 1.5 * x[:, 0] + 0.8 * x[:, 1]
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, y


def test_calibration_brings_the_mean_probability_to_the_observed_rate() -> None:
    """A balanced-weight forest over-states the hit rate; calibrated on out-of-fold
    probabilities, its held-out mean probability is within 0.02 of the held-out rate."""
    x, y = _imbalanced_frame()
    fit, held_out = np.arange(3000), np.arange(3000, 4000)

    def forest() -> RandomForestClassifier:
        return RandomForestClassifier(
            60, max_depth=6, class_weight="balanced", random_state=0, n_jobs=1
        )

    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(x[fit], y[fit]))
    out_of_fold = np.zeros(len(fit))
    for train_index, check_index in folds:
        model = forest().fit(x[fit][train_index], y[fit][train_index])
        out_of_fold[check_index] = model.predict_proba(x[fit][check_index])[:, 1]
    calibration = calibrate(y[fit], out_of_fold, folds)
    assert calibration.method in CALIBRATION_METHODS
    assert set(calibration.scores) == set(CALIBRATION_METHODS)

    final = Pipeline([("preprocess", FunctionTransformer()), ("forest", forest())])
    final.fit(x[fit], y[fit])
    served = CalibratedPipeline.wrap(final, calibration.calibrator)
    raw = served.raw_predict_proba(x[held_out])[:, 1]
    calibrated = served.predict_proba(x[held_out])[:, 1]
    observed = y[held_out].mean()
    assert raw.mean() - observed > 0.05, "the balanced forest should over-state the rate"
    assert abs(calibrated.mean() - observed) <= 0.02
    assert brier_score(y[held_out], calibrated) < brier_score(y[held_out], raw)
    assert np.allclose(served.predict_proba(x[held_out]).sum(axis=1), 1.0)


def test_split_by_artist_holds_out_whole_artists() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "uri": [f"u{i}" for i in range(600)],
            ARTIST_FEATURE: rng.choice([f"artist {i}" for i in range(80)] + [None], size=600),
        }
    )
    train, test = split_by_artist(frame, test_size=0.2, random_state=42)
    assert len(train) + len(test) == len(frame)
    assert set(train["uri"]).isdisjoint(test["uri"])
    train_artists = set(train[ARTIST_FEATURE].fillna("(unknown)"))
    test_artists = set(test[ARTIST_FEATURE].fillna("(unknown)"))
    assert train_artists.isdisjoint(test_artists)
    assert 0.1 < len(test_artists) / (len(train_artists) + len(test_artists)) < 0.3
    again, _ = split_by_artist(frame, test_size=0.2, random_state=42)
    assert again["uri"].tolist() == train["uri"].tolist()  # seeded


@pytest.mark.parametrize("spec", MODEL_SPECS, ids=lambda spec: spec.name)
def test_cold_start_spec_has_no_artist_input(spec) -> None:
    cold = spec.cold_start()
    assert spec.uses_artist and not cold.uses_artist
    assert ARTIST_FEATURE not in cold.features and ENCODING_TARGET not in cold.features
    assert cold.artist_level_target is None
    assert set(cold.features) == set(spec.features) - {ARTIST_FEATURE}
    assert (cold.name, cold.target, cold.task) == (spec.name, spec.target, spec.task)


class _Constant:
    """A stand-in fitted pipeline: predicts one constant (tells which variant scored a row)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return np.full(len(frame), self.value)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return np.column_stack([np.full(len(frame), 1 - self.value / 10), self.predict(frame) / 10])


def _tree_pipeline(value: float) -> Pipeline:
    """A real forest whose every tree predicts `value` (so that the interval is [value, value])."""
    forest = RandomForestRegressor(3, random_state=0).fit(np.zeros((4, 1)), np.full(4, value))
    return Pipeline(
        [("select", FunctionTransformer(lambda f: np.zeros((len(f), 1)))), ("forest", forest)]
    )


def test_routing_sends_unknown_artists_to_the_cold_start_models() -> None:
    from ml.modeling.dataset import PREDICTION_COLUMNS

    frame = pd.DataFrame({name: [1.0, 1.0, 1.0] for name in PREDICTION_COLUMNS})
    frame[ARTIST_FEATURE] = ["Known", "Stranger", None]
    frame["album_type"] = "album"
    frame["log_streams"] = np.nan

    def models(value: float) -> dict[str, object]:
        return {
            "stream_regressor": _tree_pipeline(value),
            "hit_classifier": _Constant(value),
            "views_regressor": _Constant(value),
        }

    serving = ServingModels(
        pipelines={VARIANT_MODEL: models(2.0), VARIANT_COLD_START: models(5.0)},
        hit_thresholds={VARIANT_MODEL: 0.1, VARIANT_COLD_START: 0.9},
        training_artists=frozenset({"Known"}),
    )
    scores = predict_tracks(frame, serving)
    assert scores["artist_in_catalog"].tolist() == [True, False, False]
    assert scores["model_variant"].tolist() == [
        VARIANT_MODEL,
        VARIANT_COLD_START,
        VARIANT_COLD_START,
    ]
    assert scores["predicted_log_streams"].tolist() == [2.0, 5.0, 5.0]
    assert scores["hit_probability"].tolist() == pytest.approx([0.2, 0.5, 0.5])
    assert scores["predicted_hit"].tolist() == [True, False, False]  # each variant's threshold
    assert scores["predicted_streams_p10"].tolist() == pytest.approx(np.expm1([2.0, 5.0, 5.0]))
    assert scores.index.tolist() == frame.index.tolist()
    # without a training-artist list (older runs) every row goes to the artist-aware models
    legacy = ServingModels({VARIANT_MODEL: models(2.0)}, {VARIANT_MODEL: 0.1})
    assert set(predict_tracks(frame, legacy)["model_variant"]) == {VARIANT_MODEL}


def test_tree_interval_and_its_coverage() -> None:
    x = np.arange(200, dtype=float).reshape(-1, 1)
    y = x[:, 0] / 10 + np.random.default_rng(0).normal(size=200)
    forest = RandomForestRegressor(50, random_state=0, n_jobs=1).fit(x, y)
    pipeline = Pipeline([("preprocess", FunctionTransformer()), ("forest", forest)])
    low, high = tree_quantiles(pipeline, pd.DataFrame(x), chunk_rows=64)
    per_tree = np.stack([tree.predict(x) for tree in forest.estimators_])
    assert low == pytest.approx(np.quantile(per_tree, 0.1, axis=0))
    assert high == pytest.approx(np.quantile(per_tree, 0.9, axis=0))
    assert np.all(low <= high)
    # coverage: share of values inside [low, high], bounds included
    assert interval_coverage(np.array([0.0, 1.0, 2.0, 3.0]), np.zeros(4), np.full(4, 2.0)) == 0.75
