"""A local web page and JSON API over the role model (the ``web`` extra: FastAPI + uvicorn).

Routes:

* ``GET /``: a single page (HTML, CSS and a little vanilla JS served by the app, no CDN).
* ``POST /api/classify``: JSON ``{"text": ..., "title": ...}`` in, the JSON of
  ``jdanalyzer classify --format json`` (:meth:`Prediction.to_dict`) out.
* ``POST /api/score``: a CSV of at most :data:`MAX_SCORE_ROWS` rows and
  :data:`MAX_SCORE_COLUMNS` columns in (multipart field ``file``, or a raw ``text/csv``
  body), the same CSV scored by :func:`jdanalyzer.batch.score.score_frame` out (the columns
  of ``jdanalyzer score``). The CSV is read by the reader of ``jdanalyzer score``
  (:class:`jdanalyzer.batch.tables.TableReader`), so a file reads the same both ways: a
  malformed line (an unclosed quote, the wrong number of fields) becomes a row that says
  why it was not scored, duplicate column names are an error, long cells are handled as
  that reader handles them (the body limit bounds them here too).
* ``GET /labels``: what each label means (the definitions ``jdanalyzer labels`` prints).
* ``GET /healthz``: liveness and the model in use.
* ``GET /openapi.json``: the OpenAPI schema of the API. There is no ``/docs`` or ``/redoc``
  page: FastAPI's load Swagger UI and ReDoc from a CDN, and this server loads nothing from
  elsewhere (open the schema in any OpenAPI viewer instead).

Request bodies over :data:`MAX_BODY_BYTES` get 413, malformed JSON 422 and empty text 400.
The server is for this machine's browser (:class:`LocalOnly`): a request whose ``Host`` is
not 127.0.0.1, localhost, ::1 or the ``--host`` address gets 403 (no DNS rebinding), and so
does a POST whose ``Origin`` is another site (no cross-site form posts).

The model is loaded once, at start-up. Classification is CPU-bound, so it runs in a worker
thread one batch at a time (:class:`Batcher`: requests that arrive together are classified
together), and the event loop stays free. A CSV is scored :data:`SCORE_CHUNK_ROWS` rows per
turn of that thread, so a /api/classify request waits for at most one chunk, not the file.
"""

from __future__ import annotations

import asyncio
import csv
import io
import ipaddress
import json
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from functools import partial
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import pandas as pd
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from jdanalyzer import __version__
from jdanalyzer.batch.columns import resolve_columns
from jdanalyzer.batch.score import TEXT_GENERATED, score_frame
from jdanalyzer.batch.tables import ERROR, WARNING, TableReader, neutralized
from jdanalyzer.errors import ColumnError, InputError
from jdanalyzer.model.predict import RoleModel, load_model
from jdanalyzer.text.reading import decode_bytes
from jdanalyzer.types import Prediction

__all__ = ["MAX_BODY_BYTES", "MAX_SCORE_COLUMNS", "MAX_SCORE_ROWS", "create_app", "serve"]

log = logging.getLogger(__name__)

#: Request bodies larger than this get 413 (checked on Content-Length and on the bytes read).
MAX_BODY_BYTES = 1_000_000
#: A CSV sent to ``/api/score`` may have at most this many rows (``jdanalyzer score`` has no limit).
MAX_SCORE_ROWS = 500
#: ... and at most this many columns (counted on the header before the table is read).
MAX_SCORE_COLUMNS = 200
#: Rows scored per turn of the worker thread: other requests wait for one chunk at most.
SCORE_CHUNK_ROWS = 32

#: Host names the server always answers to (besides the address it listens on).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_ANY_ADDRESS = ("0.0.0.0", "::", "")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_ASSETS = {"app.js": "text/javascript", "app.css": "text/css"}
# The page and its assets load nothing from elsewhere and run no inline script.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class ClassifyRequest(BaseModel):
    """The body of ``POST /api/classify``."""

    text: str = Field(description="The job posting: plain text, Markdown or HTML.",
                      examples=["Senior AI Engineer. Build RAG pipelines with LangChain ..."])
    title: str | None = Field(default=None, description="The ad's title, if you have it.",
                              examples=["Senior AI Engineer"])


