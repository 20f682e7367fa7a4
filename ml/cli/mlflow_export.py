"""`python -m ml runs --export-mlflow URI`: copy the run history into an MLflow tracking store.

Optional: needs the `mlflow` extra (`pip install -e ".[mlflow]"`). One MLflow run per training
run (run name = our run id), in the experiment `music-performance-intelligence`: each model's
parameters as `<model>.<param>`, every ml.metrics row as `<model>.<variant>.<split>.<metric>`,
and the provenance as tags (run id, data fingerprint, code version, each artifact's path and
sha256). Runs already exported (tag `mpi.run_id`) are skipped, so exporting again is safe. A local
`sqlite:///path/mlflow.db` URI works offline; then `mlflow ui --backend-store-uri <URI>`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ml.runtime.errors import PipelineError
from ml.runtime.warehouse import session

EXPERIMENT = "music-performance-intelligence"
RUN_ID_TAG = "mpi.run_id"
BATCH = 100  # MLflow's per-call limit for params and tags (metrics: 1000)


def _history(warehouse_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with session(warehouse_path, read_only=True) as connection:
        runs = connection.sql("select * from ml.runs order by created_at, run_id").df()
        metrics = connection.sql("select * from ml.metrics").df()
    return runs, metrics


def _millis(value: Any) -> int:
    return int(pd.Timestamp(value).timestamp() * 1000)


def _params_and_tags(rows: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    first = rows.iloc[0]
    params: dict[str, str] = {}
    tags = {
        RUN_ID_TAG: str(first["run_id"]),
        "mpi.data_fingerprint": str(first["data_fingerprint"]),
        "mpi.code_version": str(first["code_version"]),
    }
    for row in rows.itertuples(index=False):
        model = row.model_name
        settings = json.loads(row.params_json or "{}")
        settings.update(target=row.target, n_train=row.n_train, n_test=row.n_test)
        settings["features"] = ",".join(json.loads(row.features_json or "[]"))
        params.update({f"{model}.{key}": str(value) for key, value in sorted(settings.items())})
        tags[f"{model}.artifact_path"] = str(row.artifact_path)
        tags[f"{model}.artifact_sha256"] = str(row.artifact_sha256)
        tags[f"{model}.status"] = str(row.status)
    return params, tags


def export_runs(warehouse_path: Path, uri: str, experiment: str = EXPERIMENT) -> list[str]:
    """Log every run of the warehouse not yet in the store; return the run ids exported."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")  # it ignores DO_NOT_TRACK=1
    try:
        from mlflow.entities import Metric, Param, RunTag
        from mlflow.tracking import MlflowClient
    except ImportError as error:
        raise PipelineError(
            "mlflow is not installed", hint='pip install -e ".[mlflow]" (an optional extra)'
        ) from error
    runs, metrics = _history(warehouse_path)
    client = MlflowClient(tracking_uri=uri)
    found = client.get_experiment_by_name(experiment)
    experiment_id = found.experiment_id if found else client.create_experiment(experiment)
    done = {
        run.data.tags.get(RUN_ID_TAG)
        for run in client.search_runs([experiment_id], max_results=50_000)
    }
    exported = []
    for run_id, rows in runs.groupby("run_id", sort=False):
        if run_id in done:
            continue
        start = _millis(rows["created_at"].min())
        run = client.create_run(experiment_id, start_time=start, run_name=str(run_id))
        params, tags = _params_and_tags(rows)
        values = [
            Metric(f"{m.model_name}.{m.variant}.{m.split}.{m.metric}", float(m.value), start, 0)
            for m in metrics[metrics["run_id"] == run_id].itertuples(index=False)
            if m.value is not None and math.isfinite(m.value)
        ]
        _log(client, run.info.run_id, values, [Param(k, v) for k, v in params.items()],
             [RunTag(k, v) for k, v in tags.items()])  # fmt: skip
        end = start + int(1000 * float(rows["total_seconds"].fillna(0).sum()))
        client.set_terminated(run.info.run_id, "FINISHED", end_time=end)
        exported.append(str(run_id))
    return exported


def _log(client: Any, run_id: str, metrics: Sequence, params: Sequence, tags: Sequence) -> None:
    """log_batch in chunks that respect MLflow's per-request limits."""
    for start in range(0, max(len(metrics), len(params), len(tags), 1), BATCH):
        client.log_batch(
            run_id,
            metrics=list(metrics[start : start + BATCH]),
            params=list(params[start : start + BATCH]),
            tags=list(tags[start : start + BATCH]),
        )
