"""Read everything the reports show from the warehouse, in one read-only session.

A relation that does not exist yet (e.g. the post-model marts before their dbt pass) is not an
error: it comes back as None and is listed in ``missing``, and the report says what to run.

No query returns one row per track: per-track marts (marts.kpi_tracks,
marts.mv_priority_matrix) are aggregated in DuckDB (counts, medians, a top 15, per-tier
histogram bins) or, for the scatter chart, sampled to at most SCATTER_SAMPLE rows, or, for the
Explore section (explore.py), capped by a LIMIT, so the report's memory does not grow with the
warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ml.reporting.explore import MV_ROW_COLUMNS, load_explore
from ml.runtime.data_source import DataSource, load_data_source
from ml.runtime.warehouse import session

# relation -> SQL (ordered, so the report is deterministic)
QUERIES: dict[str, str] = {
    "marts.kpi_summary": "select * exclude (rows_outlier_by_column) from marts.kpi_summary",
    "marts.official_video_impact": "select * from marts.official_video_impact",
    "marts.kpi_tempo_bands": "select * from marts.kpi_tempo_bands order by tempo_band",
    "marts.kpi_audio_segments": "select * from marts.kpi_audio_segments",
    "marts.kpi_by_album_type": "select * from marts.kpi_by_album_type order by tracks desc",
    "marts.hypothesis_tests": "select * from marts.hypothesis_tests order by hypothesis",
    "marts.ar_checklist": "select * from marts.ar_checklist order by checklist_order",
    "marts.score_assumptions": "select * from marts.score_assumptions",
    "marts.study_claims": "select * from marts.study_claims order by claim_order",
    "marts.hit_calibration": "select * from marts.hit_calibration order by variant, bin",
    "ml.runs": "select * from ml.runs order by created_at desc, run_id desc, model_name",
}
OUTLIERS_BY_COLUMN = (
    "select unnest(map_keys(rows_outlier_by_column)) as outlier_column, "
    "unnest(map_values(rows_outlier_by_column)) as rows from marts.kpi_summary"
)
QUARANTINE_REASONS = (
    "select reason, count(*) as rows from marts.row_fate where fate = 'quarantined' "
    "group by reason order by rows desc, reason limit 8"
)
SCATTER_SAMPLE = 20_000  # most points in the streams-vs-views chart (more: a sample)
CORRELATION_GROUPS = (
    "select video_group, count(*) as tracks from marts.kpi_tracks where in_correlation "
    "group by video_group order by video_group"
)
CORRELATION_PAIRS = (
    "select cast(stream as double) as stream, cast(views as double) as views, video_group "
    "from marts.kpi_tracks where in_correlation order by row_id"
)
# More pairs than SCATTER_SAMPLE: the same pseudo-random subset on every run, the pairs with the
# smallest hash(row_id) (USING SAMPLE is not reproducible multi-threaded), drawn in row_id
# order. The hash bound (a share of the hash range a little above SCATTER_SAMPLE / pairs) keeps
# DuckDB from sorting every pair (it plans a full sort, not a top-n, for a limit this large);
# the result is the same as without it whenever at least SCATTER_SAMPLE pairs pass it.
CORRELATION_SAMPLE = (
    "select stream, views, video_group from ("
    "select row_id, cast(stream as double) as stream, cast(views as double) as views, "
    "video_group from marts.kpi_tracks where in_correlation and hash(row_id) <= cast(? as ubigint) "
    "order by hash(row_id), row_id limit ?"
    ") order by row_id"
)
HASH_MAX = 2**64 - 1
MV_MATRIX = "marts.mv_priority_matrix"
MV_SUMMARY = """
select
    count(*) as scored_tracks,
    count(*) filter (where in_top_predicted) as top_tracks,
    min(predicted_streams) filter (where in_top_predicted) as top_cutoff_streams,
    count(*) filter (where priority_tier like 'P1%') as p1_tracks,
    count(*) filter (where priority_tier like 'P1%' and not has_official_video)
        as p1_without_official_video,
    median(break_even_lift) filter (where priority_tier like 'P1%') as p1_median_break_even_lift,
    count(*) filter (where priority_tier like 'P2%') as p2_tracks,
    count(*) filter (where recommended_video = 'lyric') as lyric_tracks,
    min(predicted_streams) filter (where predicted_streams > 0) as min_positive_streams,
    max(predicted_streams) filter (where predicted_streams > 0) as max_positive_streams,
    max(video_effect_lift) as video_effect_lift,
    max(video_effect_source) as video_effect_source
