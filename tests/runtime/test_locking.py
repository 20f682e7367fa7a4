"""The run lock across processes: a waiting job names the holder; a killed holder blocks nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from ml.config import REPO_ROOT
from ml.runtime.errors import WarehouseLockedError
from ml.runtime.locking import holder_path, lock_path, run_lock

HOLD = """
import sys, time
from pathlib import Path
from ml.runtime.locking import run_lock
with run_lock(Path(sys.argv[1]), owner="python -m ml run"):
    print("locked", flush=True)
    time.sleep(120)
"""


def _holder_process(warehouse: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "locked"
    return process


def test_other_process_is_named_then_its_death_frees_the_lock(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    holder = _holder_process(warehouse)
    try:
        started = time.monotonic()
        with (
            pytest.raises(
                WarehouseLockedError, match=rf"process {holder.pid} \(python -m ml run\)"
            ),
            run_lock(warehouse, retry_seconds=1.0),
        ):
            pass
        assert 0.9 <= time.monotonic() - started < 5
    finally:
        holder.kill()  # no clean exit: the OS must drop the lock
        holder.wait(timeout=30)
    assert lock_path(warehouse).exists() or sys.platform == "win32"
    with run_lock(warehouse, retry_seconds=0):  # the leftover files block nothing
        assert holder_path(warehouse).read_text(encoding="utf-8").startswith("process ")
    assert not holder_path(warehouse).exists()


def test_lock_released_when_the_job_raises(tmp_path: Path) -> None:
    warehouse = tmp_path / "nested" / "warehouse.duckdb"  # parent created on demand
    with pytest.raises(RuntimeError), run_lock(warehouse):
        raise RuntimeError("step failed")
    with run_lock(warehouse, retry_seconds=0):
        pass


WAIT_THEN_HOLD = """
import sys, time
from pathlib import Path
from ml.runtime.locking import run_lock
with run_lock(Path(sys.argv[1]), retry_seconds=60, owner="waiter"):
    print("locked", flush=True)
    sys.stdin.readline()  # hold until told to finish
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX unlink-while-locked")
def test_a_job_removes_its_lock_file_and_a_waiter_still_excludes_the_next(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with run_lock(warehouse):
        waiter = subprocess.Popen(
            [sys.executable, "-c", WAIT_THEN_HOLD, str(warehouse)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)  # the waiter has opened the current lock file and polls it
    try:
        assert waiter.stdout is not None
        assert waiter.stdout.readline().strip() == "locked"
        # The old file was unlinked while locked: the waiter holds a fresh one, so a third job
        # (which opens the path anew) must still be refused.
        with (
            pytest.raises(WarehouseLockedError, match="waiter"),
            run_lock(warehouse, retry_seconds=1),
        ):
            pass
    finally:
        waiter.communicate("done\n", timeout=30)  # a clean end: the job removes its files
    assert waiter.returncode == 0
    assert not lock_path(warehouse).exists() and not holder_path(warehouse).exists()
