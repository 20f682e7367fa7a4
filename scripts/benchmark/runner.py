"""`scripts/bench.py` / `make bench`: the SQL layer on DuckDB against a pandas peer, then ML.

    python scripts/bench.py [--rows 1000000] [--seed 42] [--repeat 1] [--skip-ml] [--keep]
                             [--make-run] [--real-size]

1. Generates N rows with the project's generator (or reuses --input), into a work directory.
2. Runs each contender in its own subprocess, fresh warehouse each time, and measures wall time,
   CPU time (user + sys) and peak RSS (os.wait4 of that child: the largest resident set of its
   process tree):
     dbt_build   `dbt build --exclude source:ml+`: the SQL layer WITH its data and unit tests
                 (what `make run` runs)
     dbt_run     `dbt run --exclude source:ml+`: the same models, no tests
     pandas      `python -m benchmark.pandas_peer`: the same layer in vectorised pandas
   dbt's parse cache is warmed first (`dbt parse`, timed separately), as in any repeated run.
3. Checks that the peer agrees with the marts (row counts per fate, tracks, modelling rows,
   imputation medians, KPIs of every KPI mart): the comparison is apples to apples.
4. Unless --skip-ml: `python -m ml train` on the warehouse (TrainingConfig; ML_* env vars apply)
   and `python -m ml score` on a file of new tracks (seed + 1, Stream column empty), by default
   min(N, 1,000,000) rows (--score-rows).
5. --make-run: the whole job (`python -m ml run`) on the N rows; --real-size: the whole job on the
   default data after set-up; per-step times from its execution_summary.json and dbt's per-node
   timings of the post-model pass (scripts/benchmark/job.py).
6. Prints a table (the contenders, the ML and job steps, issue 15's targets) and writes
   REPORTS_DIR/benchmark.json.

The machine is shared: the load average is recorded before and after every run; use --repeat 3
(medians) for numbers you quote.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from benchmark.agreement import compare, warehouse_summary
from benchmark.job import time_job
from benchmark.measuring import (
    dbt_timing,
    duckdb_settings,
    machine_info,
    machine_probe,
    measure,
    summarise,
    versions,
)
from benchmark.table import PEER, format_table, ratios
from ml.config import DBT_PROJECT_DIR, PROFILES_DIR, REPO_ROOT, load_settings
from ml.pipeline import JOB_BUILD_FLAGS, POST_MODEL_SELECTOR

__all__ = ["compare", "main", "new_tracks_file", "warehouse_summary"]

SCRIPTS_DIR = (
    Path(__file__).resolve().parents[1]
)  # scripts/: the peer runs as `-m benchmark.pandas_peer`

DEFAULT_ROWS = 1_000_000
DEFAULT_SCORE_ROWS = 1_000_000
FIXED_COST_ROWS = 1_000


# --- inputs --------------------------------------------------------------------------------


def generate(rows: int, seed: int, out: Path, log_dir: Path, env: dict[str, str]) -> dict:
    command = [
        sys.executable,
        str(REPO_ROOT / "scripts" / "generate_data.py"),
        *("--rows", str(rows), "--seed", str(seed), "--out", str(out), "--quiet"),
    ]
    run = measure(command, env=env, cwd=REPO_ROOT, log_path=log_dir / f"generate_{seed}.log")
    if run["exit_code"] != 0:
        raise SystemExit(f"data generation failed, see {run['log']}")
    return run


def new_tracks_file(source: Path, out: Path) -> None:
    """The generated file with its Stream column emptied: tracks to score (layout unchanged)."""
    body = out.with_name(out.name + ".body")
    source_sql = str(source).replace("'", "''")
    body_sql = str(body).replace("'", "''")
    with duckdb.connect() as connection:
        connection.execute("set enable_progress_bar = false")
        relation = connection.sql(
            f"select * from read_csv('{source_sql}', header = true, all_varchar = true, "
            "delim = ',', quote = '\"', escape = '\"')"
        )
        columns = relation.columns
        select = ", ".join(
            "cast(null as varchar)" if name == "Stream" else f'"{name}"' for name in columns
        )
        connection.execute(
            f"copy (select {select} from relation) to '{body_sql}' "
            "(header false, delimiter ',', quote '\"', escape '\"')"
        )
    header = ",".join("" if name == "column00" else name for name in columns)
    with out.open("wb") as target, body.open("rb") as rows:
        target.write((header + "\n").encode("utf-8"))
        shutil.copyfileobj(rows, target, 1 << 20)
    body.unlink()


# --- the benchmark -------------------------------------------------------------------------


def dbt_command(*args: str) -> list[str]:
    dbt = Path(sys.executable).parent / "dbt"
    return [
        str(dbt) if dbt.exists() else "dbt",
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(PROFILES_DIR),
    ]


def fresh(warehouse: Path) -> None:
    for path in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        path.unlink(missing_ok=True)


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="mpi-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    warehouse = work / "warehouse.duckdb"
    env = dict(os.environ)
    env.update(
        {
            "WAREHOUSE_PATH": str(warehouse),
            "MODELS_DIR": str(work / "models"),
            "REPORTS_DIR": str(work / "reports"),
            "DBT_TARGET_PATH": str(work / "dbt_target"),
            "DBT_LOG_PATH": str(work / "dbt_logs"),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "SEED": str(args.seed),
        }
    )
    result: dict[str, Any] = {
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "rows": args.rows,
        "seed": args.seed,
        "repeat": args.repeat,
        "work_dir": str(work),
        "machine": machine_info(),
        "machine_probe": {"before": machine_probe()},
        "versions": versions(),
        "duckdb_settings": duckdb_settings(),
        "notes": [
            "wall/cpu/rss of each contender: one subprocess each (os.wait4: its process tree); "
            "medians over --repeat runs; load averages (1, 5, 15 min) before/after each run",
            "dbt_build = the SQL layer with its data tests, exactly what `make run` builds (dbt "
            "unit tests have static inputs and run in the test suite); "
            "dbt_run = the models only; both on a fresh warehouse, dbt's parse cache warm",
            "pandas = scripts/benchmark/pandas_peer.py, a benchmark-only re-implementation; "
            "it keeps its "
            "tables in memory and writes only a small JSON, while DuckDB persists every table",
            f"dbt_fixed_cost = dbt run / dbt build on {FIXED_COST_ROWS:,} rows: dbt's start-up "
            "and per-node cost, paid at any N",
            "dbt_model_seconds / dbt_test_seconds = summed execution_time of the model / test "
            "nodes in dbt's run_results.json (the SQL work as dbt times it); "
            "pandas_over_dbt_run_model_sql_wall compares the peer with that SQL work alone",
            "machine_probe = two fixed workloads timed before and after the contenders "
            "(measuring.machine_probe): absolute seconds of two benchmark files compare only "
            "when their probes agree",
        ],
    }

    # 1. input
    if args.input:
        raw = Path(args.input).resolve()
        result["input"] = {"path": str(raw), "generated": False}
    else:
        raw = work / f"bench_n{args.rows}_seed{args.seed}.csv"
        print(f"[bench] generating {args.rows:,} rows (seed {args.seed}) -> {raw}", file=sys.stderr)
        run = generate(args.rows, args.seed, raw, logs, env)
        result["input"] = {"path": str(raw), "generated": True, "generate": run}
    result["input"]["bytes"] = raw.stat().st_size
    env["RAW_DATA_PATH"] = str(raw)

    # 2. contenders
    parse = measure(dbt_command("parse"), env=env, cwd=DBT_PROJECT_DIR, log_path=logs / "parse.log")
    result["dbt_parse"] = parse
    peer_json = work / "pandas_peer.json"
    commands = {
        "dbt_build": dbt_command("build", "--exclude", POST_MODEL_SELECTOR, *JOB_BUILD_FLAGS),
        "dbt_run": dbt_command("run", "--exclude", POST_MODEL_SELECTOR),
        PEER: [
            sys.executable,
            "-m",
            "benchmark.pandas_peer",
            *("--input", str(raw), "--output", str(peer_json)),
        ],
    }
    contenders = [name for name in commands if name not in args.skip]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    limit = int(args.pandas_memory_limit_gb * 1024**3) if args.pandas_memory_limit_gb else None
    for number in range(1, args.repeat + 1):
        # dbt_build runs last, so that the warehouse left behind is a full build (for ML)
        for name in sorted(contenders, key=lambda n: n == "dbt_build"):
            if name != PEER:
                fresh(warehouse)
            print(f"[bench] run {number}/{args.repeat}: {name}", file=sys.stderr, flush=True)
            run = measure(
                commands[name],
                env=env,
                cwd=SCRIPTS_DIR if name == PEER else DBT_PROJECT_DIR,
                log_path=logs / f"{name}_{number}.log",
                memory_limit_bytes=limit if name == PEER else None,
            )
            if name != PEER and run["exit_code"] == 0:
                run["dbt_timing"] = dbt_timing(Path(env["DBT_TARGET_PATH"]) / "run_results.json")
            runs[name].append(run)
            state = "ok" if run["exit_code"] == 0 else f"FAILED (exit {run['exit_code']})"
            print(
                f"[bench]   {name}: {run['wall_seconds']:.1f} s wall, {run['cpu_seconds']:.1f} s "
                f"cpu, {run['max_rss_mb']:,.0f} MB peak RSS, {state}",
                file=sys.stderr,
                flush=True,
            )
    result["contenders"] = {name: summarise(runs[name], args.rows) for name in contenders}
    result["ratios"] = ratios(result["contenders"])
    if not args.skip_fixed_cost:
        result["dbt_fixed_cost"] = dbt_fixed_cost(args, work, env, logs)

    # 3. agreement
    if PEER in contenders and "dbt_build" in contenders:
        if result["contenders"][PEER]["ok"] and result["contenders"]["dbt_build"]["ok"]:
            peer = json.loads(peer_json.read_text(encoding="utf-8"))
            result["pandas_stages_seconds"] = peer.get("stages_seconds")
            result["pandas_csv_engine"] = peer.get("csv_engine")
            result["agreement"] = compare(peer, warehouse_summary(warehouse))
        else:
            result["agreement"] = {"ok": False, "mismatches": ["a contender failed"]}

    # 4. ML
    if not args.skip_ml and result["contenders"].get("dbt_build", {}).get("ok"):
        result["ml"] = run_ml(args, work, raw, env, logs)

    # 5. the whole job: on these N rows, and at real size (the default data, after set-up)
    if args.make_run:
        result["job"] = time_job(
            "job", raw=raw, work=work, base_env=env, logs=logs, repeat=args.repeat, warm_up=False
        )
    if args.real_size:
        result["real_size"] = time_job(
            "real_size", raw=None, work=work, base_env=env, logs=logs, repeat=args.repeat,
            warm_up=True,
        )  # fmt: skip

    result["machine_probe"]["after"] = machine_probe()

    if not args.keep:
        for path in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
            path.unlink(missing_ok=True)
        if not args.input:
            raw.unlink(missing_ok=True)
        for path in work.glob("score_*.csv"):
            path.unlink()
        shutil.rmtree(work / "models", ignore_errors=True)
        for label in ("job", "real_size"):
            shutil.rmtree(work / label, ignore_errors=True)
    return result


def dbt_fixed_cost(
    args: argparse.Namespace, work: Path, env: dict[str, str], logs: Path
) -> dict[str, Any]:
    """dbt run / dbt build on FIXED_COST_ROWS generated rows: dbt's own start-up and per-node
    cost, which does not grow with N (own warehouse and parse cache, so the main runs' partial
    parse stays warm)."""
    folder = work / "fixed_cost"
    folder.mkdir(exist_ok=True)
    raw = folder / f"fixed_n{FIXED_COST_ROWS}.csv"
    local = dict(env)
    local.update(
        {
            "RAW_DATA_PATH": str(raw),
            "WAREHOUSE_PATH": str(folder / "warehouse.duckdb"),
            "DBT_TARGET_PATH": str(folder / "dbt_target"),
            "DBT_LOG_PATH": str(folder / "dbt_logs"),
        }
    )
    generate(FIXED_COST_ROWS, args.seed, raw, logs, local)
    measure(dbt_command("parse"), env=local, cwd=DBT_PROJECT_DIR, log_path=logs / "fixed_parse.log")
    out: dict[str, Any] = {"rows": FIXED_COST_ROWS}
    for name, command in (
        ("dbt_run", dbt_command("run", "--exclude", POST_MODEL_SELECTOR)),
        ("dbt_build", dbt_command("build", "--exclude", POST_MODEL_SELECTOR, *JOB_BUILD_FLAGS)),
    ):
        fresh(folder / "warehouse.duckdb")
        out[name] = measure(
            command, env=local, cwd=DBT_PROJECT_DIR, log_path=logs / f"fixed_{name}.log"
        )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def run_ml(
    args: argparse.Namespace, work: Path, raw: Path, env: dict[str, str], logs: Path
) -> dict[str, Any]:
    ml: dict[str, Any] = {
        "training_config_env": {k: v for k, v in env.items() if k.startswith("ML_")},
    }
    print("[bench] python -m ml train", file=sys.stderr, flush=True)
    train = measure(
        [sys.executable, "-m", "ml", "train"], env=env, cwd=REPO_ROOT, log_path=logs / "train.log"
    )
    ml["train"] = train
    if train["exit_code"] != 0:
        return ml
    with duckdb.connect(env["WAREHOUSE_PATH"], read_only=True) as connection:
        ml["modelling_rows"] = connection.execute(
            "select count(*) from marts.model_features"
        ).fetchone()[0]
        ml["predictions"] = connection.execute("select count(*) from ml.predictions").fetchone()[0]
        ml["n_train"] = dict(
            connection.execute(
                "select model_name, n_train from ml.runs where run_id = "
                "(select max(run_id) from ml.runs)"
            ).fetchall()
        )
    score_rows = min(args.rows, args.score_rows)
    source = work / f"score_source_n{score_rows}.csv"
    new_tracks = work / f"score_input_n{score_rows}.csv"
    print(f"[bench] {score_rows:,} new tracks to score (seed {args.seed + 1})", file=sys.stderr)
    generate(score_rows, args.seed + 1, source, logs, env)
    new_tracks_file(source, new_tracks)
    source.unlink()
    output = work / "score_output.csv"
    print("[bench] python -m ml score", file=sys.stderr, flush=True)
    score = measure(
        [
            sys.executable,
            "-m",
            "ml",
            "score",
            *("--input", str(new_tracks), "--output", str(output)),
        ],
        env=env,
        cwd=REPO_ROOT,
        log_path=logs / "score.log",
    )
    score["rows"] = score_rows
    if score["exit_code"] == 0 and score["wall_seconds"] > 0:
        score["rows_per_second"] = round(score_rows / score["wall_seconds"])
    ml["score"] = score
    new_tracks.unlink(missing_ok=True)
    if not args.keep:
        output.unlink(missing_ok=True)
    return ml


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows (%(default)s)")
    parser.add_argument("--seed", type=int, default=42, help="generator seed (%(default)s)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per contender (median)")
    parser.add_argument("--skip-ml", action="store_true", help="no training or scoring")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["dbt_build", "dbt_run", PEER],
        help="leave out a contender (repeatable)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the data and warehouse")
    parser.add_argument(
        "--skip-fixed-cost", action="store_true",
        help=f"do not time dbt run/build on {FIXED_COST_ROWS:,} rows (dbt's fixed cost)",
    )  # fmt: skip
    parser.add_argument(
        "--make-run", action="store_true",
        help="also time the whole job (`python -m ml run`) on the N rows, per step",
    )  # fmt: skip
    parser.add_argument(
        "--real-size", action="store_true",
        help="also time the whole job on the default data after set-up (per step)",
    )  # fmt: skip
    parser.add_argument("--input", type=Path, help="use this CSV instead of generating one")
    parser.add_argument("--work-dir", type=Path, help="default: a new temporary directory")
    parser.add_argument(
        "--score-rows", type=int, default=DEFAULT_SCORE_ROWS,
        help="new tracks to score: min(rows, this) (%(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--pandas-memory-limit-gb", type=float, default=16.0,
        help="address-space cap of the pandas peer, so a too-large N fails instead of "
        "swapping a shared machine; 0 = none (%(default)s)",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, help="default: REPORTS_DIR/benchmark.json")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.rows < 100:
        raise SystemExit("--rows must be >= 100")
    result = run_benchmark(args)
    output = args.output or load_settings().reports_dir / "benchmark.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(format_table(result))
    print(f"written {output}")
    failed = [name for name, item in result.get("contenders", {}).items() if not item.get("ok")]
    if failed or not result.get("agreement", {"ok": True})["ok"]:
        return 1
    ml = result.get("ml", {})
    if any(ml.get(step, {}).get("exit_code", 0) != 0 for step in ("train", "score")):
        return 1
    if any(not result[key]["ok"] for key in ("job", "real_size") if key in result):
        return 1
    return 0
