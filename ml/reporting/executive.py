"""The executive report (SPEC step 8) as a JSON-ready dict: reports/executive_report.json,
checked against schemas/executive_report.schema.json.

Everything in it is read from the marts and the ml tables (ml/reporting/report_data.py); every
number is a *figure* that names where it came from (ml/reporting/figures.py). Insights and
recommendations are sentences built from those figures (ml/reporting/insights.py,
ml/reporting/recommendations.py). The study's claims are the rows of marts.study_claims
(ml/reporting/study_claims.py), each citing its row.

Works on a warehouse where no model has run yet: the model sections say "no model run yet".
"""

from __future__ import annotations

import json
from typing import Any

from ml.config import Settings
from ml.modeling.specs import MODEL_SPECS
from ml.reporting.figures import Lookup, checklist_segment, figure, number, text
from ml.reporting.insights import insights
from ml.reporting.labels import LEAD_METRICS, MODEL_LABELS
from ml.reporting.model_quality import (
    hit_calibration,
    interval_coverage,
    metric_rows,
    quality_by_audience,
)
from ml.reporting.mv_priority import NO_RUN, mv_priority
from ml.reporting.recommendations import recommendations
from ml.reporting.report_data import ReportData
from ml.reporting.study_claims import study_claims
from ml.runtime.data_source import NOT_RECORDED
from ml.runtime.run_log import RunLog, utc_now

SCHEMA_VERSION = 2  # 2: study_claims (marts.study_claims) replaces study_comparison


def _model_run(data: ReportData) -> dict[str, Any]:
    runs = data.table("ml.runs")
    if not data.has_run or runs is None:
        return {
            "status": NO_RUN,
            "run_id": None,
            "created_at": None,
            "models": [],
            "source": "ml.runs",
            "note": "ml.runs holds no training run; run `python -m ml train`, then "
            "`dbt build --select source:ml+` (or `make run`)",
        }
    models = []
    for row in runs.itertuples(index=False):
        try:
            params = json.loads(row.params_json) if row.params_json else {}
            features = json.loads(row.features_json) if row.features_json else []
        except (TypeError, ValueError):
            params, features = {}, []
        models.append(
            {
                "model_name": row.model_name,
                "target": text(row.target),
                "n_train": number(row.n_train),
                "n_test": number(row.n_test),
                "fit_seconds": number(row.fit_seconds),
                "params": {k: v for k, v in params.items() if isinstance(v, str | int | float)},
                "features": [str(f) for f in features],
                "code_version": text(row.code_version),
            }
        )
    note = ""
    if data.scored_run_id is not None and data.scored_run_id != data.run_id:
        note = (
            f"the post-model marts hold run {data.scored_run_id}, not the latest run "
            f"{data.run_id}: run `dbt build --select source:ml+`"
        )
    return {
        "status": "ok",
        "run_id": data.run_id,
        "created_at": data.run_created_at,
        "models": models,
        "source": f"ml.runs[run_id={data.run_id}]",
        "note": note,
    }


def _data_source(data: ReportData) -> dict[str, Any]:
    """What the report describes: the user's file or the synthetic default data (ml.data_source,
    recorded when the warehouse was built), or that nobody recorded it."""
    source = data.data_source
    if source is None:
        return {
            "kind": "not recorded",
            "description": NOT_RECORDED,
            "path": None,
            "rows": None,
            "sha256": None,
            "seed": None,
            "recorded_at": None,
            "source": "ml.data_source",
        }
    return {
        "kind": source.kind,
        "description": source.describe(),
        "path": source.path,
        "rows": number(source.rows),
        "sha256": source.sha256,
        "seed": source.seed,
        "recorded_at": None if source.recorded_at is None else source.recorded_at.isoformat(),
        "source": "ml.data_source",
    }


def _headline_kpis(look: Lookup) -> list[dict[str, Any]]:
    if look.kpis is None:
        return []
    items = (
        ("tracks", "Tracks analysed (distinct, not outliers)", "count"),
        ("raw_rows", "Raw rows read", "count"),
        ("artists", "Lead artists", "count"),
        ("total_streams", "Spotify streams (total)", "streams"),
        ("median_streams", "Median streams per track", "streams"),
        ("total_views", "YouTube views (total)", "views"),
        ("pearson_streams_views", "Streams-views Pearson r", "correlation"),
        ("pearson_log_streams_log_views", "Streams-views Pearson r (log-log)", "correlation"),
        ("official_video_mean_stream_lift", "Official-video stream lift (means)", "lift"),
        ("mean_engagement_rate", "YouTube engagement rate (mean)", "share"),
        ("engagement_benchmark", "Engagement benchmark", "share"),
        ("hit_rate", "Hit rate (top 10% of streams)", "share"),
        ("hit_threshold_streams", "Streams needed for a hit", "streams"),
        ("data_quality_score", "Data quality score", "share"),
    )
    return [look.kpi(column, unit, key=column, label=label) for column, label, unit in items]


