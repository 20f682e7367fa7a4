"""Benchmarks of the SQL layer (`scripts/bench.py`, `make bench`). NOT part of the product.

* `pandas_peer`: the SQL layer's cleaning and KPI logic re-written in vectorised pandas, ONLY as a
  performance comparison. The product's logic lives in SQL (dbt_project/); nothing in the
  pipeline imports this package, and the peer must never become a second source of truth.
* `runner`: generates data, runs each contender (dbt build / dbt run on DuckDB, the pandas peer,
  training, scoring) in its own subprocess, measures wall time, CPU time and peak RSS, checks that
  the peer agrees with the marts, and writes `benchmark.json`.
* `measuring`: a subprocess's wall / CPU / peak RSS, dbt's per-node timings, medians, machine info.
* `agreement`: the peer's figures against the marts.
* `job`: the whole job (`python -m ml run`) on N rows or at real size, per step.
* `table`: the printed table and issue 15's targets beside the measured values.
"""
