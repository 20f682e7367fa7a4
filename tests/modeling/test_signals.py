"""The honest signals: album encoding out-of-fold, title flags in the specs, the challenger and
the serving setting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.modeling.challenger import challenger_pipeline, choose_serving, serving_setting
from ml.modeling.encoders import AlbumLevelEncoder
from ml.modeling.features import build_pipeline, model_input, target_values
from ml.modeling.specs import (
    ALBUM_FEATURE,
    ARTIST_FEATURE,
    ARTIST_LEVEL_FEATURES,
    BOOLEAN_FEATURES,
    ENCODING_TARGET,
    HIT_CLASSIFIER,
    METRIC_R2,
    MODEL_SPECS,
    SERVING_AUTO,
    SERVING_CHALLENGER,
    SERVING_FOREST,
    SIGNAL_FEATURES,
    SPLIT_CV_MEAN,
    STREAM_REGRESSOR,
    VARIANT_CHALLENGER,
    VARIANT_MODEL,
    VIEWS_REGRESSOR,
    check_no_leakage,
)
from ml.runtime.errors import PipelineError

ROWS = 5_000


def _catalog(seed: int = 0) -> pd.DataFrame:
    """5,000 tracks of 400 artists with 1-3 albums each, and a row-unique random target."""
    rng = np.random.default_rng(seed)
    artist = rng.integers(0, 400, ROWS)
    album = artist * 10 + rng.integers(0, 3, ROWS)
    return pd.DataFrame(
        {
            ARTIST_FEATURE: [f"artist {a}" for a in artist],
            ALBUM_FEATURE: [f"album {a}" for a in album],
            "y": rng.normal(size=ROWS),
        }
    )


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            ARTIST_FEATURE: frame[ARTIST_FEATURE],
            ALBUM_FEATURE: frame[ARTIST_FEATURE] + "|" + frame[ALBUM_FEATURE],
        }
    )


@pytest.mark.parametrize("through_column", [False, True])
def test_album_encoding_never_sees_the_rows_own_target(through_column: bool) -> None:
    frame = _catalog()
    keys = _keys(frame)
    if through_column:  # the hit classifier's way: the target travels as ENCODING_TARGET
        keys[ENCODING_TARGET] = frame["y"]
    encoded = AlbumLevelEncoder(cv_folds=5, random_state=0).fit_transform(keys, frame["y"])[:, 0]
    assert abs(np.corrcoef(encoded, frame["y"])[0, 1]) < 0.05
    # not a constant: the encoding does vary by album (it would carry a real album effect)
    assert encoded.std() > 0.01


def test_album_encoding_without_cross_fitting_would_leak() -> None:
    """The same statistics applied to the rows they were computed on DO carry the target (the
    test above can fail)."""
    frame = _catalog()
    keys = _keys(frame)
    encoder = AlbumLevelEncoder(cv_folds=5, random_state=0)
    encoder.fit_transform(keys, frame["y"])
    in_sample = encoder.transform(keys)[:, 0]
    assert np.corrcoef(in_sample, frame["y"])[0, 1] > 0.2


def test_artist_and_album_encodings_of_a_pipeline_carry_no_own_target() -> None:
    frame = _catalog(1)
    spec = STREAM_REGRESSOR
    data = pd.DataFrame({name: 0.0 for name in spec.features}, index=frame.index)
    data[ARTIST_FEATURE] = frame[ARTIST_FEATURE]
    data[ALBUM_FEATURE] = frame[ALBUM_FEATURE]
    data["album_type"] = "album"
    data[spec.target] = frame["y"]
    pipeline = build_pipeline(spec, n_estimators=2, max_depth=2, random_state=0)
    preprocess = pipeline.named_steps["preprocess"]
    encoded = preprocess.fit_transform(model_input(data, spec, fitting=True), frame["y"])
    names = list(preprocess.get_feature_names_out())
    for name in (ARTIST_FEATURE, ALBUM_FEATURE):
        column = encoded[:, names.index(name)]
        assert abs(np.corrcoef(column, frame["y"])[0, 1]) < 0.05, name


def test_album_falls_back_to_the_artist_and_unseen_artist_to_the_mean() -> None:
    keys = pd.DataFrame(
        {ARTIST_FEATURE: ["a"] * 6 + ["b"] * 6, ALBUM_FEATURE: ["a|1"] * 6 + ["b|1"] * 6}
    )
    y = np.array([10.0] * 6 + [0.0] * 6)
    encoder = AlbumLevelEncoder(cv_folds=2, random_state=0)
    encoder.fit_transform(keys, y)
    new = pd.DataFrame({ARTIST_FEATURE: ["a", "zzz"], ALBUM_FEATURE: ["a|new", "zzz|1"]})
    album_of_a, unseen = encoder.transform(new)[:, 0]
    artist_a = (60 + 5 * 5.0) / (6 + 5)  # artist a shrunk towards the overall mean 5
    assert album_of_a == pytest.approx(artist_a)
    assert unseen == pytest.approx(5.0)


def test_signals_feed_every_model_and_leave_the_cold_start() -> None:
    for spec in MODEL_SPECS:
        assert set(SIGNAL_FEATURES) <= set(spec.features)
        check_no_leakage(spec.target, spec.features)
        assert not set(spec.cold_start().features) & ARTIST_LEVEL_FEATURES
    assert VIEWS_REGRESSOR.row_filter == "has_youtube_video"


def test_serving_setting() -> None:
    assert serving_setting({}) == SERVING_AUTO
    assert serving_setting({"ML_SERVING_MODEL": "Forest"}) == SERVING_FOREST
    with pytest.raises(PipelineError):
        serving_setting({"ML_SERVING_MODEL": "xgboost"})


def test_auto_serving_uses_the_cross_validated_metric_only() -> None:
    def row(variant: str, split: str, value: float) -> dict[str, object]:
        return {"variant": variant, "split": split, "metric": METRIC_R2, "value": value}

    rows = [
        row(VARIANT_MODEL, SPLIT_CV_MEAN, 0.60),
        row(VARIANT_CHALLENGER, SPLIT_CV_MEAN, 0.62),
        row(VARIANT_MODEL, "test", 0.90),  # a better test metric must not matter
        row(VARIANT_CHALLENGER, "test", 0.10),
    ]
    chosen, record = choose_serving(STREAM_REGRESSOR, rows, SERVING_AUTO)
    assert chosen == SERVING_CHALLENGER and record["serving_model"] == SERVING_CHALLENGER
    assert choose_serving(STREAM_REGRESSOR, rows, SERVING_FOREST)[0] == SERVING_FOREST


def test_challenger_fits_with_missing_values_and_predicts_probabilities() -> None:
    rng = np.random.default_rng(3)
    spec = HIT_CLASSIFIER
    frame = pd.DataFrame(
        {
            name: rng.random(400) > 0.5 if name in BOOLEAN_FEATURES else rng.random(400)
            for name in spec.features
        }
    )
    frame["danceability"] = frame["danceability"].where(rng.random(400) > 0.2)  # missing values
    frame["album_type"] = "album"
    frame[ARTIST_FEATURE] = [f"a{i % 40}" for i in range(400)]
    frame[ALBUM_FEATURE] = [f"b{i % 80}" for i in range(400)]
    frame["log_streams"] = rng.normal(size=400)
    frame[spec.target] = frame["log_streams"] > 1.0
    pipeline = challenger_pipeline(spec, random_state=0, cv_folds=3)
    pipeline.fit(model_input(frame, spec, fitting=True), target_values(frame, spec))
    probability = pipeline.predict_proba(model_input(frame, spec))[:, 1]
    assert ((probability >= 0) & (probability <= 1)).all() and probability.std() > 0
