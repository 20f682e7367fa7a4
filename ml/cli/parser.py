"""The argument parser of `python -m ml` / `mpi`: every option with its default, the env vars in
the epilog, `--version`."""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

from ml.cli.output import DEFAULT_FORMAT, DEFAULT_LIMIT, FORMATS
from ml.config import DEFAULT_GENERATED_ROWS, DEFAULT_SEED, ENV_VARS
from ml.runtime.progress import ENV_VAR as PROGRESS_ENV_VAR

DESCRIPTION = "Music performance warehouse: build, train, test, report, query, score."
DISTRIBUTION = "music-performance-intelligence"
# TrainingConfig's fields (ml/modeling/training_config.py; tests/runtime/test_cli.py keeps them
# in step): listed here so that --help does not import scikit-learn.
TRAINING_FIELDS = (
    "n_estimators", "max_depth", "cv_folds", "evaluation_trees", "cold_start_trees", "test_size",
    "max_training_rows", "permutation_repeats", "permutation_rows", "random_state", "n_jobs",
    "prediction_batch_rows",
)  # fmt: skip


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults after each option's help; the epilog's line breaks kept."""


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def epilog() -> str:
    rows = [*ENV_VARS]
    rows.append(
        (
            "ML_<FIELD>",
            "training overrides: " + ", ".join(f"ML_{f.upper()}" for f in TRAINING_FIELDS),
        )
    )
    rows.append((PROGRESS_ENV_VAR, "0/false/off: no progress bars (default: bars on a terminal)"))
    width = max(len(name) for name, _ in rows) + 2
    lines = [f"  {name:<{width}}{text}" for name, text in rows]
    return "environment variables:\n" + "\n".join(lines) + "\n\nREADME.md: Configuration, Runs."


def prog_name() -> str:
    """`mpi` when run as the console script, `python -m ml` otherwise."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m ml" if name in {"", "__main__.py", "-c", "-m"} else name


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog or prog_name(),
        description=DESCRIPTION,
        epilog=epilog(),
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=text, description=text, formatter_class=_Formatter)

    run = command("run", "the whole job (what `make run` calls)")
    run.add_argument(
        "--rows",
        type=int,
        default=DEFAULT_GENERATED_ROWS,
        help="rows of the embedded default dataset when no real file is present",
    )
    generate = command("generate", "write the synthetic default dataset")
    generate.add_argument("--rows", type=int, default=DEFAULT_GENERATED_ROWS, help="rows to write")
    generate.add_argument(
        "--seed", type=int, default=None, help=f"seed (None: env SEED, else {DEFAULT_SEED})"
    )
    generate.add_argument("--out", type=Path, required=True, help="CSV file to write")
    command("build", "check the input, then dbt build the warehouse and KPI marts")
    train = command("train", "train the three forests from marts.model_features")
    for option in ("n-estimators", "max-depth", "cv-folds", "max-training-rows"):
        train.add_argument(
            f"--{option}",
            type=int,
            default=None,
            help=f"override (None: env ML_{option.replace('-', '_').upper()}, else the study's)",
        )
    command("stats", "H1-H3 hypothesis tests into ml.hypothesis_tests")
    command("report", "render the reports from the warehouse")
    query = command("query", "run read-only SQL on the warehouse, print the result")
    query.add_argument("sql", help='e.g. "select * from marts.kpi_summary"')
    _add_output_options(query)
    runs = command("runs", "list the training runs (ml.runs, ml.metrics) or compare two")
    runs.add_argument(
        "--compare",
        nargs=2,
        metavar=("A", "B"),
        default=None,
        help="metric differences B - A per (model, variant, split, metric); "
        "a unique run-id prefix, 'latest' or 'previous'",
    )
    runs.add_argument(
        "--export-mlflow",
        metavar="URI",
        default=None,
        help="log every run to an MLflow store, e.g. sqlite:///mlflow.db (needs the mlflow extra)",
    )
    _add_output_options(runs)
    score = command("score", "score a CSV of new tracks with the trained models")
    score.description = (
        "Score a CSV of new tracks with the current trained models (the warehouse is not "
        "needed). Columns are found by header name, in any order and any case; required: "
        "Artist, Track, Danceability, Energy, Key, Loudness, Speechiness, Acousticness, "
        "Instrumentalness, Liveness, Valence, Tempo, Duration_ms. Optional: the YouTube columns "
        "(Url_youtube, Title, Channel, Views, Likes, Comments, Description), Uri, Album, "
        "Album_type, Licensed, official_video, Stream, and an index column (empty header or "
        "'Unnamed: 0'). Comma, ';' or tab separated, UTF-8."
    )
    score.epilog = (
        "OUTPUT gets one row per input row: row_id, artist, track, uri, predicted_streams, "
        "predicted_streams_p10, predicted_streams_p90, hit_probability, predicted_hit, "
        "predicted_views, model_variant, artist_in_catalog, has_youtube_data, not_scored_reason. "
        "OUTPUT.drift.json: how far each model input is from the training data (PSI; a warning "
        "above 0.25)."
    )
    score.add_argument("--input", type=Path, required=True, help="the CSV of new tracks")
    score.add_argument(
        "--output", type=Path, required=True, help="the scores CSV (its folder must exist)"
    )
    return parser


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help="rows to print (0: all of them)"
    )
    parser.add_argument("--format", choices=FORMATS, default=DEFAULT_FORMAT, help="output format")
