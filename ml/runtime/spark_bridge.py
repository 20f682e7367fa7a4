"""Apache Spark as the warehouse engine (DBT_TARGET=spark): the ml step's one way in and out.

dbt builds the SQL layer on Spark (profiles.yml, output `spark`). The ml step (training,
statistics, reports) keeps reading and writing the DuckDB file at WAREHOUSE_PATH, which on Spark
is a local working copy of what the ml step needs, kept in step by `ml/runtime/dbt_runner.py`:

- after every dbt build / run on Spark, `pull` copies the marts, the two intermediate tables the
  ml step reads and the ml.* tables from Spark into the DuckDB file (Spark writes parquet, DuckDB
  reads it);
- before a build that selects the post-model marts (`source:ml+`), `push` replaces Spark's ml.*
  tables with the DuckDB file's (DuckDB writes parquet, Spark inserts it), so those marts are
  built on Spark from the new predictions and runs.

Spark runs in a child Python process (`python -m ml.runtime.spark_bridge export|import ...`), one
session per call, because the embedded Derby metastore of a local session admits one JVM at a
time and a pyspark JVM outlives `spark.stop()`: the child's exit releases it before dbt starts
its own. Its settings are the `spark` output's `server_side_parameters` in profiles.yml, rendered
with the same env vars, so dbt and this module always open the same catalog.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from ml.config import DBT_PROJECT_DIR, PROFILES_DIR, SPARK_TARGET, dbt_target
from ml.runtime.errors import PipelineError

# What the ml step reads (besides every table and view of schema marts) and writes.
ML_TABLES = (
    "runs",
    "metrics",
    "feature_importance",
    "predictions",
    "calibration",
    "hypothesis_tests",
)
PULLED_INTERMEDIATE = ("int_hit_threshold", "int_audio_medians")
POST_MODEL_SOURCE = "source:ml"


def is_spark(env: Mapping[str, str] | None = None) -> bool:
    return dbt_target(dict(env) if env is not None else None) == SPARK_TARGET


def spark_conf(env: Mapping[str, str]) -> dict[str, str]:
    """The `spark` output's server_side_parameters of profiles.yml, rendered with `env`."""
    import jinja2
    import yaml

    profile = yaml.safe_load((PROFILES_DIR / "profiles.yml").read_text(encoding="utf-8"))
    output = next(iter(profile.values()))["outputs"][SPARK_TARGET]

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise PipelineError(f"profiles.yml needs the env var {name}")
        return default

    render = jinja2.Environment(autoescape=False)
    conf = {
        key: render.from_string(str(value)).render(env_var=env_var)
        for key, value in output.get("server_side_parameters", {}).items()
    }
    conf["spark.sql.ansi.enabled"] = "false"  # as dbt-spark forces it
    return conf


def selects_post_model(args: Sequence[str]) -> bool:
    """Does the dbt command select (not exclude) the nodes downstream of the ml tables?"""
    return any(
        flag in ("--select", "-s") and POST_MODEL_SOURCE in value
        for flag, value in itertools.pairwise(args)
    )


def before_build(warehouse_path: Path, env: Mapping[str, str], args: Sequence[str]) -> None:
    """Before a dbt build of the post-model marts on Spark: Spark gets the ml.* tables."""
    if selects_post_model(args):
        push(warehouse_path, env)


def after_build(warehouse_path: Path, env: Mapping[str, str], args: Sequence[str]) -> None:
    """After a dbt build / run on Spark: the DuckDB file gets what the ml step reads."""
    if args and args[0] in ("build", "run"):
        pull(warehouse_path, env)


def pull(warehouse_path: Path, env: Mapping[str, str]) -> list[str]:
    """Copy Spark's marts (tables and views), PULLED_INTERMEDIATE and ml.* into the DuckDB file."""
    from ml.runtime.warehouse import session

    with _scratch(warehouse_path) as folder:
        _child(
            env,
            "export",
            folder,
            ["marts.*", *(f"intermediate.{t}" for t in PULLED_INTERMEDIATE)]
            + [f"ml.{t}" for t in ML_TABLES],
        )
        relations = sorted(path.name for path in folder.iterdir() if path.is_dir())
        with session(warehouse_path) as connection:
            for relation in relations:
                schema = relation.split(".")[0]
                files = str(folder / relation / "*.parquet")
                connection.execute(f"create schema if not exists {schema}")
                if _is_view(connection, relation):  # a DuckDB-built file: marts views
                    connection.execute(f"drop view {relation}")
                connection.execute(
                    f"create or replace table {relation} as select * from read_parquet('{files}')"
                )
    return relations


def _is_view(connection: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    row = connection.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = ? and table_name = ? and table_type = 'VIEW'",
        [schema, name],
    ).fetchone()
    return bool(row and row[0])


def push(warehouse_path: Path, env: Mapping[str, str]) -> list[str]:
    """Replace Spark's ml.* tables with the DuckDB file's (those it has)."""
    from ml.runtime.warehouse import session, table_exists

    with _scratch(warehouse_path) as folder:
        relations = []
        with session(warehouse_path, read_only=True) as connection:
            for table in ML_TABLES:
                if table_exists(connection, "ml", table):
                    relation = f"ml.{table}"
                    target = folder / f"{relation}.parquet"
                    connection.execute(
                        f"copy (select * from {relation}) to '{target}' (format parquet)"
                    )
                    relations.append(relation)
        _child(env, "import", folder, relations)
    return relations


class _scratch:
    """A temporary folder next to the warehouse (same disk), removed afterwards."""

    def __init__(self, warehouse_path: Path) -> None:
        warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=".spark_bridge_", dir=warehouse_path.parent))

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _child(env: Mapping[str, str], action: str, folder: Path, relations: Sequence[str]) -> None:
    if not relations:
        return
    command = [sys.executable, "-m", "ml.runtime.spark_bridge", action, str(folder), *relations]
    result = subprocess.run(
        command, cwd=DBT_PROJECT_DIR, env=dict(env), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise PipelineError(
            f"Spark {action} of {', '.join(relations)} failed:\n{tail}",
            hint="is `pip install -e '.[spark]'` done and Java 17+ on the PATH?",
        )


# ---- the child process: one Spark session ------------------------------------------------------


def _session(env: Mapping[str, str]):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("ml.spark_bridge").enableHiveSupport()
    if not env.get("SPARK_REMOTE"):
        for key, value in spark_conf(env).items():
            builder = builder.config(key, value)
    return builder.getOrCreate()


def _export(spark, folder: Path, patterns: Sequence[str]) -> None:
    """Each relation (or every relation of `schema.*`) that exists, as parquet in folder/<name>/."""
    for pattern in patterns:
        schema, name = pattern.split(".")
        if not spark.catalog.databaseExists(schema):
            continue
        names = (
            [table.name for table in spark.catalog.listTables(schema)]
            if name == "*"
            else [name]
            if spark.catalog.tableExists(f"{schema}.{name}")
            else []
        )
        for table in names:
            relation = f"{schema}.{table}"
            spark.table(relation).write.mode("overwrite").parquet(str(folder / relation))


def _import(spark, folder: Path, relations: Sequence[str]) -> None:
    """Replace each existing Spark table's rows with folder/<relation>.parquet (by column name)."""
    for relation in relations:
        columns = spark.table(relation).columns
        frame = spark.read.parquet(str(folder / f"{relation}.parquet"))
        frame.select(*columns).write.insertInto(relation, overwrite=True)


def main(argv: Sequence[str]) -> int:
    action, folder, *relations = argv
    spark = _session(os.environ)
    try:
        (_export if action == "export" else _import)(spark, Path(folder), relations)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
