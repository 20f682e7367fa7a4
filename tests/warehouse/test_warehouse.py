"""The dbt warehouse built from a generated file and from a hand-written file of real traps."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ml.config import Settings
from ml.pipeline import build_warehouse
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.run_log import RunLog
from tests.helpers import FIXTURES, isolated_settings


def raw_row_count(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_dbt_unit_tests_pass(built_warehouse: Settings, tmp_path: Path) -> None:
    """The job's builds leave unit tests out (static inputs); the suite runs every one of them,
    those of the post-model marts included, on a copy of the built warehouse."""
    settings = isolated_settings(tmp_path, built_warehouse.raw_data_path)
    shutil.copy(built_warehouse.warehouse_path, settings.warehouse_path)
    # unit tests read their parents' column types: give the post-model marts empty relations
    run_dbt(settings, ["run", "--select", "source:ml+", "--empty"], quiet=True)
    output = run_dbt(settings, ["test", "--select", "test_type:unit"], quiet=True)
    target = Path(settings.extra_env["DBT_TARGET_PATH"])
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    results = [
        result
        for result in json.loads((target / "run_results.json").read_text(encoding="utf-8"))[
            "results"
        ]
        if result["unique_id"].startswith("unit_test.")
    ]
    assert {result["unique_id"] for result in results} == set(manifest["unit_tests"]), output
    assert len(results) >= 10
    assert all(result["status"] == "pass" for result in results), output


def test_fate_ledger_covers_every_raw_row(built_warehouse: Settings) -> None:
    raw_rows = raw_row_count(built_warehouse.raw_data_path)
    [(ledger_rows, distinct_ids)] = query(
        built_warehouse, "select count(*), count(distinct row_id) from marts.row_fate"
    )
    assert ledger_rows == distinct_ids == raw_rows
    fates = dict(query(built_warehouse, "select fate, count(*) from marts.row_fate group by 1"))
    assert sum(fates.values()) == raw_rows
    assert fates["kept"] > 0.8 * raw_rows
    assert fates.get("duplicate", 0) > 0, "the generator lists collaborations once per artist"


def test_tracks_has_one_row_per_distinct_usable_uri(built_warehouse: Settings) -> None:
    [(tracks, distinct_uris)] = query(
        built_warehouse,
        "select (select count(*) from marts.tracks),"
        " (select count(distinct uri) from marts.row_fate where fate in ('kept', 'outlier'))",
    )
    assert tracks == distinct_uris
    [(kept_plus_outliers,)] = query(
        built_warehouse,
        "select count(*) from marts.row_fate where fate in ('kept', 'outlier')",
    )
    assert tracks == kept_plus_outliers


def test_model_features_excludes_outliers_and_unknown_streams(built_warehouse: Settings) -> None:
    [(bad,)] = query(
        built_warehouse,
        "select count(*) from marts.model_features f join marts.tracks t using (uri)"
        " where t.is_outlier or t.stream is null",
    )
    assert bad == 0
    [(hit_rate,)] = query(built_warehouse, "select avg(is_hit::int) from marts.model_features")
    assert 0.08 <= hit_rate <= 0.12


def test_warehouse_is_left_unlocked(built_warehouse: Settings) -> None:
    connection = duckdb.connect(str(built_warehouse.warehouse_path))  # a writer: needs the lock
    connection.close()


@pytest.fixture(scope="module")
def traps_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = isolated_settings(tmp_path_factory.mktemp("traps"), FIXTURES / "traps.csv")
    build_warehouse(settings, RunLog())
    return settings


def test_traps_file_fates(traps_warehouse: Settings) -> None:
    fates = dict(query(traps_warehouse, "select row_id, fate from marts.row_fate"))
    assert fates == {
        0: "kept",  # multi-line quoted description with quotes, commas, emoji
        1: "kept",  # track name with a comma and doubled quotes
        2: "kept",  # every audio and YouTube value missing: imputed / zero-filled
        3: "kept",  # 0 views
        4: "duplicate",  # same Uri as row 3 (a collaboration)
        5: "quarantined",  # 'lots' views, 'maybe' flag
        6: "quarantined",  # danceability 1.5, negative views, inf comments
        7: "kept",  # no video, tempo 0
    }
    reasons = dict(query(traps_warehouse, "select row_id, reason from marts.row_fate"))
    assert reasons[4] == "duplicate of row_id 3 (same Uri)"
    assert "Views: not a number (lots)" in reasons[5]
    assert "official_video: unknown flag value (maybe)" in reasons[5]
    assert "Danceability: 1.5 outside [0, 1]" in reasons[6]
    assert "Views: negative count (-5.0)" in reasons[6]


def test_traps_file_values(traps_warehouse: Settings) -> None:
    rows = query(
        traps_warehouse,
        "select row_id, track, key, youtube_engagement, cross_platform_ratio, tempo,"
        " audio_was_imputed, credited_artists from marts.tracks order by row_id",
    )
    by_id = {row[0]: row for row in rows}
    assert by_id[1][1] == 'Rhinestone Eyes, Live "Remix"'
    assert by_id[0][2] == 6  # Key written as 6.0
    assert by_id[3][3] is None and by_id[3][4] is None  # 0 views: null engagement and ratio
    assert by_id[3][7] == "Daft Punk | Pharrell Williams"
    assert by_id[2][6] is True and by_id[7][5] is not None  # imputed; tempo 0 -> median
    [(description,)] = query(  # parsed by the staging view (int_tracks__typed does not store it)
        traps_warehouse,
        "select description from staging.stg_spotify_youtube__tracks where row_id = 0",
    )
    assert description.count("\n") == 4 and '"Demon Days"' in description and "🎧" in description


@pytest.mark.parametrize("warehouse", ["built_warehouse", "traps_warehouse"])
def test_row_id_is_the_record_position(warehouse: str, request: pytest.FixtureRequest) -> None:
    """int_tracks__typed.row_id (rowid of the stored int_tracks__parsed) equals the staging
    view's row_number() over () - 1 on every record, multi-line ones included."""
    settings = request.getfixturevalue(warehouse)
    [(records, mismatched)] = query(
        settings,
        "select count(*), count(*) filter (where typed.row_id is null or staged.row_id is null"
        " or typed.source_index is distinct from staged.source_index"
        " or typed.uri is distinct from staged.uri or typed.artist is distinct from staged.artist"
        " or typed.track is distinct from staged.track)"
        " from intermediate.int_tracks__typed as typed"
        " full join staging.stg_spotify_youtube__tracks as staged using (row_id)",
    )
    assert records == raw_row_count(settings.raw_data_path) and mismatched == 0


def test_rebuild_is_idempotent(traps_warehouse: Settings, tmp_path: Path) -> None:
    before = query(traps_warehouse, "select * from marts.tracks order by uri")
    settings = isolated_settings(tmp_path, traps_warehouse.raw_data_path)
    shutil.copy(traps_warehouse.warehouse_path, settings.warehouse_path)
    build_warehouse(settings, RunLog())
    after = query(settings, "select * from marts.tracks order by uri")
    assert after == before


def test_docs_generate_offline(traps_warehouse: Settings) -> None:
    run_dbt(traps_warehouse, ["docs", "generate"], quiet=True)
    target = Path(traps_warehouse.extra_env["DBT_TARGET_PATH"])
    assert (target / "catalog.json").exists() and (target / "index.html").exists()
