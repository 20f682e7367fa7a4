"""The Explore section of index.html (ml/reporting/explore.py, templates/explore.html.j2):
capped tables read with SQL LIMITs, rendered server-side, enhanced by the inline explore.js.j2.

The warehouse is a COPY of the shared small warehouse with a FAKE training run
(tests/reporting/fake_ml.py) and the post-model dbt pass; the size test inflates a copy of it
past every cap. The browser tests type, click and print-preview in headless Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from ml.config import Settings
from ml.reporting import render_reports
from ml.reporting.explore import (
    LAST_RUNS,
    MAX_ARTISTS,
    TOP_TRACKS,
    TOP_VIDEO_PRIORITY,
    explore_context,
)
from ml.reporting.formatting import fmt_big, fmt_count, fmt_share
from ml.reporting.report_data import load_report_data
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.run_log import RunLog
from tests.helpers import copy_warehouse, sql_frame
from tests.reporting.chromium import (
    Click,
    Evaluate,
    Media,
    Type,
    open_page,
)
from tests.reporting.fake_ml import FAKE_RUN_ID, insert_fake_run

pytestmark = pytest.mark.slow
TABLES = ("explore-tracks", "explore-artists", "explore-videos", "explore-checklist")
MAX_PAGE_BYTES = 4 * 2**20  # index.html with every explore table at its cap
PRINT_ROWS = 30  # rows of each explore table printed (print CSS in explore.html.j2)


def _body_rows(html: str, table_id: str) -> list[str]:
    """The <tr> rows of a table's tbody as rendered by the server (no JavaScript)."""
    match = re.search(rf'<table[^>]*\bid="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert match, f"table {table_id} not in the page"
    return re.findall(r"<tr\b.*?</tr>", match.group(1), re.S)


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Settings, tmp_path_factory) -> Settings:
    settings = copy_warehouse(built_warehouse, tmp_path_factory.mktemp("explore"))
    insert_fake_run(settings.warehouse_path)
    run_dbt(settings, ["build", "--select", "source:ml+"], quiet=True)
    return settings


@pytest.fixture(scope="module")
def page(warehouse: Settings) -> Path:
    return render_reports(warehouse, RunLog())[1]


# --- data: capped reads that equal the marts ----------------------------------------------------


def test_tracks_are_the_top_n_by_predicted_streams(warehouse: Settings) -> None:
    data = load_report_data(warehouse.warehouse_path)
    shown = data.tables["explore.tracks"]
    scores = sql_frame(
        warehouse, "select * from marts.track_scores where predicted_streams is not null"
    )
    assert len(scores) > TOP_TRACKS  # the small warehouse already exceeds the cap
    assert len(shown) == TOP_TRACKS
    expected = scores.sort_values(["predicted_streams", "uri"], ascending=[False, True])
    expected = expected.head(TOP_TRACKS)
    assert list(shown["track"]) == list(expected["track"])
    assert list(shown["artist"]) == list(expected["artist"])
    assert shown["predicted_streams"].tolist() == pytest.approx(
        expected["predicted_streams"].tolist()
    )
    assert list(shown["predicted_rank"]) == list(range(1, TOP_TRACKS + 1))
    matrix = sql_frame(warehouse, "select uri, priority_rank from marts.mv_priority_matrix")
    ranks = dict(zip(matrix["uri"], matrix["priority_rank"], strict=True))
    assert list(shown["priority_rank"]) == [ranks[uri] for uri in expected["uri"]]
    assert int(data.tables["explore.tracks_total"].iloc[0, 0]) == len(scores)


def test_artists_video_list_and_runs_match_the_warehouse(warehouse: Settings) -> None:
    context = explore_context(load_report_data(warehouse.warehouse_path))
    artists = sql_frame(warehouse, "select * from marts.kpi_by_artist order by stream_rank, artist")
    assert [a["artist"] for a in context["artists"]] == list(artists["artist"][:MAX_ARTISTS])
    assert context["artists_total"] == len(artists)
    videos = sql_frame(warehouse, "select * from marts.mv_priority_matrix order by priority_rank")
    top = videos.head(TOP_VIDEO_PRIORITY)
    assert [v["track"] for v in context["videos"]] == list(top["track"])
    assert [v["has_official_video"] for v in context["videos"]] == list(top["has_official_video"])
    assert context["videos_total"] == len(videos)
    [run] = context["runs"]
    metrics = sql_frame(
        warehouse,
        "select model_name, metric, value from ml.metrics "
        "where variant = 'model' and split = 'test'",
    )
    value = {(m, k): v for m, k, v in metrics.itertuples(index=False)}
    assert run["run_id"] == FAKE_RUN_ID and run["latest"] and run["models"] == 3
    assert run["stream_r2"] == pytest.approx(value[("stream_regressor", "r2")])
    assert run["hit_roc_auc"] == pytest.approx(value[("hit_classifier", "roc_auc")])
    assert run["views_r2"] == pytest.approx(value[("views_regressor", "r2")])


