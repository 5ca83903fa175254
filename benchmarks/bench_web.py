"""Burst-load the web API on loopback: N requests, C at a time; throughput, latency, errors.

Starts ``jdanalyzer serve`` in a subprocess on a free loopback port, waits for
``/healthz``, warms up, then sends ``--requests`` POSTs to ``/api/classify`` from
``--concurrency`` client threads and prints throughput, p50/p95/p99 latency and the error
count. It also times ``RoleModel.classify`` in this process for the same postings, the
cost the server pays per request. Target: no errors, p95 under 50 ms at 8 concurrent.
Traffic goes only to 127.0.0.1 (proxy settings are ignored), the number of requests is
bounded, and the server is stopped at the end.

    python benchmarks/bench_web.py                       # the shipped AI-engineer sample
    python benchmarks/bench_web.py --corpus ../shared/corpora   # real postings (not held out)
    python benchmarks/bench_web.py --workers 2           # jdanalyzer serve --workers 2
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from pathlib import Path

import httpx

TARGET_P95_MS = 50


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def corpus_postings(corpus: Path, n: int) -> list[str]:
    """``n`` postings of typical length from the corpus, held-out ones excluded."""
    import pandas as pd

    heldout = set((corpus / "heldout-ids.txt").read_text(encoding="utf-8").split())
    frame = pd.read_csv(corpus / "postings.csv.gz", dtype=str, keep_default_na=False)
    frame = frame[~frame["posting_id"].isin(heldout) & (frame["description"].str.len() > 200)]
    return list(frame["description"].sample(n=min(n, len(frame)), random_state=0))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def start_server(port: int, model: str | None, workers: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "jdanalyzer", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers)]
    if model:
        cmd += ["--model", model]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def wait_ready(base: str, server: subprocess.Popen[bytes], workers: int = 1, timeout: float = 120) -> None:
    """Wait until ``workers`` worker processes answer /healthz (each reports its pid)."""
    deadline = time.monotonic() + timeout
    seen: set[int] = set()
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            response = httpx.get(base + "/healthz", timeout=2, trust_env=False)
            if response.status_code == 200:
                seen.add(response.json().get("pid", 0))
                if len(seen) >= workers:
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.2 if not seen else 0.02)
    raise SystemExit(f"the server did not become ready ({len(seen)} of {workers} workers answered)")


def classify_cost(texts: list[str], model: str | None, rounds: int = 3) -> float:
    """Median seconds of one ``RoleModel.classify`` call over ``texts`` (in this process)."""
    from jdanalyzer.model.predict import load_model

    role = load_model(model)
    role.classify(texts[0])
    times = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            role.classify(text)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--posting", type=Path, help="A posting file (default: shipped sample).")
    parser.add_argument("--corpus", type=Path, help="Use 50 non-held-out corpus postings.")
    parser.add_argument("--model", help="Model file (default: the packaged model).")
    parser.add_argument("--url", help="Use a server already running on loopback at this URL.")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes of the server (jdanalyzer serve --workers)")
    args = parser.parse_args()
    if args.url and httpx.URL(args.url).host not in ("127.0.0.1", "localhost", "::1"):
        parser.error(f"--url must be a loopback address such as http://127.0.0.1:8000, not {args.url}")

    if args.corpus:
        texts = corpus_postings(args.corpus, 50)
    elif args.posting:
        texts = [args.posting.read_text(encoding="utf-8")]
    else:
        texts = [(files("jdanalyzer") / "samples" / "ai_engineer.txt").read_text(encoding="utf-8")]
    sizes = sorted(len(t) for t in texts)
    print(f"postings: {len(texts)} (median {sizes[len(sizes) // 2]:,} characters)")

    server = None
    base = args.url
    if base is None:
        base = f"http://127.0.0.1:{free_port()}"
        server = start_server(int(base.rsplit(":", 1)[1]), args.model, args.workers)
    try:
        wait_ready(base, server, args.workers) if server else None
        latencies: list[float] = []
        errors: list[str] = []
        with httpx.Client(base_url=base, timeout=30, trust_env=False,
                          limits=httpx.Limits(max_connections=args.concurrency)) as client:

            def one(i: int) -> None:
                started = time.perf_counter()
                try:
                    response = client.post("/api/classify", json={"text": texts[i % len(texts)]})
                    if response.status_code != 200:
                        errors.append(f"HTTP {response.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(type(exc).__name__)
                latencies.append(time.perf_counter() - started)

            for i in range(10):  # warm-up, not counted
                one(i)
            latencies.clear()
            errors.clear()
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(one, range(args.requests)))
            elapsed = time.perf_counter() - started
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    ms = [s * 1000 for s in latencies]
    workers = "" if args.url else f", server workers {args.workers}"
    print(f"requests: {args.requests}, concurrency {args.concurrency}{workers}, {elapsed:.2f} s")
    print(f"throughput: {args.requests / elapsed:.1f} requests/s")
    print(f"latency ms: p50 {percentile(ms, 50):.0f}, p95 {percentile(ms, 95):.0f}, "
          f"p99 {percentile(ms, 99):.0f}, max {max(ms):.0f}")
    print(f"errors: {len(errors)}" + (f" ({', '.join(sorted(set(errors)))})" if errors else ""))
    cost = classify_cost(texts[:20], args.model)
    print(f"classify cost per posting (in process, median): {cost * 1000:.1f} ms; "
          f"{args.concurrency} queued requests = ~{args.concurrency * cost * 1000:.0f} ms of work")
    p95 = percentile(ms, 95)
    met = "met" if not errors and p95 < TARGET_P95_MS else "MISSED"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"target (no errors, p95 < {TARGET_P95_MS} ms at 8 concurrent; run at "
          f"{args.concurrency}): {met}; "
          f"load {load} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
