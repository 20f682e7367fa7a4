"""Executive reports (SPEC step 8): reports/executive_report.json and reports/index.html.

Everything shown is read from the marts and the ml tables (ml/report_data.py); every number in
executive_report.json is a *figure* that names where it came from, e.g.
``{"value": 0.43, "source": "marts.kpi_summary.pearson_streams_views"}``. Insights and
recommendations are sentences built from those figures with the wording chosen by the numbers
(no canned text that could contradict them). The HTML page is rendered with jinja2
(autoescaped) from the same report plus charts (ml/charts.py, inline SVG): one file, no network
assets, readable offline and printable.

Works on a warehouse where no model has run yet: the model sections say "no model run yet".
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ml.config import Settings
from ml.modeling.specs import (
    CLASSIFICATION_METRICS,
    DECISION_THRESHOLD,
    MODEL_NAMES,
    REGRESSION_METRICS,
    SPLITS,
    VARIANTS,
)
from ml.reporting import charts
from ml.reporting.data import ReportData, load_report_data
from ml.reporting.numbers import (
    CLAIMED,
    STUDY_CLAIMS,
    Lookup,
    checklist_segment,
    figure,
    fmt_big,
    fmt_count,
    fmt_lift,
    fmt_score,
    fmt_share,
    fmt_unit,
    fmt_usd,
    have,
    number,
    short_source,
    text,
    value_of,
)
from ml.reporting.text import hypothesis_item, insights, recommendations
from ml.reporting.validation import SchemaError, validate
from ml.runtime.errors import PipelineError
from ml.runtime.run_log import RunLog, utc_now, write_json

SCHEMA_VERSION = 1
REPORT_JSON = "executive_report.json"
REPORT_HTML = "index.html"
NO_RUN = "no model run yet"

MODEL_LABELS = {
    "stream_regressor": "Stream model (log streams)",
    "hit_classifier": "Hit classifier (top 10% of streams)",
    "views_regressor": "YouTube views model (log views, Spotify-side inputs)",
}
LEAD_METRICS = {
    "stream_regressor": ("r2", "rmse"),
    "views_regressor": ("r2", "rmse"),
    "hit_classifier": ("roc_auc", "pr_auc", "f1"),
}
METRIC_LABELS = {
    "r2": "R²",
    "rmse": "RMSE",
    "mae": "MAE",
    "mse": "MSE",
    "r2_original_units": "R² in streams/views (not logs)",
    "roc_auc": "ROC-AUC",
    "pr_auc": "PR-AUC",
    "f1": "F1 (hit class)",
    "precision": "precision (hit class)",
    "recall": "recall (hit class)",
    "accuracy": "accuracy",
    "decision_threshold": "decision threshold",
}


# --- sections ---------------------------------------------------------------------------------


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
    for model in MODEL_NAMES:
        task = "classification" if model == "hit_classifier" else "regression"
        names = (
            (*CLASSIFICATION_METRICS, DECISION_THRESHOLD)
            if task == "classification"
            else REGRESSION_METRICS
        )
        rows = []
        for metric in names:
            for split in SPLITS:
                values = {
                    variant: look.metric(model, variant, split, metric) for variant in VARIANTS
                }
                if not any(have(item) for item in values.values()):
                    continue
                rows.append({"metric": metric, "split": split, **values})
        run_row = None
        if runs is not None:
            match = runs[runs["model_name"] == model]
            run_row = match.iloc[0] if not match.empty else None
        models.append(
            {
                "model_name": model,
                "label": MODEL_LABELS[model],
                "task": task,
                "target": None if run_row is None else text(run_row["target"]),
                "n_train": None if run_row is None else number(run_row["n_train"]),
                "n_test": None if run_row is None else number(run_row["n_test"]),
                "lead_metrics": list(LEAD_METRICS[model]),
                "metrics": rows,
            }
        )
    return models


def _study_comparison(look: Lookup) -> list[dict[str, Any]]:
    items = []
    for claim in STUDY_CLAIMS:
        measured = look.reference(claim["measured"], claim["unit"])
        spread = look.reference(claim["spread"], claim["unit"]) if "spread" in claim else None
        context = [
            {**look.reference(reference, unit), "label": label}
            for reference, unit, label in claim.get("context", ())
        ]
        value = value_of(measured)
        items.append(
            {
                "key": claim["key"],
                "label": claim["label"],
                "claimed": claim["claimed"],
                "claimed_spread": claim.get("claimed_spread"),
                "claimed_text": claim["claimed_text"],
                "unit": claim["unit"],
                "measured": measured,
                "measured_spread": spread,
                "difference": None if value is None else value - claim["claimed"],
                "status": "measured" if value is not None else "not measured yet",
                "context": context,
                "note": claim["note"],
            }
        )
    return items


def _mv_priority(data: ReportData) -> dict[str, Any]:
    # aggregates of the matrix computed in DuckDB (ml/report_data.py): never one row per track
    summary_frame = data.table("mv_summary")
    # column by column: a row (pd.Series) would turn the counts into floats
    summary_row = (
        None
        if summary_frame is None or summary_frame.empty
        else {column: summary_frame[column].iloc[0] for column in summary_frame.columns}
    )
    tier_table = data.table("mv_tiers")
    candidates = data.table("mv_top_candidates")
    assumptions = data.row("marts.score_assumptions")
    source = "marts.mv_priority_matrix"
    assumption_figures = []
    if assumptions is not None:
        for column, label, unit in (
            ("mv_high_budget_video_cost", "High-budget video cost", "usd"),
            ("mv_lyric_video_cost", "Lyric video cost", "usd"),
            ("mv_value_per_stream", "Label revenue per stream", "usd_per_stream"),
            ("mv_high_budget_top_share", "High-budget videos for the top", "share"),
            ("mv_max_break_even_lift", "Cost-efficient if break-even lift at most", "share"),
        ):
            assumption_figures.append(
                figure(
                    assumptions[column],
                    f"marts.score_assumptions.{column} (dbt var {column})",
                    unit,
                    key=column,
                    label=label,
                )
            )
    if summary_row is None or summary_row["scored_tracks"] == 0:
        # empty and no run: nothing to score yet; missing, or empty although a run exists:
        # the post-model dbt pass has not run since training
        return {
            "status": NO_RUN if summary_row is not None and not data.has_run else "not built",
            "source": source,
            "assumptions": assumption_figures,
            "tiers": [],
            "top_candidates": [],
            "summary": {},
        }
    tiers = [
        {
            "tier": row.priority_tier,
            "recommended_video": row.recommended_video,
            "tracks": number(row.tracks),
            "tracks_without_official_video": number(row.tracks_without_official_video),
            "median_predicted_streams": number(row.median_predicted_streams),
            "median_break_even_lift": number(row.median_break_even_lift),
            "total_video_cost": number(row.total_video_cost),
            "source": f"{source} where priority_tier = '{row.priority_tier}'",
        }
        for row in tier_table.itertuples(index=False)
    ]
    top_candidates = [
        {
            "priority_rank": number(row.priority_rank),
            "artist": text(row.artist),
            "track": text(row.track),
            "priority_tier": row.priority_tier,
            "recommended_video": row.recommended_video,
            "has_official_video": bool(row.has_official_video),
            "predicted_streams": number(row.predicted_streams),
            "hit_probability": number(row.hit_probability),
            "break_even_lift": number(row.break_even_lift),
            "split": text(row.split),
        }
        for row in candidates.itertuples(index=False)
    ]
    summary = {
        "scored_tracks": figure(summary_row["scored_tracks"], f"{source}: count(*)", "count"),
        "top_tracks": figure(
            summary_row["top_tracks"], f"{source}: count(*) where in_top_predicted", "count"
        ),
        "top_cutoff_streams": figure(
            summary_row["top_cutoff_streams"],
            f"{source}: min(predicted_streams) where in_top_predicted",
            "streams",
        ),
        "p1_tracks": figure(
            summary_row["p1_tracks"], f"{source}: count(*) where priority_tier like 'P1%'", "count"
        ),
        "p1_without_official_video": figure(
            summary_row["p1_without_official_video"],
            f"{source}: count(*) where priority_tier like 'P1%' and not has_official_video",
            "count",
        ),
        "p1_median_break_even_lift": figure(
            summary_row["p1_median_break_even_lift"],
            f"{source}: median(break_even_lift) where priority_tier like 'P1%'",
            "lift",
        ),
        "p2_tracks": figure(
            summary_row["p2_tracks"], f"{source}: count(*) where priority_tier like 'P2%'", "count"
        ),
        "lyric_tracks": figure(
            summary_row["lyric_tracks"],
            f"{source}: count(*) where recommended_video = 'lyric'",
            "count",
        ),
    }
    return {
        "status": "ok",
        "source": source,
        "assumptions": assumption_figures,
        "tiers": tiers,
        "top_candidates": top_candidates,
        "summary": summary,
    }


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


# --- the report -------------------------------------------------------------------------------


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
        "model_run": _model_run(data),
        "headline_kpis": _headline_kpis(look),
        "hypotheses": _hypotheses(data),
        "models": _models(data, look),
        "study_comparison": _study_comparison(look),
        "mv_priority": _mv_priority(data),
        "ar_checklist": _ar_checklist(data),
        "data_quality": _data_quality(data, look),
        "missing_relations": list(data.missing),
    }
    report["insights"] = insights(report, data, look)
    report["recommendations"] = recommendations(report, data, look)
    return report


# --- HTML -------------------------------------------------------------------------------------


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("ml.reporting", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        count=fmt_count,
        big=fmt_big,
        share=fmt_share,
        lift=fmt_lift,
        score=fmt_score,
        usd=fmt_usd,
        unit=fmt_unit,
        metric_label=lambda name: METRIC_LABELS.get(name, name),
        short_source=short_source,
    )
    return environment


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return [
        {key: (None if _missing(value) else value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _group_counts(groups: pd.DataFrame | None) -> dict[str, int] | None:
    """Correlation pairs per video_group (all of them, also when the chart shows a sample)."""
    if groups is None:
        return None
    return {
        str(group): int(tracks)
        for group, tracks in zip(groups["video_group"], groups["tracks"], strict=True)
        if not _missing(group)
    }


def build_charts(report: dict[str, Any], data: ReportData) -> dict[str, Markup | None]:
    """Every chart as trusted inline SVG (ml/charts.py), or None when its data is missing."""
    kpis = data.row("marts.kpi_summary")
    checklist = data.table("marts.ar_checklist")
    tempo_intervals = None
    audio_reference = None
    if checklist is not None:
        tempo_intervals = checklist[checklist["segment_type"] == "tempo band"]
        if not tempo_intervals.empty:
            audio_reference = tempo_intervals["reference_hit_rate"].iloc[0]
    segments = data.table("marts.kpi_audio_segments")
    if audio_reference is None and segments is not None and not segments.empty:
        audio_reference = segments["overall_hit_rate"].iloc[0]
    quality = {item["key"]: item["value"] for item in report["data_quality"]["figures"]}
    fates: list[tuple[str, int]] = []
    if quality:
        fates = [
            ("kept", quality.get("rows_kept")),
            ("duplicate", quality.get("rows_duplicate")),
            ("outlier", quality.get("rows_outlier")),
        ]
        fates += [
            (f"  outlier: {item['key']}", item["value"])
            for item in report["data_quality"]["outliers_by_column"]
        ]
        fates.append(("quarantined", quality.get("rows_quarantined")))
    quality_rows: list[tuple[str, dict[str, float | None], float | None]] = []
    claims = {item["key"]: item["claimed"] for item in report["study_comparison"]}
    look = Lookup(data)
    if data.has_run:
        for label, model, metric, claim in (
            ("streams R²", "stream_regressor", "r2", claims["stream_r2"]),
            ("views R²", "views_regressor", "r2", claims["youtube_r2"]),
            ("hit ROC-AUC", "hit_classifier", "roc_auc", None),
            ("hit PR-AUC", "hit_classifier", "pr_auc", None),
            ("hit F1", "hit_classifier", "f1", claims["hit_f1"]),
        ):
            values = {v: value_of(look.metric(model, v, "test", metric)) for v in VARIANTS}
            quality_rows.append((label, values, claim))
    cutoff = report["mv_priority"].get("summary", {}).get("top_cutoff_streams")
    assumptions = {a["key"]: a["value"] for a in report["mv_priority"]["assumptions"]}
    h2 = hypothesis_item(report, "H2")
    measured_lift = (
        (value_of(h2["estimate"]), h2["ci_low"], h2["ci_high"]) if h2 else (None, None, None)
    )
    built = {
        "hypotheses": charts.hypotheses_chart(data.table("marts.hypothesis_tests")),
        "model_quality": charts.model_quality_chart(quality_rows) if quality_rows else None,
        "importance": charts.importance_chart(data.importances) if data.has_run else None,
        "streams_views": charts.streams_views_chart(
            data.table("correlation_pairs"),
            None if kpis is None else number(kpis["pearson_streams_views"]),
            None if kpis is None else number(kpis["pearson_log_streams_log_views"]),
            group_counts=_group_counts(data.correlation_groups),
        ),
        "official_video": charts.official_video_chart(data.table("marts.official_video_impact")),
        "tempo": charts.tempo_chart(
            data.table("marts.kpi_tempo_bands"), tempo_intervals, audio_reference
        ),
        "segments": charts.segment_heatmap(segments),
        "row_fate": charts.row_fate_chart(fates),
        "mv_matrix": charts.mv_matrix_chart(
            data.mv_histogram,
            top_cutoff=value_of(cutoff),
            high_budget_cost=assumptions.get("mv_high_budget_video_cost"),
            lyric_cost=assumptions.get("mv_lyric_video_cost"),
            value_per_stream=assumptions.get("mv_value_per_stream"),
            max_lift=assumptions.get("mv_max_break_even_lift"),
            measured_lift=measured_lift,
        ),
    }
    # matplotlib output built from numbers and fixed labels: trusted markup
    return {name: (Markup(svg) if svg else None) for name, svg in built.items()}


def _model_tables(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per model: one row per metric (lead metrics first) with test values for the model and its
    baselines, the model's CV mean and sd, and its in-sample (train) value."""
    tables = []
    for model in report["models"]:
        cells = {(row["metric"], row["split"]): row for row in model["metrics"]}
        names = (
            (*CLASSIFICATION_METRICS, DECISION_THRESHOLD)
            if model["task"] == "classification"
            else REGRESSION_METRICS
        )
        order = list(model["lead_metrics"]) + [m for m in names if m not in model["lead_metrics"]]
        rows = []
        for metric in order:
            if not any((metric, split) in cells for split in SPLITS):
                continue

            def model_value(split: str, metric: str = metric, cells: dict = cells) -> Any:
                row = cells.get((metric, split))
                return None if row is None else row["model"]["value"]

            test = cells.get((metric, "test"))
            rows.append(
                {
                    "metric": metric,
                    "lead": metric in model["lead_metrics"],
                    "test": {v: None if test is None else test[v]["value"] for v in VARIANTS},
                    "cv_mean": model_value("cv_mean"),
                    "cv_std": model_value("cv_std"),
                    "train": model_value("train"),
                }
            )
        tables.append(
            {
                "label": model["label"],
                "n_train": model["n_train"],
                "n_test": model["n_test"],
                "rows": rows,
            }
        )
    return tables