# --- the page without JavaScript ----------------------------------------------------------------


def test_tables_are_rendered_server_side_with_their_caps_written(
    page: Path, warehouse: Settings
) -> None:
    html = page.read_text("utf-8")
    scored = len(sql_frame(warehouse, "select uri from marts.track_scores"))
    artists = len(sql_frame(warehouse, "select artist from marts.kpi_by_artist"))
    assert len(_body_rows(html, "explore-tracks")) == TOP_TRACKS
    assert len(_body_rows(html, "explore-artists")) == min(artists, MAX_ARTISTS)
    assert len(_body_rows(html, "explore-videos")) == TOP_VIDEO_PRIORITY
    assert len(_body_rows(html, "explore-checklist")) == len(
        sql_frame(warehouse, "select 1 from marts.ar_checklist")
    )
    assert len(_body_rows(html, "explore-runs")) == 1
    assert f"Showing the top {fmt_count(TOP_TRACKS)} of {fmt_count(scored)} scored tracks" in html
    # one inline script, no external one; every control is hidden until it runs
    assert re.findall(r"<script\b[^>]*>", html) == ["<script>"]
    for control in re.findall(r'<div class="(?:controls|search-box)[^"]*"', html):
        assert "js-only" in control
    assert "html.js .js-only" in html and "@media print" in html


def test_explore_tables_escape_warehouse_text(warehouse: Settings, tmp_path: Path) -> None:
    settings = copy_warehouse(warehouse, tmp_path)
    attack = "<script>alert(1)</script>"
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("update marts.kpi_by_artist set artist = ?", [attack])
        connection.execute("update marts.track_scores set track = ?", [attack])
    html = render_reports(settings, RunLog())[1].read_text("utf-8")
    assert attack not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- size bound -----------------------------------------------------------------------------------


def test_page_stays_bounded_on_a_catalog_past_every_cap(
    warehouse: Settings, tmp_path: Path
) -> None:
    """About 110k scored tracks and 4.5k artists with long names, 13 runs: every explore table
    stops at its cap, says so, and the page stays under MAX_PAGE_BYTES."""
    settings = copy_warehouse(warehouse, tmp_path)
    long = " featuring a rather long list of collaborating artists and orchestras"
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        for table in ("marts.track_scores", "marts.mv_priority_matrix"):
            connection.execute(
                f"insert into {table} select t.* replace (t.uri || '-' || i as uri, "
                f"t.artist || ? || i as artist, t.track || ? || i as track) "
                f"from {table} as t, range(1, 40) as r(i)",
                [long, long],
            )
        connection.execute(
            "insert into marts.kpi_by_artist select a.* replace (a.artist || ? || i as artist) "
            "from marts.kpi_by_artist as a, range(1, 15) as r(i)",
            [long],
        )
        connection.execute(
            "insert into ml.runs (run_id, model_name, created_at, status) "
            "select 'run-' || i, 'stream_regressor', timestamp '2024-01-01' + to_days(i), 'ok' "
            "from range(12) as r(i)"
        )
        counts = connection.execute(
            "select (select count(*) from marts.track_scores), "
            "(select count(*) from marts.kpi_by_artist)"
        ).fetchone()
    assert counts[0] > 100_000 and counts[1] > MAX_ARTISTS
    data = load_report_data(settings.warehouse_path)
    for name, cap in (
        ("tracks", TOP_TRACKS),
        ("artists", MAX_ARTISTS),
        ("videos", TOP_VIDEO_PRIORITY),
        ("runs", LAST_RUNS),
    ):
        assert len(data.tables[f"explore.{name}"]) == cap, name  # read with a LIMIT
    page = render_reports(settings, RunLog())[1]
    html = page.read_text("utf-8")
    assert len(_body_rows(html, "explore-tracks")) == TOP_TRACKS
    assert len(_body_rows(html, "explore-artists")) == MAX_ARTISTS
    assert len(_body_rows(html, "explore-videos")) == TOP_VIDEO_PRIORITY
    assert len(_body_rows(html, "explore-runs")) == LAST_RUNS
    assert f"of {fmt_count(counts[0])} scored tracks" in html
    assert f"Showing the first {fmt_count(MAX_ARTISTS)} of {fmt_count(counts[1])} artists" in html
    assert f"Showing the latest {LAST_RUNS} of 13 runs" in html
    assert page.stat().st_size < MAX_PAGE_BYTES, page.stat().st_size


# --- in a browser ---------------------------------------------------------------------------------

VISIBLE = (
    "[...document.querySelectorAll('#{table} tbody tr')]"
    ".filter(row => !row.hidden && row.offsetParent !== null)"
)
FIRST_VALUES = (
    "[...document.querySelectorAll('#explore-tracks tbody tr')].slice(0, 5)"
    ".map(row => row.cells[3].dataset.v)"
)
RESULTS = "document.getElementById('explore-results').innerText"
SEARCH_DISPLAY = "getComputedStyle(document.querySelector('.search-box')).display"


