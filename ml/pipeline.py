"""The whole job: input -> dbt warehouse -> models -> statistics -> post-model marts -> reports."""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from importlib import import_module
from pathlib import Path

from ml import synthetic
from ml.config import DEFAULT_GENERATED_ROWS, Settings
from ml.runtime.data_source import SyntheticOrigin, data_source_of, record_data_source
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.errors import PipelineError, WarehouseLockedError
from ml.runtime.locking import wait_until_writable
from ml.runtime.raw_input import diagnose_csv, inspect_raw_csv, record_raw_file_profile
from ml.runtime.run_log import RunLog
from ml.runtime.warehouse import session

# Everything downstream of the tables that Python writes (schema ml) is built after training.
POST_MODEL_SELECTOR = "source:ml+"
# The job's builds run the models and their data tests; dbt unit tests have static inputs, so
# they run in the test suite and CI (`dbt test --select test_type:unit`), as dbt recommends,
# not again on every production build.
JOB_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")


def generated_default_path(settings: Settings, rows: int) -> Path:
    return settings.generated_path.with_name(
        f"spotify_youtube_default_n{rows}_seed{settings.seed}.csv"
    )


def resolve_raw_input(settings: Settings, rows: int = DEFAULT_GENERATED_ROWS) -> Settings:
    """The real file when present; else (RAW_DATA_PATH unset) the embedded default dataset."""
    return prepare_raw_input(settings, rows)[0]


def prepare_raw_input(
    settings: Settings, rows: int = DEFAULT_GENERATED_ROWS
) -> tuple[Settings, SyntheticOrigin | None]:
    """resolve_raw_input, plus the explicit flag that the input is the generated default dataset
    (its seed and rows; None for the user's file), which the build records in ml.data_source."""
    if settings.raw_data_path.exists():
        print(f"Input: {settings.raw_data_path}", file=sys.stderr)
        return settings, None
    if settings.raw_data_path_explicit:
        raise PipelineError(
            f"RAW_DATA_PATH={settings.raw_data_path}: file not found",
            step="prepare input",
            hint="point RAW_DATA_PATH at the CSV, or unset it to use the embedded default data",
        )
    path = generated_default_path(settings, rows)
    print(
        f"No real file at {settings.raw_data_path}: using the embedded default dataset "
        f"({rows:,} synthetic rows, seed {settings.seed}) at {path}",
        file=sys.stderr,
    )
    if not path.exists():
        synthetic.generate(rows, settings.seed, path, progress=True)
    return replace(settings, raw_data_path=path), SyntheticOrigin(seed=settings.seed, rows=rows)


def warehouse_counts(settings: Settings) -> dict[str, int]:
    with session(settings.warehouse_path, read_only=True) as connection:
        fates = dict(
            connection.execute("select fate, count(*) from marts.row_fate group by fate").fetchall()
        )
        tracks = connection.execute("select count(*) from marts.tracks").fetchone()
        modelling = connection.execute("select count(*) from marts.model_features").fetchone()
    counts = {f"rows_{fate}": int(n) for fate, n in fates.items()}
    counts["raw_rows"] = sum(counts.values())
    counts["tracks"] = int(tracks[0]) if tracks else 0
    counts["model_features"] = int(modelling[0]) if modelling else 0
    return counts


