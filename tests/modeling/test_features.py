"""Feature sets and the leakage guard (no warehouse needed)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from ml.modeling.evaluate import best_f1_threshold, classification_metrics, regression_metrics
from ml.modeling.features import build_pipeline, model_input
from ml.modeling.specs import (
    AUDIO_ONLY,
    BOOLEAN_FEATURES,
    ENCODING_TARGET,
    HIT_CLASSIFIER,
    MODEL_SPECS,
    STREAM_REGRESSOR,
    VIEWS_REGRESSOR,
    LeakageError,
    check_no_leakage,
)
from ml.modeling.train import TrainingConfig


@pytest.mark.parametrize("spec", MODEL_SPECS, ids=lambda spec: spec.name)
def test_shipped_feature_sets_pass_the_leakage_guard(spec) -> None:
    check_no_leakage(spec.target, spec.features)
    check_no_leakage(spec.target, spec.audio_only().features)


@pytest.mark.parametrize(
    ("spec", "leaky"),
    [
        (STREAM_REGRESSOR, "cross_platform_ratio"),
        (STREAM_REGRESSOR, "log_streams"),
        (STREAM_REGRESSOR, "is_hit"),
        (HIT_CLASSIFIER, "stream"),
        (HIT_CLASSIFIER, "log_streams"),
        (VIEWS_REGRESSOR, "log_likes"),
        (VIEWS_REGRESSOR, "youtube_engagement"),
        (VIEWS_REGRESSOR, "views"),
    ],
)
def test_a_feature_derived_from_the_target_is_refused(spec, leaky: str) -> None:
    leaking = replace(spec, features=(*spec.features, leaky))
    with pytest.raises(LeakageError, match=leaky):
        build_pipeline(leaking, n_estimators=2, max_depth=2, random_state=0)


def test_views_model_reads_spotify_side_inputs_only() -> None:
    youtube_side = {"log_likes", "log_comments", "youtube_engagement", "official_video", "licensed"}
    assert not youtube_side & set(VIEWS_REGRESSOR.features)
    assert VIEWS_REGRESSOR.row_filter == "has_youtube_video"


def test_audio_only_baseline_has_no_audience_data() -> None:
    assert set(AUDIO_ONLY) <= set(STREAM_REGRESSOR.features)
    assert not {"artist", "log_views", "album_type"} & set(AUDIO_ONLY)


def test_metrics_and_threshold() -> None:
    y = np.array([0, 0, 0, 1, 1])
    probability = np.array([0.1, 0.2, 0.7, 0.6, 0.9])
    threshold = best_f1_threshold(y, probability)
    assert threshold == pytest.approx(0.6)
    metrics = classification_metrics(y, probability, threshold)
    assert metrics["recall"] == 1.0 and metrics["precision"] == pytest.approx(2 / 3)
    base = classification_metrics(y, np.full(5, 0.4), float("inf"))
    assert base["f1"] == 0.0 and base["roc_auc"] == 0.5 and base["accuracy"] == 0.6
    perfect = regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]))
    assert perfect["r2"] == 1.0 and perfect["rmse"] == 0.0


def test_training_config_from_env() -> None:
    config = TrainingConfig.from_env(
        {"ML_N_ESTIMATORS": "7", "ML_CV_FOLDS": "3", "ML_MAX_TRAINING_ROWS": "none"}
    )
    assert (config.n_estimators, config.cv_folds, config.max_training_rows) == (7, 3, None)
    assert config.forest_params(STREAM_REGRESSOR)["max_depth"] == 15
    assert TrainingConfig().forest_params(VIEWS_REGRESSOR)["n_estimators"] == 150
    with pytest.raises(Exception, match="cv_folds"):
        TrainingConfig.from_env({"ML_CV_FOLDS": "1"})


def test_unseen_artist_gets_a_prediction() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({name: rng.random(60) for name in AUDIO_ONLY})
    frame["artist"] = np.repeat([f"a{i}" for i in range(6)], 10)
    spec = replace(STREAM_REGRESSOR, features=(*AUDIO_ONLY, "artist"))
    pipeline = build_pipeline(spec, n_estimators=3, max_depth=3, random_state=0, cv_folds=2)
    pipeline.fit(frame, rng.random(60))
    new = frame.head(2).assign(artist=["never seen", "a1"])
    assert np.isfinite(pipeline.predict(new)).all()


def test_artist_level_encoding_target_is_fit_only() -> None:
    """The hit classifier encodes artists by their tracks' log streams, but only while fitting:
    model_input leaves that column empty for prediction, and the encoder never reads it then."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({name: rng.random(80) for name in HIT_CLASSIFIER.features})
    frame["artist"] = np.repeat([f"a{i}" for i in range(8)], 10)
    frame["album_type"] = "album"
    for flag in BOOLEAN_FEATURES & set(HIT_CLASSIFIER.features):
        frame[flag] = frame[flag] > 0.5
    frame["log_streams"] = rng.normal(17, 2, 80)
    assert model_input(frame, HIT_CLASSIFIER)[ENCODING_TARGET].isna().all()
    fitting = model_input(frame, HIT_CLASSIFIER, fitting=True)
    assert fitting[ENCODING_TARGET].tolist() == frame["log_streams"].tolist()
    pipeline = build_pipeline(HIT_CLASSIFIER, n_estimators=3, max_depth=3, random_state=0)
    pipeline.fit(fitting, (frame["log_streams"] > 18).astype(int))
    changed = fitting.assign(**{ENCODING_TARGET: rng.normal(0, 100, 80)})
    for level in ("artist", "album"):  # the album encoding reads the same column, fit only
        encoder = pipeline.named_steps["preprocess"].named_transformers_[level]
        np.testing.assert_array_equal(encoder.transform(fitting), encoder.transform(changed))
    np.testing.assert_allclose(  # (parallel trees: sums may differ in the last bit)
        pipeline.predict_proba(fitting), pipeline.predict_proba(model_input(frame, HIT_CLASSIFIER))
    )