def test_filter_search_sort_and_print_in_a_browser(
    page: Path, warehouse: Settings, tmp_path: Path, chromium: str
) -> None:
    tracks = load_report_data(warehouse.warehouse_path).tables["explore.tracks"]
    searched = tracks.iloc[9]  # rank 10
    artist = tracks["artist"].iloc[0]
    names = (tracks["artist"] + " " + tracks["track"]).str.lower()
    artist_tracks = int(names.str.contains(artist.lower(), regex=False).sum())
    artists = sql_frame(warehouse, "select * from marts.kpi_by_artist")
    artist_row = artists[artists["artist"] == artist].iloc[0]
    result = open_page(
        page,
        {
            "js": "document.documentElement.classList.contains('js')",
            "search_shown": SEARCH_DISPLAY,
            "rows_before": VISIBLE.format(table="explore-tracks") + ".length",
            "order_before": FIRST_VALUES,
        },
        chromium=chromium,
        user_data_dir=tmp_path / "profile",
        steps=[
            Type("input.table-filter[data-table=explore-tracks]", artist),
            Evaluate("rows_filtered", VISIBLE.format(table="explore-tracks") + ".length"),
            Evaluate(
                "filtered_text",
                VISIBLE.format(table="explore-tracks") + ".map(row => row.innerText)",
            ),
            Evaluate("count_text", "document.querySelector('.filter-count').innerText"),
            Type("input.table-filter[data-table=explore-tracks]", ""),
            Evaluate("rows_cleared", VISIBLE.format(table="explore-tracks") + ".length"),
            Type("#explore-search", searched["track"]),
            Evaluate("track_results", RESULTS),
            Type("#explore-search", artist),
            Evaluate("artist_results", RESULTS),
            Type("#explore-search", "zzqx no such name"),
            Evaluate("no_results", RESULTS),
            Click("#explore-tracks thead th:nth-child(4) button"),
            Evaluate("order_ascending", FIRST_VALUES),
            Click("#explore-tracks thead th:nth-child(4) button"),
            Evaluate("order_descending", FIRST_VALUES),
            Media("print"),
            Evaluate("print_search", SEARCH_DISPLAY),
            Evaluate("print_rows", VISIBLE.format(table="explore-artists") + ".length"),
        ],
    )
    assert result.problems == []
    assert [url for url in result.requests if not url.startswith(("file:", "data:"))] == []
    values = result.values
    assert values["js"] is True and values["search_shown"] == "block"
    # filter: fewer rows, each one matching
    assert values["rows_before"] == TOP_TRACKS
    assert 0 < values["rows_filtered"] == artist_tracks < TOP_TRACKS
    assert all(artist in text for text in values["filtered_text"])
    assert values["count_text"] == f"{artist_tracks} of {TOP_TRACKS} rows"
    assert values["rows_cleared"] == TOP_TRACKS
    # search a track: its scores and rank appear
    found = values["track_results"]
    assert "Tracks (top" in found and searched["track"] in found
    assert fmt_big(searched["predicted_streams"]) in found
    assert fmt_share(searched["hit_probability"]) in found
    assert re.search(rf"(?m)^10\t{re.escape(searched['artist'])}\t", found)
    # search an artist: its KPIs and stream rank appear
    artists_found = values["artist_results"]
    assert "Artists (KPIs" in artists_found
    assert f"{fmt_count(artist_row['stream_rank'])}\t{artist}\t" in artists_found
    assert fmt_big(artist_row["total_streams"]) in artists_found
    assert "No artist or track" in values["no_results"]
    # sort by predicted streams: ascending, then descending
    before = [float(v) for v in values["order_before"]]
    ascending = [float(v) for v in values["order_ascending"]]
    descending = [float(v) for v in values["order_descending"]]
    assert before == sorted(before, reverse=True)
    assert ascending == sorted(ascending) and ascending != before
    assert ascending[0] == pytest.approx(tracks["predicted_streams"].min(), rel=1e-5)
    assert descending == before
    # print: controls hidden, long tables cut
    assert values["print_search"] == "none"
    assert values["print_rows"] == min(PRINT_ROWS, len(artists))


def test_page_without_a_model_run_has_no_script_errors(
    built_warehouse: Settings, tmp_path: Path, chromium: str
) -> None:
    settings = copy_warehouse(
        built_warehouse, tmp_path / "warehouse"
    )  # no run, no post-model marts
    page = render_reports(settings, RunLog())[1]
    html = page.read_text("utf-8")
    assert 'id="explore-tracks"' not in html and "No scored tracks yet" in html
    result = open_page(
        page,
        {"artists": VISIBLE.format(table="explore-artists") + ".length"},
        chromium=chromium,
        user_data_dir=tmp_path / "profile",
        steps=[Type("#explore-search", "a"), Type("#explore-search", "an")],
    )
    assert result.problems == []
    assert result.values["artists"] == len(_body_rows(html, "explore-artists")) > 0