class BodyLimit:
    """ASGI middleware: answer 413 to request bodies over ``limit`` bytes.

    The declared ``Content-Length`` is checked first; the body is then read (at most
    ``limit + 1`` bytes, whatever the headers say, chunked or not) and replayed to the app.
    """

    def __init__(self, app: Any, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                await _send_error(send, 400, "the Content-Length header is not a number")
                return
            if too_big:
                await self._refuse(send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the client to disconnect

        await self.app(scope, replay, send)

    async def _refuse(self, send: Callable[[Any], Awaitable[None]]) -> None:
        await _send_error(
            send, 413,
            f"the request body is over the limit of {self.limit:,} bytes; a posting is far "
            "shorter (score large files with `jdanalyzer score`)",
        )


async def _send_error(send: Callable[[Any], Awaitable[None]], status: int, detail: str) -> None:
    response = JSONResponse({"detail": detail}, status_code=status, headers={"Connection": "close"})
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def _split_host(value: str) -> tuple[str, int | None] | None:
    """The name and port of a ``Host`` header (``name``, ``name:port``, ``[v6]:port``), or None."""
    if not value or any(c in value for c in "/\\@?# \t"):
        return None
    try:
        parts = urlsplit("//" + value)
        name, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, a bad IPv6 literal
        return None
    return (name, port) if name else None


def _origin(value: str) -> tuple[str, int] | None:
    """The host and port of an ``Origin`` header (``scheme://host[:port]``), or None."""
    try:
        parts = urlsplit(value)
        name, port = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not name or parts.path not in ("", "/"):
        return None
    return name, port or (443 if parts.scheme == "https" else 80)


class LocalOnly:
    """ASGI middleware: 403 to a request for another host, and to a cross-origin POST.

    * The ``Host`` header must name this server: 127.0.0.1, localhost, ::1 or ``host`` (the
      address it listens on; when that is 0.0.0.0 or ::, any IP address too). A web page
      that rebinds its own domain name to 127.0.0.1 sends its name, and is refused.
    * A request that can change something (any method but GET, HEAD and OPTIONS) with an
      ``Origin`` header must come from this server's own page: same host and port as
      ``Host``. Browsers send ``Origin`` with every cross-origin POST, form posts included;
      clients such as curl send none and are let through.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        self.app = app
        name = host.strip().strip("[]").lower()
        self.any_address = name in _ANY_ADDRESS
        self.names = frozenset({*LOOPBACK_HOSTS, name} - {""})

    def allows(self, name: str) -> bool:
        """Whether ``name`` (a Host without its port) is an address of this server."""
        if name in self.names:
            return True
        if not self.any_address:
            return False
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    async def __call__(self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        host = headers.get(b"host", "")
        where = _split_host(host)
        if where is None or not self.allows(where[0]):
            names = ", ".join(sorted(self.names)) + (" or an IP address" if self.any_address else "")
            await _send_error(
                send, 403, f"refused: the Host header {host[:100]!r} is not an address of this "
                f"server ({names}); open the page at one of those",
            )
            return
        origin = headers.get(b"origin")
        if origin is not None and scope.get("method", "GET") not in _SAFE_METHODS:
            port = where[1] or (443 if scope.get("scheme") == "https" else 80)
            if _origin(origin) != (where[0], port):
                await _send_error(
                    send, 403, f"refused a cross-origin request: Origin {origin[:100]!r} is not "
                    f"this server ({host[:100]}); only the page it serves may send it a "
                    f"{scope.get('method', 'POST')}",
                )
                return
        await self.app(scope, receive, send)


def _readable(errors: Sequence[Any]) -> str:
    """One sentence from pydantic's validation errors of a request."""
    parts = []
    for error in errors:
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "")
            return (f"the request body is not valid JSON ({reason}); send an object like "
                    '{"text": "the posting", "title": "optional title"}')
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) + ' (expected JSON like {"text": "the posting", "title": "optional"})'


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors()]
    return JSONResponse({"detail": _readable(exc.errors()), "errors": errors}, status_code=422)


async def _input_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=400)


def _asset(name: str) -> bytes:
    return (files("jdanalyzer.web") / "static" / name).read_bytes()


def _labels_page() -> str:
    """The label definitions shipped with the package (``data/labels.json``) as a small page."""

    data = json.loads((files("jdanalyzer") / "data" / "labels.json").read_text(encoding="utf-8"))
    items = "".join(
        f'      <dt><code>{escape(label)}</code></dt>\n      <dd>{escape(text)}</dd>\n'
        for label, text in data["labels"].items()
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n'
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "  <title>jdanalyzer: what the labels mean</title>\n"
        '  <link rel="icon" href="data:,">\n  <link rel="stylesheet" href="/static/app.css">\n'
        '</head>\n<body>\n  <main class="wrap">\n    <h1>What the labels mean</h1>\n'
        '    <p class="muted">A posting gets the label of the work it describes.</p>\n'
        f'    <dl class="card">\n{items}    </dl>\n'
        f'    <p>{escape(data["title"])}</p>\n'
        '    <p><a href="/">Back to the page</a></p>\n  </main>\n</body>\n</html>\n'
    )


