"""The explorable tables of index.html (section "Explore"): tracks with their scores, artists,
the music-video priority list, the A&R checklist and the last training runs.

Each table is read with a SQL LIMIT, so the page's size does not grow with the catalog: the
caps below are written in the page next to each table together with the full row count
(e.g. "the top 500 of 2.4 million scored tracks"). ``load_explore`` runs inside
report_data.load_report_data's read-only session and puts its frames into ``data.tables``
under ``explore.*``; ``explore_context`` turns them into rows for templates/explore.html.j2.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from ml.reporting import labels

if TYPE_CHECKING:
    from ml.reporting.report_data import ReportData

TOP_TRACKS = 500  # tracks with the highest predicted streams
MAX_ARTISTS = 3000  # artists by stream rank (every artist of a catalog up to this size)
TOP_VIDEO_PRIORITY = 200  # first rows of the music-video priority list
LAST_RUNS = 10  # training runs, newest first

# ml.metrics of each run shown beside it: (column, model, metric); variant model, split test
RUN_METRICS: tuple[tuple[str, str, str], ...] = (
    ("stream_r2", labels.STREAM, labels.R2),
    ("views_r2", labels.VIEWS, labels.R2),
    ("hit_roc_auc", labels.HIT, labels.ROC_AUC),
    ("hit_pr_auc", labels.HIT, labels.PR_AUC),
    ("hit_f1", labels.HIT, labels.F1),
)

TRACKS = """
with top as (
    select uri, artist, track, split, stream, views, is_hit, predicted_streams, hit_probability,
        predicted_views
    from marts.track_scores
    where predicted_streams is not null
    order by predicted_streams desc, uri
    limit ?
)
select
    cast(row_number() over (order by top.predicted_streams desc, top.uri) as bigint)
        as predicted_rank,
    top.* exclude (uri),
    matrix.priority_tier,
    matrix.priority_rank
from top
left join marts.mv_priority_matrix as matrix using (uri)
order by predicted_rank
"""
TRACKS_TOTAL = "select count(*) as n from marts.track_scores where predicted_streams is not null"
ARTISTS = """
select
    stream_rank, artist, tracks, lead_tracks, total_streams, median_streams, total_views,
    weighted_engagement_rate, hit_tracks, hit_rate, official_video_share
from marts.kpi_by_artist
order by stream_rank, artist
limit ?
"""
ARTISTS_TOTAL = "select count(*) as n from marts.kpi_by_artist"
# The columns of a video-priority row shown in the report (top candidates, Explore's list).
MV_ROW_COLUMNS = """priority_rank, artist, track, priority_tier, recommended_video,
    has_official_video, predicted_streams, hit_probability, break_even_lift, split"""
VIDEO_PRIORITY = f"""
select {MV_ROW_COLUMNS}
from marts.mv_priority_matrix
order by priority_rank
limit ?
"""
VIDEO_TOTAL = "select count(*) as n from marts.mv_priority_matrix"
RUNS = """
select
    run_id,
    min(created_at) as created_at,
    count(distinct model_name) as models,
    max(n_train) as n_train,
    max(n_test) as n_test,
    string_agg(distinct status, ', ' order by status) as status,
    sum(fit_seconds) as fit_seconds,
    max(total_seconds) as total_seconds
from ml.runs
group by run_id
order by created_at desc, run_id desc
limit ?
"""
RUNS_TOTAL = "select count(distinct run_id) as n from ml.runs"
RUN_METRIC_VALUES = """
select run_id, model_name, metric, value
from ml.metrics
where variant = ? and split = ? and run_id in (select unnest(?::varchar[]))
"""


def _query(
    connection: duckdb.DuckDBPyConnection, sql: str, params: list | None = None
) -> pd.DataFrame | None:
    try:
        return connection.execute(sql, params or []).df()
    except duckdb.CatalogException:  # the mart is not built yet
        return None


def load_explore(connection: duckdb.DuckDBPyConnection, tables: dict) -> None:
    """Read the explorable tables (each capped by a LIMIT) and their full counts into
    ``tables`` as explore.<name> and explore.<name>_total (None: relation missing)."""
    for name, sql, total_sql, cap in (
        ("tracks", TRACKS, TRACKS_TOTAL, TOP_TRACKS),
        ("artists", ARTISTS, ARTISTS_TOTAL, MAX_ARTISTS),
        ("videos", VIDEO_PRIORITY, VIDEO_TOTAL, TOP_VIDEO_PRIORITY),
        ("runs", RUNS, RUNS_TOTAL, LAST_RUNS),
    ):
        tables[f"explore.{name}"] = _query(connection, sql, [cap])
        tables[f"explore.{name}_total"] = _query(connection, total_sql)
    runs = tables["explore.runs"]
    tables["explore.run_metrics"] = (
        None
        if runs is None or runs.empty
        else _query(
            connection,
            RUN_METRIC_VALUES,
            [labels.MODEL, labels.TEST, [str(run_id) for run_id in runs["run_id"]]],
        )
    )


def _clean(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ", timespec="seconds")
    if hasattr(value, "item"):  # numpy scalar
        return _clean(value.item())
    return value


def _rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return [{key: _clean(value) for key, value in row.items()} for row in frame.to_dict("records")]


def _total(data: ReportData, name: str) -> int | None:
    frame = data.table(f"explore.{name}_total")
    return None if frame is None or frame.empty else int(frame.iloc[0, 0])


def _runs(data: ReportData) -> list[dict[str, Any]]:
    runs = _rows(data.table("explore.runs"))
    metrics = data.table("explore.run_metrics")
    values: dict[tuple[str, str, str], float] = {}
    if metrics is not None:
        for row in metrics.itertuples(index=False):
            values[(row.run_id, row.model_name, row.metric)] = _clean(row.value)
    for run in runs:
        run["latest"] = run["run_id"] == data.run_id
        for column, model, metric in RUN_METRICS:
            run[column] = values.get((run["run_id"], model, metric))
    return runs


def explore_context(data: ReportData) -> dict[str, Any]:
    """What templates/explore.html.j2 shows: capped rows, full counts and the caps."""
    checklist = data.table("marts.ar_checklist")
    return {
        "tracks": _rows(data.table("explore.tracks")),
        "tracks_total": _total(data, "tracks"),
        "artists": _rows(data.table("explore.artists")),
        "artists_total": _total(data, "artists"),
        "videos": _rows(data.table("explore.videos")),
        "videos_total": _total(data, "videos"),
        "checklist": _rows(checklist),
        "runs": _runs(data),
        "runs_total": _total(data, "runs"),
        "caps": {
            "tracks": TOP_TRACKS,
            "artists": MAX_ARTISTS,
            "videos": TOP_VIDEO_PRIORITY,
            "runs": LAST_RUNS,
        },
        "run_metrics": [
            (column, f"{model.split('_')[0]} {labels.METRIC_LABELS[metric]}")
            for column, model, metric in RUN_METRICS
        ],
    }
