"""Read everything the reports show from the warehouse, in one read-only session.

A relation that does not exist yet (e.g. the post-model marts before their dbt pass) is not an
error: it comes back as None and is listed in ``missing``, and the report says what to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from ml.warehouse import session

MODEL_NAMES = ("stream_regressor", "hit_classifier", "views_regressor")

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
CORRELATION_PAIRS = (
    "select cast(stream as double) as stream, cast(views as double) as views, video_group "
    "from marts.kpi_tracks where in_correlation order by row_id"
)
MV_MATRIX = (
    "select * from marts.mv_priority_matrix order by priority_rank"  # ~20k rows: fine in memory
)


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


def load_report_data(warehouse_path: Path) -> ReportData:
    """Every relation the reports need; missing ones are recorded, not raised."""
    data = ReportData(warehouse_path=warehouse_path)
    with session(warehouse_path, read_only=True) as connection:
        for name, sql in {
            **QUERIES,
            "outliers_by_column": OUTLIERS_BY_COLUMN,
            "quarantine_reasons": QUARANTINE_REASONS,
            "correlation_pairs": CORRELATION_PAIRS,
            "marts.mv_priority_matrix": MV_MATRIX,
        }.items():
            frame = _read(connection, sql)
            data.tables[name] = frame
            if frame is None and "." in name:
                data.missing.append(name)
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
