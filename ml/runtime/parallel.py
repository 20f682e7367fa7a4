"""Bounded fan-out: a lazily produced sequence of calls run on a thread pool, results in order."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")


def bounded_results(
    pool: Executor, function: Callable[..., T], arguments: Iterable[tuple[Any, ...]], limit: int
) -> Iterator[T]:
    """function(*args) on `pool` for each args of `arguments`, the results yielded in submission
    order. `arguments` is drawn lazily in the calling thread, so whatever produces the next item
    (a read, a seeded draw) runs beside the pending calls; at most `limit` calls are submitted
    and not yet yielded, so memory stays bounded. A result is yielded as soon as it is first in
    line and done."""
    pending: deque[Future[T]] = deque()
    for args in arguments:
        pending.append(pool.submit(function, *args))
        while pending and (len(pending) >= limit or pending[0].done()):
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
