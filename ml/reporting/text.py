"""Insights and recommendations of the executive report.

Each is a sentence whose wording is chosen by the numbers it quotes (above / below a claim,
strong / moderate / weak, which tier is empty ...), never canned text that could contradict
them, and each lists the figures it quotes with their sources. A sentence whose inputs are
missing (no model run yet, a mart not built) is left out, not filled with placeholders.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from ml.reporting.data import ReportData
from ml.reporting.numbers import (
    AUDIO_FAMILIES,
    CLAIMED,
    Lookup,
    checklist_segment,
    figure,
    fmt_big,
    fmt_count,
    fmt_lift,
    fmt_score,
    fmt_share,
    fmt_usd,
    have,
    join_words,
    number,
    versus,
)

Figure = dict[str, Any]
NOT_EVALUATED = "not yet evaluated"


def hypothesis_item(report: dict[str, Any], name: str) -> dict[str, Any] | None:
    for item in report["hypotheses"]["items"]:
        if item["hypothesis"] == name:
            return item
    return None


def interval_text(item: dict[str, Any] | None, fmt: Callable[[Any], str]) -> str:
    if item is None or item["ci_low"] is None or item["ci_high"] is None:
        return "no interval"
    return f"95% interval {fmt(item['ci_low'])} to {fmt(item['ci_high'])}"


def confidence_words(z: Any) -> str:
    """'99%' for z = 2.576 (two-sided normal coverage)."""
    z = number(z)
    return "confidence" if z is None else f"{math.erf(z / math.sqrt(2)):.0%}"


def top_features(data: ReportData, model: str, count: int = 3) -> list[Figure]:
    """The model's strongest inputs: permutation importances, impurity when none ran."""
    frame = data.importances
    if frame is None or frame.empty:
        return []
    mine = frame[frame["model_name"] == model]
    rows = mine[mine["importance_type"].str.startswith("permutation")]
    if rows.empty:
        rows = mine[mine["importance_type"] == "impurity"]
    rows = rows.sort_values("importance", ascending=False).head(count)
    return [
        figure(
            row.importance,
            f"ml.feature_importance[run_id={data.run_id}, model_name={model}, "
            f"importance_type={row.importance_type}, feature={row.feature}]",
            key=row.feature,
        )
        for row in rows.itertuples(index=False)
    ]


def _segments(rows: pd.DataFrame) -> str:
    return join_words(
        f"{row.segment_rule} ({fmt_share(row.hit_rate)} hits)" for row in rows.itertuples()
    )


# --- insights ---------------------------------------------------------------------------------


def _correlation(report: dict[str, Any], look: Lookup) -> tuple[str, list[Figure]] | None:
    r = look.kpi("pearson_streams_views", "correlation")
    r_log = look.kpi("pearson_log_streams_log_views", "correlation")
    pairs = look.kpi("correlation_tracks", "count")
    if not have(r, r_log, pairs):
        return None
    strength = "strongly" if r["value"] >= 0.6 else "moderately" if r["value"] >= 0.3 else "weakly"
    text = (
        f"Spotify streams and YouTube views move together {strength}: Pearson r = "
        f"{fmt_score(r['value'])} on raw counts and {fmt_score(r_log['value'])} on log counts over "
        f"{fmt_count(pairs['value'])} tracks ({versus(r['value'], CLAIMED['correlation'])})."
    )
    figures = [r, r_log, pairs]
    h3 = hypothesis_item(report, "H3")
    if h3 is not None and h3["verdict"] != NOT_EVALUATED:
        text += (
            f" H3 (r >= {fmt_score(h3['threshold'], 2)}): {h3['verdict']}, "
            f"{interval_text(h3, fmt_score)}."
        )
        figures.append(h3["estimate"])
    return text, figures


