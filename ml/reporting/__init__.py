"""Reporting: warehouse figures -> executive JSON, HTML (jinja2) and the console summary."""
