"""`python -m ml <command>` (or `mpi`): run, generate, build, train, stats, report, query, runs,
score. The parser and help live in ml/cli/parser.py."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import duckdb

from ml.cli.parser import build_parser
from ml.config import load_settings
from ml.runtime.errors import PipelineError
from ml.runtime.locking import run_lock
from ml.runtime.run_log import ERROR_FILE, RunLog


def _dispatch(args: argparse.Namespace, log: RunLog) -> None:
    settings = load_settings()
    if args.command == "run":
        from ml.pipeline import run_all

        run_all(settings, log, rows=args.rows)
    elif args.command == "generate":
        from ml import synthetic

        seed = settings.seed if args.seed is None else args.seed
        synthetic.generate(args.rows, seed, args.out, progress=True)
    elif args.command == "build":
        from ml.pipeline import build_warehouse

        build_warehouse(settings, log)
    elif args.command == "train":
        from ml.modeling import train

        config = train.TrainingConfig.from_env(
            n_estimators=args.n_estimators,
            max_depth=args.max_depth,
            cv_folds=args.cv_folds,
            max_training_rows=args.max_training_rows,
        )
        print(train.train_all(settings, config=config))
    elif args.command == "stats":
        from ml.statistics import hypotheses as stats

        print(stats.run_hypothesis_tests(settings).to_string(index=False))
    elif args.command == "report":
        from ml import reporting as report

        for path in report.render_reports(settings, log):
            print(path)
    elif args.command == "query":
        _query(settings.warehouse_path, args)
    elif args.command == "runs":
        _runs(settings.warehouse_path, args)
    elif args.command == "score":
        from ml.modeling.score import score_file

        score_file(settings, args.input, args.output)


def _query(warehouse_path: Path, args: argparse.Namespace) -> None:
    from ml.cli.output import emit, fetch
    from ml.runtime.warehouse import session

    with session(warehouse_path, read_only=True) as connection:
        try:
            result = connection.sql(args.sql)
            if result is None:  # a statement without a result (e.g. SET)
                return
            frame, total = fetch(result, args.limit)
        except duckdb.Error as error:
            raise PipelineError(f"query failed: {error}") from error
    emit(frame, args.format, total=total)


def _runs(warehouse_path: Path, args: argparse.Namespace) -> None:
    from ml.cli import runs
    from ml.cli.output import emit

    if args.export_mlflow:
        from ml.cli.mlflow_export import export_runs

        exported = export_runs(warehouse_path, args.export_mlflow)
        print(f"exported {len(exported)} new run(s) to {args.export_mlflow}")
        return
    if args.compare:
        frame = runs.compare_runs(warehouse_path, *args.compare)
    else:
        frame = runs.list_runs(warehouse_path)
    total = len(frame)
    if args.limit > 0:  # the latest runs / the first rows of a comparison
        frame = frame.tail(args.limit) if not args.compare else frame.head(args.limit)
    emit(frame, args.format, total=total)


# Commands that write to the warehouse: one at a time per warehouse (ml/runtime/locking.py).
# (`score` reads only the models and a scratch DuckDB file of its own, locked by itself.)
WRITERS = frozenset({"run", "build", "train", "stats"})
# Commands whose failure is recorded in reports/error_log.json.
LOGGED = WRITERS | {"report", "score"}
# Commands that only print: a closed output pipe ends them quietly, with exit status 0.
READERS = frozenset({"query", "runs"})


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    log = RunLog()
    log.context["command"] = args.command
    try:
        if args.command in WRITERS:
            with run_lock(settings.warehouse_path, owner=f"python -m ml {args.command}"):
                _dispatch(args, log)
        else:
            _dispatch(args, log)
    except BrokenPipeError:  # e.g. `python -m ml query ... | head`: the reader has had enough
        _silence_stdout()
        return 0 if args.command in READERS else 1
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        _record_failure(args.command, settings.reports_dir, log, error)
        return 1
    except KeyboardInterrupt as error:
        print("interrupted", file=sys.stderr)
        _record_failure(args.command, settings.reports_dir, log, error)
        return 130
    except Exception as error:  # a bug: say so in one line, keep the traceback in the log
        print(f"error: unexpected {type(error).__name__}: {error}", file=sys.stderr)
        log.context["traceback"] = traceback.format_exc()
        _record_failure(args.command, settings.reports_dir, log, error)
        return 2
    if args.command in LOGGED:
        (settings.reports_dir / ERROR_FILE).unlink(missing_ok=True)
    if args.command == "run":
        log.write_summary(settings.reports_dir, "ok")  # also clears the failed run's files
    return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout replaced by an object without a file descriptor
        pass
    finally:
        os.close(devnull)


def _record_failure(command: str, reports_dir: Path, log: RunLog, error: BaseException) -> None:
    if command not in LOGGED:
        return
    path = log.write_error(reports_dir, error)
    print(f"  details: {path}", file=sys.stderr)
    if command == "run":  # beside the last good run's execution_summary.json, never over it
        print(f"  summary: {log.write_summary(reports_dir, 'failed')}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
