"""Progress bars for long steps (dbt nodes, CV folds, prediction and scoring batches).

One library, tqdm: small, already a dependency of the stack, wraps any iterable, and switches
off cleanly. Bars go to stderr and are shown only when stderr is a terminal and ML_PROGRESS is
not "0", so tests, CI and `make run > file` get plain lines, never carriage-return noise.
Bars vanish when done (leave=False): the step line with its timing is what stays on screen.

    from ml.runtime.progress import progress, progress_bar, say

    for fold in progress(folds, total=len(folds), desc="hit_classifier: CV"):
        ...
    with progress_bar(total=rows, desc="scoring", unit="rows") as bar:
        bar.update(len(batch))
    say("a line that does not break an active bar")
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from tqdm import tqdm

ENV_VAR = "ML_PROGRESS"
_T = TypeVar("_T")


def progress_enabled() -> bool:
    """True when bars should be drawn: stderr is a TTY and ML_PROGRESS is not 0/false/off."""
    if os.environ.get(ENV_VAR, "").strip().lower() in {"0", "false", "no", "off"}:
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def _bar(total: float | None, desc: str, unit: str, enabled: bool | None) -> tqdm:
    show = progress_enabled() if enabled is None else enabled
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
        disable=not show,
        mininterval=0.2,
    )


def progress(
    iterable: Iterable[_T],
    *,
    total: int | None = None,
    desc: str = "",
    unit: str = "it",
    enabled: bool | None = None,
) -> Iterator[_T]:
    """Iterate over `iterable`, drawing a bar when enabled (a plain loop otherwise)."""
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    with _bar(total, desc, unit, enabled) as bar:
        for item in iterable:
            yield item
            bar.update(1)


@contextmanager
def progress_bar(
    *, total: float | None = None, desc: str = "", unit: str = "it", enabled: bool | None = None
) -> Iterator[tqdm]:
    """A bar to advance by hand (`bar.update(n)`, `bar.total = n`); a no-op when disabled."""
    with _bar(total, desc, unit, enabled) as bar:
        yield bar


def say(message: str) -> None:
    """Print a line to stderr without tearing an active bar."""
    tqdm.write(message, file=sys.stderr)
