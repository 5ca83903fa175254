"""The web API and page, through FastAPI's TestClient: every route and every error."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("python_multipart")

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jdanalyzer.cli.main import app as cli_app
from jdanalyzer.web import app as web
from jdanalyzer.web.app import MAX_BODY_BYTES, MAX_SCORE_ROWS, create_app

#: The server as a local browser reaches it (TestClient's default Host, testserver, gets 403).
LOCAL = "http://127.0.0.1:8000"


def _csv(rows: list[dict[str, str]]) -> str:
    import pandas as pd

    return str(pd.DataFrame(rows).to_csv(index=False))


def _read(text: str) -> Any:
    import pandas as pd

    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


# -- the page ---------------------------------------------------------------------------


def test_page_is_served_with_its_own_assets_and_no_cdn(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert '<textarea id="text"' in html and 'id="title"' in html
    for ref in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert ref.startswith(("/", "#", "data:")), ref  # nothing from another host
    for name, kind in (("app.js", "text/javascript"), ("app.css", "text/css")):
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(kind)
        assert "https://" not in asset.text and "http://" not in asset.text


def test_page_script_never_parses_posting_text_as_html(client: TestClient) -> None:
    script = client.get("/static/app.js").text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


@pytest.mark.parametrize("path", ["/static/nope.js", "/static/..%2Fweb.py", "/nope"])
def test_unknown_paths_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


# -- health and docs ---------------------------------------------------------------------


def test_healthz_names_the_model(client: TestClient, role_model: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["labels"] == role_model.labels
    assert body["model"]["path"] == "packaged"
    assert body["model"]["model_sha256"] == role_model.manifest["model_sha256"]
    assert body["pid"] == os.getpid()  # the process that answered (one per worker)


def test_openapi_schema_lists_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()  # /docs is off: see test_web_no_cdn.py
    assert {"/api/classify", "/api/score", "/healthz"} <= set(spec["paths"])
    assert "/" not in spec["paths"]
    score_body = spec["paths"]["/api/score"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "text/csv"} <= set(score_body)


# -- /api/classify -----------------------------------------------------------------------


def test_classify_returns_the_cli_json_schema(
    client: TestClient, sample_paths: dict[str, Path], samples: dict[str, str]
) -> None:
    response = client.post("/api/classify", json={"text": samples["ai_engineer"]})
    assert response.status_code == 200
    result = CliRunner().invoke(cli_app, ["classify", str(sample_paths["ai_engineer"]),
                                          "--format", "json"])
    assert result.exit_code == 0, result.output
    assert response.json() == json.loads(result.stdout)


def test_classify_with_title(client: TestClient, samples: dict[str, str]) -> None:
    response = client.post("/api/classify",
                           json={"text": samples["data_scientist"], "title": "Data Scientist"})
    assert response.status_code == 200
    body = response.json()
    assert body["label"] == "data_scientist"
    assert body["title"] == "Data Scientist"
    assert set(body["probabilities"]) == {"ai_engineer", "data_scientist", "hybrid", "other"}
    for evidence in body["evidence"]:
        for span in evidence["spans"]:
            assert 0 <= span["start"] < span["end"] <= len(body["text"])


def test_classify_truncates_a_long_posting(client: TestClient, samples: dict[str, str]) -> None:
    text = (samples["ai_engineer"] + "\n\n") * 80  # ~125,000 characters, under 1 MB
    response = client.post("/api/classify", json={"text": text})
    assert response.status_code == 200
    assert response.json()["truncated"] is True


@pytest.mark.parametrize("text", ["", "   \n\t ", "<p></p>"])
def test_empty_text_is_400(client: TestClient, text: str) -> None:
    response = client.post("/api/classify", json={"text": text})
    assert response.status_code == 400
    assert response.json() == {"detail": "the posting is empty; give the text of a job ad"}


@pytest.mark.parametrize(
    ("content", "content_type", "says"),
    [
        (b'{"text": "unterminated', "application/json", "not valid JSON"),
        (b"{bad json}", "application/json", "not valid JSON"),
        (b'{"title": "AI Engineer"}', "application/json", "text: Field required"),
        (b'{"text": 42}', "application/json", "text: Input should be a valid string"),
        (b'["a list"]', "application/json", "valid dictionary"),
        (b"We build RAG pipelines", "text/plain", "valid dictionary"),
    ],
)
def test_malformed_requests_are_422_with_a_readable_message(
    client: TestClient, content: bytes, content_type: str, says: str
) -> None:
    response = client.post("/api/classify", content=content,
                           headers={"Content-Type": content_type})
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str) and says in body["detail"]
    assert body["errors"] and all("input" not in e for e in body["errors"])  # no echo


def test_body_over_the_limit_is_413_by_content_length(client: TestClient) -> None:
    response = client.post("/api/classify", json={"text": "x" * MAX_BODY_BYTES})
    assert response.status_code == 413
    assert "1,000,000 bytes" in response.json()["detail"]


def test_body_over_the_limit_is_413_when_streamed_without_length(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # chunked transfer: no Content-Length to trust
        yield b'{"text": "'
        for _ in range(11):
            yield b"y" * 100_000
        yield b'"}'

    response = client.post("/api/classify", content=chunks(),
                           headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413


def test_body_limit_reads_no_more_than_the_limit() -> None:
    import anyio

    received: list[int] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
        raise AssertionError("the app must not run")

    async def receive() -> dict[str, Any]:
        received.append(1)
        return {"type": "http.request", "body": b"z" * 400, "more_body": True}  # forever

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"10")]}
    anyio.run(web.BodyLimit(app, limit=1000), scope, receive, send)
    assert sent[0]["status"] == 413
    assert len(received) == 3  # 1,200 bytes read: over the limit, whatever the header said


def test_bad_content_length_is_400() -> None:
    import anyio

    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
        raise AssertionError("the app must not run")

    async def receive() -> dict[str, Any]:  # pragma: no cover
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"lots")]}
    anyio.run(web.BodyLimit(app), scope, receive, send)
    assert sent[0]["status"] == 400
    assert json.loads(sent[1]["body"]) == {"detail": "the Content-Length header is not a number"}


def test_concurrent_requests_are_classified_together_with_the_same_results(
    monkeypatch: pytest.MonkeyPatch, role_model: Any, samples: dict[str, str]
) -> None:
    import asyncio

    import anyio

    from jdanalyzer.errors import EmptyTextError

    texts = [samples[name] for name in ("ai_engineer", "data_scientist", "hybrid")]
    batches: list[int] = []
    real = role_model.classify_many

    def recording(texts: Any, titles: Any = None, **kwargs: Any) -> Any:
        batches.append(len(texts))
        return real(texts, titles, **kwargs)

    monkeypatch.setattr(role_model, "classify_many", recording)

    async def burst() -> list[Any]:
        batcher = web.Batcher(role_model, anyio.CapacityLimiter(1))
        jobs = [batcher.classify(t, None) for t in [*texts, "<p></p>", *texts]]
        return await asyncio.gather(*jobs, return_exceptions=True)

    results = asyncio.run(burst())
    assert batches[0] == 7  # the seven waiting requests went in one batch; then, as one
    assert isinstance(results[3], EmptyTextError)  # text is only markup, one by one
    for text, result in zip([*texts, *texts], results[:3] + results[4:], strict=True):
        assert result.to_dict() == role_model.classify(text).to_dict()


def test_wrong_method_is_405(client: TestClient) -> None:
    assert client.get("/api/classify").status_code == 405


# -- /api/score --------------------------------------------------------------------------


def test_score_multipart_csv(client: TestClient, samples: dict[str, str]) -> None:
    rows = [
        {"posting_id": "a", "title": "AI Engineer", "description": samples["ai_engineer"]},
        {"posting_id": "b", "title": "", "description": ""},
        {"posting_id": "c", "title": "Data Scientist", "description": samples["data_scientist"]},
    ]
    response = client.post("/api/score", files={"file": ("jobs.csv", _csv(rows), "text/csv")})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="jobs-scored.csv"'
    out = _read(response.text)
    assert list(out["posting_id"]) == ["a", "b", "c"]
    assert list(out["label"]) == ["ai_engineer", "", "data_scientist"]
    assert {"confidence", "p_ai_engineer", "evidence", "error"} <= set(out.columns)
    assert "empty" in out.loc[1, "error"]
    assert out.loc[0, "description"] == samples["ai_engineer"].replace("\r\n", "\n")


def test_score_raw_text_csv_with_a_named_text_column(
    client: TestClient, samples: dict[str, str]
) -> None:
    rows = [{"ad": samples["hybrid"]}, {"ad": "<p></p>"}]
    response = client.post("/api/score?text_column=ad", content=_csv(rows).encode(),
                           headers={"Content-Type": "text/csv"})
    assert response.status_code == 200
    out = _read(response.text)
    assert out.loc[0, "label"] in {"ai_engineer", "data_scientist", "hybrid", "other"}
    assert out.loc[1, "label"] == "" and out.loc[1, "error"]


def test_score_keeps_a_spreadsheet_from_running_formulas(client: TestClient) -> None:
    rows = [{"text": "=HYPERLINK(\"http://x\") Machine learning engineer building LLM apps"}]
    response = client.post("/api/score", files={"file": ("f.csv", _csv(rows), "text/csv")})
    assert response.status_code == 200
    for value in _read(response.text).iloc[0][["evidence", "tasks", "error"]]:
        assert not str(value).startswith("=")


@pytest.mark.parametrize(
    ("kwargs", "status", "says"),
    [
        ({"json": {"text": "a posting"}}, 415, "not application/json"),
        ({"content": b"text\nsomething\n"}, 415, "without Content-Type"),
        ({"files": {"other": ("a.csv", "text\nx\n", "text/csv")}}, 400, "form field 'file'"),
        ({"data": {"file": "text\nnot a file\n"}, "files": {"x": ("x.txt", "x", "text/plain")}},
         400, "form field 'file'"),
        ({"files": {"file": ("a.csv", "a,b\n1,2\n", "text/csv")}}, 400, "no text column"),
        ({"files": {"file": ("a.csv", "", "text/csv")}}, 400, "is empty"),
        ({"files": {"file": ("a.csv", b"\x00\x01\x02PK", "text/csv")}}, 400, "binary"),
        ({"files": {"file": ("a.csv", "text,text\nx,y\n", "text/csv")}}, 400, "duplicate column"),
    ],
)
def test_score_errors(client: TestClient, kwargs: dict[str, Any], status: int, says: str) -> None:
    response = client.post("/api/score", **kwargs)
    assert response.status_code == status
    assert says in response.json()["detail"]


def test_score_unknown_text_column_lists_the_columns(client: TestClient) -> None:
    response = client.post("/api/score?text_column=body_text",
                           files={"file": ("a.csv", "id,text\n1,x\n", "text/csv")})
    assert response.status_code == 400
    assert "'body_text'" in response.json()["detail"] and "id, text" in response.json()["detail"]


def test_score_too_many_rows_is_413(client: TestClient) -> None:
    csv = "text\n" + "Data scientist\n" * (MAX_SCORE_ROWS + 1)
    response = client.post("/api/score", files={"file": ("a.csv", csv, "text/csv")})
    assert response.status_code == 413
    assert f"at most {MAX_SCORE_ROWS}" in response.json()["detail"]


def test_score_body_over_the_limit_is_413(client: TestClient) -> None:
    csv = "text\n" + ("word " * 50 + "\n") * 5000  # ~1.25 MB
    response = client.post("/api/score", files={"file": ("a.csv", csv, "text/csv")})
    assert response.status_code == 413


# -- start-up ------------------------------------------------------------------------------


def test_model_is_loaded_once_at_start_up(
    monkeypatch: pytest.MonkeyPatch, role_model: Any, samples: dict[str, str]
) -> None:
    calls: list[str | None] = []

    def counting_load(path: str | None = None) -> Any:
        calls.append(path)
        return role_model

    monkeypatch.setattr(web, "load_model", counting_load)
    with TestClient(create_app(), base_url=LOCAL) as test_client:
        assert calls == [None]
        for _ in range(3):
            response = test_client.post("/api/classify", json={"text": samples["hybrid"]})
            assert response.status_code == 200
        assert test_client.get("/healthz").status_code == 200
    assert calls == [None]


def test_a_missing_model_fails_at_start_up(tmp_path: Path) -> None:
    from jdanalyzer.errors import ModelError

    with pytest.raises(ModelError), TestClient(create_app(tmp_path / "none.joblib")):
        pass


# -- the serve command ---------------------------------------------------------------------


def test_serve_help() -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--model", "--workers", "127.0.0.1", "8000"):
        assert option in result.stdout


def test_serve_passes_its_options_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(web, "serve", lambda **kwargs: seen.update(kwargs))
    result = CliRunner().invoke(cli_app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen == {"host": "127.0.0.1", "port": 8123, "model": None, "workers": 1}
    assert "http://127.0.0.1:8123/" in result.stderr
    result = CliRunner().invoke(cli_app, ["serve", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert seen["workers"] == 2
    refused = CliRunner().invoke(cli_app, ["serve", "--workers", "0"])
    assert refused.exit_code == 2 and "--workers" in refused.stderr


def test_serve_warns_when_not_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web, "serve", lambda **kwargs: None)
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0
    assert "Warning: listening on 0.0.0.0" in result.stderr


def test_serve_with_a_missing_model_fails_before_binding(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--model", str(tmp_path / "none.npz")])
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1].startswith("Error: model manifest")


def test_serve_without_the_web_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "fastapi" else real(name, *a))
    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: `jdanalyzer serve` needs the web extra (fastapi not installed): "
        "pip install 'jdanalyzer[web]'\n"
    )
