"""TrainingConfig: tree counts by role (the study's forests keep their settings; fits that only
measure and the cold-start forest are smaller), and the permutation-importance sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.modeling.forests import model_importances
from ml.modeling.specs import (
    HIT_CLASSIFIER,
    MODEL_SPECS,
    STREAM_REGRESSOR,
    VARIANT_AUDIO_ONLY,
    VARIANT_COLD_START,
    VARIANT_MODEL,
)
from ml.modeling.training_config import TrainingConfig
from ml.runtime.errors import PipelineError


def test_the_model_keeps_the_study_trees_the_baselines_are_smaller() -> None:
    config = TrainingConfig()
    for spec in MODEL_SPECS:
        assert config.variant_tree_count(spec, VARIANT_MODEL) == spec.n_estimators
        assert config.variant_tree_count(spec, VARIANT_AUDIO_ONLY) == 32
        assert config.variant_tree_count(spec, VARIANT_COLD_START) == 50
        pipeline = config.variant_pipeline(spec.cold_start(), VARIANT_COLD_START, oob_score=True)
        assert pipeline.named_steps["forest"].n_estimators == 50
        assert pipeline.named_steps["forest"].oob_score is True


def test_tree_counts_never_exceed_the_model_and_none_means_the_model() -> None:
    tiny = TrainingConfig(n_estimators=8)
    assert {
        tiny.variant_tree_count(STREAM_REGRESSOR, v)
        for v in (VARIANT_AUDIO_ONLY, VARIANT_COLD_START)
    } == {8}
    full = TrainingConfig(evaluation_trees=None, cold_start_trees=None)
    assert (
        full.variant_tree_count(HIT_CLASSIFIER, VARIANT_AUDIO_ONLY) == HIT_CLASSIFIER.n_estimators
    )
    assert (
        full.variant_tree_count(HIT_CLASSIFIER, VARIANT_COLD_START) == HIT_CLASSIFIER.n_estimators
    )
    with pytest.raises(PipelineError, match="cold_start_trees"):
        TrainingConfig(cold_start_trees=0).validated()
    assert TrainingConfig.from_env({"ML_COLD_START_TREES": "none"}).cold_start_trees is None


class _Recorder:
    """A stand-in fitted pipeline: records the rows it is asked to predict."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        forest = type("Forest", (), {"estimators_": [], "feature_importances_": np.zeros(2)})()
        self.named_steps = {"forest": forest, "preprocess": None}

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        self.rows.append(len(frame))
        return frame["x"].to_numpy(dtype=float)


def test_permutation_importances_use_a_seeded_sample_of_the_test_rows(monkeypatch) -> None:
    import ml.modeling.forests as forests

    monkeypatch.setattr(forests, "impurity_importances", lambda pipeline: pd.DataFrame())
    spec = STREAM_REGRESSOR
    rng = np.random.default_rng(0)
    test = pd.DataFrame({"x": rng.normal(size=500)})
    test[spec.target] = test["x"] + rng.normal(scale=0.1, size=500)
    monkeypatch.setattr(forests, "model_input", lambda frame, spec: frame[["x"]])
    config = TrainingConfig(permutation_rows=200, permutation_repeats=2)
    recorder = _Recorder()
    first = model_importances(spec, recorder, test, config)  # type: ignore[arg-type]
    # the intact rows once, then one block of 200 rows per column and repeat
    assert recorder.rows == [200, 200 * 2]
    again = model_importances(spec, _Recorder(), test, config)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(first, again)
    everything = _Recorder()
    model_importances(
        spec, everything, test, TrainingConfig(permutation_rows=None, permutation_repeats=2)
    )  # type: ignore[arg-type]
    assert everything.rows == [500, 500 * 2]
