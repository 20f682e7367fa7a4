"""The console summary: the few numbers a person wants at the end of `make run`, read back from
the executive report last written."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ml.config import Settings
from ml.modeling.specs import SERVING_CHALLENGER, SERVING_FOREST, VARIANT_CHALLENGER
from ml.reporting.formatting import fmt_count, fmt_lift, fmt_score, fmt_share
from ml.reporting.labels import (
    AUDIO_ONLY,
    BRIER,
    MEAN_BASELINE,
    METRIC_LABELS,
    MODEL,
    SERVED_LABELS,
    TEST,
)
from ml.reporting.mv_priority import NO_RUN
from ml.reporting.render import REPORT_HTML, REPORT_JSON
from ml.reporting.study_claims import claimed_values, verdict_counts


def _model_quality_lines(model: dict[str, Any], served: str | None) -> list[str]:
    """Known vs new artists (lead metric), the interval's coverage (the served model's for
    catalog artists, `served` from ml.runs), the hit probability's reliability: one short line
    each, from the report's model entry."""
    lines = []
    audiences = model["by_audience"]["audiences"]
    if all(a["score"]["value"] is not None for a in audiences):
        label = METRIC_LABELS[model["by_audience"]["metric"]]
        known, new = audiences
        lines.append(
            f"    {label}: catalog artists {fmt_score(known['score']['value'])} (served "
            f"{served or SERVING_FOREST}), new artists "
            f"(cold start) {fmt_score(new['score']['value'])} "
            f"(audio-only {fmt_score(new['audio_only']['value'])})"
        )
    interval = model.get("interval")
    if interval and interval["known_artist"]["value"] is not None:
        lines.append(
            f"    80% interval of the served {served or SERVING_FOREST} covers "
            f"{fmt_share(interval['known_artist']['value'])} of held-out tracks (new artists, "
            f"cold start {fmt_share(interval['new_artist']['value'])})"
        )
    calibration = model.get("calibration")
    if calibration and calibration["max_gap"] is not None:
        test = {row["metric"]: row for row in model["metrics"] if row["split"] == TEST}
        brier = test.get(BRIER)
        verdict = "within" if calibration["within_tolerance"] else "NOT within"
        lines.append(
            "    hit probability: "
            + (
                ""
                if brier is None
                else f"Brier {fmt_score(brier[MODEL]['value'])} "
                f"(base rate {fmt_score(brier[MEAN_BASELINE]['value'])}), "
            )
            + f"largest bin gap {fmt_score(calibration['max_gap']['value'])} ({verdict} "
            f"{calibration['tolerance']:.2f}, bins >= {calibration['min_bin_tracks']} tracks)"
        )
    return lines


def console_summary(report: dict[str, Any], html_path: Path | None = None) -> str:
    """The few numbers a person wants at the end of `make run` (from the executive report)."""
    lines = ["", "== Results", f"  data: {report['data_source']['description']}"]
    kpi = {item["key"]: item["value"] for item in report["headline_kpis"]}
    claimed = claimed_values(report)
    if kpi:
        study_r = claimed.get("streams_views_correlation")
        study_lift = claimed.get("official_video_lift")
        lines += [
            f"  tracks {fmt_count(kpi['tracks'])} of {fmt_count(kpi['raw_rows'])} raw rows, "
            f"data quality {fmt_share(kpi['data_quality_score'])}",
            f"  streams-views r {fmt_score(kpi['pearson_streams_views'])} "
            f"(log-log {fmt_score(kpi['pearson_log_streams_log_views'])}"
            + ("" if study_r is None else f"; study {fmt_score(study_r)}")
            + ")",
            f"  official-video stream lift {fmt_lift(kpi['official_video_mean_stream_lift'])}"
            + ("" if study_lift is None else f" (study {fmt_lift(study_lift)})"),
        ]
    verdicts = verdict_counts(report)
    if verdicts:
        counts = ", ".join(f"{n} {verdict}" for verdict, n in verdicts.items())
        lines.append(f"  study claims ({sum(verdicts.values())}, marts.study_claims): {counts}")
    for item in report["hypotheses"]["items"]:
        fmt = fmt_lift if item["metric"].endswith("stream_lift") else fmt_score
        interval = ""
        if item["ci_low"] is not None and item["ci_high"] is not None:
            interval = f" [{fmt(item['ci_low'])}, {fmt(item['ci_high'])}]"
        lines.append(
            f"  {item['hypothesis']} {item['metric']} {fmt(item['estimate']['value'])}"
            f"{interval} vs {fmt(item['threshold'])}: {item['verdict']}"
        )
    if report["model_run"]["status"] != "ok":
        lines.append(f"  models: {NO_RUN}")
    serving = {
        run["model_name"]: run["params"].get("serving_model")
        for run in report["model_run"]["models"]
    }
    for model in report["models"]:
        test = {row["metric"]: row for row in model["metrics"] if row["split"] == TEST}
        parts = [
            f"{METRIC_LABELS[metric]} {fmt_score(test[metric][MODEL]['value'])} "
            f"(audio-only {fmt_score(test[metric][AUDIO_ONLY]['value'])}, "
            f"baseline {fmt_score(test[metric][MEAN_BASELINE]['value'])})"
            for metric in model["lead_metrics"]
            if metric in test
        ]
        served = serving.get(model["model_name"])
        if served == SERVING_CHALLENGER:
            lead = model["lead_metrics"][0]
            parts.append(
                f"scores served by the {SERVED_LABELS[VARIANT_CHALLENGER]}: {METRIC_LABELS[lead]} "
                f"{fmt_score(test[lead][VARIANT_CHALLENGER]['value'])}"
            )
        lines.append(f"  {model['model_name']} (test, {SERVED_LABELS[MODEL]}): " + "; ".join(parts))
        lines += _model_quality_lines(model, served)
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
