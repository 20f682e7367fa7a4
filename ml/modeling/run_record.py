"""What a training run records: each model's result, the run's model_metadata.json, its rows of
ml.runs / ml.metrics / ml.feature_importance, and the summary table printed at the end."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ml.modeling import registry
from ml.modeling.dataset import ModellingData, artist_keys
from ml.modeling.evaluate import decision_threshold
from ml.modeling.registry import TRAINING_ARTISTS
from ml.modeling.serving import ServingModels
from ml.modeling.specs import (
    DECISION_THRESHOLD,
    HIT_CLASSIFIER,
    METRIC_F1,
    METRIC_INTERVAL_COVERAGE_80,
    METRIC_MEAN_PROBABILITY,
    METRIC_OBSERVED_RATE,
    METRIC_R2,
    METRIC_ROC_AUC,
    SPLIT_CV_MEAN,
    SPLIT_CV_STD,
    SPLIT_OOB,
    SPLIT_TEST,
    SPLIT_TEST_NEW_ARTISTS,
    VARIANT_AUDIO_ONLY,
    VARIANT_COLD_START,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    ModelSpec,
)
from ml.modeling.variants import FittedVariant


@dataclass
class ModelResult:
    """One trained model: its fitted pipeline, settings, ml.metrics rows and importances."""

    spec: ModelSpec
    pipeline: Pipeline
    params: dict[str, Any]
    metrics: list[dict[str, Any]] = field(default_factory=list)
    importances: pd.DataFrame | None = None
    threshold: float | None = None
    n_train: int = 0
    n_test: int = 0
    fit_seconds: float = 0.0
    total_seconds: float = 0.0
    # the cold-start variant fitted on the same training part (served for unseen artists)
    cold_start: FittedVariant | None = None
    # ml.calibration rows of a classifier (variant, split, bin, ...), without run and model
    reliability: list[dict[str, Any]] = field(default_factory=list)

    def metric(self, variant: str, split: str, name: str) -> float:
        for row in self.metrics:
            if (row["variant"], row["split"], row["metric"]) == (variant, split, name):
                return float(row["value"])
        return float("nan")

    def summary(self) -> str:
        """The held-out headline beside the baselines, for the progress line of the model."""

        def value(variant: str, split: str, metric: str) -> str:
            return f"{self.metric(variant, split, metric):.3f}"

        new_artists = value(VARIANT_COLD_START, SPLIT_TEST_NEW_ARTISTS, self.lead_metric)
        if self.spec.task == "classification":
            return (
                f"test ROC-AUC {value(VARIANT_MODEL, SPLIT_TEST, METRIC_ROC_AUC)} "
                f"(audio-only {value(VARIANT_AUDIO_ONLY, SPLIT_TEST, METRIC_ROC_AUC)}, "
                f"new artists {new_artists}), F1 {value(VARIANT_MODEL, SPLIT_TEST, METRIC_F1)}, "
                f"mean probability {value(VARIANT_MODEL, SPLIT_TEST, METRIC_MEAN_PROBABILITY)} "
                f"vs hit rate {value(VARIANT_MODEL, SPLIT_TEST, METRIC_OBSERVED_RATE)} "
                f"({self.params.get('calibration_method')})"
            )
        return (
            f"test R2 {value(VARIANT_MODEL, SPLIT_TEST, METRIC_R2)} "
            f"(audio-only {value(VARIANT_AUDIO_ONLY, SPLIT_TEST, METRIC_R2)}, "
            f"new artists {new_artists}), {self._training_estimate()}, 80% tree interval covers "
            f"{value(VARIANT_MODEL, SPLIT_TEST, METRIC_INTERVAL_COVERAGE_80)}"
        )

    def _training_estimate(self) -> str:
        """'CV R2 0.695 +- 0.011' or 'out-of-bag R2 0.582' (ModelSpec.training_estimate)."""
        if self.spec.training_estimate == "cv":
            mean = self.metric(VARIANT_MODEL, SPLIT_CV_MEAN, METRIC_R2)
            return f"CV R2 {mean:.3f} +- {self.metric(VARIANT_MODEL, SPLIT_CV_STD, METRIC_R2):.3f}"
        return f"out-of-bag R2 {self.metric(VARIANT_MODEL, SPLIT_OOB, METRIC_R2):.3f}"

    @property
    def lead_metric(self) -> str:
        return METRIC_ROC_AUC if self.spec.task == "classification" else METRIC_R2


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _entry(models_dir: Path, path: Path, sha: str) -> dict[str, str]:
    return {"artifact_path": path.relative_to(models_dir).as_posix(), "artifact_sha256": sha}


def save_artifacts(
    models_dir: Path, directory: Path, results: Mapping[str, ModelResult], train: pd.DataFrame
) -> dict[str, dict[str, str]]:
    """In `directory`: one joblib file per model and per cold-start variant, and the training
    artists. {model name | model name + '__cold_start' | 'training_artists': metadata entry}."""
    artifacts: dict[str, dict[str, str]] = {}
    for name, result in results.items():
        path = directory / f"{name}.joblib"
        artifacts[name] = _entry(models_dir, path, registry.save_model(result.pipeline, path))
        if result.cold_start is not None:
            path = directory / f"{name}__{VARIANT_COLD_START}.joblib"
            sha = registry.save_model(result.cold_start.pipeline, path)
            artifacts[f"{name}__{VARIANT_COLD_START}"] = _entry(models_dir, path, sha)
    path = directory / registry.TRAINING_ARTISTS_FILE
    sha = registry.save_artists(artist_keys(train), path)
    artifacts[TRAINING_ARTISTS] = _entry(models_dir, path, sha)
    return artifacts


@dataclass(frozen=True)
class TrainedRun:
    """One run's identity, provenance, model results and saved artifacts."""

    run_id: str
    created_at: datetime
    data_fingerprint: str
    code_version: str
    results: Mapping[str, ModelResult]
    artifacts: Mapping[str, Mapping[str, str]]

    def metadata(self, data: ModellingData, training_config: dict[str, Any]) -> dict[str, Any]:
        """The payload of model_metadata.json."""
        models = {}
        for name, result in self.results.items():
            test = {
                row["metric"]: row["value"]
                for row in result.metrics
                if row["variant"] == VARIANT_MODEL and row["split"] == SPLIT_TEST
            }
            models[name] = {
                "target": result.spec.target,
                "task": result.spec.task,
                "description": result.spec.description,
                "features": list(result.spec.features),
                "row_filter": result.spec.row_filter,
                "params": result.params,
                DECISION_THRESHOLD: result.threshold,
                "n_train": result.n_train,
                "n_test": result.n_test,
                "test_metrics": test,
                **self.artifacts[name],
            }
            if result.cold_start is not None:
                models[name][VARIANT_COLD_START] = {
                    "features": list(result.cold_start.spec.features),
                    DECISION_THRESHOLD: result.cold_start.threshold,
                    **self.artifacts[f"{name}__{VARIANT_COLD_START}"],
                }
        return {
            "run_id": self.run_id,
            "created_at": self.created_at.isoformat(),
            "code_version": self.code_version,
            "data_fingerprint": self.data_fingerprint,
            "modelling_rows": data.total_rows,
            "sampled_rows": len(data.train) + len(data.test),
            "training_config": training_config,
            "environment": registry.environment_summary(),
            "models": models,
            TRAINING_ARTISTS: dict(self.artifacts[TRAINING_ARTISTS]),
        }

    def serving(self, directory: Path) -> ServingModels:
        """The run's fitted models ready for batch prediction, routed by the training artists
        (read back from the saved file, so that training and scoring route the same)."""
        path = directory / registry.TRAINING_ARTISTS_FILE
        artists = frozenset(json.loads(path.read_text(encoding="utf-8")))
        pipelines = {
            VARIANT_MODEL: {name: result.pipeline for name, result in self.results.items()},
            VARIANT_COLD_START: {
                name: result.cold_start.pipeline
                for name, result in self.results.items()
                if result.cold_start is not None
            },
        }
        hit = self.results[HIT_CLASSIFIER.name]
        cold_threshold = hit.cold_start.threshold if hit.cold_start else None
        thresholds = {
            VARIANT_MODEL: decision_threshold(hit.threshold),
            VARIANT_COLD_START: decision_threshold(cold_threshold),
        }
        return ServingModels(pipelines, thresholds, artists)

    def tables(self, predictions_glob: str) -> registry.RunTables:
        """The rows the run adds to the ml tables (predictions: the parquet files of the glob)."""
        created = pd.Timestamp(self.created_at.replace(tzinfo=None))
        runs = pd.DataFrame(
            [
                {
                    "run_id": self.run_id,
                    "model_name": name,
                    "created_at": created,
                    "params_json": json.dumps(
                        {**result.params, DECISION_THRESHOLD: result.threshold}, sort_keys=True
                    ),
                    "features_json": json.dumps(list(result.spec.features)),
                    "target": result.spec.target,
                    "n_train": result.n_train,
                    "n_test": result.n_test,
                    "data_fingerprint": self.data_fingerprint,
                    **self.artifacts[name],
                    "fit_seconds": result.fit_seconds,
                    "total_seconds": result.total_seconds,
                    "code_version": self.code_version,
                    "status": "ok",
                }
                for name, result in self.results.items()
            ]
        )
        metrics = pd.DataFrame(
            [
                {"run_id": self.run_id, "model_name": name, **row}
                for name, result in self.results.items()
                for row in result.metrics
            ]
        )
        importances = pd.concat(
            [
                result.importances.assign(run_id=self.run_id, model_name=name)
                for name, result in self.results.items()
            ],
            ignore_index=True,
        )
        calibration = pd.DataFrame(
            [
                {"run_id": self.run_id, "model_name": name, **row}
                for name, result in self.results.items()
                for row in result.reliability
            ]
        )
        return registry.RunTables(
            runs=runs,
            metrics=metrics,
            feature_importance=importances,
            predictions_glob=predictions_glob,
            calibration=calibration,
        )


def format_summary(results: Mapping[str, ModelResult]) -> str:
    """Lead metric of each model on held-out tracks (known artists) and on held-out artists,
    beside its baselines: one line per model (everything else is in ml.metrics)."""
    columns = (
        ("test", VARIANT_MODEL, SPLIT_TEST),
        ("audio", VARIANT_AUDIO_ONLY, SPLIT_TEST),
        ("mean", VARIANT_MEAN_BASELINE, SPLIT_TEST),
        ("new:model", VARIANT_MODEL, SPLIT_TEST_NEW_ARTISTS),
        ("new:cold", VARIANT_COLD_START, SPLIT_TEST_NEW_ARTISTS),
        ("new:audio", VARIANT_AUDIO_ONLY, SPLIT_TEST_NEW_ARTISTS),
    )
    lines = [f"{'model':<18}{'metric':<9}" + "".join(f"{label:>10}" for label, _, _ in columns)]
    for name, result in results.items():
        values = [result.metric(v, split, result.lead_metric) for _, v, split in columns]
        lines.append(
            f"{name:<18}{result.lead_metric:<9}"
            + "".join(f"{v:10.3f}" if np.isfinite(v) else f"{'-':>10}" for v in values)
        )
    return "\n".join(lines)
