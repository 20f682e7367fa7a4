"""Benchmark the SQL layer (dbt + DuckDB) against a pandas peer, then training and scoring.

Usage: python scripts/bench.py [--rows 1000000] [--seed 42] [--repeat 3] [--skip-ml] [--keep]
       (see `python scripts/bench.py --help`; writes REPORTS_DIR/benchmark.json)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from benchmark.runner import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