def _hypotheses(data: ReportData) -> dict[str, Any]:
    table = data.table("marts.hypothesis_tests")
    if table is None or table.empty:
        return {
            "status": "not computed",
            "note": "marts.hypothesis_tests is missing or empty: run `python -m ml stats`, then "
            "`dbt build --select source:ml+`",
            "items": [],
        }
    items = []
    for row in table.itertuples(index=False):
        source = f"marts.hypothesis_tests[{row.hypothesis}]"
        items.append(
            {
                "hypothesis": row.hypothesis,
                "statement": row.statement,
                "metric": row.metric,
                "estimate": figure(row.estimate, f"{source}.estimate"),
                "ci_low": number(row.ci_low),
                "ci_high": number(row.ci_high),
                "p_value": number(row.p_value),
                "threshold": number(row.threshold),
                "verdict": row.verdict,
                "method": row.method,
                "n": number(row.n),
                "run_id": text(row.run_id),
                "source": source,
            }
        )
    return {"status": "ok", "note": "", "items": items}


def _models(data: ReportData, look: Lookup) -> list[dict[str, Any]]:
    if not data.has_run:
        return []
    runs = data.table("ml.runs")
    models = []
    for spec in MODEL_SPECS:
        model = spec.name
        run_row = None
        if runs is not None:
            match = runs[runs["model_name"] == model]
            run_row = match.iloc[0] if not match.empty else None
        models.append(
            {
                "model_name": model,
                "label": MODEL_LABELS[model],
                "task": spec.task,
                "target": None if run_row is None else text(run_row["target"]),
                "n_train": None if run_row is None else number(run_row["n_train"]),
                "n_test": None if run_row is None else number(run_row["n_test"]),
                "lead_metrics": list(LEAD_METRICS[model]),
                "metrics": metric_rows(look, spec),
                "by_audience": quality_by_audience(look, spec),
                "interval": interval_coverage(look, spec),
                "calibration": hit_calibration(data, look, spec),
            }
        )
    return models


def _ar_checklist(data: ReportData) -> dict[str, Any]:
    table = data.table("marts.ar_checklist")
    if table is None:
        return {"status": "not built", "source": "marts.ar_checklist", "segments": []}
    segments = [
        checklist_segment(row)
        for row in table.itertuples(index=False)
        if row.scout_signal in {"look for", "avoid"}
    ]
    return {
        "status": "ok",
        "source": "marts.ar_checklist",
        "segments_read": number(len(table)),
        "segments": segments,
    }


def _data_quality(data: ReportData, look: Lookup) -> dict[str, Any]:
    if look.kpis is None:
        return {"figures": [], "outliers_by_column": [], "quarantine_reasons": []}
    columns = (
        ("raw_rows", "raw rows"),
        ("rows_kept", "kept"),
        ("rows_duplicate", "duplicate listings (collaborations)"),
        ("rows_outlier", "outliers (z-score filter)"),
        ("rows_quarantined", "quarantined (unusable value)"),
        ("kept_tracks_audio_imputed", "kept, audio median-imputed"),
        ("kept_tracks_engagement_filled", "kept, engagement zero-filled"),
        ("data_quality_score", "data quality score"),
    )
    figures = [
        look.kpi(
            column, "share" if column == "data_quality_score" else "count", key=column, label=label
        )
        for column, label in columns
    ]
    outliers = data.table("outliers_by_column")
    reasons = data.table("quarantine_reasons")
    return {
        "figures": figures,
        "outliers_by_column": []
        if outliers is None
        else [
            figure(
                row.rows,
                f"marts.kpi_summary.rows_outlier_by_column['{row.outlier_column}']",
                "count",
                key=row.outlier_column,
            )
            for row in outliers.itertuples(index=False)
        ],
        "quarantine_reasons": []
        if reasons is None
        else [
            figure(
                row.rows,
                "marts.row_fate: count(*) by reason where fate = 'quarantined'",
                "count",
                key=row.reason,
            )
            for row in reasons.itertuples(index=False)
        ],
    }


def build_executive_report(
    data: ReportData, settings: Settings, log: RunLog | None = None
) -> dict[str, Any]:
    """The executive report as a JSON-ready dict (schemas/executive_report.schema.json)."""
    look = Lookup(data)
    context = {} if log is None else log.context
    report: dict[str, Any] = {
        "schema": "executive_report",
        "schema_version": SCHEMA_VERSION,
        "generated_at": utc_now(),
        "warehouse_path": str(settings.warehouse_path),
        "raw_data_path": context.get("raw_data_path"),
        "data_source": _data_source(data),
        "model_run": _model_run(data),
        "headline_kpis": _headline_kpis(look),
        "hypotheses": _hypotheses(data),
        "models": _models(data, look),
        "study_claims": study_claims(data),
        "mv_priority": mv_priority(data),
        "ar_checklist": _ar_checklist(data),
        "data_quality": _data_quality(data, look),
        "missing_relations": list(data.missing),
    }
    report["insights"] = insights(report, data, look)
    report["recommendations"] = recommendations(report, data, look)
    return report