def _video_lift(report: dict[str, Any], look: Lookup) -> tuple[str, list[Figure]] | None:
    lift = look.kpi("official_video_mean_stream_lift", "lift")
    median_lift = look.kpi("official_video_median_stream_lift", "lift")
    official = look.kpi("official_video_tracks", "count")
    unofficial = look.kpi("unofficial_video_tracks", "count")
    if not have(lift, median_lift, official, unofficial):
        return None
    text = (
        f"Tracks whose YouTube video is the official one have {fmt_lift(lift['value'])} mean "
        f"streams and {fmt_lift(median_lift['value'])} median streams "
        f"compared with tracks whose video is not official ({fmt_count(official['value'])} vs "
        f"{fmt_count(unofficial['value'])} tracks; "
        f"{versus(lift['value'], CLAIMED['video_lift'], fmt=fmt_lift)})."
    )
    figures = [lift, median_lift, official, unofficial]
    h2 = hypothesis_item(report, "H2")
    if h2 is not None and h2["verdict"] != NOT_EVALUATED:
        text += (
            f" H2 (lift >= {fmt_lift(h2['threshold'], 0)}): {h2['verdict']}, "
            f"{interval_text(h2, fmt_lift)}."
        )
        figures.append(h2["estimate"])
    text += " This is an association across tracks, not the causal effect of making a video."
    return text, figures


def _engagement(look: Lookup) -> tuple[str, list[Figure]] | None:
    mean = look.kpi("mean_engagement_rate", "share")
    weighted = look.kpi("weighted_engagement_rate", "share")
    benchmark = look.kpi("engagement_benchmark", "share")
    if not have(mean, weighted, benchmark):
        return None
    relation = "below" if mean["value"] < benchmark["value"] else "at or above"
    text = (
        f"YouTube engagement ((likes + comments) / views) averages "
        f"{fmt_share(mean['value'], 2)} per video ({fmt_share(weighted['value'], 2)} "
        f"views-weighted), {relation} the {fmt_share(benchmark['value'])} industry benchmark."
    )
    return text, [mean, weighted, benchmark]


def _stream_model(look: Lookup) -> tuple[str, list[Figure]] | None:
    model = "stream_regressor"
    r2 = look.metric(model, "model", "test", "r2", "r2")
    cv = look.metric(model, "model", "cv_mean", "r2", "r2")
    cv_std = look.metric(model, "model", "cv_std", "r2", "r2")
    audio = look.metric(model, "audio_only", "test", "r2", "r2")
    mean = look.metric(model, "mean_baseline", "test", "r2", "r2")
    if not have(r2, cv, cv_std, audio, mean):
        return None
    if audio["value"] < 0.5 * r2["value"]:
        source = "most of the predictive power comes from inputs other than the audio features"
    else:
        source = "the audio features alone carry much of the predictive power"
    text = (
        f"The stream model explains R² = {fmt_score(r2['value'])} of log streams on held-out "
        f"tracks (5-fold CV {fmt_score(cv['value'])} ± {fmt_score(cv_std['value'])}), "
        f"{versus(r2['value'], CLAIMED['stream_r2'])}. An audio-only forest reaches "
        f"{fmt_score(audio['value'])} and the mean predictor {fmt_score(mean['value'])}: {source}."
    )
    return text, [r2, cv, cv_std, audio, mean]


def _hit_model(look: Lookup) -> tuple[str, list[Figure]] | None:
    model = "hit_classifier"
    roc = look.metric(model, "model", "test", "roc_auc", "auc")
    pr = look.metric(model, "model", "test", "pr_auc", "auc")
    chance_pr = look.metric(model, "mean_baseline", "test", "pr_auc", "auc")
    f1 = look.metric(model, "model", "test", "f1", "score")
    accuracy = look.metric(model, "model", "test", "accuracy", "share")
    base_accuracy = look.metric(model, "mean_baseline", "test", "accuracy", "share")
    if not have(roc, pr, chance_pr, f1, accuracy, base_accuracy):
        return None
    reached = "reached" if accuracy["value"] >= CLAIMED["hit_accuracy"] else "not reached"
    text = (
        f"The hit classifier ranks hits with ROC-AUC {fmt_score(roc['value'])} (chance: 0.5) "
        f"and PR-AUC {fmt_score(pr['value'])} (chance: the hit rate, "
        f"{fmt_score(chance_pr['value'])}); its F1 on the hit class is "
        f"{fmt_score(f1['value'])}, {versus(f1['value'], CLAIMED['hit_f1'])}. Its accuracy of "
        f"{fmt_share(accuracy['value'])} compares with {fmt_share(base_accuracy['value'])} for "
        f"always answering 'not a hit', so accuracy says little here (the study's "
        f"{fmt_share(CLAIMED['hit_accuracy'])} is {reached})."
    )
    return text, [roc, pr, chance_pr, f1, accuracy, base_accuracy]


