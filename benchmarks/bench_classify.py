"""Start-up cost of classifying one pasted posting, next to importing spaCy and scikit-learn.

Runs each command several times in fresh processes, in one run, and prints the median and
best wall times, and the median CPU time (user + system: what the command itself costs,
which other jobs on the machine inflate less than wall time). Target: `jdanalyzer classify
SAMPLE` under 2 s; `jdanalyzer --help` well under 1 s.

    python benchmarks/bench_classify.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "src" / "jdanalyzer" / "samples" / "hybrid.txt"
BIN = Path(sys.executable).parent


def wall(cmd: list[str], repeat: int) -> list[float]:
    return [t for t, _ in timed(cmd, repeat)]


def timed(cmd: list[str], repeat: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each of ``repeat`` runs of ``cmd``."""
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        times.append((elapsed, cpu))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    jd = str(BIN / "jdanalyzer")
    commands = {
        "python -c 'import spacy, sklearn'": [sys.executable, "-c", "import spacy, sklearn"],
        "jdanalyzer --help": [jd, "--help"],
        "jdanalyzer extract SAMPLE": [jd, "extract", str(SAMPLE)],
        "jdanalyzer classify SAMPLE": [jd, "classify", str(SAMPLE)],
        "jdanalyzer classify SAMPLE -f json": [jd, "classify", str(SAMPLE), "--format", "json"],
    }
    wall(commands["jdanalyzer classify SAMPLE"], 1)  # warm the OS file cache
    runs = {name: timed(cmd, args.repeat) for name, cmd in commands.items()}
    results = {name: [t for t, _ in times] for name, times in runs.items()}
    base = statistics.median(results["python -c 'import spacy, sklearn'"])
    print(f"{'command':40} {'median':>8} {'best':>8} {'cpu':>8} {'x imports':>10}")
    for name, times in results.items():
        median = statistics.median(times)
        cpu = statistics.median(c for _, c in runs[name])
        print(f"{name:40} {median:7.2f}s {min(times):7.2f}s {cpu:7.2f}s {median / base:9.2f}x")
    classify = statistics.median(results["jdanalyzer classify SAMPLE"])
    verdict = "meets" if classify < 2.0 else "MISSES"
    print(f"\nclassify on a sample: {classify:.2f} s median ({verdict} the target < 2 s)")


if __name__ == "__main__":
    main()
