"""`scripts/bench.py` / `make bench`: the SQL layer on DuckDB against a pandas peer, then ML.

    python scripts/bench.py [--rows 1000000] [--seed 42] [--repeat 1] [--skip-ml] [--keep]

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
5. Prints a table and writes REPORTS_DIR/benchmark.json.

The machine is shared: the load average is recorded before and after every run; use --repeat 3
(medians) for numbers you quote.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

from ml.config import DBT_PROJECT_DIR, PROFILES_DIR, REPO_ROOT, load_settings
from ml.pipeline import JOB_BUILD_FLAGS, POST_MODEL_SELECTOR

SCRIPTS_DIR = (
    Path(__file__).resolve().parents[1]
)  # scripts/: the peer runs as `-m benchmark.pandas_peer`

DEFAULT_ROWS = 1_000_000
DEFAULT_SCORE_ROWS = 1_000_000
SQL_CONTENDERS = ("dbt_build", "dbt_run")
PEER = "pandas"
FLOAT_TOLERANCE = 1e-6  # relative; the peer sums in another order than DuckDB
FIXED_COST_ROWS = 1_000


# --- measuring a subprocess ----------------------------------------------------------------


def measure(
    command: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    memory_limit_bytes: int | None = None,
) -> dict[str, Any]:
    """Run `command`, return wall / cpu seconds, peak RSS (MB) of its process tree, exit code."""
    load_before = os.getloadavg()
    started = time.perf_counter()

    def limit() -> None:  # in the child: fail with MemoryError instead of swapping the host
        if memory_limit_bytes:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))

    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=limit if memory_limit_bytes else None,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return {
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        "exit_code": process.returncode,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "log": str(log_path),
    }


def dbt_timing(run_results: Path, top: int = 5) -> dict[str, Any]:
    """Where a dbt invocation's time went, from its run_results.json: dbt's own elapsed time,
    the summed execution time of the models (the SQL work: DuckDB executing each model's
    statement, as dbt times it) and of the tests, and the slowest models."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    by_type: dict[str, float] = {}
    models: list[tuple[str, float]] = []
    for node in results.get("results", []):
        kind = node["unique_id"].split(".", 1)[0]
        seconds = float(node.get("execution_time") or 0.0)
        by_type[kind] = by_type.get(kind, 0.0) + seconds
        if kind == "model":
            models.append((node["unique_id"].rsplit(".", 1)[-1], seconds))
    models.sort(key=lambda item: -item[1])
    return {
        "elapsed_seconds": round(float(results.get("elapsed_time") or 0.0), 3),
        "model_seconds": round(by_type.get("model", 0.0), 3),
        "test_seconds": round(by_type.get("test", 0.0) + by_type.get("unit_test", 0.0), 3),
        "slowest_models": {name: round(seconds, 3) for name, seconds in models[:top]},
    }


def summarise(runs: list[dict[str, Any]], rows: int) -> dict[str, Any]:
    ok = [run for run in runs if run["exit_code"] == 0]
    if not ok:
        return {"ok": False, "runs": runs}
    wall = statistics.median(run["wall_seconds"] for run in ok)
    return {
        "ok": True,
        "runs": runs,
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(statistics.median(run["cpu_seconds"] for run in ok), 3),
        "max_rss_mb": round(statistics.median(run["max_rss_mb"] for run in ok), 1),
        "rows_per_second": round(rows / wall) if wall > 0 else None,
        **_median_timing(ok),
    }


def _median_timing(runs: list[dict[str, Any]]) -> dict[str, Any]:
    timings = [run["dbt_timing"] for run in runs if run.get("dbt_timing")]
    if not timings:
        return {}
    return {
        "dbt_model_seconds": round(statistics.median(t["model_seconds"] for t in timings), 3),
        "dbt_test_seconds": round(statistics.median(t["test_seconds"] for t in timings), 3),
    }


# --- environment ---------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    info["memory_gb"] = round(int(line.split()[1]) / 1024**2, 1)
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for package in ("duckdb", "dbt-core", "dbt-duckdb", "pandas", "numpy", "scikit-learn"):
        out[package] = metadata.version(package)
    try:
        out["pyarrow"] = metadata.version("pyarrow")
    except metadata.PackageNotFoundError:
        out["pyarrow"] = None  # the peer then reads with pandas' C engine
    return out


