"""The report's "study's claims vs this warehouse" table (ml/reporting/study_claims.py) against
marts.study_claims (dbt_project/models/marts/claims): one JSON item and one HTML row per mart
row, with the mart's values, and the claimed numbers quoted elsewhere read from the mart.

Warehouses are COPIES of the shared small warehouse whose study_claims mart is built with empty
ml tables (first build: model claims 'not yet measured') and after a FAKE training run
(tests/reporting/fake_ml.py); one more copy has no post-model pass at all (mart missing).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from ml.config import Settings
from ml.reporting import build_executive_report, console_summary, render_reports
from ml.reporting.report_data import load_report_data
from ml.reporting.study_claims import MART, VERDICTS, fmt_claim
from ml.reporting.validation import validate
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.run_log import RunLog
from tests.helpers import copy_warehouse
from tests.reporting.fake_ml import FAKE_RUN_ID, insert_fake_run

# study_claims alone: its pre-model inputs are built by the first pass
BUILD_CLAIMS = [
    "build",
    "--select",
    "+study_claims,source:ml+",
    "--exclude-resource-type",
    "unit_test",
]
SECTION = re.compile(r'<section id="claims">(.*?)</section>', re.S)


def _mart(settings: Settings) -> pd.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(f"select * from {MART} order by claim_order").df()


def _value(value: Any) -> Any:
    return None if pd.isna(value) else value


def _claim_rows(page: str) -> list[str]:
    """The claims table's body rows (section headings left out), HTML entities decoded."""
    section = SECTION.search(page)
    assert section, "no claims section in the page"
    body = re.search(r"<tbody>(.*?)</tbody>", section.group(1), re.S)
    assert body, "no claims table in the section"
    rows = re.findall(r"<tr\b.*?</tr>", body.group(1), re.S)
    return [html.unescape(row) for row in rows if "colspan" not in row]


def _report(settings: Settings) -> tuple[dict[str, Any], str]:
    json_path, html_path = render_reports(settings, RunLog())
    payload = json.loads(json_path.read_text("utf-8"))
    validate(payload, "executive_report")
    return payload, html_path.read_text("utf-8")


@pytest.fixture(scope="module")
def no_run(built_warehouse: Settings, tmp_path_factory) -> Settings:
    """First build: ml tables empty, study_claims built."""
    settings = copy_warehouse(built_warehouse, tmp_path_factory.mktemp("claims_no_run"))
    run_dbt(settings, BUILD_CLAIMS, quiet=True)
    return settings


@pytest.fixture(scope="module")
def fake_run(built_warehouse: Settings, tmp_path_factory) -> Settings:
    settings = copy_warehouse(built_warehouse, tmp_path_factory.mktemp("claims_fake_run"))
    insert_fake_run(settings.warehouse_path)
    run_dbt(settings, BUILD_CLAIMS, quiet=True)
    return settings


@pytest.fixture(scope="module")
def fake_report(fake_run: Settings) -> tuple[dict[str, Any], str]:
    return _report(fake_run)


@pytest.fixture(scope="module")
def no_run_report(no_run: Settings) -> tuple[dict[str, Any], str]:
    return _report(no_run)


def _assert_json_equals_mart(items: list[dict[str, Any]], mart: pd.DataFrame) -> None:
    assert [item["claim_id"] for item in items] == mart["claim_id"].tolist()
    for item, row in zip(items, mart.to_dict(orient="records"), strict=True):
        claim_id = row["claim_id"]
        assert item["source"] == f"marts.study_claims[claim_id={claim_id}]"
        assert item["measured_from"] == row["source"], claim_id
        for column in ("claimed_value", "measured_value", "ci_low", "ci_high", "sample_size"):
            expected = _value(row[column])
            if expected is None:
                assert item[column] is None, (claim_id, column)
            else:
                assert item[column] == pytest.approx(expected, rel=1e-12), (claim_id, column)
        for column in ("section", "claim", "reading", "claimed_text", "unit", "definition"):
            assert item[column] == row[column], (claim_id, column)
        for column in ("verdict_rule", "verdict", "verdict_reason"):
            assert item[column] == row[column], (claim_id, column)
        assert item["run_id"] == _value(row["run_id"]), claim_id


def _assert_html_equals_mart(page: str, mart: pd.DataFrame) -> None:
    rows = _claim_rows(page)
    assert len(rows) == len(mart)
    for row_html, row in zip(rows, mart.to_dict(orient="records"), strict=True):
        claim_id = row["claim_id"]
        assert row["claim"] in row_html and row["reading"] in row_html, claim_id
        assert f'<td class="num">{row["claimed_text"]}</td>' in row_html, claim_id
        assert row["definition"] in row_html and row["source"] in row_html, claim_id
        assert f">{row['verdict']}</span>" in row_html, claim_id
        assert row["verdict_reason"] in row_html, claim_id
        measured = _value(row["measured_value"])
        if measured is not None:
            assert f"<strong>{fmt_claim(measured, row['unit'])}</strong>" in row_html, claim_id
        low, high = _value(row["ci_low"]), _value(row["ci_high"])
        if low is not None and high is not None:
            interval = f"{fmt_claim(low, row['unit'])} to {fmt_claim(high, row['unit'])}"
            assert interval in row_html, claim_id


