"""The bounded fan-out: results in submission order, never more than `limit` calls in flight."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from ml.runtime.parallel import bounded_results


def test_results_in_order_with_bounded_pending_calls() -> None:
    lock = threading.Lock()
    state = {"in_flight": 0, "most": 0}
    drawn: list[int] = []

    def work(number: int) -> int:
        with lock:
            state["in_flight"] += 1
            state["most"] = max(state["most"], state["in_flight"])
        time.sleep(0.01 * (number % 3))  # later calls may finish first
        with lock:
            state["in_flight"] -= 1
        return number * number

    def arguments() -> Iterator[tuple[int]]:
        for number in range(20):
            drawn.append(number)
            yield (number,)

    results = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        for value in bounded_results(pool, work, arguments(), 3):
            # the producer is never more than `limit` items ahead of the consumer
            assert len(drawn) - len(results) <= 3
            results.append(value)
    assert results == [number * number for number in range(20)]
    assert state["most"] <= 3
