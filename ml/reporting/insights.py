"""Insights of the executive report: what the numbers say, most important first (see
ml/reporting/sentences.py for how the sentences are built)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ml.reporting.figures import AUDIO_FAMILIES, Figure, Lookup, checklist_segment, figure, have
from ml.reporting.formatting import (
    fmt_count,
    fmt_lift,
    fmt_score,
    fmt_share,
    join_words,
)
from ml.reporting.labels import (
    AUDIO_ONLY,
    CV_MEAN,
    CV_STD,
    HIT,
    MEAN_BASELINE,
    MODEL,
    R2,
    STREAM,
    TEST,
    VIEWS,
)
from ml.reporting.report_data import ReportData
from ml.reporting.sentences import (
    Sentence,
    confidence_words,
    hit_classifier_figures,
    hypothesis_clause,
    top_features,
)
from ml.reporting.study_claims import claim_figure, compare


def _segments(rows: pd.DataFrame) -> str:
    return join_words(
        f"{row.segment_rule} ({fmt_share(row.hit_rate)} hits)" for row in rows.itertuples()
    )


# --- insights ---------------------------------------------------------------------------------


def _correlation(report: dict[str, Any], look: Lookup) -> Sentence:
    r = look.kpi("pearson_streams_views", "correlation")
    r_log = look.kpi("pearson_log_streams_log_views", "correlation")
    pairs = look.kpi("correlation_tracks", "count")
    if not have(r, r_log, pairs):
        return None
    study, claim = compare(report, "streams_views_correlation", r["value"], lead=" (")
    study += ")" if study else ""
    strength = "strongly" if r["value"] >= 0.6 else "moderately" if r["value"] >= 0.3 else "weakly"
    text = (
        f"Spotify streams and YouTube views move together {strength}: Pearson r = "
        f"{fmt_score(r['value'])} on raw counts and {fmt_score(r_log['value'])} on log counts over "
        f"{fmt_count(pairs['value'])} tracks{study}."
    )
    clause, estimate = hypothesis_clause(report, "H3", "r", fmt_score, 2)
    return text + clause, [r, r_log, pairs, *estimate, *claim]


def _video_lift(report: dict[str, Any], look: Lookup) -> Sentence:
    lift = look.kpi("official_video_mean_stream_lift", "lift")
    median_lift = look.kpi("official_video_median_stream_lift", "lift")
    official = look.kpi("official_video_tracks", "count")
    unofficial = look.kpi("unofficial_video_tracks", "count")
    if not have(lift, median_lift, official, unofficial):
        return None
    study, claim = compare(report, "official_video_lift", lift["value"], fmt_lift, "; ")
    text = (
        f"Tracks whose YouTube video is the official one have {fmt_lift(lift['value'])} mean "
        f"streams and {fmt_lift(median_lift['value'])} median streams "
        f"compared with tracks whose video is not official ({fmt_count(official['value'])} vs "
        f"{fmt_count(unofficial['value'])} tracks{study})."
    )
    clause, estimate = hypothesis_clause(report, "H2", "lift", fmt_lift, 0)
    text += clause
    text += " This is an association across tracks, not the causal effect of making a video."
    return text, [lift, median_lift, official, unofficial, *estimate, *claim]


def _engagement(look: Lookup) -> Sentence:
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


def _stream_model(report: dict[str, Any], look: Lookup) -> Sentence:
    r2 = look.metric(STREAM, MODEL, TEST, R2, "r2")
    cv = look.metric(STREAM, MODEL, CV_MEAN, R2, "r2")
    cv_std = look.metric(STREAM, MODEL, CV_STD, R2, "r2")
    audio = look.metric(STREAM, AUDIO_ONLY, TEST, R2, "r2")
    mean = look.metric(STREAM, MEAN_BASELINE, TEST, R2, "r2")
    if not have(r2, cv, cv_std, audio, mean):
        return None
    if audio["value"] < 0.5 * r2["value"]:
        source = "most of the predictive power comes from inputs other than the audio features"
    else:
        source = "the audio features alone carry much of the predictive power"
    study, claim = compare(report, "stream_r2", r2["value"])
    text = (
        f"The study's stream forest explains R² = {fmt_score(r2['value'])} of log streams on "
        f"held-out tracks (5-fold CV {fmt_score(cv['value'])} ± {fmt_score(cv_std['value'])})"
        f"{study}. An audio-only forest reaches "
        f"{fmt_score(audio['value'])} and the mean predictor {fmt_score(mean['value'])}: {source}."
    )
    return text, [r2, cv, cv_std, audio, mean, *claim]


def _hit_model(report: dict[str, Any], look: Lookup) -> Sentence:
    hit = hit_classifier_figures(look)
    figures = [hit[name] for name in ("roc", "pr", "chance_pr", "f1", "accuracy", "base_accuracy")]
    if not have(*figures):
        return None
    roc, pr, chance_pr, f1, accuracy, base_accuracy = figures
    study, f1_claim = compare(report, "hit_f1", f1["value"])
    accuracy_claim = claim_figure(report, "hit_accuracy")
    reached = ""
    if accuracy_claim is not None:
        word = "reached" if accuracy["value"] >= accuracy_claim["value"] else "not reached"
        reached = f" (the study's {fmt_share(accuracy_claim['value'])} is {word})"
    text = (
        f"The hit classifier ranks hits with ROC-AUC {fmt_score(roc['value'])} (chance: 0.5) "
        f"and PR-AUC {fmt_score(pr['value'])} (chance: the hit rate, "
        f"{fmt_score(chance_pr['value'])}); its F1 on the hit class is "
        f"{fmt_score(f1['value'])}{study}. Its accuracy of "
        f"{fmt_share(accuracy['value'])} compares with {fmt_share(base_accuracy['value'])} for "
        f"always answering 'not a hit', so accuracy says little here{reached}."
    )
    return text, figures + f1_claim + ([] if accuracy_claim is None else [accuracy_claim])


def _views_model(report: dict[str, Any], look: Lookup) -> Sentence:
    r2 = look.metric(VIEWS, MODEL, TEST, R2, "r2")
    audio = look.metric(VIEWS, AUDIO_ONLY, TEST, R2, "r2")
    if not have(r2, audio):
        return None
    study, claim = compare(report, "youtube_r2", r2["value"])
    text = (
        "From Spotify-side data only, the study's YouTube views forest reaches R² = "
        f"{fmt_score(r2['value'])} on held-out tracks (audio-only {fmt_score(audio['value'])})"
        f"{study}."
    )
    return text, [r2, audio, *claim]


def _importance(data: ReportData) -> Sentence:
    streams = top_features(data, STREAM)
    hits = top_features(data, HIT)
    if not streams or not hits:
        return None

    def names(items: list[Figure]) -> str:
        return join_words(f"{item['key']} ({fmt_score(item['value'])})" for item in items)

    text = f"Strongest inputs: for streams {names(streams)}; for hits {names(hits)}."
    return text, streams + hits


def _audio_segments(data: ReportData) -> Sentence:
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


def _data_quality(look: Lookup) -> Sentence:
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
        "stream_model": _stream_model(report, look) if data.has_run else None,
        "hit_model": _hit_model(report, look) if data.has_run else None,
        "views_model": _views_model(report, look) if data.has_run else None,
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