def _check_width(data: bytes, name: str) -> None:
    """413 for a header of over :data:`MAX_SCORE_COLUMNS` fields, before the reader parses it.

    The header is split into lines and parsed as :class:`TableReader` does (lines end at
    ``\\n``; blank lines before it are skipped); a header it cannot parse is left to the
    reader to report.
    """
    lines = (line.decode("utf-8", "replace") for line in io.BytesIO(data))
    try:
        header = next((row for row in csv.reader(lines, strict=True) if row), [])
    except csv.Error:
        return
    if len(header) > MAX_SCORE_COLUMNS:
        raise HTTPException(
            413, f"{name} has {len(header):,} columns; the web API reads at most "
            f"{MAX_SCORE_COLUMNS} (use `jdanalyzer score` for wider files)",
        )


def _read_upload(
    data: bytes, name: str, text_column: str | None, title_column: str | None
) -> tuple[list[Any], list[str], str, str | None]:
    """The chunks of an uploaded CSV, its columns and the text and title columns.

    The CSV is read by :class:`jdanalyzer.batch.tables.TableReader`, the reader of
    ``jdanalyzer score``, so both read a file the same way and say the same about it.
    """

    decode_bytes(data, name=name)  # refuse a binary file up front
    _check_width(data, name)
    with tempfile.TemporaryDirectory(prefix="jdanalyzer-upload-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        reader = TableReader(path, fmt="csv", chunk_size=SCORE_CHUNK_ROWS)
        try:
            try:
                reader.open()
            except InputError as exc:  # name the upload, not the temporary file
                raise type(exc)(str(exc).replace(str(path), name)) from None
            try:
                text_col, title_col, _ = resolve_columns(
                    reader.columns, text_column, title_column, None
                )
            except ColumnError as exc:
                hint = "in the web API: the text_column and title_column query parameters"
                raise ColumnError(f"{exc} ({hint})") from None
            chunks, rows = [], 0
            for chunk in reader.chunks():
                rows += len(chunk)
                if rows > MAX_SCORE_ROWS:
                    raise HTTPException(
                        413, f"the CSV has over {MAX_SCORE_ROWS} rows; the web API scores at "
                        f"most {MAX_SCORE_ROWS} (use `jdanalyzer score` for larger files)",
                    )
                chunks.append(chunk)
        finally:
            reader.close()
    return chunks, list(reader.columns), text_col, title_col


def _no_rows(columns: Sequence[str]) -> Any:
    """An empty chunk with ``columns``, as the reader yields them (for a header-only CSV)."""


    return pd.DataFrame({c: pd.Series(dtype=object) for c in [*columns, ERROR, WARNING]})


def _joined_csv(frames: Sequence[Any]) -> str:
    """The scored chunks as one CSV, text cells safe to open in a spreadsheet."""


    scored = pd.concat(frames, ignore_index=True)
    log.info("scored %d rows", len(scored))
    return str(neutralized(scored, TEXT_GENERATED).to_csv(index=False))


class Batcher:
    """Classify concurrent requests together: one ``classify_many`` call per queue of waiters.

    Classification is CPU-bound and holds the GIL, so requests are classified one batch at
    a time in a worker thread (under ``limiter``). Requests that arrive while a batch runs
    wait for the next one, which takes them all (at most ``max_batch``): batching cuts the
    cost per posting (one ``nlp.pipe`` and one model call) and so the time spent queueing.
    The predictions are the same as one ``classify`` call each.
    """

    def __init__(self, model: RoleModel, limiter: anyio.CapacityLimiter, max_batch: int = 16):
        self.model = model
        self.limiter = limiter
        self.max_batch = max_batch
        self._waiting: list[tuple[str, str | None, asyncio.Future[Prediction]]] = []
        self._draining = False
        self._task: asyncio.Task[None] | None = None

    async def classify(self, text: str, title: str | None) -> Prediction:
        future: asyncio.Future[Prediction] = asyncio.get_running_loop().create_future()
        self._waiting.append((text, title, future))
        if not self._draining:
            self._draining = True
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
                outcomes = await anyio.to_thread.run_sync(self._run, batch, limiter=self.limiter)
                for (_, _, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():  # the client went away
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        except BaseException as exc:  # never leave a waiter hanging
            for _, _, future in self._waiting:
                if not future.done():
                    future.set_exception(exc)
            self._waiting.clear()
            raise
        finally:
            self._draining = False

    def _run(self, batch: Sequence[tuple[str, str | None, Any]]) -> list[Any]:
        try:
            return list(self.model.classify_many([b[0] for b in batch], [b[1] for b in batch]))
        except Exception:  # e.g. one text that is only markup: classify them one by one
            outcomes: list[Any] = []
            for text, title, _ in batch:
                try:
                    outcomes.append(self.model.classify(text, title))
                except Exception as exc:
                    outcomes.append(exc)
            return outcomes


_SCORE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary",
                             "description": f"A CSV of at most {MAX_SCORE_ROWS} rows and 1 MB."},
                },
            }
        },
        "text/csv": {"schema": {"type": "string"}},
    },
}


