"""Score a CSV of new tracks with the current trained models.

    python -m ml score --input NEW.csv --output OUT.csv

1. The output folder must exist; the file's header is checked and matched BY NAME (any order,
   any case): `Artist`, `Track` and the audio columns are required, every other column of the
   raw layout (YouTube columns, Uri, Album, Album_type, flags, Stream, the index column) is
   optional; a ';' or tab separated file is read as such (ml/runtime/raw_input.py).
2. The current models and their training reference are loaded, sha256-checked.
3. The warehouse is NOT read: the training medians and catalog counts stored with the models
   (ml/modeling/reference.py) are written into a scratch DuckDB file, and
   `dbt run --select path:models/score_input` builds the scoring
   features there, with the same macros as the warehouse (typing + quarantine, imputation, every
   derived feature). That dbt call has a target path of its own (<target>/score_input), and the
   scoring switches are env vars, not --vars: a later `dbt build` keeps its partial parse.
4. The scoring features are read in batches and scored; OUT.csv gets one row per input row, in
   file order (OUTPUT_COLUMNS), with `not_scored_reason` for rows that could not be scored;
   OUT.csv.drift.json gets the PSI of every model input against the training reference, and a
   warning is printed for each input above 0.25.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from filelock import FileLock

from ml.config import DBT_PROJECT_DIR, Settings
from ml.modeling.reference import DriftCounter, load_reference
from ml.modeling.registry import LoadedModels, load_models
from ml.modeling.serving import predict_tracks
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.errors import PipelineError
from ml.runtime.raw_input import SCORING_REQUIRED, RawLayout, inspect_raw_csv
from ml.runtime.warehouse import sql_path

SCORING_SELECTOR = "path:models/score_input"
SCORING_RELATION = "scoring.score_input_features"
REFERENCE_SCHEMA = "score_reference"  # source score_reference (the scratch file)
REFERENCE_TABLE = f"{REFERENCE_SCHEMA}.audio_medians"
OUTPUT_COLUMNS: tuple[str, ...] = (
    "row_id", "artist", "track", "uri", "predicted_streams", "predicted_streams_p10",
    "predicted_streams_p90", "hit_probability", "predicted_hit", "predicted_views",
    "model_variant", "artist_in_catalog", "has_youtube_data", "not_scored_reason",
)  # fmt: skip
# Filled only for rows that were scored (a quarantined row keeps nulls and its reason).
PREDICTED_COLUMNS: tuple[str, ...] = (
    "predicted_streams", "predicted_streams_p10", "predicted_streams_p90", "hit_probability",
    "predicted_hit", "predicted_views", "model_variant", "artist_in_catalog",
)  # fmt: skip
COUNT_COLUMNS = ("predicted_streams", "predicted_streams_p10", "predicted_streams_p90")
BATCH_ROWS = 100_000


def batch_predictions(frame: pd.DataFrame, loaded: LoadedModels) -> pd.DataFrame:
    """THE one place that asks the models: the routed batch prediction (artist-aware model for
    artists seen in training, the cold-start model otherwise; model_variant, artist_in_catalog,
    the stream interval predicted_streams_p10/_p90)."""
    return predict_tracks(frame, loaded.serving())


def _scores(batch: pd.DataFrame, loaded: LoadedModels) -> pd.DataFrame:
    """One output row per input row of the batch; quarantined rows keep their reason."""
    out = pd.DataFrame(
        {
            "row_id": batch["source_index"].where(
                batch["source_index"].notna(), batch["row_id"].astype(str)
            ),
            "artist": batch["artist"],
            "track": batch["track"],
            "uri": batch["uri"],
            "has_youtube_data": batch["has_youtube_data"].astype("boolean"),
            "not_scored_reason": batch["quarantine_reason"],
        },
        index=batch.index,
    )
    for name in PREDICTED_COLUMNS:
        out[name] = pd.Series(pd.NA, index=batch.index, dtype="object")
    scorable = batch["quarantine_reason"].isna()
    if scorable.any():
        predictions = batch_predictions(batch[scorable], loaded)
        for name in PREDICTED_COLUMNS:
            out.loc[scorable, name] = predictions[name].to_numpy()
    for name in (*COUNT_COLUMNS, "predicted_views"):  # counts: whole numbers
        out[name] = pd.to_numeric(out[name], errors="coerce").round().astype("Int64")
    out["hit_probability"] = pd.to_numeric(out["hit_probability"], errors="coerce").round(4)
    for name in ("predicted_hit", "artist_in_catalog"):
        out[name] = out[name].astype("boolean")
    return out.loc[:, list(OUTPUT_COLUMNS)]


def _check_paths(input_path: Path, output_path: Path) -> None:
    if output_path == input_path:
        raise PipelineError(f"--output {output_path} would overwrite the input file", step="score")
    if not output_path.parent.is_dir():
        raise PipelineError(
            f"--output {output_path}: the folder {output_path.parent} does not exist",
            step="score",
            hint="create the folder first, or fix the path (scoring never creates folders)",
        )


def scoring_target(settings: Settings) -> Path:
    """The dbt target path of scoring runs: <DBT_TARGET_PATH or target>/score_input, so the
    warehouse build's partial-parse state (in the target path) is never touched by a score."""
    base = Path(settings.dbt_env().get("DBT_TARGET_PATH") or "target")
    return (base if base.is_absolute() else DBT_PROJECT_DIR / base) / "score_input"


