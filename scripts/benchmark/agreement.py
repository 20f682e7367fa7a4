"""The agreement check: the pandas peer's figures against the marts (same shape as
pandas_peer.summary())."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb

FLOAT_TOLERANCE = 1e-6  # relative; the peer sums in another order than DuckDB

# --- the agreement check -------------------------------------------------------------------


def warehouse_summary(warehouse: Path) -> dict[str, Any]:
    """The marts' figures, shaped like pandas_peer.summary()."""
    common = "tracks, tracks_with_streams, median_streams, hit_tracks, hit_rate"
    with duckdb.connect(str(warehouse), read_only=True) as connection:

        def records(sql: str) -> list[dict[str, Any]]:
            result = connection.execute(sql)
            names = [column[0] for column in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

        def one(sql: str) -> dict[str, Any]:
            return records(sql)[0]

        medians = one("select * exclude (distinct_tracks) from intermediate.int_audio_medians")
        artists = one(
            "select count(*) as rows, sum(tracks) as sum_tracks, sum(lead_tracks) as "
            "sum_lead_tracks, sum(hit_tracks) as sum_hit_tracks from marts.kpi_by_artist"
        )
        artists["top"] = records(
            "select artist, tracks, total_streams, stream_rank from marts.kpi_by_artist "
            "order by stream_rank, artist limit 5"
        )
        return {
            "row_fate": dict(
                connection.execute(
                    "select fate, count(*) from marts.row_fate group by fate"
                ).fetchall()
            ),
            "tracks": connection.execute("select count(*) from marts.tracks").fetchone()[0],
            "model_features": connection.execute(
                "select count(*) from marts.model_features"
            ).fetchone()[0],
            "medians": {k.removeprefix("median_"): v for k, v in medians.items()},
            "kpi_summary": one("select * from marts.kpi_summary"),
            "kpi_by_album_type": records(
                f"select album_type, {common}, weighted_engagement_rate "
                "from marts.kpi_by_album_type order by album_type"
            ),
            "kpi_tempo_bands": records(
                f"select tempo_band, {common}, pearson_log_streams_log_views "
                "from marts.kpi_tempo_bands order by tempo_band"
            ),
            "kpi_audio_segments": records(
                f"select segment, {common} from marts.kpi_audio_segments"
            ),
            "official_video_impact": records(
                "select video_group, tracks, tracks_with_streams, median_streams, hit_rate, "
                "mean_stream_lift from marts.official_video_impact"
            ),
            "kpi_by_artist": artists,
        }


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return (a is None or (isinstance(a, float) and math.isnan(a))) and (
            b is None or (isinstance(b, float) and math.isnan(b))
        )
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=FLOAT_TOLERANCE, abs_tol=1e-9)
    return a == b


def _compare_value(name: str, peer: Any, sql: Any, problems: list[str]) -> int:
    """Recursive comparison; returns the number of values compared, appends mismatches."""
    if isinstance(peer, dict):
        if not isinstance(sql, dict):
            problems.append(f"{name}: peer has a mapping, marts have {sql!r}")
            return 1
        count = 0
        for key, value in peer.items():
            if key not in sql:
                if name in ("row_fate",) and not value:
                    continue
                problems.append(f"{name}.{key}: missing from the marts")
                continue
            count += _compare_value(f"{name}.{key}", value, sql[key], problems)
        if name == "row_fate":
            extra = {k: v for k, v in sql.items() if k not in peer and v}
            if extra:
                problems.append(f"row_fate: marts have fates the peer lacks: {extra}")
        return count
    if isinstance(peer, list):
        if not isinstance(sql, list) or len(peer) != len(sql):
            size = len(sql) if isinstance(sql, list) else sql
            problems.append(f"{name}: {len(peer)} rows (peer) vs {size} (marts)")
            return 1
        return sum(
            _compare_value(f"{name}[{i}]", p, s, problems)
            for i, (p, s) in enumerate(zip(peer, sql, strict=True))
        )
    if not _same(peer, sql):
        problems.append(f"{name}: peer {peer!r} != marts {sql!r}")
    return 1


def compare(peer: dict[str, Any], sql: dict[str, Any]) -> dict[str, Any]:
    """Every figure of the peer's summary against the marts (ints exact, floats rel 1e-6)."""
    problems: list[str] = []
    compared = 0
    for key in (
        "row_fate",
        "tracks",
        "model_features",
        "medians",
        "kpi_summary",
        "kpi_by_album_type",
        "kpi_tempo_bands",
        "kpi_audio_segments",
        "official_video_impact",
        "kpi_by_artist",
    ):
        compared += _compare_value(key, peer.get(key), sql.get(key), problems)
    return {"ok": not problems, "values_compared": compared, "mismatches": problems[:50]}