def create_app(model: str | Path | None = None, *, host: str = "127.0.0.1") -> FastAPI:
    """The FastAPI app over the model file at ``model`` (default: the packaged model).

    The model is loaded (and warmed up) once, when the app starts, not per request; it is
    the same object :func:`jdanalyzer.model.predict.load_model` returns for that path, which
    batch scoring (``/api/score``) uses too. ``host`` is the address the server listens on
    (``jdanalyzer serve --host``): requests must name it, or 127.0.0.1, localhost or ::1, in
    their ``Host`` header (see :class:`LocalOnly`).

    Example:
        >>> from fastapi.testclient import TestClient
        >>> with TestClient(create_app(), base_url="http://127.0.0.1:8000") as client:
        ...     sorted(client.post("/api/classify", json={"text": "We fine-tune LLMs"}).json())[:3]
        ['confidence', 'evidence', 'label']
    """
    model_arg = str(model) if model is not None else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        def load() -> RoleModel:
            loaded = load_model(model_arg)
            # Build the spaCy pipeline and warm the caches now, not on the first request.
            sample = files("jdanalyzer") / "samples" / "ai_engineer.txt"
            loaded.classify(sample.read_text(encoding="utf-8"))
            return loaded

        app.state.model = await anyio.to_thread.run_sync(load)
        # One classification at a time: it is CPU-bound, so more threads would only contend
        # for the GIL; the event loop stays free for /healthz and the page meanwhile.
        app.state.limiter = anyio.CapacityLimiter(1)
        app.state.batcher = Batcher(app.state.model, app.state.limiter)
        yield

    app = FastAPI(
        title="jdanalyzer",
        version=__version__,
        description=(
            "Tell what job a job posting really describes: AI engineer, data scientist, "
            f"hybrid or other, with the evidence. Request bodies are limited to "
            f"{MAX_BODY_BYTES:,} bytes; CSVs to {MAX_SCORE_ROWS} rows."
        ),
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN: off. The schema
        # itself is served at /openapi.json, and the page's footer says so.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(LocalOnly, host=host)  # added last, so it runs first: before the body is read
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(InputError, _input_error)

    async def run(request: Request, func: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(func, *args, limiter=request.app.state.limiter)

    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        return Response(_asset("index.html"), media_type="text/html; charset=utf-8",
                        headers=_PAGE_HEADERS)

    @app.get("/static/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in _ASSETS:
            raise HTTPException(404, f"no such file: {name}")
        return Response(_asset(name), media_type=f"{_ASSETS[name]}; charset=utf-8",
                        headers=_PAGE_HEADERS)

    @app.get("/labels", include_in_schema=False)
    async def labels_page() -> Response:
        return Response(_labels_page(), media_type="text/html; charset=utf-8",
                        headers=_PAGE_HEADERS)

    @app.get("/healthz", summary="Liveness and the model in use")
    async def healthz(request: Request) -> dict[str, Any]:
        loaded: RoleModel = request.app.state.model
        return {
            "status": "ok",
            "version": __version__,
            "pid": os.getpid(),  # which worker process answered (jdanalyzer serve --workers)
            "labels": loaded.labels,
            "model": {"path": model_arg or "packaged",
                      **{k: loaded.manifest.get(k) for k in ("created", "model_sha256")}},
        }

    @app.post(
        "/api/classify",
        summary="Classify one posting",
        response_description="The schema of `jdanalyzer classify --format json`.",
        responses={400: {"description": "Empty text"}, 413: {"description": "Body over 1 MB"},
                   422: {"description": "Malformed JSON or fields"}},
    )
    async def api_classify(body: ClassifyRequest, request: Request) -> JSONResponse:
        """Label a posting ai_engineer, data_scientist, hybrid or other, with the evidence."""
        if not body.text.strip():
            raise HTTPException(400, "the posting is empty; give the text of a job ad")
        batcher: Batcher = request.app.state.batcher
        prediction = await batcher.classify(body.text, body.title or None)
        return JSONResponse(prediction.to_dict())

    @app.post(
        "/api/score",
        summary=f"Score a CSV of at most {MAX_SCORE_ROWS} postings",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}, "description": "The CSV with predictions"},
                   400: {"description": "Unreadable CSV, duplicate columns or no text column"},
                   413: {"description": f"Body over 1 MB, over {MAX_SCORE_ROWS} rows or over "
                                        f"{MAX_SCORE_COLUMNS} columns"},
                   415: {"description": "Neither multipart/form-data nor text/csv"}},
        openapi_extra={"requestBody": _SCORE_BODY},
    )
    async def api_score(
        request: Request, text_column: str | None = None, title_column: str | None = None
    ) -> Response:
        """Upload a CSV (form field ``file``, or a ``text/csv`` body) and get it back scored.

        The text column is guessed (``description``, ``text``, ...) unless ``text_column``
        names it; the title column likewise. The rows come back in order with the columns
        of ``jdanalyzer score``: ``label``, ``confidence``, ``p_<label>``, ``evidence``,
        ``evidence_spans``, ``ai_skills``, ``ds_skills``, ``other_skills``, ``tasks`` and
        ``error`` (why a row was not scored, or a ``warning:``). The CSV is read as
        ``jdanalyzer score`` reads it: a malformed line is a row that says why it was not
        scored.
        """
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media == "multipart/form-data":
            async with request.form(max_files=1, max_fields=10) as form:
                upload = form.get("file")
                if upload is None or isinstance(upload, str):
                    raise HTTPException(400, "send the CSV as a file in the form field 'file'")
                data, name = await upload.read(), upload.filename or "upload.csv"
        elif media in ("text/csv", "application/csv"):
            data, name = await request.body(), "upload.csv"
        else:
            raise HTTPException(
                415, f"send the CSV as multipart/form-data (field 'file') or as text/csv, "
                f"not {media or 'a body without Content-Type'}",
            )
        # Reading is bounded by the caps and needs no model: it runs beside classification.
        chunks, columns, text_col, title_col = await anyio.to_thread.run_sync(
            _read_upload, data, name, text_column, title_column
        )
        score = partial(score_frame, text_column=text_col, title_column=title_col, model=model_arg)
        scored = [await run(request, score, chunk) for chunk in chunks or [_no_rows(columns)]]
        body = await anyio.to_thread.run_sync(_joined_csv, scored)
        stem = Path(name).stem or "upload"
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80]
        disposition = f'attachment; filename="{safe}-scored.csv"'
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": disposition})

    return app


