"""Print a result (a query's, the run history's) as a table, CSV or JSON, at most `limit` rows."""

from __future__ import annotations

import sys
from typing import TextIO

import duckdb
import pandas as pd

FORMATS = ("table", "csv", "json")
DEFAULT_FORMAT = "table"
DEFAULT_LIMIT = 50
MAX_COLWIDTH = 60


def fetch(relation: duckdb.DuckDBPyRelation, limit: int) -> tuple[pd.DataFrame, int]:
    """The first `limit` rows (all when limit <= 0) and the relation's total row count."""
    if limit <= 0:
        frame = relation.df()
        return frame, len(frame)
    frame = relation.limit(limit).df()
    if len(frame) < limit:
        return frame, len(frame)
    rows = relation.aggregate("count(*)").fetchall()
    return frame, int(rows[0][0]) if rows else len(frame)


def emit(
    frame: pd.DataFrame, fmt: str, *, total: int | None = None, out: TextIO | None = None
) -> None:
    """Write the frame; when rows were left out, say how many ("N more rows") after a table, or
    on stderr for csv/json so that their output stays machine-readable."""
    out = sys.stdout if out is None else out
    if fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "json":
        out.write(
            frame.to_json(orient="records", date_format="iso", indent=2, double_precision=15) + "\n"
        )
    elif frame.empty:
        out.write(f"(no rows; columns: {', '.join(map(str, frame.columns))})\n")
    else:
        out.write(frame.to_string(index=False, max_colwidth=MAX_COLWIDTH) + "\n")
    more = 0 if total is None else total - len(frame)
    if more > 0:
        note = f"... {more} more rows ({total} in all; --limit 0 prints every row)\n"
        (out if fmt == "table" else sys.stderr).write(note)
    out.flush()  # a closed pipe shows up here, inside the command (see ml/__main__.py)
