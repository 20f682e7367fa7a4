"""`python -m ml runs`: two trainings list as two runs, --compare gives B - A per metric, and the
MLflow export (when mlflow is importable) logs both runs with their metrics and artifact hashes."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from ml.__main__ import main
from ml.cli.runs import headline_metrics
from ml.config import Settings
from ml.modeling.specs import METRIC_R2, SPLIT_TEST, VARIANT_MODEL
from ml.modeling.train import TrainingConfig, train_all
from tests.helpers import isolated_settings

pytestmark = pytest.mark.slow
TINY = TrainingConfig(n_estimators=6, max_depth=4, cv_folds=2, permutation_repeats=1)


@pytest.fixture(scope="module")
def two_runs(
    built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, list[str]]:
    settings = isolated_settings(tmp_path_factory.mktemp("runs"), built_warehouse.raw_data_path)
    shutil.copy(built_warehouse.warehouse_path, settings.warehouse_path)
    first = train_all(settings, progress=False, config=TINY)
    second = train_all(
        settings, progress=False, config=TrainingConfig(**{**vars(TINY), "max_depth": 6})
    )
    return settings, [first, second]


@pytest.fixture()
def cli_env(two_runs: tuple[Settings, list[str]], monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = two_runs[0]
    monkeypatch.setenv("WAREHOUSE_PATH", str(settings.warehouse_path))
    monkeypatch.setenv("MODELS_DIR", str(settings.models_dir))
    monkeypatch.setenv("REPORTS_DIR", str(settings.reports_dir))
    return settings


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict]:
    assert main([*argv, "--format", "json", "--limit", "0"]) == 0
    return json.loads(capsys.readouterr().out)


def _metrics(settings: Settings, run_id: str) -> dict[tuple[str, str, str, str], float]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        rows = connection.execute(
            "select model_name, variant, split, metric, value from ml.metrics where run_id = ?",
            [run_id],
        ).fetchall()
    return {tuple(row[:4]): row[4] for row in rows}


def test_runs_lists_both_runs_with_headline_metrics(cli_env, two_runs, capsys) -> None:
    runs = _json(capsys, "runs")
    assert [row["run_id"] for row in runs] == two_runs[1]
    metrics = _metrics(cli_env, two_runs[1][1])
    for model, metric in headline_metrics().items():
        expected = metrics[(model, VARIANT_MODEL, SPLIT_TEST, metric)]
        assert runs[1][f"{model}_test_{metric}"] == pytest.approx(expected, abs=1e-4)
    assert all(row["data_fingerprint"] and row["code_version"] for row in runs)


def test_compare_gives_b_minus_a_for_every_metric(cli_env, two_runs, capsys) -> None:
    first, second = two_runs[1]
    rows = _json(capsys, "runs", "--compare", first[:20], "latest")
    a, b = _metrics(cli_env, first), _metrics(cli_env, second)
    assert len(rows) == len(a.keys() | b.keys())
    assert rows[0]["variant"] == VARIANT_MODEL and rows[0]["split"] == SPLIT_TEST
    for row in rows:
        key = (row["model_name"], row["variant"], row["split"], row["metric"])
        assert row[first] == pytest.approx(a[key]) and row[second] == pytest.approx(b[key])
        assert row["b_minus_a"] == pytest.approx(b[key] - a[key])
    assert any(row["b_minus_a"] != 0 for row in rows if row["metric"] == METRIC_R2)


def test_unknown_run_id_is_a_clear_error(cli_env, capsys) -> None:
    assert main(["runs", "--compare", "nope", "latest"]) == 1
    assert "run id 'nope' matches no run" in capsys.readouterr().err


def test_export_to_mlflow(cli_env, two_runs, tmp_path, monkeypatch, capsys) -> None:
    pytest.importorskip("mlflow", reason='the optional extra: pip install -e ".[mlflow]"')
    from mlflow.tracking import MlflowClient

    from ml.cli.mlflow_export import EXPERIMENT, RUN_ID_TAG

    monkeypatch.chdir(tmp_path)  # nothing may land in the working directory
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert main(["runs", "--export-mlflow", uri]) == 0
    assert "exported 2 new run(s)" in capsys.readouterr().out
    assert main(["runs", "--export-mlflow", uri]) == 0  # again: nothing new
    assert "exported 0 new run(s)" in capsys.readouterr().out
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mlflow.db"]

    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name(EXPERIMENT)
    exported = {r.data.tags[RUN_ID_TAG]: r for r in client.search_runs([experiment.experiment_id])}
    assert sorted(exported) == sorted(two_runs[1])
    with duckdb.connect(str(cli_env.warehouse_path), read_only=True) as connection:
        artifacts = connection.execute(
            "select run_id, model_name, artifact_sha256, params_json from ml.runs"
        ).fetchall()
    for run_id, model, sha256, params_json in artifacts:
        run = exported[run_id]
        assert run.info.status == "FINISHED"
        assert run.data.tags[f"{model}.artifact_sha256"] == sha256
        assert run.data.params[f"{model}.max_depth"] == str(json.loads(params_json)["max_depth"])
        metrics = _metrics(cli_env, run_id)
        key = (model, VARIANT_MODEL, SPLIT_TEST, headline_metrics()[model])
        assert run.data.metrics[".".join(key)] == pytest.approx(metrics[key])