#: How ``serve`` tells its worker processes the model and the host (see app_from_environment).
_MODEL_ENV, _HOST_ENV = "JDANALYZER_SERVE_MODEL", "JDANALYZER_SERVE_HOST"


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``serve(workers=N)``: uvicorn starts each worker
    afresh, and the worker reads the model path and host that ``serve`` put in its
    environment."""
    return create_app(os.environ.get(_MODEL_ENV) or None, host=os.environ.get(_HOST_ENV, "127.0.0.1"))


def serve(
    *, host: str = "127.0.0.1", port: int = 8000, model: str | Path | None = None, workers: int = 1
) -> None:
    """Load the model, then run the app with uvicorn until interrupted (blocks).

    With ``workers`` above 1, uvicorn runs that many worker processes, each with its own
    model (about 250 MB each), which share the port: classifying is CPU-bound and holds
    Python's GIL, so one process uses one core (``benchmarks/bench_web.py --workers``).
    """
    import uvicorn

    if workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    load_model(str(model) if model is not None else None)  # a bad model fails before binding
    if workers == 1:
        uvicorn.run(create_app(model, host=host), host=host, port=port, log_level="info")
        return
    os.environ[_MODEL_ENV] = str(Path(model).resolve()) if model is not None else ""
    os.environ[_HOST_ENV] = host
    uvicorn.run(f"{__name__}:app_from_environment", factory=True, workers=workers,
                host=host, port=port, log_level="info")
