"""``jdanalyzer serve --workers 2``: two processes, each with its model, answer on one port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "jdanalyzer" / "samples" / "ai_engineer.txt"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _workers(pid: int) -> list[int]:
    """The processes ``pid`` spawned with multiprocessing (not its resource tracker)."""
    ps = ["ps", "-ww", "-o", "pid=,args=", "--ppid", str(pid)]
    out = subprocess.run(ps, capture_output=True, text=True)
    return [int(line.split()[0]) for line in out.stdout.splitlines() if "spawn_main" in line]


def _alive(pid: int) -> bool:
    return subprocess.run(["ps", "-p", str(pid)], capture_output=True).returncode == 0


@pytest.mark.slow
def test_two_workers_serve_the_page_and_the_api(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # The model given by a relative path: the workers start afresh and must find it too.
    model = Path("models/role_model.npz")
    server = subprocess.Popen(
        [sys.executable, "-m", "jdanalyzer", "serve", "--port", str(port), "--workers", "2",
         "--model", str(model)],
        cwd=SAMPLE.parents[3], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "the server did not become ready"
            try:
                if httpx.get(base + "/healthz", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        # Both workers up: uvicorn's main process spawned two.
        while len(_workers(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        workers = _workers(server.pid)
        assert len(workers) == 2
        text = SAMPLE.read_text(encoding="utf-8")

        def classify(_: int) -> tuple[int, str | None]:
            with httpx.Client(base_url=base, trust_env=False, timeout=60) as client:
                response = client.post("/api/classify", json={"text": text})
                return response.status_code, response.json().get("label")

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(classify, range(16)))
        assert answers == [(200, "ai_engineer")] * 16
        # Each worker answers: /healthz names the process that answered.
        answered: set[int] = set()
        while answered != set(workers) and time.monotonic() < deadline:
            answered.add(httpx.get(base + "/healthz", trust_env=False).json()["pid"])
        assert answered == set(workers)
        assert httpx.get(base + "/", trust_env=False).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert not [pid for pid in workers if _alive(pid)]  # stopping the server stops its workers
