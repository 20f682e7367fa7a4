"""The run lock across processes: a waiting job names the holder; a killed holder blocks nothing;
`python -m ml build` against another build, a held DuckDB writer, and dbt's own lock error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

from ml.config import REPO_ROOT, Settings
from ml.runtime.dbt_runner import run_dbt
from ml.runtime.errors import WarehouseLockedError
from ml.runtime.locking import holder_path, lock_path, run_lock
from ml.runtime.warehouse import LOCK_WAIT_ENV
from tests.helpers import isolated_settings, job_env

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


# --- whole commands in other processes --------------------------------------------------------

WRITER = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print("open", flush=True)
sys.stdin.read()  # held until the test closes stdin (or kills the process)
"""
WAIT_SECONDS = 2


def _ml(settings: Settings, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ml", *args],
        cwd=REPO_ROOT,
        env=job_env(settings, **{LOCK_WAIT_ENV: str(WAIT_SECONDS)}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the test can stop it with the dbt it started
    )


def _stop(process: subprocess.Popen) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)


def _writer(warehouse: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "open"
    return process


@pytest.mark.slow
def test_second_build_waits_then_names_the_first(small_raw_csv: Path, tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path, small_raw_csv)
    first = _ml(settings, "build")
    try:
        deadline = time.monotonic() + 60
        while not holder_path(settings.warehouse_path).exists():
            assert time.monotonic() < deadline and first.poll() is None, "first build never locked"
            time.sleep(0.1)
        started = time.monotonic()
        second = _ml(settings, "build")
        _, stderr = second.communicate(timeout=120)
        waited = time.monotonic() - started
    finally:
        _stop(first)
    assert second.returncode == 1, stderr
    assert f"is in use by process {first.pid} (python -m ml build)" in stderr
    assert f"waited {WAIT_SECONDS} s" in stderr
    assert WAIT_SECONDS <= waited < WAIT_SECONDS + 30  # waited, then stopped (no hang)


@pytest.mark.slow
def test_build_stops_while_another_process_holds_a_duckdb_writer(
    small_raw_csv: Path, tmp_path: Path
) -> None:
    settings = isolated_settings(tmp_path, small_raw_csv)
    writer = _writer(settings.warehouse_path)
    try:
        build = _ml(settings, "build")
        _, stderr = build.communicate(timeout=120)
    finally:
        writer.kill()
        writer.communicate(timeout=30)
    assert build.returncode == 1, stderr
    assert f"the warehouse {settings.warehouse_path} is in use by process {writer.pid}" in stderr
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_dbt_lock_error_gets_the_same_message(small_raw_csv: Path, tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path, small_raw_csv)
    writer = _writer(settings.warehouse_path)
    try:
        with pytest.raises(WarehouseLockedError) as locked:
            run_dbt(settings, ["run", "--select", "stg_spotify_youtube__tracks"], quiet=True)
    finally:
        writer.kill()
        writer.communicate(timeout=30)
    assert locked.value.message.startswith(
        f"the warehouse {settings.warehouse_path} is in use by process {writer.pid}"
    )