def _scatter(data: ReportData) -> dict[str, Any]:
    """Whether the streams-vs-views chart shows a sample, and of how many tracks."""
    pairs = data.table("correlation_pairs")
    counts = _group_counts(data.correlation_groups) or {}
    return {
        "sampled": data.correlation_sampled,
        "shown": 0 if pairs is None else len(pairs),
        "total": sum(counts.values()),
    }


def render_html(
    report: dict[str, Any],
    data: ReportData,
    chart_svgs: dict[str, Markup | None],
    log: RunLog | None,
) -> str:
    checklist = data.table("marts.ar_checklist")
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        charts=chart_svgs,
        model_tables=_model_tables(report),
        no_run=NO_RUN,
        hypotheses=report["hypotheses"]["items"],
        checklist=_records(checklist),
        video_groups=_records(data.table("marts.official_video_impact")),
        album_types=_records(data.table("marts.kpi_by_album_type")),
        scatter=_scatter(data),
        # finished steps only: the render step itself is still running
        steps=[] if log is None else [vars(s) for s in log.steps if s.status != "running"],
        kpis={item["key"]: item for item in report["headline_kpis"]},
        quality={item["key"]: item for item in report["data_quality"]["figures"]},
    )


def _write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path


def render_reports(settings: Settings, log: RunLog) -> list[Path]:
    """Write executive_report.json and index.html into settings.reports_dir; return their paths."""
    started = time.perf_counter()
    data = load_report_data(settings.warehouse_path)
    report = build_executive_report(data, settings, log)
    try:
        validate(report, "executive_report")
    except SchemaError as error:  # a bug in this module: say which field
        raise PipelineError(
            f"executive_report.json does not match its schema: {error}", step="render reports"
        ) from error
    html = render_html(report, data, build_charts(report, data), log)
    reports_dir = settings.reports_dir
    paths = [
        write_json(reports_dir / REPORT_JSON, report),
        _write_text(reports_dir / REPORT_HTML, html),
    ]
    print(
        f"reports: {', '.join(str(p) for p in paths)} ({time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
        flush=True,
    )
    return paths


