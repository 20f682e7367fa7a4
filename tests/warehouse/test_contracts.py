"""Contracts between the dbt project and the Python package, each defined once and checked here.

- Model inputs: macro model_input_columns (dbt_project/macros/column_lists.sql) is the one list
  of columns that training (marts.model_features) and scoring (scoring.score_input_features)
  share; both relations must carry exactly those columns, with the same types, plus only the
  side-specific columns named below, and every ModelSpec feature must be among them.
- Raw layout: macro raw_columns (the same file) and ml/runtime/raw_input.py REQUIRED_COLUMNS
  are the same header.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from ml.config import Settings
from ml.modeling.dataset import PREDICTION_COLUMNS
from ml.modeling.reference import MEDIANS_RELATION, catalog_paths, write_catalog
from ml.modeling.score import SCORING_RELATION, SCORING_SELECTOR, write_reference_tables
from ml.modeling.specs import MODEL_SPECS
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.raw_input import REQUIRED_COLUMNS
from tests.helpers import isolated_settings

pytestmark = pytest.mark.slow

TRAINING_RELATION = "marts.model_features"
# Columns only one side has, and why. Anything else on one side only is train/serve skew.
TRAINING_ONLY = {
    "views": "target of the views model in original units (unknown for a new track)",
    "is_hit": "target of the hit classifier (unknown for a new track)",
}
SCORING_ONLY = {
    "source_index": "the scores file's row_id",
    "track": "the track name, for the reader of the scores file",
    "has_youtube_data": "the scores file's has_youtube_data (any YouTube column given)",
    "audio_was_imputed": "bookkeeping of the imputation",
    "engagement_was_filled": "bookkeeping of the zero-fill",
    "quarantine_reason": "why a row cannot be scored",
}
# The raw file's first column has an empty header (DuckDB reads it as column00).
RAW_INDEX_HEADER = ""


def columns(settings: Settings, relation: str) -> dict[str, str]:
    """Column name -> DuckDB type of a table or view, in column order."""
    schema, name = relation.split(".")
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        rows = connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
    assert rows, f"{relation} is missing from {settings.warehouse_path}"
    return dict(rows)


@pytest.fixture(scope="module")
def scored(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the small warehouse with the scoring models built (as `python -m ml score`
    does in its scratch file, here beside the training relation) on the small raw file itself:
    a file of new tracks in the raw layout; the reference (medians, catalog) is the warehouse's."""
    settings = isolated_settings(
        tmp_path_factory.mktemp("contracts"), built_warehouse.raw_data_path
    )
    shutil.copy(built_warehouse.warehouse_path, settings.warehouse_path)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        medians = connection.execute(f"select * from {MEDIANS_RELATION}").df()
        directory = settings.warehouse_path.parent / "reference"
        reference = {"medians": medians.iloc[0].to_dict(), "catalog_files": {}}
        reference["catalog_files"] = write_catalog(connection, directory)
        write_reference_tables(connection, reference, catalog_paths(directory, reference))
    run_dbt(
        settings,
        ["run", "--select", SCORING_SELECTOR],
        quiet=True,
        env_overrides={
            "SCORE_INPUT_ENABLED": "true",
            "SCORE_INPUT_PATH": str(settings.raw_data_path),
        },
    )
    return settings


@pytest.fixture(scope="module")
def dbt_lists(scored: Settings) -> dict[str, list]:
    """The column-list macros as dbt renders them (`dbt compile --inline`, no model is run)."""
    expression = '{{ tojson({"raw": raw_columns(), "model_inputs": model_input_columns()}) }}'
    output = run_dbt(scored, ["compile", "--quiet", "--inline", expression], quiet=True)
    rendered = [line for line in output.splitlines() if line.startswith('{"raw": ')]
    assert len(rendered) == 1, output
    return json.loads(rendered[0])


def test_training_and_scoring_read_the_same_model_inputs(scored: Settings) -> None:
    training = columns(scored, TRAINING_RELATION)
    scoring = columns(scored, SCORING_RELATION)
    assert set(TRAINING_ONLY) <= set(training), "TRAINING_ONLY names a column training lacks"
    assert set(SCORING_ONLY) <= set(scoring), "SCORING_ONLY names a column scoring lacks"
    shared_training = {name: kind for name, kind in training.items() if name not in TRAINING_ONLY}
    shared_scoring = {name: kind for name, kind in scoring.items() if name not in SCORING_ONLY}
    only_training = sorted(set(shared_training) - set(shared_scoring))
    only_scoring = sorted(set(shared_scoring) - set(shared_training))
    assert not only_training and not only_scoring, (
        f"train/serve skew: only in {TRAINING_RELATION}: {only_training}; "
        f"only in {SCORING_RELATION}: {only_scoring} (add model inputs to macro "
        "model_input_columns, never to one model)"
    )
    retyped = {
        name: (kind, shared_scoring[name])
        for name, kind in shared_training.items()
        if kind != shared_scoring[name]
    }
    assert not retyped, f"model inputs typed differently (training, scoring): {retyped}"


