"""DuckDB access: short-lived connections, a bounded retry while another process holds the file."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from ml.config import STORAGE_COMPATIBILITY_VERSION
from ml.runtime.errors import PipelineError, WarehouseLockedError

# How long a job waits for another one (the run lock, DuckDB's file lock) before it stops;
# ML_LOCK_WAIT_SECONDS overrides it (the lock tests wait 2 s, not 10).
LOCK_WAIT_ENV = "ML_LOCK_WAIT_SECONDS"
LOCK_RETRY_SECONDS = float(os.environ.get(LOCK_WAIT_ENV, "").strip() or 10.0)
LOCK_PATTERN = re.compile(r"(Could not set lock|Conflicting lock|lock on file)", re.IGNORECASE)
_PID_PATTERN = re.compile(r"PID (\d+)")


def sql_path(path: Path) -> str:
    """A file path as a DuckDB string literal ('...', quotes doubled), for statements such as
    COPY ... TO that take no parameters."""
    return "'{}'".format(path.as_posix().replace("'", "''"))


def describe_lock(error_text: str, path: Path, *, waited: float | None = None) -> str:
    """'the warehouse X is in use by process N (...)', from DuckDB's lock error text."""
    pid = _PID_PATTERN.search(error_text)
    holder = f"process {pid.group(1)}" if pid else "another process"
    message = (
        f"the warehouse {path} is in use by {holder} "
        "(another `make run`, dbt, or an open DuckDB writer)"
    )
    return message if waited is None else f"{message}; waited {waited:.0f} s"


def connect(
    path: Path, *, read_only: bool = False, retry_seconds: float = LOCK_RETRY_SECONDS
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, retrying for a short, bounded time while another process holds it."""
    if read_only and not path.exists():
        raise PipelineError(
            f"warehouse {path} does not exist", hint="run `make run` (or `dbt build`) first"
        )
    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=_config(read_only))
        except duckdb.IOException as error:
            if not LOCK_PATTERN.search(str(error)):
                raise PipelineError(f"cannot open warehouse {path}: {error}") from error
            if time.monotonic() >= deadline:
                raise WarehouseLockedError(
                    describe_lock(str(error), path, waited=retry_seconds),
                    hint="wait for it to finish, then re-run",
                ) from error
            time.sleep(0.5)


def _config(read_only: bool) -> dict[str, str]:
    """A file this connection creates stays readable by the 1.5.x `duckdb` CLI (ml/config.py)."""
    return {} if read_only else {"storage_compatibility_version": STORAGE_COMPATIBILITY_VERSION}


@contextmanager
def session(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is always closed, so the file is never left locked."""
    connection = connect(path, read_only=read_only)
    try:
        yield connection
    finally:
        connection.close()


def read_table(path: Path, relation: str) -> pd.DataFrame:
    """Read a whole relation (e.g. 'marts.model_features') as a DataFrame."""
    with session(path, read_only=True) as connection:
        try:
            return connection.sql(f"select * from {relation}").df()
        except duckdb.CatalogException as error:
            raise PipelineError(
                f"{relation} is missing from warehouse {path}",
                hint="run `dbt build` (or `make run`) first",
            ) from error


def table_exists(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])