def _views_model(look: Lookup) -> tuple[str, list[Figure]] | None:
    r2 = look.metric("views_regressor", "model", "test", "r2", "r2")
    audio = look.metric("views_regressor", "audio_only", "test", "r2", "r2")
    if not have(r2, audio):
        return None
    text = (
        "From Spotify-side data only, the YouTube views model reaches R² = "
        f"{fmt_score(r2['value'])} on held-out tracks (audio-only {fmt_score(audio['value'])}), "
        f"{versus(r2['value'], CLAIMED['youtube_r2'])}."
    )
    return text, [r2, audio]


def _importance(data: ReportData) -> tuple[str, list[Figure]] | None:
    streams = top_features(data, "stream_regressor")
    hits = top_features(data, "hit_classifier")
    if not streams or not hits:
        return None

    def names(items: list[Figure]) -> str:
        return join_words(f"{item['key']} ({fmt_score(item['value'])})" for item in items)

    text = f"Strongest inputs: for streams {names(streams)}; for hits {names(hits)}."
    return text, streams + hits


def _audio_segments(data: ReportData) -> tuple[str, list[Figure]] | None:
    checklist = data.table("marts.ar_checklist")
    if checklist is None or checklist.empty:
        return None
    audio = checklist[checklist["segment_type"].isin(AUDIO_FAMILIES)]
    read = audio[audio["scout_signal"] != "too few tracks"]
    look_for = read[read["scout_signal"] == "look for"]
    avoid = read[read["scout_signal"] == "avoid"]
    assumptions = data.row("marts.score_assumptions")
    level = confidence_words(None if assumptions is None else assumptions["ar_confidence_z"])
    source = "marts.ar_checklist: count(*) of danceability x energy cells and tempo bands"
    figures = [
        figure(len(read), f"{source} with enough tracks", "count"),
        figure(len(look_for), f"{source} where scout_signal = 'look for'", "count"),
        figure(len(avoid), f"{source} where scout_signal = 'avoid'", "count"),
    ]
    if look_for.empty and avoid.empty:
        text = (
            f"None of the {len(read)} danceability x energy cells and tempo bands with enough "
            f"tracks has a hit rate clearly different from the average ({level} Wilson "
            "intervals): in this data these audio traits alone do not single out hits."
        )
        return text, figures
    parts = []
    if not look_for.empty:
        parts.append(f"clearly more hits than average: {_segments(look_for)}")
    if not avoid.empty:
        parts.append(f"clearly fewer: {_segments(avoid)}")
    text = (
        f"Of {len(read)} audio segments with enough tracks ({level} Wilson intervals), "
        + "; ".join(parts)
        + "."
    )
    flagged = pd.concat([look_for, avoid])
    figures += [checklist_segment(row)["hit_rate"] for row in flagged.itertuples()]
    return text, figures


def _data_quality(look: Lookup) -> tuple[str, list[Figure]] | None:
    names = ("raw_rows", "rows_kept", "rows_duplicate", "rows_outlier", "rows_quarantined")
    raw, kept, duplicate, outlier, quarantined = (look.kpi(name, "count") for name in names)
    quality = look.kpi("data_quality_score", "share")
    if not have(raw, kept, duplicate, outlier, quarantined, quality):
        return None
    text = (
        f"{fmt_count(kept['value'])} of {fmt_count(raw['value'])} raw rows became analysed "
        f"tracks: {fmt_count(duplicate['value'])} duplicate listings of collaborations, "
        f"{fmt_count(outlier['value'])} outliers and {fmt_count(quarantined['value'])} "
        "quarantined rows were set aside, each with its reason in marts.row_fate; data quality "
        f"score {fmt_share(quality['value'])}."
    )
    return text, [raw, kept, duplicate, outlier, quarantined, quality]