def test_the_macro_is_the_shared_column_list(scored: Settings, dbt_lists: dict[str, list]) -> None:
    shared = [name for name in columns(scored, TRAINING_RELATION) if name not in TRAINING_ONLY]
    assert dbt_lists["model_inputs"] == shared
    assert len(set(shared)) == len(shared)


def test_every_model_feature_is_a_column_of_both_relations(scored: Settings) -> None:
    training = columns(scored, TRAINING_RELATION)
    scoring = columns(scored, SCORING_RELATION)
    for spec in MODEL_SPECS:
        for relation, present in ((TRAINING_RELATION, training), (SCORING_RELATION, scoring)):
            missing = [name for name in spec.features if name not in present]
            assert not missing, f"{spec.name}: features {missing} are not columns of {relation}"
        needed_to_fit = [spec.target, spec.artist_level_target, spec.row_filter]
        missing = [name for name in needed_to_fit if name and name not in training]
        assert not missing, f"{spec.name}: {missing} are not columns of {TRAINING_RELATION}"
    # predictions of the warehouse's own tracks read these columns (from marts.tracks)
    assert set(PREDICTION_COLUMNS) <= set(training) & set(scoring)


def catalog_counts_sql(settings: Settings, relation: str) -> str:
    """Macro catalog_track_counts over `relation`, as dbt renders it for scoring."""
    output = run_dbt(
        settings,
        ["compile", "--quiet", "--inline", f"{{{{ catalog_track_counts('{relation}') }}}}"],
        quiet=True,
        env_overrides={"SCORE_INPUT_ENABLED": "true"},
    )
    return output[output.index("select") :]


def test_scored_catalog_counts_follow_the_training_definition(scored: Settings) -> None:
    """Catalog counts of scored rows come from the reference tables, not the warehouse: a
    training track scored again gets its marts.tracks counts; the same track under a new uri
    counts itself once more; an unknown artist counts 1."""
    rendered = catalog_counts_sql(scored, "new_rows")  # dbt first: it opens the warehouse
    with duckdb.connect(str(scored.warehouse_path), read_only=True) as connection:
        same, new_uri, pairs = connection.execute(
            f"""
            select
                count(*) filter (where s.artist_track_count = t.artist_track_count
                    and s.album_track_count = t.album_track_count),
                count(*) filter (where s.artist_track_count = t.artist_track_count + 1),
                count(*)
            from {SCORING_RELATION} as s
            inner join marts.tracks as t
                on t.uri = s.uri and t.artist = s.artist and t.album is not distinct from s.album
            """
        ).fetchone()
        assert pairs > 0 and same == pairs and new_uri == 0
        counted = connection.execute(
            f"""
            with new_rows as (
                select 'no-such-uri' as uri, artist, album from marts.tracks where uri = (
                    select min(uri) from marts.tracks)
                union all
                select null, 'An Artist Never Seen', 'Some Album'
            )
            select artist, artist_track_count, album_track_count, known.n, known.n_album
            from ({rendered}) as scored
            left join (
                select artist, count(*) as n, count(*) filter (
                    where album is not distinct from (select album from marts.tracks where uri = (
                        select min(uri) from marts.tracks))) as n_album
                from marts.tracks group by artist
            ) as known using (artist)
            """
        ).fetchall()
    known_row, unknown_row = sorted(counted, key=lambda row: row[3] is None)
    assert known_row[1:3] == (known_row[3] + 1, known_row[4] + 1)
    assert unknown_row[1:3] == (1, 1)


def test_raw_layout_is_defined_once(dbt_lists: dict[str, list]) -> None:
    names = [name for name, _ in dbt_lists["raw"]]
    headers = [RAW_INDEX_HEADER] + [header for _, header in dbt_lists["raw"]]
    assert len(set(names)) == len(names)
    assert len(set(headers)) == len(headers) == len(REQUIRED_COLUMNS)
    assert set(headers) == set(REQUIRED_COLUMNS), (
        f"only in dbt (macro raw_columns): {sorted(set(headers) - set(REQUIRED_COLUMNS))}; "
        f"only in raw_input.REQUIRED_COLUMNS: {sorted(set(REQUIRED_COLUMNS) - set(headers))}"
    )


def test_staging_reads_every_raw_column(
    built_warehouse: Settings, dbt_lists: dict[str, list]
) -> None:
    """The staged raw file has exactly the macro's columns (plus row_id and source_index)."""
    staged = columns(built_warehouse, "staging.stg_spotify_youtube__tracks")
    assert list(staged) == ["row_id", "source_index", *(name for name, _ in dbt_lists["raw"])]
