"""The web API against hostile uploads and hostile pages, through FastAPI's TestClient.

A CSV too wide to read, a page on another site posting to the local server, a slow upload
beside a quick request, and CSVs that ``jdanalyzer score`` and ``/api/score`` must read alike.
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("python_multipart")

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jdanalyzer.cli.main import app as cli_app
from jdanalyzer.web.app import MAX_SCORE_COLUMNS, create_app

LOCAL = "http://127.0.0.1:8000"
HOST = {"Host": "127.0.0.1:8000"}


@pytest.fixture
def score_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of rows of each chunk /api/score scores (the real scoring still runs)."""
    from jdanalyzer.web import app as web

    calls: list[int] = []
    real = web.score_frame

    def recording(frame: Any, **kwargs: Any) -> Any:
        calls.append(len(frame))
        return real(frame, **kwargs)

    monkeypatch.setattr(web, "score_frame", recording)
    return calls


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _csv(rows: list[dict[str, str]]) -> str:
    import pandas as pd

    return str(pd.DataFrame(rows).to_csv(index=False))


def _read(text: str) -> Any:
    import pandas as pd

    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _upload(csv: str | bytes, name: str = "jobs.csv") -> dict[str, Any]:
    return {"files": {"file": (name, csv, "text/csv")}, "headers": HOST}


# -- a CSV too wide to read ---------------------------------------------------------------


@pytest.mark.parametrize(
    "csv",
    [
        ",".join(["x"] * 100_000) + "\n",  # 200 KB, one row: took minutes and gigabytes
        ",".join(str(i % 10) for i in range(100_000)) + "\n",
        ",".join(["description", *(f"c{i}" for i in range(20_000))]) + "\nAn ML engineer\n",
    ],
    ids=["100000-same-names", "100000-fields", "20001-named-columns"],
)
def test_a_csv_with_too_many_columns_is_refused_at_once(
    client: TestClient, score_calls: list[int], csv: str
) -> None:
    started = time.monotonic()
    response = client.post("/api/score", **_upload(csv))
    elapsed = time.monotonic() - started
    assert response.status_code == 413
    columns = csv.split("\n", 1)[0].count(",") + 1
    assert response.json() == {"detail": (
        f"jobs.csv has {columns:,} columns; the web API reads at most {MAX_SCORE_COLUMNS} "
        "(use `jdanalyzer score` for wider files)"
    )}
    assert elapsed < 2.0
    assert score_calls == []


def test_a_row_with_100000_fields_is_one_unscored_row(
    client: TestClient, samples: dict[str, str]
) -> None:
    csv = _csv([{"id": "1", "description": samples["ai_engineer"]}]) + ",".join(["x"] * 100_000)
    started = time.monotonic()
    response = client.post("/api/score", **_upload(csv))
    assert time.monotonic() - started < 3.0
    assert response.status_code == 200
    out = _read(response.text)
    assert list(out["label"]) == ["ai_engineer", ""]
    assert out.loc[1, "error"].endswith("expected 2 fields, found 100000; the row is not scored")


def test_columns_up_to_the_cap_are_read(client: TestClient, samples: dict[str, str]) -> None:
    row = {"description": samples["data_scientist"],
           **{f"c{i}": str(i) for i in range(MAX_SCORE_COLUMNS - 1)}}
    response = client.post("/api/score", **_upload(_csv([row])))
    assert response.status_code == 200
    out = _read(response.text)
    assert out.loc[0, "label"] == "data_scientist"
    assert out.loc[0, f"c{MAX_SCORE_COLUMNS - 2}"] == str(MAX_SCORE_COLUMNS - 2)
    wider = _csv([{**row, "one_more": "x"}])
    assert client.post("/api/score", **_upload(wider)).status_code == 413


def test_a_normal_csv_scores_every_row_in_order(
    client: TestClient, samples: dict[str, str], role_model: Any, score_calls: list[int]
) -> None:
    titles = {"ai_engineer": "AI Engineer", "data_scientist": "Data Scientist",
              "hybrid": "ML Engineer", "data_engineer": "Data Engineer"}
    names = list(titles)
    rows = [{"posting_id": f"p{i:03d}", "title": titles[names[i % 4]],
             "description": samples[names[i % 4]], "location": "Berlin"} for i in range(70)]
    response = client.post("/api/score", **_upload(_csv(rows)))
    assert response.status_code == 200
    out = _read(response.text)
    assert list(out["posting_id"]) == [r["posting_id"] for r in rows]
    assert list(out["location"]) == ["Berlin"] * 70
    expected = {n: role_model.classify(samples[n], titles[n]).label for n in names}
    assert list(out["label"]) == [expected[names[i % 4]] for i in range(70)]
    assert not any(e and not e.startswith("warning:") for e in out["error"])
    assert sum(score_calls) == 70 and len(score_calls) > 1  # scored a chunk at a time


