"""The row_rules data test (dbt_project/macros/generic_tests.sql): one query per model that fails
with one row per broken rule, naming the column, the rule and how many rows break it."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ml.config import Settings
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.errors import PipelineError
from tests.helpers import copy_warehouse


def test_row_rules_names_every_broken_rule(built_warehouse: Settings, tmp_path: Path) -> None:
    settings = copy_warehouse(built_warehouse, tmp_path / "copy")
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        first, second, third = (
            row[0]
            for row in connection.execute(
                "select row_id from marts.tracks order by row_id limit 3"
            ).fetchall()
        )
        connection.execute(
            "update marts.tracks set danceability = 1.5 where row_id in (?, ?)", [first, second]
        )
        connection.execute("update marts.tracks set energy = null where row_id = ?", [third])
        connection.execute(
            "update marts.tracks set album_track_count = artist_track_count + 1 where row_id = ?",
            [third],
        )
        connection.execute(  # a second row with the first row's Uri
            "update marts.tracks set uri = (select uri from marts.tracks where row_id = ?) "
            "where row_id = ?",
            [first, second],
        )
    with pytest.raises(PipelineError, match="row_rules_tracks"):
        run_dbt(settings, ["test", "--select", "row_rules_tracks", "--store-failures"], quiet=True)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        (schema,) = connection.execute(
            "select schema_name from duckdb_tables() where table_name = 'row_rules_tracks'"
        ).fetchone()
        failures = connection.execute(
            f"select column_name, rule, failing_rows from {schema}.row_rules_tracks"
        ).fetchall()
    assert sorted(failures) == [
        ("*", "expression: album_track_count <= artist_track_count", 1),
        ("danceability", "in_range [0, 1]", 2),
        ("energy", "not_null", 1),
        ("uri", "unique", 1),
    ]


def test_row_rules_pass_on_the_built_warehouse(built_warehouse: Settings) -> None:
    """The build ran every model's row_rules test (a failing rule fails the build)."""
    results = Path(built_warehouse.extra_env["DBT_TARGET_PATH"]) / "run_results.json"
    ran = {
        result["unique_id"].split(".")[2]: result["status"]
        for result in json.loads(results.read_text(encoding="utf-8"))["results"]
        if result["unique_id"].split(".")[2].startswith("row_rules_")
    }
    assert {"row_rules_tracks", "row_rules_row_fate", "row_rules_kpi_summary"} <= set(ran)
    assert set(ran.values()) == {"pass"}
