"""`python -m ml <command>`: run, generate, build, train, stats, report, query, score."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import duckdb

from ml.config import DEFAULT_GENERATED_ROWS, load_settings
from ml.runtime.errors import PipelineError
from ml.runtime.locking import run_lock
from ml.runtime.run_log import RunLog


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ml", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="the whole job (what `make run` calls)")
    run.add_argument(
        "--rows",
        type=int,
        default=DEFAULT_GENERATED_ROWS,
        help="rows of the embedded default dataset when no real file is present",
    )

    generate = commands.add_parser("generate", help="write the synthetic default dataset")
    generate.add_argument("--rows", type=int, default=DEFAULT_GENERATED_ROWS)
    generate.add_argument("--seed", type=int, default=None)
    generate.add_argument("--out", type=Path, required=True)

    commands.add_parser("build", help="check the input, then dbt build the warehouse and KPI marts")
    train = commands.add_parser("train", help="train the three forests from marts.model_features")
    for option in ("n-estimators", "max-depth", "cv-folds", "max-training-rows"):
        train.add_argument(
            f"--{option}", type=int, default=None, help="override (default: study setting)"
        )
    commands.add_parser("stats", help="H1-H3 hypothesis tests into ml.hypothesis_tests")
    commands.add_parser("report", help="render reports/ from the warehouse")

    query = commands.add_parser(
        "query", help="run read-only SQL on the warehouse, print the result"
    )
    query.add_argument("sql", help='e.g. "select * from marts.kpi_summary"')

    score = commands.add_parser(
        "score",
        help="score a CSV of new tracks with the trained models",
        description="Score a CSV of new tracks with the current trained models (the warehouse "
        "is not needed). Columns are found by header name, in any order and any case; "
        "required: Artist, Track, Danceability, Energy, Key, Loudness, Speechiness, "
        "Acousticness, Instrumentalness, Liveness, Valence, Tempo, Duration_ms. Optional: the "
        "YouTube columns (Url_youtube, Title, Channel, Views, Likes, Comments, Description), "
        "Uri, Album, Album_type, Licensed, official_video, Stream, and an index column (empty "
        "header or 'Unnamed: 0'). Comma, ';' or tab separated, UTF-8.",
        epilog="OUTPUT gets one row per input row: row_id, artist, track, uri, predicted_streams, "
        "predicted_streams_p10, predicted_streams_p90, hit_probability, predicted_hit, "
        "predicted_views, model_variant, artist_in_catalog, has_youtube_data, not_scored_reason. "
        "OUTPUT.drift.json: how far each model input is from the training data (PSI; a warning "
        "above 0.25).",
    )
    score.add_argument("--input", type=Path, required=True, help="the CSV of new tracks")
    score.add_argument(
        "--output", type=Path, required=True, help="the scores CSV (its folder must exist)"
    )
    return parser


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
        from ml.runtime.warehouse import session

        with session(settings.warehouse_path, read_only=True) as connection:
            try:
                result = connection.sql(args.sql)
            except duckdb.Error as error:
                raise PipelineError(f"query failed: {error}") from error
            if result is not None:
                print(result.df().to_string(index=False, max_colwidth=60))
    elif args.command == "score":
        from ml.modeling.score import score_file

        score_file(settings, args.input, args.output)


# Commands that write to the warehouse: one at a time per warehouse (ml/runtime/locking.py).
# (`score` reads only the models and a scratch DuckDB file of its own, locked by itself.)
WRITERS = frozenset({"run", "build", "train", "stats"})
# Commands whose failure is recorded in reports/error_log.json.
LOGGED = WRITERS | {"report", "score"}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = load_settings()
    log = RunLog()
    log.context["command"] = args.command
    try:
        if args.command in WRITERS:
            with run_lock(settings.warehouse_path, owner=f"python -m ml {args.command}"):
                _dispatch(args, log)
        else:
            _dispatch(args, log)
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
        _record_failure("run", settings.reports_dir, log, error)
        return 2
    if args.command in LOGGED:
        (settings.reports_dir / "error_log.json").unlink(missing_ok=True)
    if args.command == "run":
        log.write_summary(settings.reports_dir, "ok")
    return 0


def _record_failure(command: str, reports_dir: Path, log: RunLog, error: BaseException) -> None:
    if command not in LOGGED:
        return
    path = log.write_error(reports_dir, error)
    if command == "run":
        log.write_summary(reports_dir, "failed")
    print(f"  details: {path}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
