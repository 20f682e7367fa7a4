"""What the warehouse was built from, recorded once at build time and read back by every report.

``python -m ml build`` / ``make run`` write one row to ml.data_source after the dbt build: the
input file's path, the rows dbt read, the file's sha256 (streamed in chunks, computed once here)
and whether it is the synthetic default dataset that ``ml.pipeline.resolve_raw_input`` generated
(an explicit flag set by the pipeline, never guessed from the file name). A later
``python -m ml report`` reads the row back, so the report names its data even when the input
path is gone. The table is created here (it is written only by this module).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from ml.runtime.warehouse import session

TABLE = "ml.data_source"
USER_FILE = "user_file"
SYNTHETIC = "synthetic"
_CHUNK_BYTES = 1 << 20

CREATE_TABLE = f"""
create schema if not exists ml;
create table if not exists {TABLE} (
    kind varchar not null,
    path varchar not null,
    rows bigint,
    sha256 varchar not null,
    seed bigint,
    recorded_at timestamp not null
)
"""


@dataclass(frozen=True)
class SyntheticOrigin:
    """The pipeline generated the input: the default dataset's seed and requested rows."""

    seed: int
    rows: int


@dataclass(frozen=True)
class DataSource:
    kind: str  # USER_FILE or SYNTHETIC
    path: str
    rows: int | None  # rows dbt read from the file (marts.row_fate)
    sha256: str
    seed: int | None = None  # SYNTHETIC only
    recorded_at: datetime | None = None

    @property
    def synthetic(self) -> bool:
        return self.kind == SYNTHETIC

    def describe(self) -> str:
        """One sentence for the report banner and the console."""
        rows = "unknown" if self.rows is None else f"{self.rows:,}"
        if self.synthetic:
            return (
                f"synthetic default data (seed {self.seed}, {rows} rows): figures illustrate the "
                "method, not the market"
            )
        return f"your file {self.path} ({rows} rows, sha256 {self.sha256})"


NOT_RECORDED = (
    "data source not recorded: this warehouse was not built by `python -m ml build` or "
    "`make run`, so the report cannot say which file it describes"
)


def file_sha256(path: Path) -> str:
    """sha256 of the file's bytes, read in 1 MiB chunks (constant memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def data_source_of(path: Path, rows: int | None, synthetic: SyntheticOrigin | None) -> DataSource:
    """The source of a build from `path`: synthetic when the pipeline generated it."""
    return DataSource(
        kind=SYNTHETIC if synthetic is not None else USER_FILE,
        path=str(path),
        rows=rows,
        sha256=file_sha256(path),
        seed=None if synthetic is None else synthetic.seed,
        recorded_at=datetime.now(timezone.utc).replace(tzinfo=None),
    )


def record_data_source(warehouse_path: Path, source: DataSource) -> None:
    """Replace the one row of ml.data_source (in one transaction)."""
    with session(warehouse_path) as connection:
        connection.execute(CREATE_TABLE)
        connection.execute("begin transaction")
        connection.execute(f"delete from {TABLE}")
        connection.execute(
            f"insert into {TABLE} values (?, ?, ?, ?, ?, ?)",
            [
                source.kind,
                source.path,
                source.rows,
                source.sha256,
                source.seed,
                source.recorded_at,
            ],
        )
        connection.execute("commit")


def load_data_source(connection: duckdb.DuckDBPyConnection) -> DataSource | None:
    """The recorded source, None when the warehouse has none (built outside the pipeline)."""
    try:
        row = connection.execute(
            f"select kind, path, rows, sha256, seed, recorded_at from {TABLE} "
            "order by recorded_at desc limit 1"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    if row is None:
        return None
    kind, path, rows, sha256, seed, recorded_at = row
    return DataSource(
        kind=kind,
        path=path,
        rows=None if rows is None else int(rows),
        sha256=sha256,
        seed=None if seed is None else int(seed),
        recorded_at=recorded_at,
    )