from marts.mv_priority_matrix
"""
# recommended_video: the tier's first track in priority order
MV_TIERS = """
select
    priority_tier,
    arg_min(recommended_video, priority_rank) as recommended_video,
    count(*) as tracks,
    count(*) filter (where not has_official_video) as tracks_without_official_video,
    median(predicted_streams) as median_predicted_streams,
    median(break_even_lift) as median_break_even_lift,
    fsum(recommended_video_cost) as total_video_cost,
    count(*) filter (where predicted_streams > 0) as tracks_positive_streams
from marts.mv_priority_matrix
where priority_tier is not null
group by priority_tier
order by priority_tier
"""
MV_TOP_CANDIDATES = f"""
select {MV_ROW_COLUMNS}
from marts.mv_priority_matrix
where not has_official_video
order by priority_rank
limit 15
"""
MV_BINS = 40  # bin edges, log-spaced between the smallest and largest positive prediction


@dataclass
class TierHistogram:
    """Tracks per tier in log-spaced bins of predicted streams, counted in DuckDB.

    ``counts[tier][i]`` is what ``numpy.histogram(values, edges)[0][i]`` gives for the tier's
    positive predicted_streams (bins half-open, the last one closed); ``tracks[tier]`` counts
    them all (the chart's legend)."""

    low: float  # smallest and largest positive predicted_streams
    high: float
    edges: np.ndarray
    counts: dict[str, np.ndarray]
    tracks: dict[str, int]

    @property
    def centres(self) -> np.ndarray:
        return (self.edges[:-1] + self.edges[1:]) / 2


@dataclass
class ReportData:
    """The marts and ml tables behind the reports (None = relation missing)."""

    warehouse_path: Path
    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    run_id: str | None = None
    scored_run_id: str | None = None  # the run behind marts.track_scores (None: empty / missing)
    run_created_at: str | None = None
    metrics: pd.DataFrame | None = None
    importances: pd.DataFrame | None = None
    # streams-vs-views chart: full count of correlation pairs per video_group (the legend), and
    # whether ``tables["correlation_pairs"]`` holds a sample of them
    correlation_groups: pd.DataFrame | None = None
    correlation_sampled: bool = False
    mv_histogram: TierHistogram | None = None
    data_source: DataSource | None = None  # ml.data_source, recorded at build time

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def row(self, name: str) -> pd.Series | None:
        """The first row of a one-row table, else None."""
        frame = self.tables.get(name)
        if frame is None or frame.empty:
            return None
        return frame.iloc[0]

    @property
    def has_run(self) -> bool:
        return self.run_id is not None


def _read(
    connection: duckdb.DuckDBPyConnection, sql: str, params: list | None = None
) -> pd.DataFrame | None:
    try:
        return connection.execute(sql, params or []).df()
    except duckdb.CatalogException:
        return None


def _correlation_pairs(connection: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    groups = _read(connection, CORRELATION_GROUPS)
    data.correlation_groups = groups
    if groups is None:
        data.tables["correlation_pairs"] = None
        return
    total = int(groups["tracks"].sum())
    data.correlation_sampled = total > SCATTER_SAMPLE
    if data.correlation_sampled:
        share = min(1.0, 1.2 * SCATTER_SAMPLE / total + 1e-3)
        bound = min(HASH_MAX, int(share * 2**64))
        sample = _read(connection, CORRELATION_SAMPLE, [bound, SCATTER_SAMPLE])
        if sample is not None and len(sample) < SCATTER_SAMPLE:  # too few hashes below the bound
            sample = _read(connection, CORRELATION_SAMPLE, [HASH_MAX, SCATTER_SAMPLE])
        data.tables["correlation_pairs"] = sample
    else:
        data.tables["correlation_pairs"] = _read(connection, CORRELATION_PAIRS)


def _tier_histogram(
    connection: duckdb.DuckDBPyConnection, low: float, high: float, tiers: pd.DataFrame
) -> TierHistogram:
    """np.histogram of each tier's positive predicted_streams over MV_BINS log-spaced edges,
    from counts of values >= each edge (and > the last one) in one scan."""
    edges = np.logspace(np.log10(low), np.log10(high), MV_BINS)
    columns = [f"count(*) filter (where predicted_streams >= ?) as ge_{i}" for i in range(MV_BINS)]
    columns.append("count(*) filter (where predicted_streams > ?) as gt_last")
    frame = connection.execute(
        f"select priority_tier, {', '.join(columns)} from {MV_MATRIX} "
        "where predicted_streams > 0 group by priority_tier order by priority_tier",
        [float(edge) for edge in edges] + [float(edges[-1])],
    ).df()
    counts = {}
    for row in frame.itertuples(index=False):
        at_least = np.array(row[1 : MV_BINS + 1], dtype=np.int64)  # x >= edges[i]
        above = np.append(at_least[1:-1], row[-1])  # x >= edges[i + 1], last bin closed
        counts[row.priority_tier] = at_least[:-1] - above
    tracks = {
        tier: int(n)
        for tier, n in zip(tiers["priority_tier"], tiers["tracks_positive_streams"], strict=True)
        if n > 0
    }
    return TierHistogram(low=low, high=high, edges=edges, counts=counts, tracks=tracks)


def _mv_priority_matrix(connection: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    """Aggregates of marts.mv_priority_matrix: summary row, tiers, top 15, histogram."""
    summary = _read(connection, MV_SUMMARY)
    data.tables["mv_summary"] = summary
    if summary is None:
        data.missing.append(MV_MATRIX)
        return
    data.tables["mv_tiers"] = tiers = _read(connection, MV_TIERS)
    data.tables["mv_top_candidates"] = _read(connection, MV_TOP_CANDIDATES)
    row = summary.iloc[0]
    if tiers is not None and not pd.isna(row["min_positive_streams"]):
        data.mv_histogram = _tier_histogram(
            connection, row["min_positive_streams"], row["max_positive_streams"], tiers
        )


def load_report_data(warehouse_path: Path) -> ReportData:
    """Every relation the reports need; missing ones are recorded, not raised."""
    data = ReportData(warehouse_path=warehouse_path)
    with session(warehouse_path, read_only=True) as connection:
        for name, sql in {
            **QUERIES,
            "outliers_by_column": OUTLIERS_BY_COLUMN,
            "quarantine_reasons": QUARANTINE_REASONS,
        }.items():
            frame = _read(connection, sql)
            data.tables[name] = frame
            if frame is None and "." in name:
                data.missing.append(name)
        _correlation_pairs(connection, data)
        _mv_priority_matrix(connection, data)
        data.data_source = load_data_source(connection)
        load_explore(connection, data.tables)  # the Explore section's capped tables
        scored = _read(connection, "select max(run_id) as run_id from marts.track_scores")
        if scored is not None and not scored.empty and isinstance(scored.iloc[0, 0], str):
            data.scored_run_id = scored.iloc[0, 0]
        runs = data.tables.get("ml.runs")
        if runs is not None and not runs.empty:
            latest = runs.iloc[0]
            data.run_id = str(latest["run_id"])
            data.run_created_at = pd.Timestamp(latest["created_at"]).isoformat()
            data.tables["ml.runs"] = runs[runs["run_id"] == data.run_id].reset_index(drop=True)
            data.metrics = _read(
                connection,
                "select model_name, variant, split, metric, value from ml.metrics "
                "where run_id = ? order by model_name, variant, split, metric",
                [data.run_id],
            )
            data.importances = _read(
                connection,
                "select model_name, feature, importance_type, importance, importance_std "
                "from ml.feature_importance where run_id = ? "
                "order by model_name, importance_type, importance desc, feature",
                [data.run_id],
            )
    return data
