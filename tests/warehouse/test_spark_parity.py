"""The same dbt project on Apache Spark (DBT_TARGET=spark) and on DuckDB: equal public marts.

Builds the whole SQL layer on both engines from tests/fixtures/traps.csv (every data test and
unit test runs on Spark too) and from a small generated file (models only on Spark), then
compares every table and view of schema marts: same columns, same rows, doubles within 1e-9
relative, same text (so the same quarantine reasons and fates in row_fate). The Spark marts are
read through ml/runtime/spark_bridge.py (pull), the ml step's own way in.

Marked `spark`; skips only when Java is missing. Without pyspark / dbt-spark it skips, or FAILS
when REQUIRE_SPARK=1 (CI, .ci/run installs the `spark` extra). One Spark JVM per dbt call and
per pull: about 3-5 minutes on a busy 2-core machine.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ml.config import Settings
from ml.runtime.dbt_runner import run_dbt
from tests.helpers import FIXTURES, isolated_settings

pytestmark = [pytest.mark.spark, pytest.mark.slow]

REQUIRE_SPARK_ENV = "REQUIRE_SPARK"
PARITY_CSV_ENV = "SPARK_PARITY_CSV"
GENERATED_ROWS = 2000
GENERATED_SEED = 11
RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12


def _spark_or_skip() -> None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed: Spark cannot run (install a JDK 17+)")
    missing = [name for name in ("pyspark", "dbt.adapters.spark") if not _importable(name)]
    if missing:
        reason = f"{', '.join(missing)} not installed (pip install -e '.[spark]')"
        if os.environ.get(REQUIRE_SPARK_ENV) == "1":
            pytest.fail(f"{reason}, and {REQUIRE_SPARK_ENV}=1 requires the Spark tests to run")
        pytest.skip(reason)


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _build(root: Path, raw: Path, target: str, args: list[str]) -> Settings:
    settings = isolated_settings(root, raw)
    settings.extra_env["DBT_TARGET"] = target
    run_dbt(settings, args, quiet=True)
    return settings


def _marts(settings: Settings) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {name: connection.sql(f"select * from marts.{name}").df() for name in names}


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in one canonical order; maps as sorted text; columns by name."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object and any(isinstance(v, dict) for v in frame[column]):
            frame[column] = frame[column].map(
                lambda value: str(sorted(value.items())) if isinstance(value, dict) else value
            )
    frame = frame[sorted(frame.columns)]
    keys = [c for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]
    keys += [c for c in frame.columns if c not in keys]
    return frame.sort_values(keys, na_position="first", kind="mergesort").reset_index(drop=True)


def _differences(name: str, duck: pd.DataFrame, spark: pd.DataFrame) -> list[str]:
    if sorted(duck.columns) != sorted(spark.columns):
        return [f"{name}: columns {sorted(duck.columns)} != {sorted(spark.columns)}"]
    if len(duck) != len(spark):
        return [f"{name}: {len(duck)} rows on DuckDB, {len(spark)} on Spark"]
    duck, spark = _comparable(duck), _comparable(spark)
    found = []
    for column in duck.columns:
        for index, (left, right) in enumerate(zip(duck[column], spark[column], strict=True)):
            if not _same(left, right):
                found.append(f"{name}.{column} row {index}: DuckDB {left!r} != Spark {right!r}")
                break
    return found


def _same(left: object, right: object) -> bool:
    left_missing, right_missing = _missing(left), _missing(right)
    if left_missing or right_missing:
        return left_missing and right_missing
    if isinstance(left, float) or isinstance(right, float):
        return math.isclose(
            float(left), float(right), rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE
        )
    return left == right


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


@pytest.fixture(scope="module")
def generated_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _spark_or_skip()
    from ml.synthetic import generate

    path = tmp_path_factory.mktemp("spark_raw") / "generated.csv"
    generate(GENERATED_ROWS, GENERATED_SEED, path)
    return path


@pytest.mark.parametrize("source", ["traps", "generated", "file"])
def test_marts_equal_on_spark_and_duckdb(source: str, generated_csv: Path, tmp_path: Path) -> None:
    _spark_or_skip()
    raw = {"traps": FIXTURES / "traps.csv", "generated": generated_csv}.get(source)
    if source == "file":  # by hand, e.g. a 100k-row generated file (README, Running on Spark)
        if not os.environ.get(PARITY_CSV_ENV):
            pytest.skip(f"set {PARITY_CSV_ENV} to a CSV to compare the engines on it")
        raw = Path(os.environ[PARITY_CSV_ENV]).resolve()
    # traps: the whole build on Spark, data tests and unit tests included; generated: models only
    spark_args = ["build"] if source == "traps" else ["run"]
    duck = _build(
        tmp_path / "duckdb", raw, "dev", ["build", "--exclude-resource-type", "unit_test"]
    )
    spark = _build(tmp_path / "spark", raw, "spark", spark_args)
    duck_marts, spark_marts = _marts(duck), _marts(spark)
    assert len(duck_marts) >= 20, sorted(duck_marts)
    assert sorted(spark_marts) == sorted(duck_marts)
    problems = [
        problem
        for name in sorted(duck_marts)
        for problem in _differences(name, duck_marts[name], spark_marts[name])
    ]
    assert not problems, "\n".join(problems)
