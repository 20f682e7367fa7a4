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
from ml.modeling.dataset import ModellingData
from ml.modeling.specs import (
    DECISION_THRESHOLD,
    METRIC_F1,
    METRIC_PR_AUC,
    METRIC_R2,
    METRIC_RMSE,
    METRIC_ROC_AUC,
    SPLIT_CV_MEAN,
    SPLIT_CV_STD,
    SPLIT_TEST,
    VARIANT_AUDIO_ONLY,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    VARIANTS,
    ModelSpec,
)


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

    def metric(self, variant: str, split: str, name: str) -> float:
        for row in self.metrics:
            if (row["variant"], row["split"], row["metric"]) == (variant, split, name):
                return float(row["value"])
        return float("nan")

    def summary(self) -> str:
        """The held-out headline beside the baselines, for the progress line of the model."""

        def value(variant: str, split: str, metric: str) -> str:
            return f"{self.metric(variant, split, metric):.3f}"

        if self.spec.task == "classification":
            return (
                f"test ROC-AUC {value(VARIANT_MODEL, SPLIT_TEST, METRIC_ROC_AUC)} "
                f"(audio-only {value(VARIANT_AUDIO_ONLY, SPLIT_TEST, METRIC_ROC_AUC)}), "
                f"PR-AUC {value(VARIANT_MODEL, SPLIT_TEST, METRIC_PR_AUC)}, "
                f"F1 {value(VARIANT_MODEL, SPLIT_TEST, METRIC_F1)} "
                f"at threshold {self.threshold:.3f}"
            )
        return (
            f"test R2 {value(VARIANT_MODEL, SPLIT_TEST, METRIC_R2)} "
            f"(audio-only {value(VARIANT_AUDIO_ONLY, SPLIT_TEST, METRIC_R2)}, "
            f"mean {value(VARIANT_MEAN_BASELINE, SPLIT_TEST, METRIC_R2)}), "
            f"CV R2 {value(VARIANT_MODEL, SPLIT_CV_MEAN, METRIC_R2)} "
            f"+- {value(VARIANT_MODEL, SPLIT_CV_STD, METRIC_R2)}"
        )


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def save_artifacts(
    models_dir: Path, directory: Path, results: Mapping[str, ModelResult]
) -> dict[str, tuple[str, str]]:
    """One joblib file per model in `directory`: {model name: (path under models_dir, sha256)}."""
    artifacts: dict[str, tuple[str, str]] = {}
    for name, result in results.items():
        path = directory / f"{name}.joblib"
        sha = registry.save_model(result.pipeline, path)
        artifacts[name] = (path.relative_to(models_dir).as_posix(), sha)
    return artifacts


@dataclass(frozen=True)
class TrainedRun:
    """One run's identity, provenance, model results and saved artifacts."""

    run_id: str
    created_at: datetime
    data_fingerprint: str
    code_version: str
    results: Mapping[str, ModelResult]
    artifacts: Mapping[str, tuple[str, str]]

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
                "artifact_path": self.artifacts[name][0],
                "artifact_sha256": self.artifacts[name][1],
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
        }

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
                    "artifact_path": self.artifacts[name][0],
                    "artifact_sha256": self.artifacts[name][1],
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
        return registry.RunTables(
            runs=runs,
            metrics=metrics,
            feature_importance=importances,
            predictions_glob=predictions_glob,
        )


def format_summary(results: Mapping[str, ModelResult]) -> str:
    """Held-out and CV metrics of each model beside its baselines, as a text table (the audio-only
    forest has no CV: its out-of-bag estimate is in ml.metrics, split 'oob')."""
    lines = [f"{'model':<18}{'metric':<10}{'split':<9}{'model':>9}{'audio':>9}{'mean':>9}"]
    for name, result in results.items():
        metrics = (
            (METRIC_R2, METRIC_RMSE)
            if result.spec.task == "regression"
            else (METRIC_ROC_AUC, METRIC_PR_AUC, METRIC_F1)
        )
        for metric in metrics:
            for split in (SPLIT_TEST, SPLIT_CV_MEAN):
                values = [result.metric(variant, split, metric) for variant in VARIANTS]
                lines.append(
                    f"{name:<18}{metric:<10}{split:<9}"
                    + "".join(f"{v:9.3f}" if np.isfinite(v) else f"{'-':>9}" for v in values)
                )
    return "\n".join(lines)