def duckdb_settings() -> dict[str, Any]:
    """threads and settings of the dbt profile (profiles.yml), for the record."""
    text = (PROFILES_DIR / "profiles.yml").read_text(encoding="utf-8")
    settings: dict[str, Any] = {}
    section = None
    for line in text.splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if stripped.strip().startswith("threads:"):
            settings["dbt_threads"] = int(stripped.split(":", 1)[1])
        elif stripped.strip() == "settings:":
            section = len(stripped) - len(stripped.lstrip())
        elif section is not None and stripped.strip():
            if len(stripped) - len(stripped.lstrip()) <= section:
                section = None
            else:
                key, _, value = stripped.strip().partition(":")
                settings[key] = value.strip().strip("'\"")
    return settings


# --- the agreement check -------------------------------------------------------------------


def warehouse_summary(warehouse: Path) -> dict[str, Any]:
    """The marts' figures, shaped like pandas_peer.summary()."""
    common = "tracks, tracks_with_streams, median_streams, hit_tracks, hit_rate"
    with duckdb.connect(str(warehouse), read_only=True) as connection:

        def records(sql: str) -> list[dict[str, Any]]:
            result = connection.execute(sql)
            names = [column[0] for column in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

        def one(sql: str) -> dict[str, Any]:
            return records(sql)[0]

        medians = one("select * exclude (distinct_tracks) from intermediate.int_audio_medians")
        artists = one(
            "select count(*) as rows, sum(tracks) as sum_tracks, sum(lead_tracks) as "
            "sum_lead_tracks, sum(hit_tracks) as sum_hit_tracks from marts.kpi_by_artist"
        )
        artists["top"] = records(
            "select artist, tracks, total_streams, stream_rank from marts.kpi_by_artist "
            "order by stream_rank, artist limit 5"
        )
        return {
            "row_fate": dict(
                connection.execute(
                    "select fate, count(*) from marts.row_fate group by fate"
                ).fetchall()
            ),
            "tracks": connection.execute("select count(*) from marts.tracks").fetchone()[0],
            "model_features": connection.execute(
                "select count(*) from marts.model_features"
            ).fetchone()[0],
            "medians": {k.removeprefix("median_"): v for k, v in medians.items()},
            "kpi_summary": one("select * from marts.kpi_summary"),
            "kpi_by_album_type": records(
                f"select album_type, {common}, weighted_engagement_rate "
                "from marts.kpi_by_album_type order by album_type"
            ),
            "kpi_tempo_bands": records(
                f"select tempo_band, {common}, pearson_log_streams_log_views "
                "from marts.kpi_tempo_bands order by tempo_band"
            ),
            "kpi_audio_segments": records(
                f"select segment, {common} from marts.kpi_audio_segments"
            ),
            "official_video_impact": records(
                "select video_group, tracks, tracks_with_streams, median_streams, hit_rate, "
                "mean_stream_lift from marts.official_video_impact"
            ),
            "kpi_by_artist": artists,
        }


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return (a is None or (isinstance(a, float) and math.isnan(a))) and (
            b is None or (isinstance(b, float) and math.isnan(b))
        )
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=FLOAT_TOLERANCE, abs_tol=1e-9)
    return a == b


def _compare_value(name: str, peer: Any, sql: Any, problems: list[str]) -> int:
    """Recursive comparison; returns the number of values compared, appends mismatches."""
    if isinstance(peer, dict):
        if not isinstance(sql, dict):
            problems.append(f"{name}: peer has a mapping, marts have {sql!r}")
            return 1
        count = 0
        for key, value in peer.items():
            if key not in sql:
                if name in ("row_fate",) and not value:
                    continue
                problems.append(f"{name}.{key}: missing from the marts")
                continue
            count += _compare_value(f"{name}.{key}", value, sql[key], problems)
        if name == "row_fate":
            extra = {k: v for k, v in sql.items() if k not in peer and v}
            if extra:
                problems.append(f"row_fate: marts have fates the peer lacks: {extra}")
        return count
    if isinstance(peer, list):
        if not isinstance(sql, list) or len(peer) != len(sql):
            size = len(sql) if isinstance(sql, list) else sql
            problems.append(f"{name}: {len(peer)} rows (peer) vs {size} (marts)")
            return 1
        return sum(
            _compare_value(f"{name}[{i}]", p, s, problems)
            for i, (p, s) in enumerate(zip(peer, sql, strict=True))
        )
    if not _same(peer, sql):
        problems.append(f"{name}: peer {peer!r} != marts {sql!r}")
    return 1