def insights(report: dict[str, Any], data: ReportData, look: Lookup) -> list[dict[str, Any]]:
    """What the numbers say, most important first; sentences without inputs are left out."""
    candidates = {
        "cross_platform_correlation": _correlation(report, look),
        "official_video_lift": _video_lift(report, look),
        "engagement": _engagement(look),
        "stream_model": _stream_model(look) if data.has_run else None,
        "hit_model": _hit_model(look) if data.has_run else None,
        "views_model": _views_model(look) if data.has_run else None,
        "feature_importance": _importance(data) if data.has_run else None,
        "audio_segments": _audio_segments(data),
        "data_quality": _data_quality(look),
    }
    return [
        {"key": key, "text": text, "figures": figures}
        for key, found in candidates.items()
        if found is not None
        for text, figures in [found]
    ]


# --- recommendations --------------------------------------------------------------------------


def _video_budget(report: dict[str, Any]) -> tuple[str, list[Figure]]:
    mv = report["mv_priority"]
    assumptions = {item["key"]: item for item in mv["assumptions"]}
    summary = mv["summary"]
    high = assumptions.get("mv_high_budget_video_cost")
    lyric = assumptions.get("mv_lyric_video_cost")
    share = assumptions.get("mv_high_budget_top_share")
    max_lift = assumptions.get("mv_max_break_even_lift")
    if mv["status"] != "ok" or not have(high, lyric, share, max_lift):
        return (
            "No music-video priority list yet: it needs a model run (`python -m ml train`, "
            "then `dbt build --select source:ml+`, or `make run`).",
            [],
        )
    value = {key: item["value"] for key, item in summary.items()}
    text = (
        f"Fund high-budget videos ({fmt_usd(high['value'])} each) only for the "
        f"{fmt_count(value['top_tracks'])} tracks in the top {fmt_share(share['value'], 0)} of "
        f"predicted streams (at least {fmt_big(value['top_cutoff_streams'])} predicted streams)."
    )
    if value["p1_tracks"]:
        text += (
            f" {fmt_count(value['p1_tracks'])} of them pay for the video with a stream lift of at "
            f"most {fmt_share(max_lift['value'], 0)} (P1), and "
            f"{fmt_count(value['p1_without_official_video'])} of those have no official video "
            "yet: start there."
        )
    else:
        text += (
            f" None of them pays for the video with a stream lift of at most "
            f"{fmt_share(max_lift['value'], 0)}: review the budget before committing."
        )
    if value["p2_tracks"]:
        text += (
            f" {fmt_count(value['p2_tracks'])} top tracks need a larger lift to pay off (P2): "
            "check their budgets."
        )
    text += (
        f" Give the other {fmt_count(value['lyric_tracks'])} tracks a lyric video "
        f"({fmt_usd(lyric['value'])})."
    )
    keys = (
        "top_tracks",
        "top_cutoff_streams",
        "p1_tracks",
        "p1_without_official_video",
        "p2_tracks",
        "lyric_tracks",
    )
    return text, [summary[key] for key in keys] + [high, lyric, share, max_lift]


def _lift_planning(report: dict[str, Any], look: Lookup) -> tuple[str, list[Figure]] | None:
    lift = look.kpi("official_video_mean_stream_lift", "lift")
    if not have(lift):
        return None
    text = (
        f"Plan video budgets on the measured association, {fmt_lift(lift['value'])} mean streams "
        "for official videos"
    )
    h2 = hypothesis_item(report, "H2")
    if h2 is not None and h2["ci_low"] is not None:
        text += f" ({interval_text(h2, fmt_lift)})"
    text += f", not on the study's {fmt_lift(CLAIMED['video_lift'])}"
    figures = [lift]
    break_even = report["mv_priority"]["summary"].get("p1_median_break_even_lift")
    if have(break_even):
        text += (
            f"; the median P1 high-budget video breaks even at "
            f"{fmt_lift(break_even['value'])} streams"
        )
        figures.append(break_even)
    text += ". The lift is observational: test videos on a sample of releases before scaling."
    return text, figures


