"""Executive reports (SPEC step 8): reports/executive_report.json and reports/index.html.

report_data.py      reads what the reports show from the warehouse (read-only)
executive.py        builds the JSON report: figures that name their source, the study's
                    claims beside the measured values, insights.py, recommendations.py
html_page.py        renders index.html from the same report plus charts/ (inline SVG)
console.py          the few numbers printed at the end of `make run`
validation.py       the JSON schemas of the report files
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ml.config import Settings
from ml.reporting.executive import build_executive_report
from ml.reporting.html_page import build_charts, render_html
from ml.reporting.report_data import load_report_data
from ml.reporting.validation import SchemaError, validate
from ml.runtime.errors import PipelineError
from ml.runtime.run_log import RunLog, write_json

REPORT_JSON = "executive_report.json"
REPORT_HTML = "index.html"


def _write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path


def render_reports(settings: Settings, log: RunLog) -> list[Path]:
    """Write executive_report.json and index.html into settings.reports_dir; return their paths."""
    started = time.perf_counter()
    data = load_report_data(settings.warehouse_path)
    report = build_executive_report(data, settings, log)
    try:
        validate(report, "executive_report")
    except SchemaError as error:  # a bug in this module: say which field
        raise PipelineError(
            f"executive_report.json does not match its schema: {error}", step="render reports"
        ) from error
    html = render_html(report, data, build_charts(report, data), log)
    reports_dir = settings.reports_dir
    paths = [
        write_json(reports_dir / REPORT_JSON, report),
        _write_text(reports_dir / REPORT_HTML, html),
    ]
    print(
        f"reports: {', '.join(str(p) for p in paths)} ({time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
        flush=True,
    )
    return paths
