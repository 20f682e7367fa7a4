"""The command line: help with defaults and env vars, query output and limits, a closed pipe,
outputs per warehouse, a failed run beside the good one, no lock file left by a failed job."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from ml.__main__ import main
from ml.cli.parser import TRAINING_FIELDS, build_parser
from ml.config import DEFAULT_REPORTS_DIR, DEFAULT_WAREHOUSE_PATH, REPO_ROOT, load_settings
from ml.runtime.locking import holder_path, lock_path
from ml.runtime.run_log import ERROR_FILE, FAILED_SUMMARY_FILE, SUMMARY_FILE, RunLog
from ml.runtime.warehouse import session

ROWS = 120


@pytest.fixture()
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.duckdb"
    with session(path) as connection:
        connection.execute(
            f"create table t as select range as i, 'x' || range as s from range({ROWS})"
        )
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    monkeypatch.delenv("REPORTS_DIR", raising=False)
    monkeypatch.delenv("MODELS_DIR", raising=False)
    return path


def _help(capsys: pytest.CaptureFixture[str], *command: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_help_lists_env_vars_and_every_training_override(capsys) -> None:
    from ml.modeling.train import TrainingConfig

    assert tuple(item.name for item in fields(TrainingConfig)) == TRAINING_FIELDS
    text = _help(capsys)
    for name in ("RAW_DATA_PATH", "WAREHOUSE_PATH", "MODELS_DIR", "REPORTS_DIR", "SEED"):
        assert name in text
    for name in TRAINING_FIELDS:
        assert f"ML_{name.upper()}" in text


def test_every_option_shows_its_default(capsys) -> None:
    query = _help(capsys, "query")
    assert "(default: 50)" in query and "(default: table)" in query
    assert "(default: 20718)" in _help(capsys, "run")
    assert _help(capsys, "runs").count("(default: None)") == 2  # --compare, --export-mlflow


def test_version_and_console_script_name(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("python -m ml ")
    monkeypatch.setattr(sys, "argv", ["/somewhere/.venv/bin/mpi", "--help"])
    assert build_parser().format_usage().startswith("usage: mpi ")


def test_query_limit_and_more_rows(warehouse: Path, capsys) -> None:
    assert main(["query", "select * from t order by i", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert f"... {ROWS - 5} more rows" in out
    assert len([line for line in out.splitlines() if line.strip().startswith("4 ")]) == 1
    assert main(["query", "select * from t order by i", "--limit", "0"]) == 0
    assert "more rows" not in capsys.readouterr().out


def test_query_csv_and_json(warehouse: Path, capsys) -> None:
    assert main(["query", "select * from t order by i", "--format", "csv", "--limit", "7"]) == 0
    captured = capsys.readouterr()
    frame = pd.read_csv(io.StringIO(captured.out))
    assert list(frame.columns) == ["i", "s"] and list(frame["i"]) == list(range(7))
    assert f"{ROWS - 7} more rows" in captured.err  # never mixed into the CSV
    assert main(["query", "select * from t order by i", "--format", "json", "--limit", "0"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == ROWS and rows[3] == {"i": 3, "s": "x3"}


def test_closed_pipe_exits_quietly(warehouse: Path, tmp_path: Path) -> None:
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), "PYTHONPATH": str(REPO_ROOT)}
    shell = f'"{sys.executable}" -m ml query "select * from range(200000)" --limit 0 | head -n 2'
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["range"]
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
    assert not (load_settings().reports_dir / ERROR_FILE).exists()
    assert not (warehouse.with_name("cli_reports") / ERROR_FILE).exists()


def test_outputs_follow_a_non_default_warehouse(warehouse: Path, monkeypatch) -> None:
    settings = load_settings()
    assert settings.reports_dir == warehouse.with_name("cli_reports")
    assert settings.models_dir == warehouse.with_name("cli_models")
    monkeypatch.setenv("REPORTS_DIR", str(warehouse.parent / "mine"))
    assert load_settings().reports_dir == warehouse.parent / "mine"
    monkeypatch.setenv("WAREHOUSE_PATH", str(DEFAULT_WAREHOUSE_PATH))
    monkeypatch.delenv("REPORTS_DIR")
    assert load_settings().reports_dir == DEFAULT_REPORTS_DIR


def test_a_failed_run_never_replaces_the_good_summary(tmp_path: Path) -> None:
    RunLog(context={"run": "good"}).write_summary(tmp_path, "ok")
    bad = RunLog(context={"run": "bad"})
    bad.write_error(tmp_path, RuntimeError("boom"))
    bad.write_summary(tmp_path, "failed")
    good = json.loads((tmp_path / SUMMARY_FILE).read_text(encoding="utf-8"))
    failed = json.loads((tmp_path / FAILED_SUMMARY_FILE).read_text(encoding="utf-8"))
    assert (good["status"], good["context"]) == ("ok", {"run": "good"})
    assert failed["status"] == "failed"
    RunLog().write_summary(tmp_path, "ok")  # the next good run clears the failure files
    assert not (tmp_path / FAILED_SUMMARY_FILE).exists() and not (tmp_path / ERROR_FILE).exists()


def test_a_failed_job_leaves_no_lock_file(warehouse: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("RAW_DATA_PATH", str(warehouse.parent / "typo" / "Spotify_Youtub.csv"))
    assert main(["build"]) == 1
    assert "Spotify_Youtub.csv" in capsys.readouterr().err
    assert not lock_path(warehouse).exists() and not holder_path(warehouse).exists()
    assert (warehouse.with_name("cli_reports") / ERROR_FILE).exists()
