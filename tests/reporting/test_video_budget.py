"""The music-video matrix and the report's video-budget text: expected incremental streams from
the within-artist effect (H2b), the raw lift only as a labelled fallback, costs as assumptions."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

from ml.config import Settings
from ml.reporting import render_reports
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.run_log import RunLog
from ml.statistics import hypotheses as stats
from tests.helpers import isolated_settings
from tests.reporting.fake_ml import insert_fake_run

POST_MODEL = ["build", "--select", "source:ml+"]


def _one(settings: Settings, sql: str) -> tuple:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql).fetchone()


@pytest.fixture(scope="module")
def fake_run(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = isolated_settings(
        tmp_path_factory.mktemp("video_budget"), built_warehouse.raw_data_path
    )
    shutil.copy(built_warehouse.warehouse_path, settings.warehouse_path)
    insert_fake_run(settings.warehouse_path)
    stats.run_hypothesis_tests(settings)
    run_dbt(settings, POST_MODEL, quiet=True)
    return settings


def test_matrix_uses_the_within_artist_effect(fake_run: Settings) -> None:
    (h2b,) = _one(fake_run, "select estimate from marts.hypothesis_tests where hypothesis = 'H2b'")
    lift, sources, bad = _one(
        fake_run,
        "select max(video_effect_lift), count(distinct video_effect_source) "
        "filter (where video_effect_source = 'within_artist'), "
        "count(*) filter (where abs(expected_incremental_streams - predicted_streams * "
        "video_effect_lift) > 1e-6 * predicted_streams) from marts.mv_priority_matrix",
    )
    assert lift == pytest.approx(h2b, abs=1e-12) and sources == 1 and bad == 0
    (raw,) = _one(
        fake_run,
        "select mean_stream_lift from marts.official_video_impact where video_group = 'official'",
    )
    assert not np.isclose(lift, raw)  # the confounded raw lift is not what the matrix uses

    report_json = render_reports(fake_run, RunLog())[0]
    text = report_json.read_text()
    assert "within artist (H2b)" in text and "(assumed USD" in text
    assert "are assumptions (dbt vars), not data" in text


def test_matrix_falls_back_to_the_raw_lift_without_h2b(fake_run: Settings, tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path, fake_run.raw_data_path)
    shutil.copy(fake_run.warehouse_path, settings.warehouse_path)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("delete from ml.hypothesis_tests where hypothesis = 'H2b'")
    run_dbt(settings, POST_MODEL, quiet=True)
    lift, source = _one(
        settings,
        "select max(video_effect_lift), max(video_effect_source) from marts.mv_priority_matrix",
    )
    (raw,) = _one(
        settings,
        "select mean_stream_lift from marts.official_video_impact where video_group = 'official'",
    )
    assert source == "raw" and lift == pytest.approx(raw, abs=1e-12)
    report_json = render_reports(settings, RunLog())[0]
    assert "the raw official-video lift (H2: no within-artist estimate" in report_json.read_text()
