"""`python -m ml runs`: the training runs recorded in ml.runs / ml.metrics, and how two differ."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ml.modeling.specs import (
    METRIC_R2,
    METRIC_ROC_AUC,
    MODEL_NAMES,
    MODEL_SPECS,
    SPLIT_TEST,
    SPLITS,
    VARIANT_MODEL,
    VARIANTS,
)
from ml.runtime.errors import PipelineError
from ml.runtime.warehouse import session

FINGERPRINT_CHARS = 12
RUNS_SQL = """
select
    run_id,
    min(created_at) as created_at,
    any_value(data_fingerprint) as data_fingerprint,
    any_value(code_version) as code_version,
    string_agg(distinct status, ',') as status,
    count(*) as models
from ml.runs
group by run_id
order by created_at, run_id
"""
COMPARE_SQL = """
with a as (select * from ml.metrics where run_id = $a),
b as (select * from ml.metrics where run_id = $b)
select
    coalesce(a.model_name, b.model_name) as model_name,
    coalesce(a.variant, b.variant) as variant,
    coalesce(a.split, b.split) as split,
    coalesce(a.metric, b.metric) as metric,
    a.value as a_value,
    b.value as b_value,
    b.value - a.value as difference
from a
full outer join b using (model_name, variant, split, metric)
"""


# Comparison rows in the vocabulary's order (ml/modeling/specs.py): the model variant first.
ORDER: dict[str, tuple[str, ...]] = {
    "model_name": MODEL_NAMES,
    "variant": VARIANTS,
    "split": SPLITS,
}


def _rank(column: pd.Series) -> pd.Series:
    vocabulary = ORDER.get(str(column.name))
    if vocabulary is None:
        return column
    return column.map(lambda value: vocabulary.index(value) if value in vocabulary else 99)


def headline_metrics() -> dict[str, str]:
    """{model: metric} shown per run: test R2 of the regressors, test ROC-AUC of the classifier."""
    return {
        spec.name: METRIC_ROC_AUC if spec.task == "classification" else METRIC_R2
        for spec in MODEL_SPECS
    }


def _query(warehouse_path: Path, sql: str, **params: str) -> pd.DataFrame:
    with session(warehouse_path, read_only=True) as connection:
        try:
            return connection.execute(sql, params or None).df()
        except duckdb.CatalogException as error:
            raise PipelineError(
                f"the run history (ml.runs, ml.metrics) is missing from {warehouse_path}",
                hint="run `make run` (or `python -m ml build` then `python -m ml train`) first",
            ) from error


def list_runs(warehouse_path: Path) -> pd.DataFrame:
    """One row per training run, oldest first, with its headline held-out metrics."""
    runs = _query(warehouse_path, RUNS_SQL)
    metrics = _query(
        warehouse_path,
        "select run_id, model_name, metric, value from ml.metrics "
        "where variant = $variant and split = $split",
        variant=VARIANT_MODEL,
        split=SPLIT_TEST,
    )
    runs["data_fingerprint"] = runs["data_fingerprint"].str.slice(0, FINGERPRINT_CHARS)
    for model, metric in headline_metrics().items():
        chosen = metrics[(metrics["model_name"] == model) & (metrics["metric"] == metric)]
        values = chosen.set_index("run_id")["value"]
        runs[f"{model}_test_{metric}"] = runs["run_id"].map(values).round(4)
    return runs


def resolve_run_id(warehouse_path: Path, prefix: str) -> str:
    """The one run id that starts with `prefix` ('latest' and 'previous' work too)."""
    run_ids = list(_query(warehouse_path, RUNS_SQL)["run_id"])
    if prefix in {"latest", "previous"} and len(run_ids) >= (1 if prefix == "latest" else 2):
        return run_ids[-1] if prefix == "latest" else run_ids[-2]
    matches = [run_id for run_id in run_ids if run_id.startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    problem = "matches no run" if not matches else f"matches {len(matches)} runs"
    raise PipelineError(
        f"run id {prefix!r} {problem} in {warehouse_path}",
        hint="`python -m ml runs` lists the run ids (a unique prefix is enough)",
    )


def compare_runs(warehouse_path: Path, first: str, second: str) -> pd.DataFrame:
    """Every (model, variant, split, metric) of two runs, side by side, with B - A."""
    a = resolve_run_id(warehouse_path, first)
    b = resolve_run_id(warehouse_path, second)
    frame = _query(warehouse_path, COMPARE_SQL, a=a, b=b)
    frame = frame.sort_values([*ORDER, "metric"], key=_rank, kind="stable")
    return frame.reset_index(drop=True).rename(
        columns={"a_value": a, "b_value": b, "difference": "b_minus_a"}
    )