# --- after a training run -------------------------------------------------------------------


def test_json_has_the_marts_rows_and_values(fake_run: Settings, fake_report) -> None:
    payload, _ = fake_report
    mart = _mart(fake_run)
    assert len(mart) >= 20  # every numeric claim, some with two readings
    _assert_json_equals_mart(payload["study_claims"], mart)
    assert payload["schema_version"] == 2 and "study_comparison" not in payload
    model = [item for item in payload["study_claims"] if item["measured_from"].startswith("ml.")]
    assert model and all(item["run_id"] == FAKE_RUN_ID for item in model)
    assert all(item["verdict"] in {"supported", "not supported"} for item in model)
    verdicts = {item["verdict"] for item in payload["study_claims"]}
    assert {"supported", "not supported", "not measurable"} <= verdicts


def test_html_table_has_one_row_per_mart_row(fake_run: Settings, fake_report) -> None:
    _, page = fake_report
    _assert_html_equals_mart(page, _mart(fake_run))
    section = SECTION.search(page).group(1)
    counts = _mart(fake_run)["verdict"].value_counts()
    for verdict, n in counts.items():
        assert f'{n} <span class="verdict verdict-{verdict.replace(" ", "-")}">' in section


def test_console_lists_the_verdicts(fake_run: Settings, fake_report) -> None:
    payload, _ = fake_report
    counts = _mart(fake_run)["verdict"].value_counts()
    expected = ", ".join(f"{counts[v]} {v}" for v in VERDICTS if v in counts)
    summary = console_summary(payload)
    assert f"study claims ({sum(counts)}, marts.study_claims): {expected}" in summary


def test_quoted_claims_come_from_the_mart(fake_run: Settings, tmp_path: Path) -> None:
    """Change two claimed values in the mart: the sentences and the console follow."""
    settings = copy_warehouse(fake_run, tmp_path)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute(
            "update marts.study_claims set claimed_value = 0.123 "
            "where claim_id = 'streams_views_correlation'"
        )
        connection.execute(
            "update marts.study_claims set claimed_value = 0.99 where claim_id = 'stream_r2'"
        )
    report = build_executive_report(load_report_data(settings.warehouse_path), settings)
    sentences = {item["key"]: item for item in report["insights"]}
    correlation = sentences["cross_platform_correlation"]
    assert "the study's claimed 0.123" in correlation["text"]
    assert {
        "value": 0.123,
        "source": "marts.study_claims[claim_id=streams_views_correlation].claimed_value",
        "unit": "correlation",
        "key": "streams_views_correlation",
    } in correlation["figures"]
    assert "below the study's claimed 0.990" in sentences["stream_model"]["text"]
    assert "study 0.123" in console_summary(report)


# --- first build: no training run yet -------------------------------------------------------


def test_without_a_run_model_claims_are_not_yet_measured(no_run: Settings, no_run_report) -> None:
    payload, page = no_run_report
    mart = _mart(no_run)
    _assert_json_equals_mart(payload["study_claims"], mart)
    _assert_html_equals_mart(page, mart)
    items = {item["claim_id"]: item for item in payload["study_claims"]}
    model = [item for item in items.values() if item["measured_from"].startswith("ml.")]
    assert {item["claim_id"] for item in model} >= {"stream_r2", "hit_f1", "youtube_r2"}
    for item in model:
        assert item["verdict"] == "not yet measured" and item["measured_value"] is None
    assert items["streams_views_correlation"]["measured_value"] is not None
    rows = dict(zip(mart["claim_id"], _claim_rows(page), strict=True))
    assert ">not yet measured</span>" in rows["stream_r2"]
    assert "not yet measured" in console_summary(payload)


# --- before the post-model pass: the mart does not exist ------------------------------------


def test_without_the_mart(built_warehouse: Settings, tmp_path: Path) -> None:
    settings = copy_warehouse(built_warehouse, tmp_path)
    payload, page = _report(settings)
    assert payload["study_claims"] == [] and MART in payload["missing_relations"]
    section = SECTION.search(page).group(1)
    assert "marts.study_claims is not built yet" in section and "<table" not in section
    assert all("study's claimed" not in item["text"] for item in payload["insights"])
    assert "study claims" not in console_summary(payload)


# --- formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0.8473, "r2", "0.847"),
        (0.437, "lift", "+43.7%"),
        (-0.52, "lift", "-52.0%"),
        (0.9779, "share", "97.8%"),
        (0.0324, "rate", "3.24%"),
        (2.3, "ratio", "2.30x"),
        (120, "bpm_band", "120-129 BPM"),
        (14, "days", "14 days"),
        (0.0123, "std", "0.0123"),
        (0.000151, "variance", "0.00015"),
        (9.7e-05, "variance", "0.000097"),
        (0.0, "std", "0.0000"),
        (None, "ratio", "n/a"),
        (float("nan"), "r2", "n/a"),
    ],
)
def test_fmt_claim(value: Any, unit: str, expected: str) -> None:
    assert fmt_claim(value, unit) == expected
