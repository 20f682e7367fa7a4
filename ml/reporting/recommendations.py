"""Recommendations of the executive report: what to do about the numbers, with the audience
that acts on it (see ml/reporting/sentences.py for how the sentences are built)."""

from __future__ import annotations

from typing import Any

from ml.reporting.figures import AUDIO_FAMILIES, Figure, Lookup, figure, have
from ml.reporting.formatting import (
    fmt_big,
    fmt_count,
    fmt_lift,
    fmt_score,
    fmt_share,
    fmt_usd,
    join_words,
)
from ml.reporting.report_data import ReportData
from ml.reporting.sentences import Sentence, hit_classifier_figures, hypothesis_item, interval_text
from ml.reporting.study_claims import claim_figure


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
        f"Fund high-budget videos (assumed {fmt_usd(high['value'])} each) only for the "
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
        f"(assumed {fmt_usd(lyric['value'])})."
    )
    effect = mv["video_effect"]
    if have(effect):
        text += (
            f" Expected extra streams use {effect['label']}, {fmt_lift(effect['value'])}; video "
            "costs and the value of a stream are assumptions (dbt vars), not data."
        )
    keys = (
        "top_tracks",
        "top_cutoff_streams",
        "p1_tracks",
        "p1_without_official_video",
        "p2_tracks",
        "lyric_tracks",
    )
    figures = [summary[key] for key in keys] + [high, lyric, share, max_lift]
    return text, figures + ([effect] if have(effect) else [])


def _lift_planning(report: dict[str, Any], look: Lookup) -> Sentence:
    lift = look.kpi("official_video_mean_stream_lift", "lift")
    if not have(lift):
        return None
    within = hypothesis_item(report, "H2b")
    figures = [lift]
    if within is not None and have(within["estimate"]):
        text = (
            "Plan video budgets on the official-video effect within artist, "
            f"{fmt_lift(within['estimate']['value'])} streams against the same artist's other "
            f"tracks ({interval_text(within, fmt_lift)}), not on the raw association "
            f"({fmt_lift(lift['value'])} mean streams, confounded by artist size)"
        )
        figures.insert(0, within["estimate"])
    else:
        text = (
            f"Plan video budgets on the measured association, {fmt_lift(lift['value'])} mean "
            "streams for official videos"
        )
        h2 = hypothesis_item(report, "H2")
        if h2 is not None and h2["ci_low"] is not None:
            text += f" ({interval_text(h2, fmt_lift)})"
    claim = claim_figure(report, "official_video_lift")
    if claim is not None:
        text += f", nor on the study's {fmt_lift(claim['value'])}"
        figures.append(claim)
    break_even = report["mv_priority"]["summary"].get("p1_median_break_even_lift")
    if have(break_even):
        text += (
            f"; the median P1 high-budget video breaks even at "
            f"{fmt_lift(break_even['value'])} streams"
        )
        figures.append(break_even)
    text += ". Both are observational: test videos on a sample of releases before scaling."
    return text, figures


def _hit_model_use(look: Lookup) -> Sentence:
    hit = hit_classifier_figures(look)
    names = ("roc", "pr", "chance_pr", "precision", "recall", "base_accuracy")
    figures = [hit[name] for name in names]
    if not have(*figures):
        return None
    roc, pr, chance_pr, precision, recall, base_accuracy = figures
    if roc["value"] >= 0.75 and pr["value"] >= 2 * chance_pr["value"]:
        text = (
            "Use the calibrated hit probability to rank demos and releases: it finds hits far "
            f"better than chance (PR-AUC {fmt_score(pr['value'])} vs "
            f"{fmt_score(chance_pr['value'])})"
        )
    elif roc["value"] < 0.6:
        text = (
            "Do not use the hit classifier for decisions: ROC-AUC "
            f"{fmt_score(roc['value'])} is close to chance"
        )
    else:
        text = (
            "Use the calibrated hit probability only as a weak ranking signal (ROC-AUC "
            f"{fmt_score(roc['value'])}, PR-AUC {fmt_score(pr['value'])} vs "
            f"{fmt_score(chance_pr['value'])} by chance)"
        )
    text += (
        f"; of the held-out tracks it flags as hits, {fmt_share(precision['value'])} were hits, "
        f"and it flags {fmt_share(recall['value'])} of all hits. Judge it by ROC-AUC, PR-AUC and "
        f"F1, never by accuracy: never predicting a hit is already "
        f"{fmt_share(base_accuracy['value'], 0)} accurate."
    )
    return text, figures


def _scouting(report: dict[str, Any], data: ReportData) -> Sentence:
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
        "; rank by the model's calibrated hit probability instead (its held-out bands are in "
        "the A&R checklist)"
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


def _platform_tracking(look: Lookup) -> Sentence:
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
