"""Timing shared by the benchmark scripts: runs that take turns, best of each."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Sequence


def cpu_seconds() -> float:
    """User and system CPU seconds of this process and of its finished child processes."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def best_of_interleaved(
    repeat: int, works: Sequence[Callable[[], object]]
) -> list[tuple[float, float]]:
    """Time each of ``works`` ``repeat`` times, taking turns (a, b, a, b, ...), and return
    the best (wall, CPU) seconds of each: a swing in the machine's load then hits all of
    them alike rather than the one that happened to run during it. CPU time counts worker
    processes the work waited for."""
    wall = [float("inf")] * len(works)
    cpu = [float("inf")] * len(works)
    for _ in range(repeat):
        for k, work in enumerate(works):
            start, start_cpu = time.perf_counter(), cpu_seconds()
            work()
            wall[k] = min(wall[k], time.perf_counter() - start)
            cpu[k] = min(cpu[k], cpu_seconds() - start_cpu)
    return list(zip(wall, cpu, strict=True))
