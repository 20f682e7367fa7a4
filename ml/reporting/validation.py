"""JSON schemas of the report files (ml/reporting/schemas/*.schema.json) and their validator.

    executive_report   reports/executive_report.json  (ml/reporting/render.py)
    execution_summary  reports/execution_summary.json (ml/runtime/run_log.py RunLog.write_summary)
    error_log          reports/error_log.json         (ml/runtime/run_log.py RunLog.write_error)

Validation uses `jsonschema` (JSON Schema draft 2020-12), already installed as a dependency of
dbt-core and declared in pyproject.toml.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMAS = {
    "executive_report": "executive_report.schema.json",
    "execution_summary": "execution_summary.schema.json",
    "error_log": "error_log.schema.json",
}
FILES = {
    "executive_report.json": "executive_report",
    "execution_summary.json": "execution_summary",
    "execution_summary.failed.json": "execution_summary",  # a failed run's (ml/runtime/run_log.py)
    "error_log.json": "error_log",
}


class SchemaError(ValueError):
    """A payload does not match its schema; the message names the JSON path."""


@cache
def load_schema(name: str) -> dict[str, Any]:
    if name not in SCHEMAS:
        raise KeyError(f"unknown schema {name!r}; known: {', '.join(SCHEMAS)}")
    return json.loads((SCHEMA_DIR / SCHEMAS[name]).read_text(encoding="utf-8"))


def errors(payload: Any, name: str) -> list[str]:
    """Every violation as 'path: message' (empty when the payload is valid)."""
    schema = load_schema(name)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    found = sorted(validator.iter_errors(payload), key=lambda error: list(error.absolute_path))
    return [f"{error.json_path}: {error.message}" for error in found]


def validate(payload: Any, name: str) -> None:
    """Raise SchemaError naming the first few violations."""
    problems = errors(payload, name)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise SchemaError("; ".join(problems[:5]) + more)


def validate_file(path: Path, name: str | None = None) -> dict[str, Any]:
    """Parse a report file and validate it (schema chosen by file name unless given)."""
    name = name or FILES.get(path.name)
    if name is None:
        raise KeyError(f"no schema for {path.name}; pass name=")
    payload = json.loads(path.read_text(encoding="utf-8"))
    validate(payload, name)
    return payload