def compare(peer: dict[str, Any], sql: dict[str, Any]) -> dict[str, Any]:
    """Every figure of the peer's summary against the marts (ints exact, floats rel 1e-6)."""
    problems: list[str] = []
    compared = 0
    for key in (
        "row_fate",
        "tracks",
        "model_features",
        "medians",
        "kpi_summary",
        "kpi_by_album_type",
        "kpi_tempo_bands",
        "kpi_audio_segments",
        "official_video_impact",
        "kpi_by_artist",
    ):
        compared += _compare_value(key, peer.get(key), sql.get(key), problems)
    return {"ok": not problems, "values_compared": compared, "mismatches": problems[:50]}


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

    if not args.keep:
        for path in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
            path.unlink(missing_ok=True)
        if not args.input:
            raw.unlink(missing_ok=True)
        for path in work.glob("score_*.csv"):
            path.unlink()
        shutil.rmtree(work / "models", ignore_errors=True)
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


def ratios(contenders: dict[str, Any]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    peer = contenders.get(PEER, {})
    for name in SQL_CONTENDERS:
        sql = contenders.get(name, {})
        for metric in ("wall_seconds", "cpu_seconds", "max_rss_mb"):
            if peer.get("ok") and sql.get("ok") and sql[metric]:
                out[f"pandas_over_{name}_{metric.removesuffix('_seconds')}"] = round(
                    peer[metric] / sql[metric], 2
                )
    models = contenders.get("dbt_run", {})
    if peer.get("ok") and models.get("ok") and models.get("dbt_model_seconds"):
        # the SQL work alone: DuckDB executing the models, without dbt's start-up and per-node cost
        out["pandas_over_dbt_run_model_sql_wall"] = round(
            peer["wall_seconds"] / models["dbt_model_seconds"], 2
        )
    return out


def format_table(result: dict[str, Any]) -> str:
    rows = result["rows"]
    lines = [
        f"SQL layer benchmark: {rows:,} rows, {result['machine'].get('cores')} cores, "
        f"load {result['machine']['load_average']}",
        f"{'contender':<12}{'wall s':>9}{'cpu s':>9}{'peak RSS MB':>13}{'rows/s':>12}",
    ]
    for name, item in result.get("contenders", {}).items():
        if not item.get("ok"):
            lines.append(f"{name:<12}{'failed':>9}")
            continue
        lines.append(
            f"{name:<12}{item['wall_seconds']:>9.1f}{item['cpu_seconds']:>9.1f}"
            f"{item['max_rss_mb']:>13,.0f}{item['rows_per_second']:>12,}"
        )
    for name, item in result.get("contenders", {}).items():
        if item.get("dbt_model_seconds") is not None:
            lines.append(
                f"  {name}: models' SQL {item['dbt_model_seconds']:.1f} s, tests "
                f"{item['dbt_test_seconds']:.1f} s (dbt's per-node timings; the rest is dbt)"
            )
    for key, value in result.get("ratios", {}).items():
        lines.append(f"  {key}: {value}")
    fixed = result.get("dbt_fixed_cost")
    if fixed:
        run, build = fixed["dbt_run"]["wall_seconds"], fixed["dbt_build"]["wall_seconds"]
        lines.append(
            f"dbt fixed cost ({fixed['rows']:,} rows): run {run:.1f} s, build {build:.1f} s wall"
        )
    agreement = result.get("agreement")
    if agreement:
        state = "ok" if agreement["ok"] else "MISMATCH " + "; ".join(agreement["mismatches"][:5])
        lines.append(f"peer vs marts: {agreement.get('values_compared', 0)} values, {state}")
    ml = result.get("ml")
    if ml:
        for step in ("train", "score"):
            if step in ml:
                item = ml[step]
                extra = f", {item['rows']:,} rows" if "rows" in item else ""
                lines.append(
                    f"ml {step}: {item['wall_seconds']:.1f} s wall, {item['max_rss_mb']:,.0f} MB "
                    f"peak RSS, exit {item['exit_code']}{extra}"
                )
    return "\n".join(lines)


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
    return 0