def write_reference_tables(
    connection: duckdb.DuckDBPyConnection, reference: dict[str, Any], catalog: dict[str, Path]
) -> None:
    """The score_reference source tables from the training reference: audio_medians (one row)
    and the catalog tables from its checked Parquet files (reference.CATALOG_QUERIES: counts are
    integers, names text)."""
    connection.execute(f"create schema if not exists {REFERENCE_SCHEMA}")
    connection.register("reference_medians", pd.DataFrame([reference["medians"]]))
    connection.execute(f"create table {REFERENCE_TABLE} as select * from reference_medians")
    for name, path in catalog.items():
        source = f"read_parquet({sql_path(path)})"
        columns = [
            row[0] for row in connection.execute(f"describe select * from {source}").fetchall()
        ]
        typed = ", ".join(
            f"cast({column} as {'integer' if column == 'track_count' else 'varchar'}) as {column}"
            for column in columns
        )
        connection.execute(
            f"create table {REFERENCE_SCHEMA}.{name} as select {typed} from {source}"
        )


def _build_features(
    settings: Settings,
    layout: RawLayout,
    scratch: Path,
    reference: dict[str, Any],
    catalog: dict[str, Path],
    progress: bool,
) -> None:
    """The scoring features in the scratch file (dbt, the shared macros), never the warehouse."""
    for stale in (scratch, scratch.with_name(scratch.name + ".wal")):
        stale.unlink(missing_ok=True)
    with duckdb.connect(str(scratch)) as connection:
        write_reference_tables(connection, reference, catalog)
    run_dbt(
        settings,
        ["run", "--select", SCORING_SELECTOR],
        step="score: dbt run (scoring features)",
        quiet=not progress,
        env_overrides={
            "SCORE_INPUT_ENABLED": "true",
            "SCORE_INPUT_PATH": str(layout.path),
            "SCORE_INPUT_DELIM": ",",
            "SCORE_INPUT_LAYOUT": '{"index": "column00"}',
            **layout.dbt_env("SCORE_INPUT"),
            "WAREHOUSE_PATH": str(scratch),
            "DBT_TARGET_PATH": str(scratch.parent),
            # the scratch file is DuckDB whatever the warehouse's engine (DBT_TARGET)
            "DBT_TARGET": "dev",
        },
    )


def _say(message: str, progress: bool) -> None:
    if progress:
        print(f"[score] {message}", file=sys.stderr, flush=True)


def _write_scores(
    scratch: Path, output_path: Path, loaded: LoadedModels, drift: DriftCounter, batch_rows: int
) -> tuple[int, int]:
    """Score the scratch file's features into output_path (temp file + rename); return the rows
    written and the rows not scored."""
    temporary = output_path.with_name(output_path.name + ".tmp")
    written = unscored = 0
    try:
        with duckdb.connect(str(scratch), read_only=True) as connection:
            result = connection.execute(f"select * from {SCORING_RELATION} order by row_id")
            with temporary.open("w", encoding="utf-8", newline="") as handle:
                while True:
                    batch = result.fetch_df_chunk(max(1, batch_rows // 2048))
                    if batch.empty and written:
                        break
                    scores = _scores(batch, loaded)
                    drift.add(batch[batch["quarantine_reason"].isna()])
                    scores.to_csv(handle, header=written == 0, index=False, lineterminator="\n")
                    written += len(scores)
                    unscored += int(scores["not_scored_reason"].notna().sum())
                    if batch.empty:
                        break
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(output_path)
    return written, unscored


def _write_drift(path: Path, drift: DriftCounter, run_id: str, progress: bool) -> dict[str, Any]:
    summary = {"models_run_id": run_id, **drift.summary()}
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    for name in summary["drifted"]:
        psi = summary["features"][name]["psi"]
        print(
            f"warning: input {name!r} drifted from the training data (PSI {psi:.2f} > "
            f"{summary['psi_alert']}): predictions for this file are less reliable; see {path}",
            file=sys.stderr,
            flush=True,
        )
    _say(f"drift (PSI per model input): {path}", progress)
    return summary


def score_file(
    settings: Settings,
    input_path: Path,
    output_path: Path,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: bool = True,
) -> int:
    """Score `input_path` into `output_path` (written atomically) and `<output>.drift.json`;
    return the number of rows. Needs the models (and their reference) only, not the warehouse."""
    input_path = Path(input_path).resolve()
    output_path = Path(output_path).resolve()
    _check_paths(input_path, output_path)
    layout = inspect_raw_csv(input_path, required=SCORING_REQUIRED)
    for note in layout.notes():
        _say(f"input: {note}", progress)
    loaded = load_models(settings.models_dir)
    reference, catalog = load_reference(settings.models_dir, loaded.metadata)
    scratch = scoring_target(settings) / "score_input.duckdb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(scratch.with_name(scratch.name + ".lock"))):  # one score per target path
        try:
            _build_features(settings, layout, scratch, reference, catalog, progress)
            drift = DriftCounter(reference)
            written, unscored = _write_scores(scratch, output_path, loaded, drift, batch_rows)
        finally:
            for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
                leftover.unlink(missing_ok=True)
    _write_drift(
        output_path.with_name(output_path.name + ".drift.json"), drift, loaded.run_id, progress
    )
    _say(
        f"{output_path}: {written:,} rows ({unscored:,} not scored, see not_scored_reason); "
        f"models of run {loaded.run_id}",
        progress,
    )
    return written
