"""Out-of-bag estimates (ml/modeling/out_of_bag.py): why the hit classifier uses
class_weight='balanced_subsample', and that a classifier calibrated on its out-of-bag
probabilities is calibrated on held-out rows, with one fit instead of k + 1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

from ml.modeling.features import build_pipeline
from ml.modeling.out_of_bag import out_of_bag, out_of_bag_estimate
from ml.modeling.specs import (
    AUDIO_ONLY,
    HIT_CLASSIFIER,
    METRIC_MEAN_PROBABILITY,
    METRIC_ROC_AUC,
    SPLIT_OOB,
    VARIANT_AUDIO_ONLY,
    VARIANT_MEAN_BASELINE,
)
from ml.runtime.errors import PipelineError


def _hits(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Audio columns with ~12% hits driven by two of them (the hit model's class balance): the
    inputs, the outcomes and each row's true hit probability."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({name: rng.random(rows) for name in AUDIO_ONLY})
    logit = -5.0 + 3.0 * frame["energy"] + 2.0 * frame["valence"]
    probability = (1 / (1 + np.exp(-logit))).to_numpy()
    return frame, (rng.random(rows) < probability).astype(int), probability


def test_balanced_bootstraps_leave_hits_out_of_bag_only_when_weights_are_per_sample() -> None:
    """scikit-learn >= 1.9 draws a 'balanced' forest's bootstrap samples by class weight: a hit
    (weight ~5) is drawn ~5 times per tree and almost never out-of-bag, so no out-of-bag estimate
    exists for it. 'balanced_subsample' draws uniform samples (as 'balanced' did before 1.9) and
    weights them: every hit is out-of-bag in about a third of the trees."""
    x, y, _ = _hits(3000, 0)
    hits = y == 1

    def out_of_bag_share(class_weight: str) -> float:
        forest = RandomForestClassifier(
            50, max_depth=6, class_weight=class_weight, random_state=0, n_jobs=1
        ).fit(x, y)
        drawn = np.zeros((len(forest.estimators_), len(y)), dtype=bool)
        for number, rows in enumerate(forest.estimators_samples_):
            drawn[number, rows] = True
        return float((~drawn[:, hits]).mean())

    assert out_of_bag_share("balanced") < 0.05
    assert out_of_bag_share("balanced_subsample") == pytest.approx(np.exp(-1), abs=0.03)
    assert HIT_CLASSIFIER.class_weight == "balanced_subsample"


def test_a_classifier_calibrated_out_of_bag_is_calibrated_on_held_out_rows() -> None:
    """The hit classifier's route: fitted once with oob_score, calibrated and its threshold chosen
    on its out-of-bag probabilities; held-out ROC-AUC near the out-of-bag one, held-out mean
    probability within 0.02 of the held-out rows' true hit probability (the raw balanced forest
    over-states it)."""
    x, y, truth = _hits(6000, 1)
    fit, held_out = np.arange(4500), np.arange(4500, 6000)
    spec = HIT_CLASSIFIER.audio_only()
    pipeline = build_pipeline(
        spec, n_estimators=80, max_depth=6, random_state=0, n_jobs=1, oob_score=True
    ).fit(x.iloc[fit], y[fit])
    estimate = out_of_bag_estimate(
        spec, {VARIANT_AUDIO_ONLY: pipeline}, y[fit], folds=5, random_state=0
    )
    rows = {(r["variant"], r["split"], r["metric"]): r["value"] for r in estimate.rows}
    assert {split for _, split, _ in rows} == {SPLIT_OOB}
    raw = pipeline.predict_proba(x.iloc[held_out])[:, 1]
    calibrated = estimate.calibrations[VARIANT_AUDIO_ONLY].calibrator.transform(raw)
    observed = truth[held_out].mean()
    assert raw.mean() - observed > 0.05, "the balanced forest should over-state the hit rate"
    assert abs(calibrated.mean() - observed) <= 0.02
    assert rows[(VARIANT_AUDIO_ONLY, SPLIT_OOB, METRIC_ROC_AUC)] == pytest.approx(
        roc_auc_score(y[held_out], raw), abs=0.03
    )
    oob_mean = rows[(VARIANT_AUDIO_ONLY, SPLIT_OOB, METRIC_MEAN_PROBABILITY)]
    assert abs(oob_mean - y[fit].mean()) < 0.01
    threshold = estimate.thresholds[VARIANT_AUDIO_ONLY]
    assert threshold is not None and 0.0 < threshold < 1.0
    assert estimate.thresholds[VARIANT_MEAN_BASELINE] == float("inf")
    predicted, has_oob = out_of_bag(pipeline)
    assert has_oob.all() and predicted.shape == (len(fit),)


def test_too_few_trees_for_an_out_of_bag_estimate_is_refused() -> None:
    x, y, _ = _hits(200, 2)
    spec = HIT_CLASSIFIER.audio_only()
    pipeline = build_pipeline(
        spec, n_estimators=1, max_depth=3, random_state=0, n_jobs=1, oob_score=True
    )
    with pytest.warns(UserWarning):
        pipeline.fit(x, y)
    # one tree leaves ~37% of rows out-of-bag: enough; refuse when fewer than 2 x folds remain
    with pytest.raises(PipelineError, match="too few out-of-bag predictions"):
        out_of_bag_estimate(spec, {VARIANT_AUDIO_ONLY: pipeline}, y, folds=200, random_state=0)
