"""The VALUES of a training run: metrics recomputable from ml.predictions, models that beat
their baselines on data with a planted signal, an artist encoding that leaks no target, and the
training cap. Vocabulary (models, variants, splits, metrics) from ml/modeling/specs.py."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score, roc_auc_score

from ml.config import Settings
from ml.modeling.dataset import PREDICTION_COLUMNS, artist_keys
from ml.modeling.evaluate import decision_threshold
from ml.modeling.features import ArtistLevelEncoder, artist_encoder
from ml.modeling.predict import predict_frame
from ml.modeling.registry import load_models
from ml.modeling.specs import (
    ARTIST_FEATURE,
    DECISION_THRESHOLD,
    ENCODING_TARGET,
    HIT_CLASSIFIER,
    METRIC_R2,
    METRIC_ROC_AUC,
    MODEL_SPECS,
    SPLIT_NOT_SAMPLED,
    SPLIT_TEST,
    SPLIT_TRAIN,
    STREAM_REGRESSOR,
    VARIANT_CHALLENGER,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    VIEWS_REGRESSOR,
    ModelSpec,
)
from ml.modeling.train import TrainingConfig, train_all
from tests.helpers import copy_warehouse, sql_frame, sql_rows
from tests.reporting.fake_ml import fake_metric_rows

# Below the small fixture's ~2,700 modelling tracks: the cap path samples and leaves the rest.
CAP = 1_500
CAPPED_TINY = TrainingConfig(
    n_estimators=12, max_depth=6, cv_folds=3, permutation_repeats=1, max_training_rows=CAP
)
# The column of ml.predictions that holds each model's prediction (ml/modeling/predict.py).
PREDICTION_COLUMN = {
    STREAM_REGRESSOR.name: "predicted_log_streams",
    HIT_CLASSIFIER.name: "hit_probability",
    VIEWS_REGRESSOR.name: "predicted_log_views",
}
# The synthetic data plants streams ~ views, artist and audio: on the held-out tracks each model
# must beat its mean / base-rate baseline by at least this much (R2 points / ROC-AUC points).
MARGIN = {"regression": 0.3, "classification": 0.2}


@pytest.fixture(scope="module")
def capped_run(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = copy_warehouse(built_warehouse, tmp_path_factory.mktemp("capped"))
    train_all(settings, progress=False, config=CAPPED_TINY)
    return settings


def _metric(settings: Settings, spec: ModelSpec, variant: str, split: str, metric: str) -> float:
    [(value,)] = sql_rows(
        settings,
        "select value from ml.metrics where model_name = ? and variant = ? and split = ?"
        " and metric = ?",
        [spec.name, variant, split, metric],
    )
    return float(value)


def _test_rows(settings: Settings, spec: ModelSpec) -> pd.DataFrame:
    """The model's held-out rows: ml.predictions split 'test' joined to their targets and the
    columns of marts.tracks the models read (for re-predicting a row, see below)."""
    row_filter = f"and features.{spec.row_filter}" if spec.row_filter else ""
    return sql_frame(
        settings,
        f"select predictions.{PREDICTION_COLUMN[spec.name]} as predicted,"
        f" predictions.model_variant, features.{spec.target} as target,"
        f" {', '.join('tracks.' + column for column in PREDICTION_COLUMNS)}"
        " from ml.predictions as predictions"
        " inner join marts.model_features as features using (uri)"
        " inner join marts.tracks as tracks using (uri)"
        f" where predictions.split = ? {row_filter} order by uri",
        [SPLIT_TEST],
    )


@pytest.mark.slow
@pytest.mark.parametrize("spec", MODEL_SPECS, ids=lambda spec: spec.name)
def test_test_metrics_recompute_from_the_predictions(capped_run: Settings, spec: ModelSpec) -> None:
    """ml.predictions holds the SERVED prediction of each track: the catalog model for a track
    whose artist is in the training part, the cold-start model otherwise (serving.predict_tracks).
    The recorded `model` test metric scores the catalog model on EVERY held-out track, and the
    split by track (stratified on the hit label, not grouped) can hold out the only track of an
    artist: those rows' catalog predictions are not in ml.predictions, so they are re-predicted
    from the saved, hash-checked catalog model; every other row's comes from ml.predictions."""
    rows = _test_rows(capped_run, spec)
    assert len(rows) >= 100
    loaded = load_models(capped_run.models_dir)
    assert loaded.training_artists is not None
    in_catalog = artist_keys(rows).isin(loaded.training_artists)
    # routing: the cold-start rows are exactly the held-out tracks of artists unseen in training
    assert ((rows["model_variant"] == VARIANT_MODEL) == in_catalog).all()
    predicted = rows["predicted"].to_numpy(dtype=float).copy()
    if not in_catalog.all():
        threshold = decision_threshold(loaded.model(HIT_CLASSIFIER.name).get(DECISION_THRESHOLD))
        unseen = predict_frame(rows.loc[~in_catalog], loaded.pipelines, threshold)
        predicted[~in_catalog.to_numpy()] = unseen[PREDICTION_COLUMN[spec.name]].to_numpy()
    if spec.task == "classification":
        metric = METRIC_ROC_AUC
        recomputed = roc_auc_score(rows["target"].astype(bool), predicted)
    else:
        metric = METRIC_R2  # on the target's (log) scale, as training scores it
        recomputed = r2_score(rows["target"], predicted)
    # ml.predictions holds the SERVED catalog model: the forest or, when ML_SERVING_MODEL (auto:
    # the better CV metric on the training data) chose it, the gradient-boosting challenger
    [(params,)] = sql_rows(
        capped_run, "select params_json from ml.runs where model_name = ?", [spec.name]
    )
    served = json.loads(params).get("serving_model", "forest")
    variant = VARIANT_CHALLENGER if served == "challenger" else VARIANT_MODEL
    recorded = _metric(capped_run, spec, variant, SPLIT_TEST, metric)
    assert recomputed == pytest.approx(recorded, abs=1e-9), (spec.name, served, metric)


