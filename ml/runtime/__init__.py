"""Runtime: warehouse access, run locks, the run log, raw-input checks, the dbt runner and its
events, progress bars, errors."""
