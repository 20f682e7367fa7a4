"""One job at a time per warehouse: a run lock, plus a bounded wait for DuckDB's own file lock.

The run lock is an OS file lock (filelock: flock on POSIX, LockFileEx on Windows) on
`<warehouse>.run.lock`. The operating system drops it when its process ends, however it ends,
so a killed job never blocks the next one. A job that ends (ok, failed or interrupted) also
removes the file: on POSIX it is unlinked while still locked, so a job already waiting on the old
file sees it deleted (filelock then re-creates the path) and no two jobs can hold two different
files; on Windows filelock deletes it on release. Only a job killed outright (SIGKILL, power
loss) leaves the file behind, unlocked and harmless. Who holds the lock is written to a side
file, `<warehouse>.run.holder`, read only by a job that waited in vain (the lock file itself
cannot be read while locked on Windows).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

from ml.runtime.errors import WarehouseLockedError
from ml.runtime.warehouse import LOCK_RETRY_SECONDS, connect

POLL_SECONDS = 0.5


def lock_path(warehouse_path: Path) -> Path:
    return warehouse_path.with_name(warehouse_path.name + ".run.lock")


def holder_path(warehouse_path: Path) -> Path:
    return warehouse_path.with_name(warehouse_path.name + ".run.holder")


def _holder(warehouse_path: Path) -> str:
    try:
        text = holder_path(warehouse_path).read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "another process"


@contextmanager
def run_lock(
    warehouse_path: Path,
    *,
    retry_seconds: float = LOCK_RETRY_SECONDS,
    owner: str = "python -m ml",
) -> Iterator[None]:
    """Hold an exclusive lock for a whole job (dbt and Python steps in turn).

    A second `make run` on the same warehouse waits up to `retry_seconds`, then stops with a
    message naming the process that holds it (pid and `owner`, e.g. the command line). The
    lock dies with its process; its files go with the job (module docstring).
    """
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path(warehouse_path)))
    try:
        lock.acquire(timeout=max(retry_seconds, 0), poll_interval=POLL_SECONDS)
    except Timeout:
        raise WarehouseLockedError(
            f"the warehouse {warehouse_path} is in use by {_holder(warehouse_path)} "
            f"(another `make run` or `python -m ml` job); waited {retry_seconds:.0f} s",
            step="lock",
            hint="wait for it to finish, then re-run",
        ) from None
    holder = holder_path(warehouse_path)
    try:
        holder.write_text(f"process {os.getpid()} ({owner})", encoding="utf-8")
        yield
    finally:
        with suppress(OSError):
            holder.unlink()
        if os.name != "nt":  # unlink while locked (module docstring); Windows: filelock does it
            with suppress(OSError):
                lock_path(warehouse_path).unlink()
        lock.release()


def wait_until_writable(warehouse_path: Path) -> None:
    """Before dbt starts: wait (bounded) while another DuckDB writer holds the file."""
    if warehouse_path.exists():
        connect(warehouse_path).close()
