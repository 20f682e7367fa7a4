"""Crashes and reruns: a killed training run or a failing dbt model leaves the last good results
readable and the next run recovers without manual cleanup; a second job waits, then says who
holds the warehouse."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ml.config import REPO_ROOT, Settings
from ml.pipeline import build_warehouse
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.errors import PipelineError, WarehouseLockedError
from ml.runtime.locking import run_lock
from ml.runtime.run_log import RunLog
from tests.helpers import isolated_settings

# a dbt build or a training run per test (subprocesses): not in `make test-fast`
pytestmark = pytest.mark.slow

TINY = {"ML_N_ESTIMATORS": "4", "ML_CV_FOLDS": "2", "ML_PERMUTATION_REPEATS": "1"}


def _env(settings: Settings) -> dict[str, str]:
    return settings.dbt_env(MODELS_DIR=str(settings.models_dir), **TINY)


def _train(settings: Settings) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ml", "train"],
        cwd=REPO_ROOT,
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _state(settings: Settings) -> tuple[list[tuple], list[tuple]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        runs = connection.execute("select run_id, model_name from ml.runs order by all").fetchall()
        predictions = connection.execute(
            "select run_id, uri, predicted_streams from ml.predictions order by uri"
        ).fetchall()
    return runs, predictions


@pytest.fixture()
def trained(built_warehouse: Settings, tmp_path: Path) -> Settings:
    settings = isolated_settings(tmp_path, built_warehouse.raw_data_path)
    shutil.copy(built_warehouse.warehouse_path, settings.warehouse_path)
    result = _train(settings)
    assert result.returncode == 0, result.stderr[-2000:]
    return settings


def test_killed_training_keeps_last_predictions_and_next_run_recovers(trained: Settings) -> None:
    runs_before, predictions_before = _state(trained)
    assert predictions_before
    process = subprocess.Popen(
        [sys.executable, "-m", "ml", "train"],
        cwd=REPO_ROOT,
        env=_env(trained),
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:  # wait until it is really training, then kill it hard
        if "fold" in line.lower() or "fit" in line.lower():
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert _state(trained) == (runs_before, predictions_before)
    result = _train(trained)  # no cleanup: the lock died with the process
    assert result.returncode == 0, result.stderr[-2000:]
    runs_after, predictions_after = _state(trained)
    assert len({run for run, _ in runs_after}) == len({run for run, _ in runs_before}) + 1
    assert len(predictions_after) == len(predictions_before)  # replaced, not duplicated


def test_failing_dbt_model_keeps_last_marts(
    trained: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.csv"  # passes the header check, then dbt fails reading record 2
    lines = trained.raw_data_path.read_text(encoding="utf-8").splitlines(keepends=True)
    broken.write_text(lines[0] + "1,too,few,fields\n", encoding="utf-8")
    with duckdb.connect(str(trained.warehouse_path), read_only=True) as connection:
        tracks_before = connection.execute("select count(*) from marts.tracks").fetchone()
    settings = isolated_settings(tmp_path / "second", broken)
    settings = Settings(**{**settings.__dict__, "warehouse_path": trained.warehouse_path})
    with pytest.raises(PipelineError, match="Expected Number of Columns"):
        build_warehouse(settings, RunLog())
    console = capsys.readouterr().err  # one summary line, not dbt's node-by-node stream
    assert f"dbt log: {settings.extra_env['DBT_LOG_PATH']}/dbt.log" in console
    assert "dbt build: " in console and "ERROR=1" in console and " START " not in console
    assert len(console.splitlines()) < 15, console
    with duckdb.connect(str(trained.warehouse_path), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.tracks").fetchone() == tracks_before
    runs, predictions = _state(trained)
    assert runs and predictions


def test_dbt_on_a_held_warehouse_names_the_holder(tmp_path: Path, small_raw_csv: Path) -> None:
    settings = isolated_settings(tmp_path, small_raw_csv)
    with (
        duckdb.connect(str(settings.warehouse_path)),  # a writer in this process holds the file
        pytest.raises(WarehouseLockedError, match=f"in use by process {os.getpid()}"),
    ):
        run_dbt(settings, ["run", "--select", "stg_spotify_youtube__tracks"], quiet=True)


def test_second_job_waits_then_names_the_holder(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with run_lock(warehouse):
        started = time.monotonic()
        with (
            pytest.raises(WarehouseLockedError, match=f"in use by process {os.getpid()}"),
            run_lock(warehouse, retry_seconds=1.0),
        ):
            pass
        assert 0.9 <= time.monotonic() - started < 5
    with run_lock(warehouse, retry_seconds=0):  # released: the next job gets it at once
        pass