# -- a page on another site ---------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:8000", "127.0.0.1.evil.example:8000", "localhost.evil.example",
     "user@127.0.0.1:8000", "127.0.0.1:notaport", "", "testserver"],
)
@pytest.mark.parametrize(("method", "path"), [("GET", "/"), ("GET", "/healthz"),
                                              ("POST", "/api/classify"), ("POST", "/api/score")])
def test_a_request_for_another_host_is_403(
    client: TestClient, score_calls: list[int], host: str, method: str, path: str
) -> None:
    """DNS rebinding: a page whose own name now points at 127.0.0.1 sends that name."""
    kwargs: dict[str, Any] = {"json": {"text": "We fine-tune LLMs"}} if path == "/api/classify" \
        else {"files": {"file": ("a.csv", "text\nWe fine-tune LLMs\n", "text/csv")}} \
        if path == "/api/score" else {}
    response = client.request(method, path, headers={"Host": host}, **kwargs)
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert detail.startswith(f"refused: the Host header {host!r} is not an address of this server")
    assert "127.0.0.1, ::1, localhost" in detail
    assert score_calls == []


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8000", "localhost:8000",
                                  "LocalHost:8000", "[::1]:8000"])
def test_the_loopback_names_are_served(client: TestClient, host: str) -> None:
    assert client.get("/healthz", headers={"Host": host}).status_code == 200
    origin = "http://" + host.lower()
    response = client.post("/api/classify", json={"text": "We fine-tune LLMs and build RAG"},
                           headers={"Host": host, "Origin": origin})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://evil.example:8000", "null", "http://localhost:3000",
     "http://127.0.0.1:8001", "http://127.0.0.1:8000.evil.example", "file://", "chrome-extension://x"],
)
def test_a_cross_origin_post_is_403(
    client: TestClient, score_calls: list[int], samples: dict[str, str], origin: str
) -> None:
    """What a form or fetch() on any page the user visits would send to the local server."""
    csv = _csv([{"description": samples["ai_engineer"]}])
    response = client.post("/api/score", files={"file": ("a.csv", csv, "text/csv")},
                           headers={**HOST, "Origin": origin})
    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"refused a cross-origin request: Origin {origin!r} is not this server (127.0.0.1:8000); "
        "only the page it serves may send it a POST"
    )
    assert score_calls == []
    response = client.post("/api/classify", json={"text": samples["ai_engineer"]},
                           headers={**HOST, "Origin": origin})
    assert response.status_code == 403


def test_the_page_own_origin_and_clients_without_origin_may_post(
    client: TestClient, samples: dict[str, str]
) -> None:
    csv = _csv([{"description": samples["ai_engineer"]}])
    for headers in ({**HOST, "Origin": LOCAL}, HOST):  # the page; curl and scripts
        response = client.post("/api/score", files={"file": ("a.csv", csv, "text/csv")},
                               headers=headers)
        assert response.status_code == 200
        assert _read(response.text).loc[0, "label"] == "ai_engineer"
    # Reading needs no Origin check: a cross-origin page cannot read the answer.
    assert client.get("/healthz", headers={**HOST, "Origin": "https://evil.example"}).status_code == 200


