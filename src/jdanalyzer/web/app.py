"""A local web page and JSON API over the role model (the ``web`` extra: FastAPI + uvicorn).

Routes:

* ``GET /``: a single page (HTML, CSS and a little vanilla JS served by the app, no CDN).
* ``POST /api/classify``: JSON ``{"text": ..., "title": ...}`` in, the JSON of
  ``jdanalyzer classify --format json`` (:meth:`Prediction.to_dict`) out.
* ``POST /api/score``: a CSV of at most :data:`MAX_SCORE_ROWS` rows in (multipart field
  ``file``, or a raw ``text/csv`` body), the same CSV scored by
  :func:`jdanalyzer.batch.score.score_frame` out (the columns of ``jdanalyzer score``).
* ``GET /healthz``: liveness and the model in use; ``GET /docs``: OpenAPI docs.

Request bodies over :data:`MAX_BODY_BYTES` get 413, malformed JSON 422 and empty text 400.
The model is loaded once, at start-up. Classification is CPU-bound, so it runs in a worker
thread one batch at a time (:class:`Batcher`: requests that arrive together are classified
together), and the event loop stays free.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from jdanalyzer import __version__
from jdanalyzer.errors import ColumnError, InputError
from jdanalyzer.model.predict import RoleModel, load_model
from jdanalyzer.types import Prediction

__all__ = ["MAX_BODY_BYTES", "MAX_SCORE_ROWS", "create_app", "serve"]

log = logging.getLogger(__name__)

#: Request bodies larger than this get 413 (checked on Content-Length and on the bytes read).
MAX_BODY_BYTES = 1_000_000
#: A CSV sent to ``/api/score`` may have at most this many rows (``jdanalyzer score`` has no limit).
MAX_SCORE_ROWS = 500

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


def _read_csv(data: bytes, name: str) -> Any:
    import pandas as pd

    from jdanalyzer.text.reading import decode_bytes

    text = decode_bytes(data, name=name).text
    if not text.strip():
        raise InputError(f"{name} is empty; upload a CSV with a header row and one posting per row")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as exc:
        raise InputError(f"cannot read {name} as CSV: {str(exc).strip()}") from None


def _scored_csv(
    data: bytes, name: str, text_column: str | None, title_column: str | None,
    model: str | None,
) -> str:
    """Score an uploaded CSV with :func:`jdanalyzer.batch.score.score_frame`, as ``jdanalyzer score``."""
    from jdanalyzer.batch.columns import resolve_columns
    from jdanalyzer.batch.score import TEXT_GENERATED, score_frame
    from jdanalyzer.batch.tables import neutralized

    frame = _read_csv(data, name)
    try:
        text_col, title_col, _ = resolve_columns(
            [str(c) for c in frame.columns], text_column, title_column, None
        )
    except ColumnError as exc:
        hint = "in the web API: the text_column and title_column query parameters"
        raise ColumnError(f"{exc} ({hint})") from None
    if len(frame) > MAX_SCORE_ROWS:
        raise HTTPException(
            413, f"the CSV has {len(frame):,} rows; the web API scores at most {MAX_SCORE_ROWS} "
            "(use `jdanalyzer score` for larger files)",
        )
    scored = score_frame(frame, text_column=text_col, title_column=title_col, model=model)
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


def create_app(model: str | Path | None = None) -> FastAPI:
    """The FastAPI app over the model file at ``model`` (default: the packaged model).

    The model is loaded (and warmed up) once, when the app starts, not per request; it is
    the same object :func:`jdanalyzer.model.predict.load_model` returns for that path, which
    batch scoring (``/api/score``) uses too.

    Example:
        >>> from fastapi.testclient import TestClient
        >>> with TestClient(create_app()) as client:
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
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
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

    @app.get("/healthz", summary="Liveness and the model in use")
    async def healthz(request: Request) -> dict[str, Any]:
        loaded: RoleModel = request.app.state.model
        return {
            "status": "ok",
            "version": __version__,
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
                   400: {"description": "Unreadable CSV or no text column"},
                   413: {"description": f"Body over 1 MB or over {MAX_SCORE_ROWS} rows"},
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
        ``ai_skills``, ``ds_skills``, ``tasks`` and ``error`` (why a row was not scored, or a
        ``warning:``).
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
        csv = await run(request, _scored_csv, data, name, text_column, title_column, model_arg)
        stem = Path(name).stem or "upload"
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80]
        disposition = f'attachment; filename="{safe}-scored.csv"'
        return Response(csv, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": disposition})

    return app


def serve(*, host: str = "127.0.0.1", port: int = 8000, model: str | Path | None = None) -> None:
    """Load the model, then run the app with uvicorn until interrupted (blocks)."""
    import uvicorn

    load_model(str(model) if model is not None else None)  # a bad model fails before binding
    uvicorn.run(create_app(model), host=host, port=port, log_level="info")
