"""Reports (SPEC step 8) and the post-model marts behind them (step 7).

Warehouses are COPIES of the shared small warehouse: one with no model run (ml tables empty,
hypothesis tests computed), one with a FAKE training run (tests/fake_ml.py), each followed by
the post-model dbt pass, as `make run` does. The HTML is checked statically (charts, no network
loads, escaping) and, when Chromium is installed, in a headless browser.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from ml.__main__ import main as cli_main
from ml.config import Settings
from ml.reporting import (
    NO_RUN,
    build_executive_report,
    explore,
    print_console_summary,
    render_reports,
    report_data,
)
from ml.reporting.html_page import build_charts, group_counts
from ml.reporting.validation import SchemaError, validate, validate_file
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.errors import PipelineError
from ml.runtime.run_log import RunLog
from ml.statistics import hypotheses as stats
from tests.helpers import copy_warehouse, report_figures, sql_frame
from tests.reporting.chromium import open_page
from tests.reporting.fake_ml import FAKE_RUN_ID, insert_fake_run

POST_MODEL = ["build", "--select", "source:ml+"]
# a src/href/xlink:href or CSS url() that would make the browser fetch something remote
CHART = re.compile(r'<svg\b[^>]*\bclass="chart"')
REMOTE_LOAD = re.compile(
    r"""(?:\b(?:src|href|xlink:href|srcset|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import)""",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def no_run_warehouse(built_warehouse: Settings, tmp_path_factory) -> Settings:
    """No training run: ml tables empty; H1-H3 computed; post-model marts built (empty)."""
    settings = copy_warehouse(built_warehouse, tmp_path_factory.mktemp("no_run"))
    stats.run_hypothesis_tests(settings)
    run_dbt(settings, POST_MODEL, quiet=True)
    return settings


@pytest.fixture(scope="module")
def fake_run_warehouse(built_warehouse: Settings, tmp_path_factory) -> Settings:
    """A FAKE training run in the ml tables, then H1-H3 and the post-model marts."""
    settings = copy_warehouse(built_warehouse, tmp_path_factory.mktemp("fake_run"))
    insert_fake_run(settings.warehouse_path)
    stats.run_hypothesis_tests(settings)
    run_dbt(settings, POST_MODEL, quiet=True)
    return settings


@pytest.fixture(scope="module")
def fake_reports(fake_run_warehouse: Settings) -> list[Path]:
    return render_reports(fake_run_warehouse, RunLog())


@pytest.fixture(scope="module")
def no_run_reports(no_run_warehouse: Settings) -> list[Path]:
    return render_reports(no_run_warehouse, RunLog())


def _load(paths: list[Path]) -> tuple[dict[str, Any], str]:
    json_path, html_path = paths
    return json.loads(json_path.read_text("utf-8")), html_path.read_text("utf-8")


# --- post-model marts -------------------------------------------------------------------------


def test_post_model_marts_build_empty_without_a_model_run(no_run_warehouse: Settings) -> None:
    counts = sql_frame(
        no_run_warehouse,
        "select (select count(*) from marts.track_scores) as scores, "
        "(select count(*) from marts.mv_priority_matrix) as matrix, "
        "(select count(*) from marts.ar_checklist where segment_type = 'model hit probability') "
        "as model_rows, "
        "(select count(*) from marts.ar_checklist) as checklist, "
        "(select count(*) from marts.ar_checklist where mean_hit_probability is not null) "
        "as with_probability, "
        "(select count(*) from marts.score_assumptions where run_id is null) as assumptions",
    ).iloc[0]
    assert counts["scores"] == counts["matrix"] == counts["model_rows"] == 0
    assert counts["with_probability"] == 0
    assert counts["checklist"] > 9  # the audio families are still there
    assert counts["assumptions"] == 1


def test_track_scores_cover_every_track_of_the_run(fake_run_warehouse: Settings) -> None:
    row = sql_frame(
        fake_run_warehouse,
        "select (select count(*) from marts.tracks) as tracks, count(*) as scored, "
        "count(distinct run_id) as runs, min(run_id) as run_id, "
        "count(*) filter (where split = 'test') as test_rows from marts.track_scores",
    ).iloc[0]
    assert row["scored"] == row["tracks"] and row["runs"] == 1
    assert row["run_id"] == FAKE_RUN_ID and row["test_rows"] > 0


def test_mv_rule_matches_an_independent_computation(fake_run_warehouse: Settings) -> None:
    matrix = sql_frame(fake_run_warehouse, "select * from marts.mv_priority_matrix").set_index(
        "uri"
    )
    assumptions = sql_frame(fake_run_warehouse, "select * from marts.score_assumptions").iloc[0]
    scores = sql_frame(fake_run_warehouse, "select uri, predicted_streams from marts.track_scores")
    predicted = scores.set_index("uri")["predicted_streams"]
    # share of tracks predicted at least as high (ties share the top rank)
    top_share = predicted.rank(method="max", ascending=False) / len(predicted)
    expected_top = top_share <= assumptions["mv_high_budget_top_share"]
    assert (matrix.loc[expected_top.index, "in_top_predicted"] == expected_top).all()
    assert expected_top.mean() <= assumptions["mv_high_budget_top_share"] + 1 / len(predicted)
    cost = np.where(
        expected_top,
        assumptions["mv_high_budget_video_cost"],
        assumptions["mv_lyric_video_cost"],
    )
    break_even = cost / (predicted * assumptions["mv_value_per_stream"])
    np.testing.assert_allclose(
        matrix.loc[predicted.index, "break_even_lift"], break_even, rtol=1e-12
    )
    high = matrix["recommended_video"] == "high_budget"
    assert (high == matrix["in_top_predicted"]).all()
    assert list(matrix.sort_values("priority_rank")["priority_tier"]) == sorted(
        matrix["priority_tier"]
    )


def test_ar_checklist_wilson_intervals_match_scipy(fake_run_warehouse: Settings) -> None:
    checklist = sql_frame(fake_run_warehouse, "select * from marts.ar_checklist")
    z = float(
        sql_frame(fake_run_warehouse, "select ar_confidence_z from marts.score_assumptions").iloc[
            0, 0
        ]
    )
    level = math.erf(z / math.sqrt(2))
    assert set(checklist["segment_type"]) == {
        "danceability x energy",
        "tempo band",
        "model hit probability",
    }
    for row in checklist[checklist["labelled_tracks"] > 0].itertuples():
        interval = scipy_stats.binomtest(
            int(row.hit_tracks), int(row.labelled_tracks)
        ).proportion_ci(confidence_level=level, method="wilson")
        assert row.hit_rate_ci_low == pytest.approx(interval.low, abs=1e-9)
        assert row.hit_rate_ci_high == pytest.approx(interval.high, abs=1e-9)
        if row.scout_signal == "look for":
            assert row.hit_rate_ci_low > row.reference_hit_rate
        if row.scout_signal == "avoid":
            assert row.hit_rate_ci_high < row.reference_hit_rate
    kpi_cells = sql_frame(
        fake_run_warehouse, "select segment, hit_tracks from marts.kpi_audio_segments"
    )
    mine = checklist[checklist["segment_type"] == "danceability x energy"]
    assert dict(zip(mine["segment"], mine["hit_tracks"], strict=True)) == dict(
        zip(kpi_cells["segment"], kpi_cells["hit_tracks"], strict=True)
    )


# --- executive_report.json --------------------------------------------------------------------


def test_report_files_parse_and_validate(fake_reports: list[Path]) -> None:
    assert [path.name for path in fake_reports] == ["executive_report.json", "index.html"]
    payload = validate_file(fake_reports[0])
    assert payload["model_run"]["status"] == "ok"
    assert payload["model_run"]["run_id"] == FAKE_RUN_ID
    assert [model["model_name"] for model in payload["models"]] == [
        "stream_regressor",
        "hit_classifier",
        "views_regressor",
    ]
    hit = payload["models"][1]
    assert hit["lead_metrics"] == ["roc_auc", "pr_auc", "f1"]  # not accuracy
    test_rows = {row["metric"]: row for row in hit["metrics"] if row["split"] == "test"}
    assert test_rows["roc_auc"]["mean_baseline"]["value"] == pytest.approx(0.5)
    assert {row["split"] for row in payload["models"][0]["metrics"]} >= {
        "test",
        "cv_mean",
        "cv_std",
    }
    claims = {claim["claim_id"]: claim for claim in payload["study_claims"]}
    results = {
        "stream_r2": 0.847,
        "stream_cv_r2": 0.831,
        "hit_accuracy": 0.923,
        "hit_f1": 0.918,
        "youtube_r2": 0.782,
        "streams_views_correlation": 0.687,
        "official_video_lift": 0.437,
    }
    assert {key: claims[key]["claimed_value"] for key in results} == results
    assert claims["stream_cv_r2"]["claimed_text"] == "0.831 ± 0.012"
    assert all(claims[key]["measured_value"] is not None for key in results)
    assert payload["insights"] and payload["recommendations"]


def test_every_figure_names_its_source(fake_reports: list[Path]) -> None:
    payload, _ = _load(fake_reports)
    figures = report_figures(payload)
    assert len(figures) > 50
    for item in figures:
        assert item["source"].startswith(("marts.", "ml.")), item
    for sentence in payload["insights"] + payload["recommendations"]:
        assert sentence["figures"] or sentence["key"] == "music_video_budget", sentence


def test_figures_match_the_warehouse(
    fake_run_warehouse: Settings, fake_reports: list[Path]
) -> None:
    payload, _ = _load(fake_reports)
    kpis = sql_frame(fake_run_warehouse, "select * from marts.kpi_summary").iloc[0]
    for item in payload["headline_kpis"]:
        assert item["value"] == pytest.approx(float(kpis[item["key"]]), rel=1e-12), item["key"]
    hypotheses = sql_frame(fake_run_warehouse, "select * from marts.hypothesis_tests").set_index(
        "hypothesis"
    )
    for item in payload["hypotheses"]["items"]:
        expected = hypotheses.loc[item["hypothesis"], "estimate"]
        if pd.isna(expected):
            assert item["estimate"]["value"] is None
        else:
            assert item["estimate"]["value"] == pytest.approx(expected)
    metrics = sql_frame(fake_run_warehouse, "select * from ml.metrics")
    lookup = {(r.model_name, r.variant, r.split, r.metric): r.value for r in metrics.itertuples()}
    for model in payload["models"]:
        for row in model["metrics"]:
            for variant in ("model", "audio_only", "mean_baseline"):
                key = (model["model_name"], variant, row["split"], row["metric"])
                assert row[variant]["value"] == pytest.approx(lookup.get(key), nan_ok=True)
    counts = sql_frame(
        fake_run_warehouse,
        "select count(*) filter (where in_top_predicted) as top_tracks, "
        "count(*) filter (where priority_tier like 'P1%') as p1_tracks, "
        "count(*) filter (where recommended_video = 'lyric') as lyric_tracks "
        "from marts.mv_priority_matrix",
    ).iloc[0]
    summary = payload["mv_priority"]["summary"]
    for key in ("top_tracks", "p1_tracks", "lyric_tracks"):
        assert summary[key]["value"] == counts[key]


def _same(got: Any, expected: Any) -> bool:
    """A report value (JSON) and a pandas one: NaN = None, floats to 1e-12, rest exactly."""
    if got is None or expected is None or pd.isna(expected):
        return got is None and (expected is None or pd.isna(expected))
    if isinstance(expected, float | np.floating):
        return got == pytest.approx(float(expected), rel=1e-12)
    return got == expected


def test_mv_figures_equal_pandas_over_the_whole_matrix(
    fake_run_warehouse: Settings, fake_reports: list[Path]
) -> None:
    """The report aggregates marts.mv_priority_matrix in SQL; pandas over every row agrees."""
    payload, _ = _load(fake_reports)
    mv = payload["mv_priority"]
    matrix = sql_frame(fake_run_warehouse, "select * from marts.mv_priority_matrix").sort_values(
        "priority_rank"
    )
    assert mv["status"] == "ok" and len(matrix) > 1000
    expected_tiers = [
        {
            "tier": tier,
            "recommended_video": group["recommended_video"].iloc[0],
            "tracks": len(group),
            "tracks_without_official_video": int((~group["has_official_video"]).sum()),
            "median_predicted_streams": group["predicted_streams"].median(),
            "median_break_even_lift": group["break_even_lift"].median(),
            "total_video_cost": group["recommended_video_cost"].sum(),
        }
        for tier, group in matrix.groupby("priority_tier", sort=True)
    ]
    assert len(expected_tiers) >= 3
    assert [item["tier"] for item in mv["tiers"]] == [item["tier"] for item in expected_tiers]
    for got, expected in zip(mv["tiers"], expected_tiers, strict=True):
        for key, value in expected.items():
            assert _same(got[key], value), (expected["tier"], key)
    columns = [
        "priority_rank", "artist", "track", "priority_tier", "recommended_video",
        "has_official_video", "predicted_streams", "hit_probability", "break_even_lift", "split",
    ]  # fmt: skip
    candidates = matrix[~matrix["has_official_video"]].head(15)[columns]
    assert len(mv["top_candidates"]) == len(candidates) == 15
    for got, expected in zip(mv["top_candidates"], candidates.to_dict("records"), strict=True):
        assert got.keys() == expected.keys()
        assert all(_same(got[key], expected[key]) for key in columns), (got, expected)
    top = matrix[matrix["in_top_predicted"]]
    p1 = matrix[matrix["priority_tier"].str.startswith("P1")]
    expected_summary = {
        "scored_tracks": len(matrix),
        "top_tracks": len(top),
        "top_cutoff_streams": top["predicted_streams"].min(),
        "p1_tracks": len(p1),
        "p1_without_official_video": int((~p1["has_official_video"]).sum()),
        "p1_median_break_even_lift": p1["break_even_lift"].median(),
        "p2_tracks": int(matrix["priority_tier"].str.startswith("P2").sum()),
        "lyric_tracks": int((matrix["recommended_video"] == "lyric").sum()),
    }
    assert mv["summary"].keys() == expected_summary.keys()
    for key, value in expected_summary.items():
        assert _same(mv["summary"][key]["value"], value), key
    assert expected_summary["p1_tracks"] > 0 and expected_summary["lyric_tracks"] > 0


def test_mv_histogram_bins_equal_numpy(fake_run_warehouse: Settings) -> None:
    """The chart's per-tier bins, counted in DuckDB, are numpy.histogram of every track."""
    histogram = report_data.load_report_data(fake_run_warehouse.warehouse_path).mv_histogram
    matrix = sql_frame(fake_run_warehouse, "select * from marts.mv_priority_matrix")
    positive = matrix[matrix["predicted_streams"] > 0]
    streams = positive["predicted_streams"]
    assert (histogram.low, histogram.high) == (streams.min(), streams.max())
    edges = np.logspace(np.log10(streams.min()), np.log10(streams.max()), 40)
    np.testing.assert_array_equal(histogram.edges, edges)
    assert histogram.tracks == positive["priority_tier"].value_counts().to_dict()
    for tier, group in positive.groupby("priority_tier"):
        counts, _ = np.histogram(group["predicted_streams"], bins=edges)
        np.testing.assert_array_equal(histogram.counts[tier], counts, err_msg=tier)


def _unprefixed(svg: str) -> str:
    return re.sub(r"\bc\d+-", "", svg)


def test_scatter_sample_is_capped_and_deterministic(
    fake_run_warehouse: Settings, monkeypatch
) -> None:
    path = fake_run_warehouse.warehouse_path
    everything = report_data.load_report_data(path)
    pairs = everything.table("correlation_pairs")
    total = len(pairs)
    assert not everything.correlation_sampled and total > 1000  # below the cap: every pair
    assert pairs.equals(
        sql_frame(fake_run_warehouse, report_data.CORRELATION_PAIRS)
    )  # in row_id order, as before
    monkeypatch.setattr(report_data, "SCATTER_SAMPLE", 500)
    first, second = report_data.load_report_data(path), report_data.load_report_data(path)
    sample = first.table("correlation_pairs")
    assert first.correlation_sampled and len(sample) == 500
    assert sample.equals(second.table("correlation_pairs"))
    with duckdb.connect(str(path), read_only=True) as connection:  # the hash bound is a shortcut
        unbounded = connection.execute(
            report_data.CORRELATION_SAMPLE, [report_data.HASH_MAX, 500]
        ).df()
    assert sample.equals(unbounded)
    # a subset of the pairs (in row_id order), not the first 500 of them
    assert len(sample.merge(pairs, how="inner")) == 500 and not sample.equals(pairs.head(500))
    counts = group_counts(first.correlation_groups)
    assert counts == pairs["video_group"].value_counts().to_dict()  # the legend: every track
    svgs = [
        build_charts(build_executive_report(data, fake_run_warehouse), data)["streams_views"]
        for data in (first, second)
    ]
    assert _unprefixed(str(svgs[0])) == _unprefixed(str(svgs[1]))
    assert f"500 of {total:,} tracks shown" in svgs[0]
    for group, n in counts.items():
        assert f"{group} video ({n:,})" in svgs[0]
    monkeypatch.setattr(report_data, "SCATTER_SAMPLE", 100)
    data = report_data.load_report_data(path)
    # no query returns one row per track; the Explore tables have their own fixed caps
    largest = max(
        len(frame)
        for name, frame in data.tables.items()
        if frame is not None and not name.startswith("explore.")
    )
    assert largest <= 100
    explore_rows = max(
        len(frame) for name, frame in data.tables.items() if name.startswith("explore.")
    )
    assert explore_rows <= max(explore.TOP_TRACKS, explore.MAX_ARTISTS)


def test_sentences_follow_the_numbers(fake_reports: list[Path]) -> None:
    payload, _ = _load(fake_reports)
    sentences = {item["key"]: item["text"] for item in payload["insights"]}
    r = next(k["value"] for k in payload["headline_kpis"] if k["key"] == "pearson_streams_views")
    text = sentences["cross_platform_correlation"]
    assert f"{r:.3f}" in text
    assert ("below the study's claimed 0.687" in text) == (r < 0.687)
    hit = sentences["hit_model"]
    assert "ROC-AUC 0.860" in hit and "PR-AUC 0.450" in hit and "90.0%" in hit
    stream = sentences["stream_model"]
    assert "R² = 0.620" in stream and "most of the predictive power" in stream


def test_schema_rejects_a_figure_without_source(fake_reports: list[Path]) -> None:
    payload, _ = _load(fake_reports)
    del payload["headline_kpis"][0]["source"]
    with pytest.raises(SchemaError, match=r"headline_kpis\[0\]"):
        validate(payload, "executive_report")


def test_execution_summary_and_error_log_validate(tmp_path: Path) -> None:
    log = RunLog()
    log.context.update(command="run", raw_data_path="/x.csv", warehouse_path="/w.duckdb")
    with log.step("check input") as record:
        record.rows_in = 10
    with pytest.raises(PipelineError), log.step("train models"):
        raise PipelineError("boom", step="train models", hint="try again")
    summary = validate_file(log.write_summary(tmp_path, "failed"))
    assert [step["status"] for step in summary["steps"]] == ["ok", "failed"]
    error = validate_file(log.write_error(tmp_path, PipelineError("boom", step="train models")))
    assert error["step"] == "train models" and error["message"] == "boom"
    broken = dict(summary, status="maybe")
    with pytest.raises(SchemaError, match="status"):
        validate(broken, "execution_summary")


# --- index.html -------------------------------------------------------------------------------


def test_html_has_charts_and_loads_nothing_remote(fake_reports: list[Path]) -> None:
    _, html = _load(fake_reports)
    assert len(CHART.findall(html)) >= 5
    assert len(re.findall(r"<svg\b", html)) >= 5
    assert not REMOTE_LOAD.search(html), REMOTE_LOAD.search(html)
    # one inline script (the Explore section's explore.js.j2), none loaded from a file or URL
    assert re.findall(r"<script\b[^>]*>", html.lower()) == ["<script>"]
    assert "@media print" in html
    for section in ("hypotheses", "models", "claims", "platforms", "audio", "videos", "quality"):
        assert f'id="{section}"' in html
    assert FAKE_RUN_ID in html


def test_method_states_the_tree_counts_of_the_run(
    fake_reports: list[Path], no_run_reports: list[Path]
) -> None:
    """The models' method paragraph says which forests are smaller than the study's, from the
    run's params (tests/reporting/fake_ml.py), and says nothing of them without a run."""
    _, html = _load(fake_reports)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "only the models themselves have the study's tree counts (200 / 200 / 150)" in text
    assert "forests that only measure have 50 trees" in text
    assert "the cold-start forests 100" in text
    assert "permutation importances are measured on 2,000 held-out tracks" in text
    assert "study's tree counts" not in _load(no_run_reports)[1]


def test_remote_load_pattern_catches_loads_but_not_text() -> None:
    for loading in (
        '<img src="https://cdn.example.com/x.png">',
        "<link href='//fonts.example.com/a.css' rel=stylesheet>",
        "<style>body { background: url(http://x.example/a.png) }</style>",
        '<image xlink:href="http://x.example/a.png"/>',
    ):
        assert REMOTE_LOAD.search(loading), loading
    for harmless in (
        '<svg xmlns="http://www.w3.org/2000/svg">',
        "<p>see https://example.com for more</p>",
        '<a href="#models">Models</a>',
        '<image xlink:href="data:image/png;base64,AAA"/>',
    ):
        assert not REMOTE_LOAD.search(harmless), harmless


def test_html_escapes_warehouse_text(fake_run_warehouse: Settings, tmp_path: Path) -> None:
    settings = copy_warehouse(fake_run_warehouse, tmp_path)
    attack = '<script>alert("x")</script>'
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute(
            "update marts.mv_priority_matrix set artist = ?, track = '<img src=x onerror=alert(1)>'"
            " where not has_official_video",
            [attack],
        )
    _, html = _load(render_reports(settings, RunLog()))
    assert attack not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_render_without_a_model_run(no_run_reports: list[Path]) -> None:
    payload = validate_file(no_run_reports[0])
    _, html = _load(no_run_reports)
    assert payload["model_run"]["status"] == NO_RUN
    assert payload["models"] == [] and payload["mv_priority"]["status"] == NO_RUN
    claims = {claim["claim_id"]: claim for claim in payload["study_claims"]}
    assert claims["stream_r2"]["verdict"] == "not yet measured"
    assert claims["streams_views_correlation"]["measured_value"] is not None
    assert {item["hypothesis"]: item["verdict"] for item in payload["hypotheses"]["items"]}[
        "H1"
    ] == "not yet evaluated"
    assert "No model run yet" in html
    assert len(CHART.findall(html)) >= 5  # KPI charts do not need a model
    assert not REMOTE_LOAD.search(html)


def test_render_before_the_post_model_pass(built_warehouse: Settings, tmp_path: Path) -> None:
    settings = copy_warehouse(built_warehouse, tmp_path)  # first dbt pass only
    payload, html = _load(render_reports(settings, RunLog()))
    validate(payload, "executive_report")
    assert "marts.hypothesis_tests" in payload["missing_relations"]
    assert "marts.mv_priority_matrix" in payload["missing_relations"]
    assert payload["hypotheses"]["status"] == "not computed"
    assert "dbt build --select source:ml+" in html


def test_cli_report_and_console_summary(
    fake_run_warehouse: Settings, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("WAREHOUSE_PATH", str(fake_run_warehouse.warehouse_path))
    monkeypatch.setenv("REPORTS_DIR", str(tmp_path / "reports"))
    assert cli_main(["report"]) == 0
    assert (tmp_path / "reports" / "index.html").exists()
    capsys.readouterr()
    print_console_summary(replace(fake_run_warehouse, reports_dir=tmp_path / "reports"))
    out = capsys.readouterr().out
    assert "ROC-AUC 0.860" in out and "H3 pearson_streams_views" in out
    assert str(tmp_path / "reports" / "index.html") in out


# --- headless browser -------------------------------------------------------------------------


def test_console_error_detection_works(tmp_path: Path, chromium: str) -> None:
    """The browser check must see errors, or its silence below means nothing."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><p>x</p><img src="http://unreachable.invalid/x.png">'
        '<script>console.error("canary"); missing();</script>',
        encoding="utf-8",
    )
    result = open_page(page, {}, chromium=chromium, user_data_dir=tmp_path / "profile")
    assert "canary" in " ".join(result.console_errors)
    assert result.exceptions and result.log_errors
    assert any(url.startswith("http://") for url in result.requests)


@pytest.mark.slow
def test_report_renders_in_headless_chromium(
    fake_reports: list[Path], tmp_path: Path, chromium: str
) -> None:
    result = open_page(
        fake_reports[1],
        {
            "charts": "document.querySelectorAll('svg.chart').length",
            "chart_widths": "[...document.querySelectorAll('svg.chart')]"
            ".map(svg => svg.getBoundingClientRect().width)",
            "page_width": "document.documentElement.scrollWidth",
            "title": "document.title",
        },
        chromium=chromium,
        user_data_dir=tmp_path / "profile",
        window=(1280, 900),
    )
    assert result.problems == []
    remote = [url[:80] for url in result.requests if not url.startswith(("file:", "data:"))]
    assert remote == []
    assert result.values["charts"] >= 5
    assert all(width > 200 for width in result.values["chart_widths"])  # laid out, not collapsed
    assert result.values["page_width"] <= 1280  # no horizontal scrolling on a laptop
    assert "executive report" in result.values["title"]


def test_report_flags_post_model_marts_older_than_the_latest_run(
    fake_run_warehouse: Settings, tmp_path: Path
) -> None:
    settings = copy_warehouse(fake_run_warehouse, tmp_path)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute(
            "insert into ml.runs (run_id, model_name, created_at) "
            "values ('20990101T000000Z-newer', 'stream_regressor', '2099-01-01 00:00:00')"
        )
    payload, html = _load(render_reports(settings, RunLog()))
    assert payload["model_run"]["run_id"] == "20990101T000000Z-newer"
    assert FAKE_RUN_ID in payload["model_run"]["note"]
    assert "Stale marts" in html