def test_serve_host_is_allowed_too(monkeypatch: pytest.MonkeyPatch, role_model: Any) -> None:
    import uvicorn

    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.update(app=app, **kwargs))
    result = CliRunner().invoke(cli_app, ["serve", "--host", "jobs.lan", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("jobs.lan", 8123)
    with TestClient(served["app"], base_url="http://jobs.lan:8123") as lan:
        assert lan.get("/healthz").status_code == 200
        response = lan.post("/api/classify", json={"text": "We fine-tune LLMs"},
                            headers={"Origin": "http://jobs.lan:8123"})
        assert response.status_code == 200
        assert lan.get("/healthz", headers={"Host": "localhost:8123"}).status_code == 200
        assert lan.get("/healthz", headers={"Host": "evil.example:8123"}).status_code == 403


def test_listening_on_every_address_allows_ip_addresses_not_names(role_model: Any) -> None:
    with TestClient(create_app(host="0.0.0.0"), base_url="http://192.168.1.20:8000") as lan:
        assert lan.get("/healthz").status_code == 200
        assert lan.get("/healthz", headers={"Host": "[fe80::1]:8000"}).status_code == 200
        assert lan.get("/healthz", headers={"Host": "evil.example:8000"}).status_code == 403
        response = lan.post("/api/classify", json={"text": "We fine-tune LLMs"},
                            headers={"Origin": "http://10.0.0.9:8000"})
        assert response.status_code == 403


# -- a slow request beside a quick one ----------------------------------------------------


def test_a_long_score_does_not_hold_up_classify(
    client: TestClient, samples: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jdanalyzer.web import app as web

    scoring_started = threading.Event()
    real = web.score_frame

    def signalling(frame: Any, **kwargs: Any) -> Any:
        scoring_started.set()
        return real(frame, **kwargs)

    monkeypatch.setattr(web, "score_frame", signalling)
    texts = [samples[n] for n in ("ai_engineer", "data_scientist", "hybrid", "data_engineer")]
    rows = [{"id": str(i), "description": texts[i % 4]} for i in range(320)]  # 10 chunks
    upload = _upload(_csv(rows))
    finished: dict[str, Any] = {}

    def score() -> None:
        sent = time.monotonic()
        response = client.post("/api/score", **upload)
        finished.update(status=response.status_code, sent=sent, at=time.monotonic(),
                        text=response.text)

    thread = threading.Thread(target=score)
    thread.start()
    try:
        assert scoring_started.wait(30)
        started = time.monotonic()
        response = client.post("/api/classify", json={"text": samples["data_scientist"]},
                               headers=HOST)
        answered = time.monotonic()
    finally:
        thread.join(120)
    assert response.status_code == 200 and response.json()["label"] == "data_scientist"
    assert finished["status"] == 200 and len(_read(finished["text"])) == len(rows)
    assert answered < finished["at"]  # answered while the file was still being scored
    # It waited for a chunk or so, not for the file (the bound holds on a loaded machine too).
    assert answered - started < min(3.0, (finished["at"] - finished["sent"]) / 3)


# -- one reader for the API and the CLI ---------------------------------------------------


def _cases(samples: dict[str, str]) -> dict[str, bytes]:
    ai, ds, hy = (_quoted(samples[n]) for n in ("ai_engineer", "data_scientist", "hybrid"))
    cases = {
        "unclosed quote": f'id,description\n1,{ai}\n2,"{_one_line(samples["data_scientist"])}\n3,{hy}\n',
        "unclosed quote at the end": f'id,description\n1,{ai}\n2,"We fine-tune LLMs\n',
        "duplicate columns": f"id,description,id\n1,{ai},2\n",
        "duplicate columns, one empty": f",description,\n1,{ai},2\n",
        "too many and too few fields": f"id,description\n1,{ai},extra\n2\n3,{hy}\n",
        "stray quote": f'id,description\n1,ML engineer "really" fast\n2,{ds}\n',
        "blank lines, BOM and CRLF": f"\ufeffid,description\r\n\r\n1,{ai}\r\n\r\n2,{ds}\r\n",
        "a field over the csv module's limit": (
            f"id,description\n1,{_quoted(samples['ai_engineer'] * 100)}\n2,{ds}\n"
        ),
        "header only": "id,description\n",
    }
    return {
        **{name: text.encode("utf-8") for name, text in cases.items()},
        "not UTF-8": f"id,description\n1,{ds}\n2,Data scientist in Zürich\n".encode("cp1252", "replace"),
    }


CASES = ["unclosed quote", "unclosed quote at the end", "duplicate columns",
         "duplicate columns, one empty", "too many and too few fields", "stray quote",
         "blank lines, BOM and CRLF", "a field over the csv module's limit", "header only",
         "not UTF-8"]


@pytest.mark.parametrize("case", CASES)
def test_the_api_reads_a_csv_as_jdanalyzer_score_does(
    client: TestClient, samples: dict[str, str], case: str
) -> None:
    import pandas as pd

    data = _cases(samples)[case]
    Path("jobs.csv").write_bytes(data)  # the working directory is the test's tmp_path
    result = CliRunner().invoke(cli_app, ["score", "jobs.csv", "-o", "scored.csv", "--jobs", "1"])
    response = client.post("/api/score", **_upload(data))
    if result.exit_code != 0:
        assert response.status_code == 400
        assert result.stderr.strip().splitlines()[-1] == f"Error: {response.json()['detail']}".strip()
        return
    assert response.status_code == 200, response.text
    cli = pd.read_csv("scored.csv", dtype=str, keep_default_na=False)
    api = _read(response.text)
    pd.testing.assert_frame_equal(api, cli)
    if case.startswith("unclosed quote"):
        assert "malformed CSV" in api.loc[1, "error"] and api.loc[1, "label"] == ""
        assert api.loc[0, "label"] == "ai_engineer"


def test_duplicate_columns_are_an_error_both_ways(client: TestClient) -> None:
    response = client.post("/api/score", **_upload("id,description,id\n1,An ML engineer,2\n"))
    assert response.status_code == 400
    assert response.json() == {"detail": "jobs.csv has duplicate column names: id"}
