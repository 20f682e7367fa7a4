"""The printed table of `make bench`: the contenders side by side, where dbt's time went, the ML
steps, the whole job's steps, and issue 15's targets with the measured value beside each."""

from __future__ import annotations

from typing import Any

SQL_CONTENDERS = ("dbt_build", "dbt_run")
PEER = "pandas"
TEN_MILLION = 10_000_000
# issue 15, "Done when": (what, limit)
TARGET_SQL_OVER_PEER_WALL = 0.5  # the job's dbt build at most half the pandas peer's wall time
TARGET_SQL_LAYER_10M_SECONDS = 60.0
TARGET_SQL_LAYER_10M_MB = 4 * 1024.0
TARGET_JOB_10M_SECONDS = 300.0
TARGET_REAL_SIZE_SECONDS = 60.0


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


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def targets(result: dict[str, Any]) -> list[str]:
    """Issue 15's targets that this run measured, each with its value and met / MISSED."""
    lines: list[str] = []
    rows = result["rows"]
    contenders = result.get("contenders", {})
    build, peer = contenders.get("dbt_build", {}), contenders.get(PEER, {})
    if build.get("ok") and peer.get("ok"):
        share = build["wall_seconds"] / peer["wall_seconds"]
        lines.append(
            f"{rows:,} rows: dbt build wall / pandas wall <= {TARGET_SQL_OVER_PEER_WALL}: "
            f"{share:.2f} ({build['wall_seconds']:.1f} vs {peer['wall_seconds']:.1f} s), "
            f"{_verdict(share <= TARGET_SQL_OVER_PEER_WALL)}; peak RSS lower: "
            f"{build['max_rss_mb']:,.0f} vs {peer['max_rss_mb']:,.0f} MB, "
            f"{_verdict(build['max_rss_mb'] < peer['max_rss_mb'])}"
        )
    if rows >= TEN_MILLION and build.get("ok"):
        fast = build["wall_seconds"] <= TARGET_SQL_LAYER_10M_SECONDS
        small = build["max_rss_mb"] <= TARGET_SQL_LAYER_10M_MB
        lines.append(
            f"{rows:,} rows: SQL layer <= {TARGET_SQL_LAYER_10M_SECONDS:.0f} s and <= 4 GB: "
            f"{build['wall_seconds']:.1f} s ({_verdict(fast)}), {build['max_rss_mb']:,.0f} MB "
            f"({_verdict(small)}): {_verdict(fast and small)}"
        )
    job = result.get("job", {})
    if rows >= TEN_MILLION and job.get("ok"):
        ok = job["wall_seconds"] <= TARGET_JOB_10M_SECONDS
        lines.append(
            f"{rows:,} rows: make run <= {TARGET_JOB_10M_SECONDS:.0f} s: "
            f"{job['wall_seconds']:.1f} s, {_verdict(ok)}"
        )
    real = result.get("real_size", {})
    if real.get("ok"):
        seconds = real["after_setup_seconds"]
        lines.append(
            f"real size: make run after set-up <= {TARGET_REAL_SIZE_SECONDS:.0f} s: {seconds:.1f} s"
            f" in steps ({real['wall_seconds']:.1f} s wall), "
            f"{_verdict(seconds <= TARGET_REAL_SIZE_SECONDS)}"
        )
    return lines


def _slowest(timing: dict[str, Any]) -> str:
    return ", ".join(f"{name} {seconds:.1f}" for name, seconds in timing.items())


def job_lines(title: str, job: dict[str, Any]) -> list[str]:
    """One whole-job measurement: wall, peak RSS, each step's median, the post-model dbt pass."""
    if not job.get("ok"):
        return [f"{title}: failed (see its log in the work directory)"]
    runs = len([run for run in job["runs"] if run["exit_code"] == 0])
    lines = [
        f"{title} (median of {runs}): {job['wall_seconds']:.1f} s wall, "
        f"{job['after_setup_seconds']:.1f} s in steps after set-up, "
        f"{job['max_rss_mb']:,.0f} MB peak RSS",
        "  " + " | ".join(f"{name} {seconds:.1f}" for name, seconds in job["steps"].items()),
    ]
    post = job.get("post_model_dbt")
    if post:
        lines.append(
            f"  post-model dbt: models' SQL {post['model_seconds']:.1f} s, tests "
            f"{post['test_seconds']:.1f} s; slowest: {_slowest(post['slowest_models'])}"
        )
    return lines


def _probe_line(probe: dict[str, Any]) -> str:
    """The machine probe (measuring.machine_probe), before / after the contenders."""
    parts = []
    for key, label in (("duckdb_seconds", "duckdb"), ("numpy_sort_seconds", "numpy sort")):
        values = [f"{probe[moment][key]:.2f}" for moment in ("before", "after") if moment in probe]
        parts.append(f"{label} {' / '.join(values)} s")
    when = "before / after" if "after" in probe else "before"
    return (
        f"machine probe ({when}; fixed workloads: absolute seconds of two benchmark files "
        f"compare only when these agree): {', '.join(parts)}"
    )


def format_table(result: dict[str, Any]) -> str:
    rows = result["rows"]
    lines = [
        f"SQL layer benchmark: {rows:,} rows, {result['machine'].get('cores')} cores, "
        f"load {result['machine']['load_average']}",
        f"{'contender':<12}{'wall s':>9}{'cpu s':>9}{'peak RSS MB':>13}{'rows/s':>12}",
    ]
    probe = result.get("machine_probe", {})
    if probe.get("before"):
        lines.insert(1, _probe_line(probe))
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
            slowest = item["runs"][-1].get("dbt_timing", {}).get("slowest_models", {})
            lines.append(
                f"  {name}: models' SQL {item['dbt_model_seconds']:.1f} s, tests "
                f"{item['dbt_test_seconds']:.1f} s (dbt's per-node timings; the rest is dbt); "
                f"slowest: {_slowest(slowest)}"
            )
    stages = result.get("pandas_stages_seconds")
    if stages:
        lines.append(f"  {PEER} stages: {_slowest(stages)}")
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
    if "job" in result:
        lines.extend(job_lines(f"make run on these {rows:,} rows", result["job"]))
    if "real_size" in result:
        lines.extend(job_lines("make run, real size (default data)", result["real_size"]))
    found = targets(result)
    if found:
        lines.append("issue 15 targets (measured here; quote idle-machine medians of 3):")
        lines.extend(f"  {line}" for line in found)
    return "\n".join(lines)
