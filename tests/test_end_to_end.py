"""The whole chain, as `make run` runs it: `python -m ml run` on a small generated file with small
forests, twice, in isolated directories. Ties the layers together: every mart non-empty, every
ml.metrics row the report reads present, every report figure equal to the row it cites, and a
second run that changes nothing but adds one run id."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from pandas.api.types import is_float_dtype

from ml.config import REPO_ROOT, Settings
from ml.modeling.specs import (
    ALL_SPLITS,
    ALL_VARIANTS,
    DECISION_THRESHOLD,
    METRIC_INTERVAL_COVERAGE_80,
    MODEL_NAMES,
    MODEL_SPECS,
    SPLIT_TEST,
    SPLIT_TRAIN,
    VARIANT_AUDIO_ONLY,
    VARIANTS,
    metric_names,
)
from tests.helpers import isolated_settings, job_env, report_figures

pytestmark = pytest.mark.slow

# Small forests through the settings `python -m ml run` reads (TrainingConfig.from_env).
SMALL_FORESTS = {
    "ML_N_ESTIMATORS": "8",
    "ML_MAX_DEPTH": "5",
    "ML_CV_FOLDS": "3",
    "ML_PERMUTATION_REPEATS": "1",
}
# Columns that name the run or the time of a run: they differ between two runs of the same input.
RUN_COLUMNS = re.compile(r"run_id$|_at$")
# ml.metrics[run_id=..., model_name=...], marts.hypothesis_tests[H1].estimate
RELATION_SOURCE = re.compile(
    r"^(?P<schema>ml|marts)\.(?P<table>\w+)\[(?P<keys>[^\]]+)\](?:\.(?P<column>\w+))?$"
)
# marts.kpi_summary.hit_rate, marts.kpi_summary.rows_outlier_by_column['tempo'] (one-row marts),
# marts.mv_priority_matrix.video_effect_lift (video_effect_source = ...) (constant columns)
COLUMN_SOURCE = re.compile(r"^marts\.(?P<table>\w+)\.(?P<expr>\w+(?:\['\w+'\])?)(?: \(.*\))?$")
# marts.mv_priority_matrix: count(*) where priority_tier like 'P1%'
AGGREGATE_SOURCE = re.compile(
    r"^marts\.(?P<table>\w+): (?P<expr>\w+\([\w*]*\))(?: where (?P<where>.+))?$"
)


@dataclass(frozen=True)
class Runs:
    settings: Settings
    first_warehouse: Path  # a copy of the warehouse right after the first run
    report: dict[str, Any]  # executive_report.json of the first run


def _run(settings: Settings) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ml", "run"],
        cwd=REPO_ROOT,
        env=job_env(settings, **SMALL_FORESTS),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def runs(small_raw_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    root = tmp_path_factory.mktemp("end_to_end")
    settings = isolated_settings(root / "job", small_raw_csv)
    _run(settings)
    first = root / "first_run.duckdb"
    shutil.copy(settings.warehouse_path, first)
    report = json.loads((settings.reports_dir / "executive_report.json").read_text("utf-8"))
    _run(settings)
    return Runs(settings, first, report)


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def _marts(connection: duckdb.DuckDBPyConnection) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    return [name for (name,) in rows]


def test_every_mart_is_built_and_non_empty(runs: Runs) -> None:
    with _connect(runs.first_warehouse) as connection:
        marts = _marts(connection)
        assert len(marts) >= 15
        empty = [
            name
            for name in marts
            if connection.execute(f"select count(*) from marts.{name}").fetchone() == (0,)
        ]
    assert empty == []


def test_metrics_cover_the_vocabulary_of_specs(runs: Runs) -> None:
    with _connect(runs.first_warehouse) as connection:
        rows = set(
            connection.execute(
                "select model_name, variant, split, metric from ml.metrics"
            ).fetchall()
        )
    assert {row[0] for row in rows} == set(MODEL_NAMES)
    known_metrics = {
        *metric_names("regression"),
        *metric_names("classification"),
        DECISION_THRESHOLD,
        METRIC_INTERVAL_COVERAGE_80,
    }
    for row in rows:
        assert row[1] in ALL_VARIANTS and row[2] in ALL_SPLITS and row[3] in known_metrics, row
    for spec in MODEL_SPECS:
        for variant in VARIANTS:
            # in-sample (train) metrics are recorded for the model and the baseline only
            splits = (SPLIT_TEST,) if variant == VARIANT_AUDIO_ONLY else (SPLIT_TRAIN, SPLIT_TEST)
            for split in splits:
                for metric in metric_names(spec.task):
                    assert (spec.name, variant, split, metric) in rows


def test_metrics_cover_what_the_report_reads(runs: Runs) -> None:
    """Every (model, variant, split, metric) the report's model tables show has a recorded value."""
    with _connect(runs.first_warehouse) as connection:
        recorded = {
            row[:4]: row[4]
            for row in connection.execute(
                "select model_name, variant, split, metric, value from ml.metrics"
            ).fetchall()
        }
    shown = 0
    for model in runs.report["models"]:
        for row in model["metrics"]:
            for variant in VARIANTS:
                if variant not in row:
                    continue
                key = (model["model_name"], variant, row["split"], row["metric"])
                if row[variant]["value"] is not None or key in recorded:
                    shown += 1
                    assert key in recorded, key
                    assert row[variant]["value"] == pytest.approx(recorded[key], nan_ok=True)
    assert shown >= len(MODEL_SPECS) * len(VARIANTS) * 2


