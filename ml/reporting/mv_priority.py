"""The music-video priority section of the executive report: which tracks get a high-budget
video, which a lyric video, from aggregates of marts.mv_priority_matrix computed in DuckDB
(ml/reporting/report_data.py), never one row per track."""

from __future__ import annotations

from typing import Any

from ml.reporting.figures import Figure, figure, first_row, number, text
from ml.reporting.report_data import ReportData

NO_RUN = "no model run yet"
SOURCE = "marts.mv_priority_matrix"
# (column of marts.score_assumptions, label, unit): the dbt vars the matrix is built with,
# planning assumptions (not data), labelled as such
ASSUMPTIONS = (
    ("mv_high_budget_video_cost", "High-budget video cost (assumption)", "usd"),
    ("mv_lyric_video_cost", "Lyric video cost (assumption)", "usd"),
    ("mv_value_per_stream", "Label revenue per stream (assumption)", "usd_per_stream"),
    ("mv_high_budget_top_share", "High-budget videos for the top (assumption)", "share"),
    ("mv_max_break_even_lift", "Cost-efficient if break-even lift at most (assumption)", "share"),
)
# marts.mv_priority_matrix.video_effect_source -> how the report names the effect used
VIDEO_EFFECTS = {
    "within_artist": "the official-video effect within artist (H2b)",
    "raw": "the raw official-video lift (H2: no within-artist estimate, confounded by artist size)",
}
# summary key (a column of report_data.MV_SUMMARY) -> (how it is computed, unit)
SUMMARY = {
    "scored_tracks": ("count(*)", "count"),
    "top_tracks": ("count(*) where in_top_predicted", "count"),
    "top_cutoff_streams": ("min(predicted_streams) where in_top_predicted", "streams"),
    "p1_tracks": ("count(*) where priority_tier like 'P1%'", "count"),
    "p1_without_official_video": (
        "count(*) where priority_tier like 'P1%' and not has_official_video",
        "count",
    ),
    "p1_median_break_even_lift": (
        "median(break_even_lift) where priority_tier like 'P1%'",
        "lift",
    ),
    "p2_tracks": ("count(*) where priority_tier like 'P2%'", "count"),
    "lyric_tracks": ("count(*) where recommended_video = 'lyric'", "count"),
}


def _assumptions(data: ReportData) -> list[Figure]:
    assumptions = data.row("marts.score_assumptions")
    if assumptions is None:
        return []
    return [
        figure(
            assumptions[column],
            f"marts.score_assumptions.{column} (assumption: dbt var {column})",
            unit,
            key=column,
            label=label,
        )
        for column, label, unit in ASSUMPTIONS
    ]


def _tier(row: Any) -> dict[str, Any]:
    return {
        "tier": row.priority_tier,
        "recommended_video": row.recommended_video,
        "tracks": number(row.tracks),
        "tracks_without_official_video": number(row.tracks_without_official_video),
        "median_predicted_streams": number(row.median_predicted_streams),
        "median_break_even_lift": number(row.median_break_even_lift),
        "total_video_cost": number(row.total_video_cost),
        "source": f"{SOURCE} where priority_tier = '{row.priority_tier}'",
    }


def _candidate(row: Any) -> dict[str, Any]:
    return {
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


def mv_priority(data: ReportData) -> dict[str, Any]:
    """Assumptions, tiers, the top candidates without an official video, and summary figures."""
    summary_row = first_row(data.table("mv_summary"))
    section: dict[str, Any] = {
        "status": "ok",
        "source": SOURCE,
        "assumptions": _assumptions(data),
        "tiers": [],
        "top_candidates": [],
        "summary": {},
        "video_effect": None,
    }
    if summary_row is None or summary_row["scored_tracks"] == 0:
        # empty and no run: nothing to score yet; missing, or empty although a run exists:
        # the post-model dbt pass has not run since training
        section["status"] = NO_RUN if summary_row is not None and not data.has_run else "not built"
        return section
    section["tiers"] = [_tier(row) for row in data.table("mv_tiers").itertuples(index=False)]
    section["top_candidates"] = [
        _candidate(row) for row in data.table("mv_top_candidates").itertuples(index=False)
    ]
    section["summary"] = {
        key: figure(summary_row[key], f"{SOURCE}: {computed}", unit)
        for key, (computed, unit) in SUMMARY.items()
    }
    effect_source = summary_row["video_effect_source"]
    if effect_source in VIDEO_EFFECTS:
        section["video_effect"] = figure(
            summary_row["video_effect_lift"],
            f"{SOURCE}.video_effect_lift (video_effect_source = '{effect_source}')",
            "lift",
            key=effect_source,
            label=VIDEO_EFFECTS[effect_source],
        )
    return section
