"""Every report says what it describes: the user's file (path, rows, sha256) or the synthetic
default data (seed, rows), recorded in ml.data_source when the warehouse is built and read back
by a later, separate `python -m ml report`, also after the input file is gone."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from ml import pipeline
from ml.__main__ import main as cli_main
from ml.config import Settings
from ml.reporting import console_summary, render_reports
from ml.reporting.validation import validate
from ml.runtime import data_source
from ml.runtime.run_log import RunLog
from tests.conftest import SMALL_ROWS, SMALL_SEED
from tests.helpers import isolated_settings

SYNTHETIC_TEXT = "figures illustrate the method, not the market"


def _report(reports: list[Path]) -> tuple[dict, str]:
    json_path = next(path for path in reports if path.suffix == ".json")
    html_path = next(path for path in reports if path.suffix == ".html")
    return json.loads(json_path.read_text()), html_path.read_text()


def _banner(html: str) -> str:
    start = html.index('id="data-source"')
    return html[start : html.index("</div>", start)]


def _report_cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, str]:
    """`python -m ml report` on its own: only the warehouse and reports dir are known."""
    monkeypatch.delenv("RAW_DATA_PATH", raising=False)
    monkeypatch.setenv("WAREHOUSE_PATH", str(settings.warehouse_path))
    monkeypatch.setenv("REPORTS_DIR", str(settings.reports_dir))
    assert cli_main(["report"]) == 0
    return _report(
        [settings.reports_dir / "executive_report.json", settings.reports_dir / "index.html"]
    )


@pytest.fixture
def synthetic_warehouse(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """The pipeline's own path for the default data: no real file, so prepare_raw_input
    generates it and flags it; the dbt build is replaced by a copy of the shared warehouse built
    from the same seed and rows (the generator is deterministic)."""
    settings = isolated_settings(tmp_path, tmp_path / "absent.csv")
    settings = replace(settings, raw_data_path_explicit=False, seed=SMALL_SEED)
    settings, origin = pipeline.prepare_raw_input(settings, SMALL_ROWS)
    assert origin == data_source.SyntheticOrigin(seed=SMALL_SEED, rows=SMALL_ROWS)
    assert (
        settings.raw_data_path.name == f"spotify_youtube_default_n{SMALL_ROWS}_seed{SMALL_SEED}.csv"
    )
    assert pipeline.prepare_raw_input(settings, SMALL_ROWS)[1] is None  # now a file: not flagged
    shutil.copy(built_warehouse.warehouse_path, settings.warehouse_path)
    monkeypatch.setattr(pipeline, "run_dbt", lambda *args, **kwargs: "")
    pipeline.build_warehouse(settings, RunLog(), synthetic=origin)
    return settings


def test_synthetic_source_in_json_html_console_and_a_later_report(
    synthetic_warehouse: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, html = _report(render_reports(synthetic_warehouse, RunLog()))
    validate(report, "executive_report")
    source = report["data_source"]
    expected = f"synthetic default data (seed {SMALL_SEED}, {SMALL_ROWS:,} rows): {SYNTHETIC_TEXT}"
    assert source["kind"] == "synthetic" and source["seed"] == SMALL_SEED
    assert source["rows"] == SMALL_ROWS and source["description"] == expected
    assert expected in _banner(html)
    assert html.index('id="data-source"') < html.index('id="summary"')  # at the top
    assert f"data: {expected}" in console_summary(report)

    synthetic_warehouse.raw_data_path.unlink()  # the generated input is gone
    later, later_html = _report_cli(synthetic_warehouse, monkeypatch)
    assert later["raw_data_path"] is None  # the run's context is gone ...
    assert later["data_source"]["description"] == expected  # ... the recorded source is not
    assert expected in _banner(later_html)


def test_user_file_source_names_path_rows_and_sha256(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = replace(built_warehouse, reports_dir=tmp_path / "reports")
    digest = hashlib.sha256(settings.raw_data_path.read_bytes()).hexdigest()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        raw_rows = connection.execute("select count(*) from marts.row_fate").fetchone()[0]
    expected = f"your file {settings.raw_data_path} ({raw_rows:,} rows, sha256 {digest})"

    report, html = _report(render_reports(settings, RunLog()))
    source = report["data_source"]
    assert source["kind"] == "user_file" and source["seed"] is None
    assert (source["path"], source["rows"], source["sha256"]) == (
        str(settings.raw_data_path),
        raw_rows,
        digest,
    )
    assert source["description"] == expected and SYNTHETIC_TEXT not in html
    assert expected in _banner(html)
    assert f"data: {expected}" in console_summary(report)
    later, later_html = _report_cli(settings, monkeypatch)
    assert later["data_source"] == source and expected in _banner(later_html)


def test_unrecorded_source_says_so(built_warehouse: Settings, tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path, built_warehouse.raw_data_path)
    shutil.copy(built_warehouse.warehouse_path, settings.warehouse_path)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute(f"drop table {data_source.TABLE}")
    report, html = _report(render_reports(settings, RunLog()))
    assert report["data_source"]["kind"] == "not recorded"
    assert data_source.NOT_RECORDED in _banner(html)


def test_sha256_is_streamed_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    payload = bytes(range(256)) * 10_000  # > 2 chunks
    path.write_bytes(payload)
    assert data_source.file_sha256(path) == hashlib.sha256(payload).hexdigest()
