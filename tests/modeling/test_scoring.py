"""`python -m ml score` on files people make: minimal columns, pandas-saved, the full layout, other
header cases and separators; the training reference travels with the models (the warehouse is
deleted before any scoring here); drift (PSI) against that reference; partial parsing kept."""

from __future__ import annotations

import csv
import itertools
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ml.__main__ import main
from ml.config import Settings
from ml.modeling import registry
from ml.modeling.reference import CATALOG_QUERIES, MIN_DRIFT_ROWS, drift_features, load_reference
from ml.modeling.score import OUTPUT_COLUMNS, score_file
from ml.modeling.train import TrainingConfig, train_all
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.errors import PipelineError
from ml.runtime.raw_input import AUDIO_HEADERS, SCORING_REQUIRED, inspect_raw_csv
from tests.helpers import isolated_settings

TINY = TrainingConfig(n_estimators=8, max_depth=5, cv_folds=3, permutation_repeats=1)
MINIMAL = ["Artist", "Track", *AUDIO_HEADERS]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def models_only(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Models trained on a copy of the small warehouse, then the warehouse DELETED: scoring must
    work from the models and their metadata alone."""
    settings = isolated_settings(tmp_path_factory.mktemp("scoring"), built_warehouse.raw_data_path)
    shutil.copy(built_warehouse.warehouse_path, settings.warehouse_path)
    train_all(settings, progress=False, config=TINY)
    settings.warehouse_path.unlink()
    return settings


@pytest.fixture(scope="module")
def raw_frame(built_warehouse: Settings) -> pd.DataFrame:
    """The small raw file as text (pandas names its empty first header 'Unnamed: 0')."""
    return pd.read_csv(built_warehouse.raw_data_path, dtype=str, keep_default_na=False)


def score(settings: Settings, path: Path, out: Path) -> pd.DataFrame:
    assert not settings.warehouse_path.exists()
    assert score_file(settings, path, out, progress=False) > 0
    return pd.read_csv(out, dtype={"row_id": str})


def check_output(scores: pd.DataFrame, rows: int) -> None:
    assert list(scores.columns) == list(OUTPUT_COLUMNS)
    assert len(scores) == rows
    scored = scores[scores["not_scored_reason"].isna()]
    assert len(scored) > 0
    for column in ("predicted_streams", "hit_probability", "predicted_hit", "predicted_views"):
        assert scored[column].notna().all(), column
    assert set(scored["model_variant"]) <= {"model", "cold_start"}


def test_minimal_columns_only(models_only: Settings, raw_frame: pd.DataFrame, tmp_path: Path):
    path = tmp_path / "minimal.csv"
    frame = raw_frame.head(30)[MINIMAL].sample(frac=1.0, axis=1, random_state=1)  # any order
    frame.to_csv(path, index=False)
    scores = score(models_only, path, tmp_path / "scores.csv")
    check_output(scores, 30)
    assert list(scores["row_id"]) == [str(i) for i in range(30)]  # record positions
    assert scores["uri"].isna().all() and not scores["has_youtube_data"].any()
    assert list(scores["track"]) == list(frame["Track"])
    assert scores["not_scored_reason"].isna().all(), "no Uri is needed to score"


@pytest.mark.parametrize("index_header", ["", "Unnamed: 0"])
def test_pandas_saved_file(
    models_only: Settings, raw_frame: pd.DataFrame, tmp_path: Path, index_header: str
) -> None:
    path = tmp_path / "pandas.csv"
    frame = (
        raw_frame.head(25)
        .drop(columns=["Unnamed: 0", "Stream"])
        .set_index(pd.Index(range(100, 125)))
    )
    if index_header:
        frame.rename_axis(index_header).reset_index().to_csv(path, index=False)
    else:
        frame.to_csv(path)  # df.to_csv(): the index column with an empty header
    assert path.read_text(encoding="utf-8").startswith(index_header + ",Artist,")
    scores = score(models_only, path, tmp_path / "scores.csv")
    check_output(scores, 25)
    assert list(scores["row_id"]) == [str(i) for i in range(100, 125)]  # the file's own index


def test_full_layout(models_only: Settings, tmp_path: Path) -> None:
    path = tmp_path / "full.csv"
    with models_only.raw_data_path.open(encoding="utf-8", newline="") as source:
        records = list(itertools.islice(csv.reader(source), 41))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(records)
    scores = score(models_only, path, tmp_path / "scores.csv")
    check_output(scores, 40)
    assert list(scores["row_id"]) == [record[0] for record in records[1:]]
    assert list(scores["uri"]) == [record[6] for record in records[1:]]
    has_video = [record[records[0].index("Url_youtube")] != "" for record in records[1:]]
    assert scores["has_youtube_data"].sum() >= sum(has_video) > 0


def test_other_case_and_semicolons(
    models_only: Settings, raw_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    frame = raw_frame.head(20)[[*MINIMAL, "Views"]]
    frame.columns = [f" {name.upper()} " for name in frame.columns]
    frame.to_csv(path, index=False, sep=";")
    layout = inspect_raw_csv(path, required=SCORING_REQUIRED)
    assert layout.delimiter == ";" and ("ARTIST", "Artist") in layout.loose
    scores = score(models_only, path, tmp_path / "scores.csv")
    check_output(scores, 20)
    standard = tmp_path / "standard.csv"
    raw_frame.head(20)[[*MINIMAL, "Views"]].to_csv(standard, index=False)
    expected = score(models_only, standard, tmp_path / "standard_scores.csv")
    pd.testing.assert_frame_equal(scores, expected)


def test_missing_output_folder_is_an_error(
    models_only: Settings, raw_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "minimal.csv"
    raw_frame.head(5)[MINIMAL].to_csv(path, index=False)
    typo = tmp_path / "scroes" / "out.csv"
    with pytest.raises(PipelineError, match=r"the folder .*scroes does not exist"):
        score_file(models_only, path, typo, progress=False)
    assert not typo.parent.exists(), "no folder is created"


def test_cli_error_names_the_folder(
    models_only: Settings,
    raw_frame: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in {
        "WAREHOUSE_PATH": models_only.warehouse_path,
        "MODELS_DIR": models_only.models_dir,
        "REPORTS_DIR": tmp_path / "reports",
        **models_only.extra_env,
    }.items():
        monkeypatch.setenv(name, str(value))
    path = tmp_path / "minimal.csv"
    raw_frame.head(5)[MINIMAL].to_csv(path, index=False)
    assert main(["score", "--input", str(path), "--output", str(tmp_path / "nope/o.csv")]) == 1
    assert f"{tmp_path / 'nope'} does not exist" in capsys.readouterr().err


def test_reference_travels_with_the_models(models_only: Settings) -> None:
    metadata = json.loads((models_only.models_dir / registry.METADATA_FILE).read_text())
    reference = registry.load_training_reference(models_only.models_dir, metadata)
    assert set(reference["medians"]) == {f"median_{name.lower()}" for name in AUDIO_HEADERS}
    assert reference["hit_threshold"]["hit_threshold_streams"] > 0
    assert set(reference["features"]) == set(drift_features())
    assert len(reference["features"]["tempo"]["quantiles"]) == 9
    assert abs(sum(reference["features"]["tempo"]["expected"]) - 1) < 1e-9


def test_the_catalog_travels_as_checked_parquet_files(
    models_only: Settings, tmp_path: Path
) -> None:
    """The reference's catalog tables are Parquet files beside it, each sha256-checked."""
    models = tmp_path / "models"
    shutil.copytree(models_only.models_dir, models)
    metadata = json.loads((models / registry.METADATA_FILE).read_text())
    reference, catalog = load_reference(models, metadata)
    assert set(catalog) == set(CATALOG_QUERIES) == set(reference["catalog_files"])
    with duckdb.connect() as connection:
        tracks = connection.execute(
            f"select count(*), count(distinct uri) from read_parquet('{catalog['catalog_tracks']}')"
        ).fetchone()
        counted = connection.execute(
            f"select sum(track_count) from read_parquet('{catalog['artist_track_counts']}')"
        ).fetchone()
    assert tracks is not None and tracks[0] == tracks[1] > 0
    assert counted is not None and counted[0] == tracks[0]
    catalog["album_track_counts"].write_bytes(catalog["album_track_counts"].read_bytes() + b" ")
    with pytest.raises(
        PipelineError, match=r"album_track_counts\.parquet of the training reference"
    ):
        load_reference(models, metadata)


def test_a_modified_reference_is_refused(models_only: Settings, tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(models_only.models_dir, models)
    metadata = json.loads((models / registry.METADATA_FILE).read_text())
    path = models / metadata[registry.REFERENCE_KEY]["artifact_path"]
    path.write_text(path.read_text().replace('"median_tempo": ', '"median_tempo": 1'))
    with pytest.raises(PipelineError, match="does not match its recorded sha256"):
        registry.load_training_reference(models, metadata)


def test_drift_psi(
    models_only: Settings,
    raw_frame: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    like_training = tmp_path / "same.csv"
    raw_frame.to_csv(like_training, index=False)
    score(models_only, like_training, tmp_path / "same_scores.csv")
    same = json.loads((tmp_path / "same_scores.csv.drift.json").read_text())
    assert same["features"]["tempo"]["rows"] >= MIN_DRIFT_ROWS
    psi = {name: item["psi"] for name, item in same["features"].items() if item["psi"] is not None}
    assert max(psi[name] for name in ("tempo", "danceability", "energy", "loudness")) < 0.05, psi
    assert same["drifted"] == [], psi
    assert "drifted from the training data" not in capsys.readouterr().err

    shifted = tmp_path / "shifted.csv"
    tempo = pd.to_numeric(raw_frame["Tempo"], errors="coerce")
    raw_frame.assign(Tempo=(tempo + 60).round(3).astype(str)).to_csv(shifted, index=False)
    score(models_only, shifted, tmp_path / "shifted_scores.csv")
    moved = json.loads((tmp_path / "shifted_scores.csv.drift.json").read_text())
    assert moved["features"]["tempo"]["psi"] > 0.25
    assert "tempo" in moved["drifted"] and "danceability" not in moved["drifted"]
    assert "input 'tempo' drifted from the training data" in capsys.readouterr().err


def test_score_keeps_the_build_parse_state(
    models_only: Settings, raw_frame: pd.DataFrame, tmp_path: Path
) -> None:
    """A score runs dbt in a target path of its own with env vars (no --vars): the warehouse
    build's partial-parse file is not rewritten, so the next `dbt build` does not re-parse."""
    run_dbt(models_only, ["parse"], quiet=True)  # the build's parse state
    state = Path(models_only.extra_env["DBT_TARGET_PATH"]) / "partial_parse.msgpack"
    assert state.exists()
    before = (state.stat().st_mtime_ns, state.read_bytes())
    path = tmp_path / "minimal.csv"
    raw_frame.head(5)[MINIMAL].to_csv(path, index=False)
    score(models_only, path, tmp_path / "scores.csv")
    assert (state.stat().st_mtime_ns, state.read_bytes()) == before
