"""The run registry: model artifacts on disk (hash-checked) and the run's rows in the ml tables.

Layout under MODELS_DIR:
    runs/<run_id>/<model_name>.joblib     one fitted sklearn pipeline per model (a classifier's
                                          predict_proba returns calibrated probabilities)
    runs/<run_id>/<model_name>__cold_start.joblib  its cold-start variant (no artist input)
    runs/<run_id>/training_artists.json   the artists seen in training (routing by artist)
    runs/<run_id>/model_metadata.json     features, params, metrics, sha256 of every artifact
    runs/<run_id>/training_reference.json imputation medians, hit threshold, input distributions
    runs/<run_id>/catalog/*.parquet       the catalog tables of the reference (sha256 in it)
    runs/<run_id>/predictions/*.parquet   the run's per-track predictions (ml.predictions rows)
    model_metadata.json                   the CURRENT run (whose rows are in ml.predictions),
                                          written only after the warehouse publish has committed

The ml tables' columns are defined once, in dbt_project/macros/ml_tables.sql; rows are inserted
by column name.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

import duckdb
import joblib
import pandas as pd
from sklearn.pipeline import Pipeline

from ml.config import REPO_ROOT
from ml.modeling.evaluate import decision_threshold
from ml.modeling.serving import ServingModels
from ml.modeling.specs import DECISION_THRESHOLD, HIT_CLASSIFIER, VARIANT_COLD_START, VARIANT_MODEL
from ml.runtime.data_source import file_sha256 as sha256_file
from ml.runtime.errors import PipelineError
from ml.runtime.warehouse import session, table_exists

METADATA_FILE = "model_metadata.json"
RUNS_DIR = "runs"
ML_TABLES = ("runs", "metrics", "feature_importance", "predictions", "calibration")
TRAINING_ARTISTS_FILE = "training_artists.json"
TRAINING_ARTISTS = "training_artists"  # its model_metadata.json entry (path and sha256)
# Older run directories beyond this many are deleted after a successful publish.
KEEP_RUNS = 5


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10, check=True
    ).stdout.strip()


def code_version() -> str:
    """The git commit of the code (with '+dirty' when uncommitted changes exist), else the
    installed package version."""
    try:
        commit = _git("rev-parse", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        try:
            return "package " + package_metadata.version("music-performance-intelligence")
        except package_metadata.PackageNotFoundError:
            return "unknown"


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """sha256 of a frame's values, column names and dtypes (row order matters: sort first)."""
    digest = hashlib.sha256()
    digest.update(json.dumps([[c, str(t)] for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def run_dir(models_dir: Path, run_id: str) -> Path:
    return models_dir / RUNS_DIR / run_id


def save_model(pipeline: Pipeline, path: Path) -> str:
    """Write the fitted pipeline (temp file + rename) and return the sha256 of the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    joblib.dump(pipeline, temporary, compress=3)
    temporary.replace(path)
    return sha256_file(path)


def save_artists(artists: Iterable[str], path: Path) -> str:
    """Write the sorted distinct artist names as JSON (temp file + rename); return its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(sorted(set(artists)), ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)
    return sha256_file(path)


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    temporary.replace(path)


def write_run_metadata(models_dir: Path, run_id: str, payload: dict[str, Any]) -> Path:
    path = run_dir(models_dir, run_id) / METADATA_FILE
    _write_json(path, payload)
    return path


def promote_run(models_dir: Path, run_id: str, *, keep_runs: int = KEEP_RUNS) -> Path:
    """Make `run_id` the current run (models_dir/model_metadata.json) and prune old run dirs."""
    source = run_dir(models_dir, run_id) / METADATA_FILE
    payload = json.loads(source.read_text(encoding="utf-8"))
    target = models_dir / METADATA_FILE
    _write_json(target, payload)
    runs = sorted(p for p in (models_dir / RUNS_DIR).iterdir() if p.is_dir())
    for old in runs[: max(0, len(runs) - keep_runs)]:
        if old.name != run_id:
            shutil.rmtree(old, ignore_errors=True)
    return target


@dataclass
class LoadedModels:
    """The current run's metadata and its hash-checked pipelines, by model name."""

    metadata: dict[str, Any]
    pipelines: dict[str, Pipeline] = field(default_factory=dict)
    # the cold-start variants and the training artists (empty / None for older runs)
    cold_start_pipelines: dict[str, Pipeline] = field(default_factory=dict)
    training_artists: frozenset[str] | None = None

    @property
    def run_id(self) -> str:
        return str(self.metadata["run_id"])

    def model(self, name: str) -> dict[str, Any]:
        return self.metadata["models"][name]

    def serving(self) -> ServingModels:
        """The loaded models ready for batch prediction (serving.predict_tracks)."""
        hit = self.model(HIT_CLASSIFIER.name)
        pipelines = {VARIANT_MODEL: self.pipelines}
        thresholds = {VARIANT_MODEL: decision_threshold(hit.get(DECISION_THRESHOLD))}
        if self.cold_start_pipelines and self.training_artists is not None:
            pipelines[VARIANT_COLD_START] = self.cold_start_pipelines
            thresholds[VARIANT_COLD_START] = decision_threshold(
                hit.get(VARIANT_COLD_START, {}).get(DECISION_THRESHOLD)
            )
        return ServingModels(pipelines, thresholds, self.training_artists)


def _checked_path(models_dir: Path, entry: dict[str, Any], metadata_path: Path) -> Path:
    """The artifact of a metadata entry (artifact_path, artifact_sha256), refused when missing
    or when its sha256 differs from the one recorded at training time."""
    artifact = models_dir / entry["artifact_path"]
    if not artifact.exists():
        raise PipelineError(
            f"model artifact {artifact} is missing (listed in {metadata_path})",
            step="load models",
            hint="re-run `python -m ml train`",
        )
    actual = sha256_file(artifact)
    if actual != entry["artifact_sha256"]:
        raise PipelineError(
            f"model artifact {artifact} does not match its recorded sha256 "
            f"(expected {entry['artifact_sha256']}, found {actual}): refusing to load a "
            "modified or corrupted model",
            step="load models",
            hint="re-run `python -m ml train` to retrain and record fresh artifacts",
        )
    return artifact


def load_models(models_dir: Path) -> LoadedModels:
    """Load the current run's models; refuse (PipelineError) any artifact whose sha256 differs from
    the one recorded at training time."""
    path = models_dir / METADATA_FILE
    if not path.exists():
        raise PipelineError(
            f"no trained models in {models_dir} ({METADATA_FILE} not found)",
            step="load models",
            hint="run `python -m ml train` (or `make run`) first",
        )
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        models = payload["models"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise PipelineError(
            f"{path}: unreadable model metadata ({error})", step="load models"
        ) from error
    loaded = LoadedModels(metadata=payload)
    trained_with = payload.get("environment", {}).get("scikit-learn")
    running = environment_summary()["scikit-learn"]
    if trained_with and trained_with != running:
        print(
            f"warning: models in {models_dir} were trained with scikit-learn {trained_with}, "
            f"this is {running}; retrain (`python -m ml train`) if predictions look wrong",
            file=sys.stderr,
        )
    for name, entry in models.items():
        loaded.pipelines[name] = joblib.load(_checked_path(models_dir, entry, path))
        if VARIANT_COLD_START in entry:
            cold_start = _checked_path(models_dir, entry[VARIANT_COLD_START], path)
            loaded.cold_start_pipelines[name] = joblib.load(cold_start)
    if TRAINING_ARTISTS in payload:
        artists = _checked_path(models_dir, payload[TRAINING_ARTISTS], path)
        loaded.training_artists = frozenset(json.loads(artists.read_text(encoding="utf-8")))
    return loaded


# --- the training reference (ml/modeling/reference.py) ------------------------------------------

REFERENCE_FILE = "training_reference.json"
REFERENCE_KEY = "training_reference"


def save_training_reference(models_dir: Path, run_id: str, reference: dict[str, Any]) -> Path:
    """Write runs/<run_id>/training_reference.json and record its path and sha256 in the run's
    model_metadata.json (promote_run copies that entry to the current metadata)."""
    directory = run_dir(models_dir, run_id)
    path = directory / REFERENCE_FILE
    _write_json(path, reference)
    metadata_path = directory / METADATA_FILE
    payload = json.loads(metadata_path.read_text(encoding="utf-8"))
    payload[REFERENCE_KEY] = {
        "artifact_path": path.relative_to(models_dir).as_posix(),
        "artifact_sha256": sha256_file(path),
    }
    _write_json(metadata_path, payload)
    return path


def training_reference_path(models_dir: Path, metadata: dict[str, Any]) -> Path:
    """Where the current run's training reference is; refused (PipelineError) when not recorded."""
    entry = metadata.get(REFERENCE_KEY)
    if not entry:
        raise PipelineError(
            f"the models in {models_dir} carry no training reference (trained before it existed)",
            step="load models",
            hint="re-run `python -m ml train` (the reference is stored with the models)",
        )
    return models_dir / entry["artifact_path"]


def checked_reference_file(path: Path, sha256: str, what: str) -> Path:
    """A file of the training reference (`what` names it, path included), refused
    (PipelineError) when missing or when its sha256 differs from the one recorded at training
    time."""
    if not path.exists() or sha256_file(path) != sha256:
        raise PipelineError(
            f"{what} is missing or does not match its recorded sha256",
            step="load models",
            hint="re-run `python -m ml train` to record a fresh reference",
        )
    return path


def load_training_reference(models_dir: Path, metadata: dict[str, Any]) -> dict[str, Any]:
    """The current run's training reference; refused (PipelineError) when absent or modified."""
    path = training_reference_path(models_dir, metadata)
    checked_reference_file(
        path, metadata[REFERENCE_KEY]["artifact_sha256"], f"training reference {path}"
    )
    return json.loads(path.read_text(encoding="utf-8"))


# --- publishing to the warehouse -------------------------------------------------------------


@dataclass
class RunTables:
    """The rows one training run adds to the ml tables (predictions live in parquet files)."""

    runs: pd.DataFrame
    metrics: pd.DataFrame
    feature_importance: pd.DataFrame
    predictions_glob: str
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)


def _insert_frame(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    name = f"frame_{table}"
    connection.register(name, frame)
    try:
        connection.execute(f"insert into ml.{table} by name select * from {name}")
    finally:
        connection.unregister(name)


def _insert_runs(connection: duckdb.DuckDBPyConnection, tables: RunTables) -> None:
    _insert_frame(connection, "runs", tables.runs)


def _insert_metrics(connection: duckdb.DuckDBPyConnection, tables: RunTables) -> None:
    _insert_frame(connection, "metrics", tables.metrics)


def _insert_importances(connection: duckdb.DuckDBPyConnection, tables: RunTables) -> None:
    _insert_frame(connection, "feature_importance", tables.feature_importance)


def _insert_calibration(connection: duckdb.DuckDBPyConnection, tables: RunTables) -> None:
    if not tables.calibration.empty:
        _insert_frame(connection, "calibration", tables.calibration)


def _insert_predictions(connection: duckdb.DuckDBPyConnection, tables: RunTables) -> None:
    connection.execute(
        "insert into ml.predictions by name select * from read_parquet(?)",
        [tables.predictions_glob],
    )


def _replace_predictions(connection: duckdb.DuckDBPyConnection, tables: RunTables) -> None:
    connection.execute("delete from ml.predictions")
    _insert_predictions(connection, tables)


def publish_run(warehouse_path: Path, tables: RunTables) -> int:
    """Insert the run's rows and replace ml.predictions in ONE transaction: either all of it is
    visible afterwards or none of it (ml.predictions keeps the previous run's rows).
    Returns the number of prediction rows."""
    with session(warehouse_path) as connection:
        missing = [t for t in ML_TABLES if not table_exists(connection, "ml", t)]
        if missing:
            raise PipelineError(
                f"warehouse {warehouse_path} lacks table(s) "
                f"{', '.join('ml.' + t for t in missing)}",
                step="publish run",
                hint="run `python -m ml build` (dbt creates them on every run) first",
            )
        connection.begin()
        try:
            steps = (
                _insert_runs,
                _insert_metrics,
                _insert_importances,
                _insert_calibration,
                _replace_predictions,
            )
            for step in steps:
                step(connection, tables)
            row = connection.execute(
                "select count(*), count(distinct uri) from ml.predictions"
            ).fetchone()
            if row is None or row[0] != row[1]:
                raise PipelineError(
                    "ml.predictions would hold duplicate uris; nothing was published",
                    step="publish run",
                )
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
    return int(row[0])


def environment_summary() -> dict[str, str]:
    """Library versions recorded beside the artifacts (a pickle is tied to its sklearn)."""
    versions = {}
    for package in ("scikit-learn", "numpy", "pandas", "joblib", "duckdb"):
        try:
            versions[package] = package_metadata.version(package)
        except package_metadata.PackageNotFoundError:
            versions[package] = "unknown"
    versions["python"] = ".".join(map(str, sys.version_info[:3]))
    return versions
