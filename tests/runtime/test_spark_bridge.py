"""The Spark target's settings and the bridge's decisions (no Spark needed: fast)."""

from __future__ import annotations

from pathlib import Path

from ml.config import Settings, dbt_target
from ml.runtime.spark_bridge import is_spark, selects_post_model, spark_conf


def test_duckdb_is_the_default_target_and_spark_is_selected_by_dbt_target() -> None:
    assert dbt_target({}) == "dev"
    assert not is_spark({})
    assert is_spark({"DBT_TARGET": "spark"})
    settings = Settings(Path("raw.csv"), False, Path("w.duckdb"), Path("m"), Path("r"))
    assert settings.dbt_env(DBT_TARGET="spark")["DBT_TARGET"] == "spark"


def test_spark_catalog_and_tables_follow_the_warehouse_path(tmp_path: Path) -> None:
    """Two warehouses never share a Spark catalog: its paths derive from WAREHOUSE_PATH."""
    first = spark_conf({"WAREHOUSE_PATH": str(tmp_path / "a.duckdb")})
    second = spark_conf({"WAREHOUSE_PATH": str(tmp_path / "b.duckdb")})
    assert first["spark.sql.warehouse.dir"] == f"{tmp_path}/a.duckdb.spark/tables"
    assert (
        f"databaseName={tmp_path}/a.duckdb.spark/metastore_db"
        in (first["spark.hadoop.javax.jdo.option.ConnectionURL"])
    )
    assert second["spark.sql.warehouse.dir"] == f"{tmp_path}/b.duckdb.spark/tables"
    assert first["spark.master"] == "local[2]"
    assert first["spark.sql.ansi.enabled"] == "false"  # as dbt-spark sets it
    explicit = spark_conf({"SPARK_DATA_DIR": "/data/s", "SPARK_MASTER": "local[8]"})
    assert explicit["spark.sql.warehouse.dir"] == "/data/s/tables"
    assert explicit["spark.master"] == "local[8]"


def test_ml_tables_go_to_spark_only_before_a_build_that_selects_the_post_model_marts() -> None:
    assert selects_post_model(["build", "--select", "source:ml+", "--exclude-resource-type", "x"])
    assert not selects_post_model(["build", "--exclude", "source:ml+"])
    assert not selects_post_model(["run", "--select", "tracks"])
