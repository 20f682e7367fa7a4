"""The training reference that travels with the models, and drift of a scored file against it.

At training time (`record_training_reference`, one call in train.train_all, warehouse open):
    medians         the imputation values of every audio feature (intermediate.int_audio_medians)
    hit_threshold   the hit definition (intermediate.int_hit_threshold)
    features        per model input over the training rows: deciles, the bins they make and the
                    share of training rows in each bin (categorical inputs: the share of each value)
    catalog_files   the training warehouse's catalog (marts.tracks) as one Parquet file per
                    table in runs/<run_id>/catalog/, written by DuckDB (9.1M uris at 10M rows
                    never pass through Python), each with its sha256: artist_track_counts
                    (artist, track_count), album_track_counts (artist, album, track_count) and
                    catalog_tracks (uri, artist, album): the catalog counts of scored tracks (dbt
                    macro catalog_track_counts) without the warehouse
stored as runs/<run_id>/training_reference.json, sha256-recorded in the run's model_metadata.json
(ml/modeling/registry.py); `load_reference` checks both hashes. Scoring imputes with these
medians (not with the current warehouse) and compares the scored rows with these bins: the
population stability index (PSI) per input,
    PSI = sum over bins of (actual - expected) * ln(actual / expected),
0 for the same distribution; above 0.25 is the usual "the population has shifted" level.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ml.modeling import registry
from ml.modeling.dataset import TRACKS_RELATION
from ml.modeling.specs import ALBUM_FEATURE, ARTIST_FEATURE, CATEGORICAL_FEATURES, MODEL_SPECS
from ml.runtime.errors import PipelineError
from ml.runtime.warehouse import session, sql_path

if TYPE_CHECKING:
    import duckdb

MEDIANS_RELATION = "intermediate.int_audio_medians"
HIT_THRESHOLD_RELATION = "intermediate.int_hit_threshold"
QUANTILES: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(1, 10))  # deciles
PSI_ALERT = 0.25
# Below this many scored rows the PSI is mostly sampling noise (about (bins - 1) / rows for the
# same distribution: 0.2 at 40 rows): it is still written, but no feature is called drifted.
MIN_DRIFT_ROWS = 200
_FLOOR = 1e-4  # share given to an empty bin (ln(0) is undefined)
# The catalog tables of the reference (the score_reference source tables of the same names),
# stored as runs/<run_id>/catalog/<table>.parquet and listed under CATALOG_KEY.
CATALOG_DIR = "catalog"
CATALOG_KEY = "catalog_files"
CATALOG_QUERIES: dict[str, str] = {
    "artist_track_counts": (
        f"select artist, count(*) as track_count from {TRACKS_RELATION} "
        "group by artist order by artist"
    ),
    "album_track_counts": (
        f"select artist, album, count(*) as track_count from {TRACKS_RELATION} "
        "group by artist, album order by artist, album"
    ),
    "catalog_tracks": f"select uri, artist, album from {TRACKS_RELATION} order by uri",
}


def drift_features() -> list[str]:
    """Every model input but the artist and the album (identifiers, target-encoded), in spec
    order."""
    identifiers = {ARTIST_FEATURE, ALBUM_FEATURE}
    names: list[str] = []
    for spec in MODEL_SPECS:
        names.extend(n for n in spec.features if n not in identifiers and n not in names)
    return names


def _numeric(values: pd.Series) -> np.ndarray:
    array = pd.to_numeric(values.astype("float64"), errors="coerce").to_numpy(dtype="float64")
    return array[~np.isnan(array)]


def bin_counts(values: pd.Series, entry: dict[str, Any]) -> np.ndarray:
    """Rows per reference bin: numeric bins are (-inf, e1], (e1, e2], ..., (ek, inf);
    categorical bins are the training values plus one bin for any other value."""
    if "categories" in entry:
        categories = list(entry["categories"])
        known = values.dropna().astype(str)
        counts = [int((known == value).sum()) for value in categories]
        return np.array([*counts, len(known) - sum(counts)], dtype="int64")
    edges = np.asarray(entry["edges"], dtype="float64")
    return np.bincount(np.searchsorted(edges, _numeric(values)), minlength=len(edges) + 1)


def feature_reference(values: pd.Series, categorical: bool) -> dict[str, Any]:
    if categorical:
        shares = values.dropna().astype(str).value_counts(normalize=True).sort_index()
        entry: dict[str, Any] = {"categories": list(shares.index)}
    else:
        numeric = _numeric(values)
        quantiles = np.quantile(numeric, QUANTILES) if len(numeric) else np.array([])
        entry = {
            "quantiles": dict(zip(map(str, QUANTILES), quantiles.tolist(), strict=False)),
            "edges": sorted(set(quantiles.tolist())),  # ties collapse (e.g. many zeros)
        }
    counts = bin_counts(values, entry)
    entry["expected"] = (counts / max(counts.sum(), 1)).tolist()
    entry["rows"] = int(counts.sum())
    return entry


def write_catalog(connection: duckdb.DuckDBPyConnection, directory: Path) -> dict[str, Any]:
    """The warehouse's catalog tables (CATALOG_QUERIES) as Parquet files in directory/catalog/;
    returns their entries for the reference: {table: {"file": path relative to `directory`,
    "sha256": ...}}."""
    (directory / CATALOG_DIR).mkdir(parents=True, exist_ok=True)
    files: dict[str, Any] = {}
    for name, query in CATALOG_QUERIES.items():
        relative = f"{CATALOG_DIR}/{name}.parquet"
        path = directory / relative
        connection.execute(f"copy ({query}) to {sql_path(path)} (format parquet)")
        files[name] = {"file": relative, "sha256": registry.sha256_file(path)}
    return files


def catalog_paths(directory: Path, reference: dict[str, Any]) -> dict[str, Path]:
    """The reference's catalog files under `directory` (the run's folder), each checked against
    its recorded sha256 (PipelineError when missing, modified or not recorded)."""
    entries = reference.get(CATALOG_KEY)
    if not entries:
        raise PipelineError(
            "the models' training reference has no catalog files (trained before they existed)",
            step="load models",
            hint="re-run `python -m ml train` (the reference is stored with the models)",
        )
    paths = {name: directory / entry["file"] for name, entry in entries.items()}
    for name, path in paths.items():
        registry.checked_reference_file(
            path, entries[name]["sha256"], f"catalog file {path} of the training reference"
        )
    return paths


def load_reference(
    models_dir: Path, metadata: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Path]]:
    """The current run's training reference and its checked catalog files."""
    reference = registry.load_training_reference(models_dir, metadata)
    directory = registry.training_reference_path(models_dir, metadata).parent
    return reference, catalog_paths(directory, reference)