# --- console ----------------------------------------------------------------------------------


def console_summary(report: dict[str, Any], html_path: Path | None = None) -> str:
    """The few numbers a person wants at the end of `make run` (from the executive report)."""
    lines = ["", "== Results"]
    kpi = {item["key"]: item["value"] for item in report["headline_kpis"]}
    if kpi:
        lines += [
            f"  tracks {fmt_count(kpi['tracks'])} of {fmt_count(kpi['raw_rows'])} raw rows, "
            f"data quality {fmt_share(kpi['data_quality_score'])}",
            f"  streams-views r {fmt_score(kpi['pearson_streams_views'])} "
            f"(log-log {fmt_score(kpi['pearson_log_streams_log_views'])}; "
            f"study {fmt_score(CLAIMED['correlation'])})",
            f"  official-video stream lift {fmt_lift(kpi['official_video_mean_stream_lift'])} "
            f"(study {fmt_lift(CLAIMED['video_lift'])})",
        ]
    for item in report["hypotheses"]["items"]:
        fmt = fmt_lift if item["metric"] == "mean_stream_lift" else fmt_score
        interval = ""
        if item["ci_low"] is not None and item["ci_high"] is not None:
            interval = f" [{fmt(item['ci_low'])}, {fmt(item['ci_high'])}]"
        lines.append(
            f"  {item['hypothesis']} {item['metric']} {fmt(item['estimate']['value'])}"
            f"{interval} vs {fmt(item['threshold'])}: {item['verdict']}"
        )
    if report["model_run"]["status"] != "ok":
        lines.append(f"  models: {NO_RUN}")
    for model in report["models"]:
        test = {row["metric"]: row for row in model["metrics"] if row["split"] == "test"}
        parts = [
            f"{METRIC_LABELS[metric]} {fmt_score(test[metric]['model']['value'])} "
            f"(audio-only {fmt_score(test[metric]['audio_only']['value'])}, "
            f"baseline {fmt_score(test[metric]['mean_baseline']['value'])})"
            for metric in model["lead_metrics"]
            if metric in test
        ]
        lines.append(f"  {model['model_name']} (test): " + "; ".join(parts))
    summary = {key: item["value"] for key, item in report["mv_priority"]["summary"].items()}
    if summary:
        lines.append(
            f"  music videos: {fmt_count(summary['top_tracks'])} high-budget candidates, "
            f"{fmt_count(summary['p1_tracks'])} P1 "
            f"({fmt_count(summary['p1_without_official_video'])} without an official video)"
        )
    if html_path is not None:
        lines.append(f"  report: {html_path}")
    return "\n".join(lines)


def print_console_summary(settings: Settings) -> None:
    """Print console_summary() of the report last written to settings.reports_dir."""
    path = settings.reports_dir / REPORT_JSON
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"(no summary: cannot read {path}: {error})", file=sys.stderr)
        return
    print(console_summary(report, settings.reports_dir / REPORT_HTML), flush=True)
