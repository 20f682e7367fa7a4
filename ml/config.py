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
            }
        )
        env.update(self.extra_env)
        env.update(overrides)
        return env


def load_settings() -> Settings:
    """Read RAW_DATA_PATH, WAREHOUSE_PATH, MODELS_DIR, REPORTS_DIR, SEED from the environment."""
    explicit = bool(os.environ.get("RAW_DATA_PATH", "").strip())
    return Settings(
        raw_data_path=_path_from_env("RAW_DATA_PATH", DEFAULT_RAW_DATA_PATH),
        raw_data_path_explicit=explicit,
        warehouse_path=_path_from_env("WAREHOUSE_PATH", DEFAULT_WAREHOUSE_PATH),
        models_dir=_path_from_env("MODELS_DIR", DEFAULT_MODELS_DIR),
        reports_dir=_path_from_env("REPORTS_DIR", DEFAULT_REPORTS_DIR),
        seed=int(os.environ.get("SEED", DEFAULT_SEED)),
    )
