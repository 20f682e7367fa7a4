"""reports/index.html: the executive report rendered with jinja2 (autoescaped,
templates/report.html.j2) plus its charts (ml/reporting/charts, inline SVG): one file, no
network assets, readable offline and printable."""

from __future__ import annotations

from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ml.modeling.specs import ALL_SPLITS, ALL_VARIANTS, VARIANTS, spec_by_name
from ml.reporting import labels
from ml.reporting.charts import market, models
from ml.reporting.explore import explore_context
from ml.reporting.figures import Lookup, is_na, number, value_of
from ml.reporting.formatting import (
    fmt_big,
    fmt_count,
    fmt_lift,
    fmt_score,
    fmt_share,
    fmt_unit,
    fmt_usd,
    short_source,
)
from ml.reporting.model_quality import HIT_CALIBRATION, MIN_BIN_TRACKS
from ml.reporting.mv_priority import NO_RUN
from ml.reporting.report_data import ReportData
from ml.reporting.sentences import hypothesis_item
from ml.reporting.study_claims import claimed_values, fmt_claim, verdict_counts
from ml.runtime.run_log import RunLog


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
        metric_label=lambda name: labels.METRIC_LABELS.get(name, name),
        short_source=short_source,
        claim_value=fmt_claim,
    )
    return environment


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return [
        {key: (None if is_na(value) else value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def group_counts(groups: pd.DataFrame | None) -> dict[str, int] | None:
    """Correlation pairs per video_group (all of them, also when the chart shows a sample)."""
    if groups is None:
        return None
    return {
        str(group): int(tracks)
        for group, tracks in zip(groups["video_group"], groups["tracks"], strict=True)
        if not is_na(group)
    }


def build_charts(report: dict[str, Any], data: ReportData) -> dict[str, Markup | None]:
    """Every chart as trusted inline SVG (ml/reporting/charts), or None when its data is
    missing."""
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
    claims = claimed_values(report)
    look = Lookup(data)
    if data.has_run:
        for label, model, metric, claim in (
            ("streams R²", labels.STREAM, labels.R2, claims.get("stream_r2")),
            ("views R²", labels.VIEWS, labels.R2, claims.get("youtube_r2")),
            ("hit ROC-AUC", labels.HIT, labels.ROC_AUC, None),
            ("hit PR-AUC", labels.HIT, labels.PR_AUC, None),
            ("hit F1", labels.HIT, labels.F1, claims.get("hit_f1")),
        ):
            values = {v: value_of(look.metric(model, v, labels.TEST, metric)) for v in VARIANTS}
            values[labels.COLD_START] = value_of(
                look.metric(model, labels.COLD_START, labels.NEW_ARTISTS, metric)
            )
            quality_rows.append((label, values, claim))
    cutoff = report["mv_priority"].get("summary", {}).get("top_cutoff_streams")
    assumptions = {a["key"]: a["value"] for a in report["mv_priority"]["assumptions"]}
    # the within-artist effect (H2b) when estimated, else the raw lift (H2)
    h2 = hypothesis_item(report, "H2b")
    measured_label = "official-video effect within artist (H2b)"
    if h2 is None or value_of(h2["estimate"]) is None:
        h2, measured_label = hypothesis_item(report, "H2"), "measured official-video lift (H2)"
    measured_lift = (
        (value_of(h2["estimate"]), h2["ci_low"], h2["ci_high"]) if h2 else (None, None, None)
    )
    built = {
        "hypotheses": market.hypotheses_chart(data.table("marts.hypothesis_tests")),
        "model_quality": models.model_quality_chart(quality_rows) if quality_rows else None,
        "importance": models.importance_chart(data.importances) if data.has_run else None,
        "reliability": models.reliability_chart(data.table(HIT_CALIBRATION), MIN_BIN_TRACKS),
        "streams_views": market.streams_views_chart(
            data.table("correlation_pairs"),
            None if kpis is None else number(kpis["pearson_streams_views"]),
            None if kpis is None else number(kpis["pearson_log_streams_log_views"]),
            group_counts=group_counts(data.correlation_groups),
        ),
        "official_video": market.official_video_chart(data.table("marts.official_video_impact")),
        "tempo": market.tempo_chart(
            data.table("marts.kpi_tempo_bands"), tempo_intervals, audio_reference
        ),
        "segments": market.segment_heatmap(segments),
        "row_fate": market.row_fate_chart(fates),
        "mv_matrix": models.mv_matrix_chart(
            data.mv_histogram,
            top_cutoff=value_of(cutoff),
            high_budget_cost=assumptions.get("mv_high_budget_video_cost"),
            lyric_cost=assumptions.get("mv_lyric_video_cost"),
            value_per_stream=assumptions.get("mv_value_per_stream"),
            max_lift=assumptions.get("mv_max_break_even_lift"),
            measured_lift=measured_lift,
            measured_label=measured_label,
        ),
    }
    # matplotlib output built from numbers and fixed labels: trusted markup
    return {name: (Markup(svg) if svg else None) for name, svg in built.items()}


def _split_values(cells: dict, metric: str, split: str) -> dict[str, Any]:
    """{variant: value} of one metric on one split (None where not measured)."""
    row = cells.get((metric, split))
    return {v: None if row is None else row[v]["value"] for v in ALL_VARIANTS}


def _model_tables(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per model: one row per metric (lead metrics first) with the held-out values of the model
    and its baselines on tracks of catalog artists (test) and on tracks of new artists
    (test_new_artists), the model's CV mean and sd or out-of-bag value, and its in-sample (train)
    value."""
    serving = {
        run["model_name"]: run["params"].get("serving_model")
        for run in report["model_run"]["models"]
    }
    tables = []
    for model in report["models"]:
        cells = {(row["metric"], row["split"]): row for row in model["metrics"]}
        names = labels.report_metrics(spec_by_name(model["model_name"]))
        order = list(model["lead_metrics"]) + [m for m in names if m not in model["lead_metrics"]]
        rows = []
        for metric in order:
            if not any((metric, split) in cells for split in ALL_SPLITS):
                continue
            rows.append(
                {
                    "metric": metric,
                    "lead": metric in model["lead_metrics"],
                    "test": _split_values(cells, metric, labels.TEST),
                    "new": _split_values(cells, metric, labels.NEW_ARTISTS),
                    "cv_mean": _split_values(cells, metric, labels.CV_MEAN)[labels.MODEL],
                    "cv_std": _split_values(cells, metric, labels.CV_STD)[labels.MODEL],
                    "oob": _split_values(cells, metric, labels.OOB)[labels.MODEL],
                    "train": _split_values(cells, metric, labels.TRAIN)[labels.MODEL],
                }
            )
        tables.append(
            {
                "label": model["label"],
                "n_train": model["n_train"],
                "n_test": model["n_test"],
                "serving": serving.get(model["model_name"]),
                "rows": rows,
            }
        )
    return tables


def _probability_quality(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Brier, log loss and ECE of the hit probability on held-out tracks of catalog artists
    (model, audio-only, base rate) and of new artists (cold-start model)."""
    rows = []
    for model in report["models"]:
        cells = {(row["metric"], row["split"]): row for row in model["metrics"]}
        for metric in labels.PROBABILITY_QUALITY:
            if (metric, labels.TEST) in cells:
                rows.append(
                    {
                        "metric": metric,
                        "test": _split_values(cells, metric, labels.TEST),
                        "new": _split_values(cells, metric, labels.NEW_ARTISTS),
                    }
                )
    return rows


def _scatter(data: ReportData) -> dict[str, Any]:
    """Whether the streams-vs-views chart shows a sample, and of how many tracks."""
    pairs = data.table("correlation_pairs")
    counts = group_counts(data.correlation_groups) or {}
    return {
        "sampled": data.correlation_sampled,
        "shown": 0 if pairs is None else len(pairs),
        "total": sum(counts.values()),
    }


def _forest_sizes(report: dict[str, Any]) -> dict[str, str] | None:
    """The run's tree counts by role and the permutation sample, for the method sentence (None
    for a run recorded before they were)."""
    params = [model["params"] for model in report["model_run"]["models"]]
    keys = (
        "n_estimators", "audio_only_trees", "cold_start_trees", "evaluation_trees",
        "permutation_rows",
    )  # fmt: skip
    if not params or any(key not in item for item in params for key in keys):
        return None

    def listed(key: str) -> str:
        values = [
            f"{item[key]:,}" if isinstance(item[key], int) else str(item[key]) for item in params
        ]
        return values[0] if len(set(values)) == 1 else " / ".join(values)

    return {key: listed(key) for key in keys}


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
        forest_sizes=_forest_sizes(report),
        probability_quality=_probability_quality(report),
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
        explore=explore_context(data),
        claim_verdicts=verdict_counts(report),
    )