def build_warehouse(
    settings: Settings, log: RunLog, *, synthetic: SyntheticOrigin | None = None
) -> dict[str, int]:
    """Check the input, dbt build the warehouse, record its data source (ml.data_source).

    synthetic: set by run_all when the input is the generated default dataset; a file given
    any other way is the user's."""
    with log.step("check input") as record:
        layout = inspect_raw_csv(settings.raw_data_path)
        record.detail = f"{settings.raw_data_path} ({len(layout.header)} columns)"
        for note in layout.notes():
            print(f"    input: {note}", file=sys.stderr)
        # the file's layout (separator, header names) for every dbt call of this job: set for a
        # non-standard file only, so a standard file's dbt parse state never changes
        for key in ("RAW_CSV_DELIM", "RAW_CSV_LAYOUT"):
            settings.extra_env.pop(key, None)
        settings.extra_env.update(layout.dbt_env("RAW_CSV"))
    with (
        log.step("dbt build (warehouse and KPI marts)") as record,
        ThreadPoolExecutor(max_workers=1) as hashing,
    ):
        # the file's sha256 (ml.data_source) is read beside the count and dbt's build, not after
        # them: ~10 s of one core at 10M rows (hashlib releases the GIL)
        hashed = hashing.submit(data_source_of, settings.raw_data_path, None, synthetic)
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        wait_until_writable(settings.warehouse_path)
        # the ledger's reference count, from a reader independent of dbt's (raw_file_records_match)
        record_raw_file_profile(settings.warehouse_path, settings.raw_data_path, layout.delimiter)
        try:
            run_dbt(
                settings,
                ["build", "--exclude", POST_MODEL_SELECTOR, *JOB_BUILD_FLAGS],
                step=record.name,
            )
        except WarehouseLockedError:
            raise
        except PipelineError as error:
            raise _explain_csv_failure(settings, error) from error
        counts = warehouse_counts(settings)
        record.rows_in = counts["raw_rows"]
        record.rows_out = counts["tracks"]
        record.detail = ", ".join(f"{key}={value}" for key, value in sorted(counts.items()))
        source = replace(
            hashed.result(),
            rows=counts["raw_rows"],
            recorded_at=datetime.now(timezone.utc).replace(tzinfo=None),
        )
        record_data_source(settings.warehouse_path, source)
        log.context["data_source"] = source.describe()
    return counts


def _explain_csv_failure(settings: Settings, error: PipelineError) -> PipelineError:
    """A dbt failure while reading the CSV becomes a message naming the record and column."""
    if "read_csv" not in error.message and "CSV" not in error.message:
        return error
    diagnosis = diagnose_csv(settings.raw_data_path)
    if diagnosis is None:
        return error
    return PipelineError(
        f"the input file cannot be read as CSV:\n{diagnosis}",
        step=error.step,
        hint="fix these records and re-run (a quote that is never closed swallows the records "
        "after it: start with the first one)",
    )


# The job's heavy modules (scikit-learn, scipy, matplotlib, jinja2: ~1.7 s), imported on a side
# thread while dbt builds the warehouse in its own process and leaves a core free.
JOB_MODULES = (
    "ml.modeling.train",
    "ml.statistics.hypotheses",
    "ml.reporting.render",
    "ml.reporting.console",
)


def _import_job_modules() -> None:
    """Import JOB_MODULES; a failure is left to the job's own import, which reports it."""
    for name in JOB_MODULES:
        try:
            import_module(name)
        except Exception:
            return


def run_all(settings: Settings, log: RunLog, *, rows: int = DEFAULT_GENERATED_ROWS) -> None:
    """`make run`: every step in order; each step's record ends up in execution_summary.json."""
    importing = threading.Thread(target=_import_job_modules, name="imports", daemon=True)
    importing.start()
    with log.step("prepare input") as record:
        settings, origin = prepare_raw_input(settings, rows)
        record.detail = str(settings.raw_data_path)
    log.context.update(
        raw_data_path=str(settings.raw_data_path), warehouse_path=str(settings.warehouse_path)
    )
    counts = build_warehouse(settings, log, synthetic=origin)
    importing.join()
    from ml import reporting as report  # heavy imports only when the job runs
    from ml.modeling import train
    from ml.statistics import hypotheses as stats

    with log.step("train models") as record:
        record.rows_in = counts["model_features"]
        run_id = train.train_all(settings)
        record.detail = f"run_id={run_id}"
        log.context["run_id"] = run_id
    with log.step("hypothesis tests") as record:
        table = stats.run_hypothesis_tests(settings)
        record.rows_out = len(table)
    with log.step("dbt build (post-model marts)") as record:
        wait_until_writable(settings.warehouse_path)
        run_dbt(
            settings, ["build", "--select", POST_MODEL_SELECTOR, *JOB_BUILD_FLAGS], step=record.name
        )
    with log.step("render reports") as record:
        paths = report.render_reports(settings, log)
        record.detail = ", ".join(str(path) for path in paths)
    report.print_console_summary(settings)