def _hit_model_use(look: Lookup) -> tuple[str, list[Figure]] | None:
    model = "hit_classifier"
    roc = look.metric(model, "model", "test", "roc_auc", "auc")
    pr = look.metric(model, "model", "test", "pr_auc", "auc")
    chance_pr = look.metric(model, "mean_baseline", "test", "pr_auc", "auc")
    precision = look.metric(model, "model", "test", "precision", "share")
    recall = look.metric(model, "model", "test", "recall", "share")
    base_accuracy = look.metric(model, "mean_baseline", "test", "accuracy", "share")
    if not have(roc, pr, chance_pr, precision, recall, base_accuracy):
        return None
    if roc["value"] >= 0.75 and pr["value"] >= 2 * chance_pr["value"]:
        text = (
            "Use the hit probability to rank demos and releases: it finds hits far better than "
            f"chance (PR-AUC {fmt_score(pr['value'])} vs {fmt_score(chance_pr['value'])})"
        )
    elif roc["value"] < 0.6:
        text = (
            "Do not use the hit classifier for decisions: ROC-AUC "
            f"{fmt_score(roc['value'])} is close to chance"
        )
    else:
        text = (
            "Use the hit probability only as a weak ranking signal (ROC-AUC "
            f"{fmt_score(roc['value'])}, PR-AUC {fmt_score(pr['value'])} vs "
            f"{fmt_score(chance_pr['value'])} by chance)"
        )
    text += (
        f"; of the held-out tracks it flags as hits, {fmt_share(precision['value'])} were hits, "
        f"and it flags {fmt_share(recall['value'])} of all hits. Judge it by ROC-AUC, PR-AUC and "
        f"F1, never by accuracy: never predicting a hit is already "
        f"{fmt_share(base_accuracy['value'], 0)} accurate."
    )
    return text, [roc, pr, chance_pr, precision, recall, base_accuracy]


def _scouting(report: dict[str, Any], data: ReportData) -> tuple[str, list[Figure]] | None:
    checklist = report["ar_checklist"]
    if checklist["status"] != "ok":
        return None
    audio = [s for s in checklist["segments"] if s["segment_type"] in AUDIO_FAMILIES]
    look_for = [s for s in audio if s["scout_signal"] == "look for"]
    avoid = [s for s in audio if s["scout_signal"] == "avoid"]

    def rules(items: list[dict[str, Any]]) -> str:
        return join_words(
            f"{s['segment_rule']} ({fmt_share(s['hit_rate']['value'])} hits)" for s in items
        )

    model_hint = (
        "; rank by the model's hit probability instead (its held-out bands are in the A&R "
        "checklist)"
        if data.has_run
        else ""
    )
    if look_for:
        text = f"Scouts: favour demos with {rules(look_for)}"
        if avoid:
            text += f", and be wary of {rules(avoid)}"
        text += "; the A&R checklist lists every segment with its interval."
    elif avoid:
        text = (
            "Scouts: no audio segment has clearly more hits than average, but "
            f"{rules(avoid)} has clearly fewer{model_hint}."
        )
    else:
        text = (
            "Scouts: do not screen demos on danceability, energy or tempo alone: no segment's "
            f"hit rate differs clearly from the average{model_hint}."
        )
    figures = [s["hit_rate"] for s in look_for + avoid]
    if not figures:
        figures = [
            figure(
                0,
                "marts.ar_checklist: count(*) of audio segments where scout_signal in "
                "('look for', 'avoid')",
                "count",
            )
        ]
    return text, figures


def _platform_tracking(look: Lookup) -> tuple[str, list[Figure]] | None:
    r = look.kpi("pearson_streams_views", "correlation")
    if not have(r) or r["value"] >= 0.6:
        return None
    text = (
        f"Track Spotify and YouTube separately: with r = {fmt_score(r['value'])}, one "
        f"platform's counts explain only {fmt_share(r['value'] ** 2, 0)} of the other's "
        "variance (r²)."
    )
    return text, [r]


def recommendations(report: dict[str, Any], data: ReportData, look: Lookup) -> list[dict[str, Any]]:
    """What to do about it, with the audience that acts on it."""
    candidates = (
        ("music_video_budget", "marketing", _video_budget(report)),
        ("video_lift_planning", "marketing", _lift_planning(report, look)),
        ("hit_model_use", "A&R", _hit_model_use(look) if data.has_run else None),
        ("scouting", "A&R", _scouting(report, data)),
        ("cross_platform_tracking", "analytics", _platform_tracking(look)),
    )
    return [
        {"key": key, "audience": audience, "text": found[0], "figures": found[1]}
        for key, audience, found in candidates
        if found is not None
    ]