def _keys(text: str, connection: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    if "=" not in text:  # marts.hypothesis_tests[H1]: the table's first column
        first = connection.execute(f"select * from {table} limit 0").description[0][0]
        return {first: text}
    return dict(part.strip().split("=", 1) for part in text.split(","))


def _resolve(connection: duckdb.DuckDBPyConnection, source: str) -> tuple[bool, Any]:
    """The warehouse value a report source names; (False, None) for a description in words."""
    if match := RELATION_SOURCE.match(source):
        table = f"{match['schema']}.{match['table']}"
        keys = _keys(match["keys"], connection, table)
        column = match["column"] or ("value" if match["table"] == "metrics" else "importance")
        where = " and ".join(f"cast({name} as varchar) = ?" for name in keys)
        rows = connection.execute(
            f"select {column} from {table} where {where}", list(keys.values())
        ).fetchall()
        assert len(rows) <= 1, (source, rows)
        # no such row: the report may only show "no value" (e.g. the cv_mean of an audio-only
        # regressor, which training estimates out-of-bag instead)
        return True, rows[0][0] if rows else None
    if match := COLUMN_SOURCE.match(source):
        # a one-row mart, or a column constant over the mart (the parenthesis says why)
        rows = connection.execute(
            f"select distinct {match['expr']} from marts.{match['table']}"
        ).fetchall()
        assert len(rows) == 1, source
        return True, rows[0][0]
    if match := AGGREGATE_SOURCE.match(source):
        where = f" where {match['where']}" if match["where"] else ""
        [(value,)] = connection.execute(
            f"select {match['expr']} from marts.{match['table']}{where}"
        ).fetchall()
        return True, value
    return False, None


def test_every_report_figure_equals_the_row_it_cites(runs: Runs) -> None:
    figures = report_figures(runs.report)
    unresolved = []
    with _connect(runs.first_warehouse) as connection:
        for item in figures:
            found, value = _resolve(connection, item["source"])
            if not found:
                unresolved.append(item["source"])
            elif value is None or pd.isna(value):
                assert item["value"] is None, item
            else:
                assert item["value"] == pytest.approx(float(value), rel=1e-9), item
    # a handful of figures cite a computation in words (e.g. "count(*) of ... cells")
    assert len(unresolved) <= 0.05 * len(figures), unresolved


def _snapshot(path: Path) -> dict[str, pd.DataFrame]:
    """Every mart, without the columns that name a run, rows in a canonical order."""
    frames = {}
    with _connect(path) as connection:
        for name in _marts(connection):
            frame = connection.execute(f"select * from marts.{name}").df()
            frame = frame.drop(columns=[c for c in frame.columns if RUN_COLUMNS.search(c)])
            # parallel aggregation may change the last bits of a float: order rows by rounded
            # values, compare floats to 1e-9 (below)
            key = frame.apply(lambda column: column.round(6) if is_float_dtype(column) else column)
            order = key.astype(str).sort_values(list(key.columns)).index
            frames[name] = frame.loc[order].reset_index(drop=True)
    return frames


def test_second_run_is_idempotent(runs: Runs) -> None:
    before, after = _snapshot(runs.first_warehouse), _snapshot(runs.settings.warehouse_path)
    assert before.keys() == after.keys()
    for name, frame in before.items():
        pd.testing.assert_frame_equal(
            frame, after[name], check_exact=False, rtol=1e-9, obj=f"marts.{name}"
        )
    with _connect(runs.first_warehouse) as connection:
        first_ids = {row[0] for row in connection.execute("select run_id from ml.runs").fetchall()}
    with _connect(runs.settings.warehouse_path) as connection:
        ids = {row[0] for row in connection.execute("select run_id from ml.runs").fetchall()}
        [(raw_counts,)] = connection.execute(
            "select count(*) from meta.raw_file_profile"
        ).fetchall()
    assert len(first_ids) == 1 and first_ids < ids and len(ids) == 2
    assert raw_counts == 1  # one row per file, replaced by the second build
