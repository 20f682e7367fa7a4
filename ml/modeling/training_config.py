"""The training settings: the study's forest settings per model (ml/modeling/specs.py), how each
is evaluated, and the caps that bound a run's time. One frozen TrainingConfig per run; every field
can be overridden by an env var ML_<FIELD> or by `python -m ml train --<field>`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from sklearn.pipeline import Pipeline

from ml.modeling.features import build_pipeline
from ml.modeling.specs import VARIANT_AUDIO_ONLY, VARIANT_COLD_START, ModelSpec
from ml.runtime.errors import PipelineError


@dataclass(frozen=True)
class TrainingConfig:
    """Study defaults; every field can be overridden by an env var ML_<FIELD> (tests use tiny
    forests) or by `python -m ml train --<field>`."""

    n_estimators: int | None = None  # None: each model's study setting (200 / 200 / 150)
    max_depth: int | None = None  # None: each model's study setting (15 / 10 / 12)
    cv_folds: int = 5
    # Trees of the fits that only MEASURE a model (the stream forest's CV folds, the refits on the
    # split by artist, the audio-only baselines; None: the model's own). Measured on the default
    # data: 5-fold CV R2 of the stream forest 0.692 with 32 trees, 0.695 with 50, 0.699 with 200
    # (fold sd 0.011); README, Model quality.
    evaluation_trees: int | None = 32
    # Trees of the served cold-start forest (tracks of artists the training data has not seen;
    # not a study model; None: the model's own). It is measured on new artists by a refit of
    # evaluation_trees (slightly pessimistic for it: new-artist stream R2 0.364 with 32 trees,
    # 0.368 with 50). It scores most tracks of a large catalog (every artist outside the training
    # sample), so its size sets the prediction time at 10M rows.
    cold_start_trees: int | None = 50
    test_size: float = 0.2
    # Cap on modelling rows (a seeded sample of tracks) so that very large inputs train in bounded
    # time; the real file has ~18k modelling rows (never capped). None: no cap. Measured on 10M
    # generated rows (8.7M modelling tracks): an earlier round's forests fitted 100k rows in 12.3
    # min and 50k in 5.3 min (~1 effective core), same held-out metrics within 0.01; today's fit
    # the 50k sample in ~100 s on 2 idle cores (README, Performance). What follows (reference,
    # predictions of every one of the 9.1M tracks, publish: ~2 min) does not depend on this cap.
    max_training_rows: int | None = 50_000
    permutation_repeats: int = 3
    # Held-out rows the permutation importances are computed on (a seeded sample when the test
    # part is larger; None: all). Each permuted copy is one forest prediction of these rows.
    permutation_rows: int | None = 2_000
    random_state: int = 42
    n_jobs: int = -1
    prediction_batch_rows: int = 200_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> TrainingConfig:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = environ.get(f"ML_{item.name.upper()}", "").strip()
            if not raw:
                continue
            try:
                if raw.lower() == "none":
                    values[item.name] = None
                elif item.name == "test_size":
                    values[item.name] = float(raw)
                else:
                    values[item.name] = int(raw)
            except ValueError as error:
                raise PipelineError(
                    f"ML_{item.name.upper()}={raw!r} is not a valid {item.name}", step="train"
                ) from error
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).validated()

    def validated(self) -> TrainingConfig:
        problems = []
        for name in ("n_estimators", "evaluation_trees", "cold_start_trees"):
            value = getattr(self, name)
            if value is not None and value < 1:
                problems.append(f"{name} must be >= 1")
        if self.max_depth is not None and self.max_depth < 1:
            problems.append("max_depth must be >= 1")
        if self.cv_folds < 2:
            problems.append("cv_folds must be >= 2")
        if not 0.0 < self.test_size < 1.0:
            problems.append("test_size must be in (0, 1)")
        if self.max_training_rows is not None and self.max_training_rows < 100:
            problems.append("max_training_rows must be >= 100 (or None)")
        if self.permutation_rows is not None and self.permutation_rows < 100:
            problems.append("permutation_rows must be >= 100 (or None)")
        if self.permutation_repeats < 1:
            problems.append("permutation_repeats must be >= 1")
        if problems:
            raise PipelineError("invalid training config: " + "; ".join(problems), step="train")
        return self

    def forest_params(self, spec: ModelSpec) -> dict[str, Any]:
        return {
            "n_estimators": self.n_estimators or spec.n_estimators,
            "max_depth": self.max_depth or spec.max_depth,
            "class_weight": spec.class_weight,
            "max_features": spec.max_features,
            "min_samples_leaf": spec.min_samples_leaf,
            "random_state": self.random_state,
            "n_jobs": self.n_jobs,
        }

    def evaluation_tree_count(self, spec: ModelSpec) -> int:
        """Trees of a fit that only measures: evaluation_trees, at most the model's own."""
        trees = self.forest_params(spec)["n_estimators"]
        return min(trees, self.evaluation_trees or trees)

    def variant_tree_count(self, spec: ModelSpec, variant: str) -> int:
        """Trees of a variant fitted on the whole training part: the model keeps its study
        setting; the audio-only baseline only measures (evaluation_trees); the cold-start forest
        has cold_start_trees (at most the model's own)."""
        trees = self.forest_params(spec)["n_estimators"]
        if variant == VARIANT_AUDIO_ONLY:
            return self.evaluation_tree_count(spec)
        if variant == VARIANT_COLD_START:
            return min(trees, self.cold_start_trees or trees)
        return trees

    def variant_pipeline(self, spec: ModelSpec, variant: str, *, oob_score: bool) -> Pipeline:
        """A new, unfitted pipeline of one variant (`spec` is the variant's own spec)."""
        return self._pipeline(spec, self.variant_tree_count(spec, variant), oob_score)

    def evaluation_pipeline(self, spec: ModelSpec) -> Pipeline:
        """A pipeline for a fit that only measures (CV fold, refit by artist): fewer trees."""
        return self._pipeline(spec, self.evaluation_tree_count(spec), False)

    def _pipeline(self, spec: ModelSpec, trees: int, oob_score: bool) -> Pipeline:
        params = self.forest_params(spec)
        return build_pipeline(
            spec,
            n_estimators=trees,
            max_depth=params["max_depth"],
            random_state=self.random_state,
            n_jobs=self.n_jobs,
            cv_folds=self.cv_folds,
            oob_score=oob_score,
        )
