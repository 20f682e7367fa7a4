"""One job at a time per warehouse: a run lock, plus a bounded wait for DuckDB's own file lock."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ml.runtime.errors import WarehouseLockedError
from ml.runtime.warehouse import LOCK_RETRY_SECONDS, connect


def _lock_path(warehouse_path: Path) -> Path:
    return warehouse_path.with_name(warehouse_path.name + ".run.lock")


@contextmanager
def run_lock(warehouse_path: Path, *, retry_seconds: float = LOCK_RETRY_SECONDS) -> Iterator[None]:
    """Hold an exclusive advisory lock for a whole job (dbt and Python steps in turn).

    A second `make run` on the same warehouse waits a few seconds, then stops with a message
    naming the process that holds it. The lock dies with its process: no stale-lock cleanup.
    """
    path = _lock_path(warehouse_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    deadline = time.monotonic() + retry_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise WarehouseLockedError(
                        f"the warehouse {warehouse_path} is in use by {holder} "
                        f"(another `make run` or `python -m ml` job); waited {retry_seconds:.0f} s",
                        step="lock",
                        hint="wait for it to finish, then re-run",
                    ) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} (python -m ml)")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the flock


def wait_until_writable(warehouse_path: Path) -> None:
    """Before dbt starts: wait (bounded) while another DuckDB writer holds the file."""
    if warehouse_path.exists():
        connect(warehouse_path).close()
