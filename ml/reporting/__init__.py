"""Reporting: warehouse figures -> executive JSON, HTML (jinja2) and the console summary.

The entry points are importable from here (loaded on first use: the validation schemas do not
need matplotlib or jinja2):

    render_reports(settings, log)     write executive_report.json and index.html
    print_console_summary(settings)   print the numbers of the report last written
    build_executive_report(data, settings, log)   the JSON report as a dict

ml/reporting/render.py lists the modules behind them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ml.reporting.console import console_summary, print_console_summary
    from ml.reporting.executive import build_executive_report
    from ml.reporting.mv_priority import NO_RUN
    from ml.reporting.render import REPORT_HTML, REPORT_JSON, render_reports

_EXPORTS = {
    "render_reports": "ml.reporting.render",
    "REPORT_JSON": "ml.reporting.render",
    "REPORT_HTML": "ml.reporting.render",
    "print_console_summary": "ml.reporting.console",
    "console_summary": "ml.reporting.console",
    "build_executive_report": "ml.reporting.executive",
    "NO_RUN": "ml.reporting.mv_priority",
}
__all__ = [
    "NO_RUN",
    "REPORT_HTML",
    "REPORT_JSON",
    "build_executive_report",
    "console_summary",
    "print_console_summary",
    "render_reports",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ml.reporting' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
