"""Timing shared by the benchmark scripts: runs that take turns, in this process or as commands."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def cache_bytecode() -> bool:
    """Let the commands run next cache their modules' bytecode, as Python does for a user:
    drop ``PYTHONDONTWRITEBYTECODE`` (some sandboxes and CI images set it, and every fresh
    process then compiles jdanalyzer's modules again). Run each command once untimed after
    this. Returns whether the variable was set."""
    return os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None


def cpu_seconds() -> float:
    """User and system CPU seconds of this process and of its finished child processes."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def interleaved(repeat: int, works: Sequence[Callable[[], object]]) -> list[list[tuple[float, float]]]:
    """Time each of ``works`` ``repeat`` times, taking turns (a, b, a, b, ...), and return
    every (wall, CPU) seconds pair, ``result[k][r]`` for work ``k`` in round ``r``: a swing in
    the machine's load then hits all of them alike rather than the one that happened to run
    during it. CPU time counts child processes the work waited for (and their own children,
    when they waited for them: a command's worker processes)."""
    runs: list[list[tuple[float, float]]] = [[] for _ in works]
    for _ in range(repeat):
        for k, work in enumerate(works):
            start, start_cpu = time.perf_counter(), cpu_seconds()
            work()
            runs[k].append((time.perf_counter() - start, cpu_seconds() - start_cpu))
    return runs


def best_of_interleaved(
    repeat: int, works: Sequence[Callable[[], object]]
) -> list[tuple[float, float]]:
    """The best (wall, CPU) seconds of each of ``works`` over ``repeat`` interleaved rounds."""
    return [
        (min(w for w, _ in runs), min(c for _, c in runs)) for runs in interleaved(repeat, works)
    ]


def median_pair(runs: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Median wall and median CPU seconds of ``runs``."""
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def command(cmd: Sequence[str | Path], *, cwd: Path | None = None) -> Callable[[], None]:
    """A work that runs ``cmd`` as a fresh process, output discarded, and fails loudly if it
    exits non-zero (a failing command would otherwise look fast)."""

    def run() -> None:
        result = subprocess.run([str(c) for c in cmd], cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            tail = result.stderr.strip().splitlines()[-1:] or ["(no output)"]
            raise SystemExit(f"{' '.join(map(str, cmd))} exited with {result.returncode}: {tail[0]}")

    return run
