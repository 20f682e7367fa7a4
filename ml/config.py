"""One place for paths and settings shared by the CLI, dbt (via env vars) and the tests."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
PROFILES_DIR = REPO_ROOT

DEFAULT_RAW_DATA_PATH = REPO_ROOT / "data" / "raw" / "Spotify_Youtube.csv"
DEFAULT_WAREHOUSE_PATH = REPO_ROOT / "data" / "warehouse.duckdb"
DEFAULT_GENERATED_PATH = REPO_ROOT / "data" / "generated" / "spotify_youtube_default.csv"
DEFAULT_MODELS_DIR = REPO_ROOT / "data" / "models"
DEFAULT_REPORTS_DIR = REPO_ROOT / "reports"

# Size and seed of the embedded default dataset (the real file has 20,718 rows).
DEFAULT_GENERATED_ROWS = 20_718
DEFAULT_SEED = 42

# On-disk format of a NEW warehouse file (DuckDB applies it only when it creates the file; an
# existing file keeps its format). The Python duckdb is 2.x; the `duckdb` CLI that `make install`
# brings (`duckdb-cli` on PyPI) is 1.5.x and reads storage formats up to v1.5.0 only. Set in both
# places that can create the file: here (ml/runtime/warehouse.py) and profiles.yml
# (config_options); tests/runtime/test_duckdb_cli.py checks they agree.
STORAGE_COMPATIBILITY_VERSION = "v1.5.0"


# The dbt target (profiles.yml) of every dbt call and of the ml step's reads and writes:
# "dev" = DuckDB (the embedded engine, the default), "spark" = Apache Spark (dbt-spark). With
# Spark, the SQL layer is built on Spark and ml/runtime/spark_bridge.py keeps the DuckDB file at
# WAREHOUSE_PATH as the ml step's local copy of the marts (README, "Running on Spark").
DBT_TARGET_ENV = "DBT_TARGET"
DEFAULT_DBT_TARGET = "dev"
SPARK_TARGET = "spark"


def dbt_target(env: dict[str, str] | None = None) -> str:
    """The dbt target named by DBT_TARGET (default dev = DuckDB)."""
    value = (env if env is not None else os.environ).get(DBT_TARGET_ENV, "").strip()
    return value or DEFAULT_DBT_TARGET


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


@dataclass(frozen=True)
class Settings:
    """Resolved settings; absolute paths, so dbt (run in dbt_project/) sees the same files."""

    raw_data_path: Path
    raw_data_path_explicit: bool
    warehouse_path: Path
    models_dir: Path
    reports_dir: Path
    generated_path: Path = DEFAULT_GENERATED_PATH
    seed: int = DEFAULT_SEED
    extra_env: dict[str, str] = field(default_factory=dict)

    def dbt_env(self, **overrides: str) -> dict[str, str]:
        """Environment for a dbt subprocess: the same paths, no telemetry."""
        env = dict(os.environ)
        env.update(
            {
                "RAW_DATA_PATH": str(self.raw_data_path),
                "WAREHOUSE_PATH": str(self.warehouse_path),
                "DO_NOT_TRACK": "1",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                DBT_TARGET_ENV: dbt_target(),
            }
        )
        env.update(self.extra_env)
        env.update(overrides)
        return env


def outputs_dir(warehouse_path: Path, kind: str, default: Path) -> Path:
    """Where a warehouse's reports (or models) go when REPORTS_DIR (MODELS_DIR) is not set.

    The default warehouse keeps `reports/` and `data/models/`; any other warehouse gets folders
    next to it, `<warehouse stem>_reports/` and `<warehouse stem>_models/`, so a second warehouse
    never overwrites the first one's reports, error log or promoted models.
    """
    if warehouse_path.resolve() == DEFAULT_WAREHOUSE_PATH.resolve():
        return default
    return warehouse_path.with_name(f"{warehouse_path.stem}_{kind}")


def load_settings() -> Settings:
    """Read RAW_DATA_PATH, WAREHOUSE_PATH, MODELS_DIR, REPORTS_DIR, SEED from the environment."""
    explicit = bool(os.environ.get("RAW_DATA_PATH", "").strip())
    warehouse = _path_from_env("WAREHOUSE_PATH", DEFAULT_WAREHOUSE_PATH)
    return Settings(
        raw_data_path=_path_from_env("RAW_DATA_PATH", DEFAULT_RAW_DATA_PATH),
        raw_data_path_explicit=explicit,
        warehouse_path=warehouse,
        models_dir=_path_from_env(
            "MODELS_DIR", outputs_dir(warehouse, "models", DEFAULT_MODELS_DIR)
        ),
        reports_dir=_path_from_env(
            "REPORTS_DIR", outputs_dir(warehouse, "reports", DEFAULT_REPORTS_DIR)
        ),
        seed=int(os.environ.get("SEED", DEFAULT_SEED)),
    )


# The environment variables read by this package, for `python -m ml --help` and the README.
ENV_VARS: tuple[tuple[str, str], ...] = (
    ("RAW_DATA_PATH", "input CSV (default data/raw/Spotify_Youtube.csv, else generated data)"),
    ("WAREHOUSE_PATH", "DuckDB warehouse file (default data/warehouse.duckdb)"),
    ("MODELS_DIR", "model artifacts (default data/models, or <warehouse stem>_models/)"),
    ("REPORTS_DIR", "reports and logs (default reports/, or <warehouse stem>_reports/)"),
    ("SEED", f"seed of the generated data, models and bootstrap (default {DEFAULT_SEED})"),
    ("DBT_TARGET_PATH, DBT_LOG_PATH", "dbt's target/ and logs/ folders (dbt's own variables)"),
    (DBT_TARGET_ENV, "dbt target: dev = DuckDB (default), spark = Apache Spark (profiles.yml)"),
)
