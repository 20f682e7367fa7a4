"""The training sample drawn in DuckDB (dataset.SAMPLE_QUERY) on a small hand-made warehouse, and
the Arrow membership test the batch predictions route and split with."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ml.modeling.dataset import MODELLING_RELATION, KeySet, is_in, load_modelling_frame

ROWS = 400


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        # stored in a shuffled order: the sample must not depend on it
        connection.execute(
            f"create table {MODELLING_RELATION} as select 'spotify:track:' || i as uri, "
            f"i * 1.5 as value from range({ROWS}) as t(i) order by hash(i)"
        )
    return path


def reference_sample(uris: list[str], rows: int, seed: int) -> list[str]:
    """The documented rule, computed in Python."""

    def key(uri: str) -> tuple[int, str]:
        return int.from_bytes(hashlib.md5(f"{uri}#{seed}".encode()).digest(), "little"), uri

    return sorted(sorted(uris, key=key)[:rows])


def test_sample_is_the_documented_seeded_rule(warehouse: Path) -> None:
    frame, total = load_modelling_frame(warehouse, max_rows=100, random_state=42)
    assert total == ROWS and len(frame) == 100
    every_uri = [f"spotify:track:{i}" for i in range(ROWS)]
    assert frame["uri"].tolist() == reference_sample(every_uri, 100, 42)
    # whole rows come along, ordered by uri
    assert (frame["value"] == frame["uri"].str.split(":").str[-1].astype(int) * 1.5).all()


def test_sample_is_deterministic_and_depends_on_the_seed(warehouse: Path) -> None:
    first, _ = load_modelling_frame(warehouse, max_rows=100, random_state=42)
    again, _ = load_modelling_frame(warehouse, max_rows=100, random_state=42)
    other, _ = load_modelling_frame(warehouse, max_rows=100, random_state=7)
    assert first["uri"].tolist() == again["uri"].tolist()
    assert len(set(first["uri"]) & set(other["uri"])) < 60  # ~25 expected by chance


def test_no_sample_below_the_cap(warehouse: Path) -> None:
    frame, total = load_modelling_frame(warehouse, max_rows=ROWS, random_state=42)
    assert total == len(frame) == ROWS and frame["uri"].is_monotonic_increasing


@pytest.mark.parametrize("dtype", ["str", "object", "string[pyarrow]"])
def test_is_in_agrees_with_pandas_isin(dtype: str) -> None:
    if dtype == "string[pyarrow]":
        pytest.importorskip("pyarrow")
    values = pd.Series(["a", "b", None, "c", "a", "(unknown)", "é"], dtype=dtype)
    keys = {"a", "(unknown)", "é", "z"}
    assert is_in(values, KeySet(keys)).tolist() == values.isin(keys).tolist()
    assert not is_in(values, KeySet(())).any()