@pytest.mark.slow
@pytest.mark.parametrize("spec", MODEL_SPECS, ids=lambda spec: spec.name)
def test_every_model_beats_its_mean_baseline(capped_run: Settings, spec: ModelSpec) -> None:
    metric = METRIC_ROC_AUC if spec.task == "classification" else METRIC_R2
    model = _metric(capped_run, spec, VARIANT_MODEL, SPLIT_TEST, metric)
    baseline = _metric(capped_run, spec, VARIANT_MEAN_BASELINE, SPLIT_TEST, metric)
    assert model - baseline >= MARGIN[spec.task], (spec.name, metric, model, baseline)


@pytest.mark.slow
def test_training_cap_leaves_not_sampled_predictions(capped_run: Settings) -> None:
    counts = dict(sql_rows(capped_run, "select split, count(*) from ml.predictions group by 1"))
    [(modelling,)] = sql_rows(capped_run, "select count(*) from marts.model_features")
    assert modelling > CAP, "the fixture must be larger than the cap for this test to mean much"
    assert counts[SPLIT_TRAIN] + counts[SPLIT_TEST] == CAP
    assert counts[SPLIT_NOT_SAMPLED] == modelling - CAP
    n_train = dict(sql_rows(capped_run, "select model_name, n_train from ml.runs"))
    assert n_train[STREAM_REGRESSOR.name] == counts[SPLIT_TRAIN]


@pytest.mark.slow
def test_fake_run_writes_the_vocabulary_of_a_real_run(capped_run: Settings) -> None:
    real = set(sql_rows(capped_run, "select model_name, variant, split, metric from ml.metrics"))
    fake = {row[1:5] for row in fake_metric_rows("fake")}
    assert fake == real


# --- the out-of-fold artist encoding on a target of pure noise -------------------------------

NOISE_ROWS = 5_000
TRACKS_PER_ARTIST = 5  # small groups: an in-fold mean would carry ~1/5 of each row's own noise


def _noise_frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    return pd.DataFrame(
        {
            ARTIST_FEATURE: [f"artist {i // TRACKS_PER_ARTIST}" for i in range(NOISE_ROWS)],
            ENCODING_TARGET: rng.normal(size=NOISE_ROWS),  # row-unique noise
        }
    )


def _correlation(encoded: np.ndarray, target: pd.Series) -> float:
    return float(np.corrcoef(np.asarray(encoded, dtype=float).ravel(), target)[0, 1])


def test_in_fold_encoding_would_leak_so_the_check_can_fail() -> None:
    frame = _noise_frame()
    in_fold = frame.groupby(ARTIST_FEATURE)[ENCODING_TARGET].transform("mean")
    assert abs(_correlation(in_fold.to_numpy(), frame[ENCODING_TARGET])) > 0.3


@pytest.mark.parametrize("encoder", ["target_encoder", "artist_level_encoder"])
def test_out_of_fold_encoding_of_noise_carries_no_signal(encoder: str) -> None:
    frame = _noise_frame()
    if encoder == "target_encoder":  # the stream and views regressors
        encoded = artist_encoder("regression", 5, 0).fit_transform(
            frame[[ARTIST_FEATURE]], frame[ENCODING_TARGET]
        )
    else:  # the hit classifier (artist-level target, ArtistLevelEncoder)
        encoded = ArtistLevelEncoder(cv_folds=5, random_state=0).fit_transform(frame)
    assert abs(_correlation(encoded, frame[ENCODING_TARGET])) < 0.05