def build_reference(warehouse_path: Path, directory: Path, train: pd.DataFrame) -> dict[str, Any]:
    """The reference of a run whose folder is `directory` (the catalog files are written there)."""
    with session(warehouse_path, read_only=True) as connection:
        medians = connection.execute(f"select * from {MEDIANS_RELATION}").df()
        hit = connection.execute(f"select * from {HIT_THRESHOLD_RELATION}").df()
        catalog = write_catalog(connection, directory)
    return {
        "medians": {k: _plain(v) for k, v in medians.iloc[0].items() if k.startswith("median_")},
        "hit_threshold": {k: _plain(v) for k, v in hit.iloc[0].items()},
        "training_rows": len(train),
        "psi_alert": PSI_ALERT,
        "features": {
            name: feature_reference(train[name], name in CATEGORICAL_FEATURES)
            for name in drift_features()
        },
        CATALOG_KEY: catalog,
    }


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def record_training_reference(
    warehouse_path: Path, models_dir: Path, run_id: str, train: pd.DataFrame
) -> Path:
    """Build the run's training reference (the warehouse must be readable) and store it beside
    the run's models, sha256-recorded in its metadata. Call after write_run_metadata."""
    directory = registry.run_dir(models_dir, run_id)
    return registry.save_training_reference(
        models_dir, run_id, build_reference(warehouse_path, directory, train)
    )


def psi(expected: list[float], counts: np.ndarray) -> float:
    total = counts.sum()
    if total == 0:
        return math.nan
    actual = np.maximum(counts / total, _FLOOR)
    reference = np.maximum(np.asarray(expected, dtype="float64"), _FLOOR)
    return float(np.sum((actual - reference) * np.log(actual / reference)))


class DriftCounter:
    """Bin counts of the scored rows, accumulated batch by batch, then PSI per feature."""

    def __init__(self, reference: dict[str, Any]) -> None:
        self.features: dict[str, dict[str, Any]] = reference["features"]
        self.alert = float(reference.get("psi_alert", PSI_ALERT))
        self.counts = {
            name: np.zeros(len(entry["expected"]), dtype="int64")
            for name, entry in self.features.items()
        }

    def add(self, frame: pd.DataFrame) -> None:
        for name, entry in self.features.items():
            if name in frame:
                self.counts[name] += bin_counts(frame[name], entry)

    def summary(self) -> dict[str, Any]:
        features = {}
        for name, entry in self.features.items():
            counts = self.counts[name]
            value = psi(entry["expected"], counts)
            features[name] = {
                "psi": None if math.isnan(value) else round(value, 4),
                "rows": int(counts.sum()),
                "expected_share": [round(x, 4) for x in entry["expected"]],
                "actual_share": [round(x, 4) for x in (counts / max(counts.sum(), 1)).tolist()],
                "bins": entry.get("categories", entry.get("edges")),
            }
        drifted = [
            name
            for name, item in features.items()
            if item["psi"] is not None
            and item["psi"] > self.alert
            and item["rows"] >= MIN_DRIFT_ROWS
        ]
        return {
            "psi_alert": self.alert,
            "min_rows": MIN_DRIFT_ROWS,
            "drifted": drifted,
            "features": features,
        }