def test_permutation_importances_find_the_signal_in_few_predict_calls() -> None:
    """The batched permutation importance: the column the target is made of matters, a noise
    column does not, an empty column is left out, and all permuted copies are scored in one
    predict call (the point of batching)."""
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.inspection import permutation_importance
    from sklearn.pipeline import Pipeline

    from ml.modeling.evaluate import permutation_importances

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"signal": rng.normal(size=600), "noise": rng.normal(size=600), "empty": np.nan}
    )
    target = 3 * frame["signal"].to_numpy() + rng.normal(scale=0.1, size=600)

    class CountingPipeline(Pipeline):
        calls = 0

        def predict(self, X, **params):  # type: ignore[no-untyped-def]
            CountingPipeline.calls += 1
            return super().predict(X, **params)

    model = CountingPipeline(
        [("forest", RandomForestRegressor(n_estimators=20, random_state=0))]
    ).fit(frame[["signal", "noise"]].assign(empty=0.0), target)
    result = permutation_importances(
        model, frame.fillna({"empty": 0.0}).assign(empty=np.nan), target,
        scoring="r2", repeats=4, random_state=1,
    )  # fmt: skip
    assert CountingPipeline.calls == 2  # intact rows + every permuted copy at once
    by_feature = result.set_index("feature")["importance"]
    assert list(by_feature.index) == ["signal", "noise"]
    assert by_feature["signal"] > 1.0 and abs(by_feature["noise"]) < 0.05
    reference = permutation_importance(
        model, frame[["signal", "noise"]].assign(empty=0.0), target,
        scoring="r2", n_repeats=4, random_state=1,
    )  # fmt: skip
    assert by_feature["signal"] == pytest.approx(reference.importances_mean[0], rel=0.15)


def test_out_of_bag_estimate_of_the_audio_only_baseline() -> None:
    """The audio-only regressors' 'oob' split: each row's prediction averages exactly the trees
    that did not draw it, and a row drawn by every tree is flagged, not scored as 0."""
    from ml.modeling.out_of_bag import out_of_bag

    rng = np.random.default_rng(2)
    frame = pd.DataFrame({name: rng.random(120) for name in AUDIO_ONLY})
    target = frame["energy"].to_numpy() * 10 + 5
    spec = STREAM_REGRESSOR.audio_only()
    pipeline = build_pipeline(
        spec, n_estimators=3, max_depth=4, random_state=0, n_jobs=1, oob_score=True
    ).fit(frame, target)
    predicted, has_oob = out_of_bag(pipeline)
    forest = pipeline.named_steps["forest"]
    inputs = pipeline.named_steps["preprocess"].transform(frame)
    per_tree = np.array([tree.predict(inputs) for tree in forest.estimators_])
    drawn = np.zeros_like(per_tree, dtype=bool)
    for number, rows in enumerate(forest.estimators_samples_):
        drawn[number, rows] = True
    assert (~has_oob).any() and has_oob.sum() > 60  # 3 trees: ~25% of rows drawn by all three
    np.testing.assert_array_equal(has_oob, (~drawn).any(axis=0))
    expected = np.nanmean(np.where(drawn, np.nan, per_tree)[:, has_oob], axis=0)
    np.testing.assert_allclose(predicted[has_oob], expected)
