"""Batch scoring: label every row of a table of postings, streaming, in parallel, resumably.

Every input row gives exactly one output row, in input order: the input columns, then
:data:`GENERATED`. A row that cannot be scored (empty or non-text cell, malformed line)
has no label and says why in ``error``; a row scored with a caveat (text cut at
100,000 characters, bytes that were not UTF-8, a short text) has a label and an
``error`` that starts with ``warning:``. The :data:`LISTS` columns (evidence, skills,
tasks) hold lists of strings: JSON arrays in JSONL, ``list<string>`` in Parquet, and
``; ``-joined text in CSV (what a spreadsheet can show). A text under
:data:`~jdanalyzer.model.predict.MIN_WORDS` words is too short to judge: its row has the
probabilities but no ``label`` or ``confidence``, and ``error`` says
``warning: too short (N words) ...``. An input column named like a generated one is
kept as ``input_<name>``, and the run says so in :attr:`ScoreSummary.warnings`.

A local run writes ``OUTPUT.parts/`` chunk by chunk; its ``progress.json`` records the
input's SHA-256 and each part's row count and SHA-256, and ``--resume`` checks them all
before it trusts a single part.

``jobs=None`` picks the number of worker processes with :func:`auto_jobs`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jdanalyzer.batch.columns import resolve_columns
from jdanalyzer.batch.tables import (
    ERROR,
    WARNING,
    TableReader,
    arrow_ready,
    concat_parts,
    guess_format,
    neutralized,
    pa_table,
    prefixed,
    write_part,
)
from jdanalyzer.errors import InputError, JDAnalyzerError
from jdanalyzer.extraction.extract import extract, extract_many
from jdanalyzer.extraction.pipeline import get_pipeline
from jdanalyzer.model.predict import RoleModel, load_model
from jdanalyzer.types import LABELS, Prediction

__all__ = [
    "GENERATED", "LISTS", "ScoreColumns", "ScoreProgress", "ScoreSummary", "auto_jobs", "score_file",
    "score_frame",
]

log = logging.getLogger(__name__)

#: The columns scoring adds to every row.
GENERATED = (
    "label", "confidence", *(f"p_{label}" for label in LABELS), "evidence", "evidence_spans",
    "ai_skills", "ds_skills", "other_skills", "tasks", "error",
)
#: Generated columns holding lists of strings (a missing cell: the row was not scored).
#: ``evidence_spans`` goes with ``evidence``, item by item: where each one is in the
#: normalized text, ``"start-end"``, several joined with ``,`` (empty for a title word).
LISTS = ("evidence", "evidence_spans", "ai_skills", "ds_skills", "other_skills", "tasks")
#: Generated columns holding text, neutralized against spreadsheet formulas in CSV output
#: (where the :data:`LISTS` cells are joined with ``"; "``).
TEXT_GENERATED = ("label", *LISTS, "error")
#: The note in ``error`` of a row whose text is too short to label (the model's warning).
TOO_SHORT = "warning: too short ("
ENGINES = ("local", "dask")
#: ``jobs=None`` scores an input under this many rows in one process (see :func:`auto_jobs`),
AUTO_SMALL_ROWS = 2_000
#: or, when its rows are not known without reading it, under this many bytes: about
#: 2,000 postings at the shared corpus's 4 KB a posting.
AUTO_SMALL_BYTES = 8_000_000
#: ... and a larger one in all cores, at most this many (each worker holds ~300 MB).
AUTO_MAX_JOBS = 4
#: Suffixes that make ``-o`` look like a file, which ``--engine dask`` refuses (it writes a folder).
_FILE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet", ".pq", ".gz", ".txt")
_PROGRESS_VERSION = 2
_MODEL_LOCK = threading.Lock()  # dask may run partitions in threads of one process


def auto_jobs(rows: int | None, size: int | None, cores: int | None) -> int:
    """The worker processes ``jobs=None`` means for an input of ``rows`` rows or ``size`` bytes.

    One for a small input: under :data:`AUTO_SMALL_ROWS` rows or, when the row count is not
    known without reading the input (CSV, JSONL), under :data:`AUTO_SMALL_BYTES` bytes. Each
    worker pays the model's and spaCy's start-up (1.5-2 s), which on 2,000 postings cost
    more than a second worker gained. Anything else, an input of unknown size (standard
    input) too, gets every core, at most :data:`AUTO_MAX_JOBS`.

    Example:
        >>> auto_jobs(500, None, 8), auto_jobs(None, 50_000_000, 8), auto_jobs(None, None, 2)
        (1, 4, 2)
    """
    # bytes decide only when the rows are unknown; an unknown size is not small
    small = rows < AUTO_SMALL_ROWS if rows is not None else size is not None and size < AUTO_SMALL_BYTES
    return 1 if small else max(1, min(cores or 1, AUTO_MAX_JOBS))


@dataclass(frozen=True)
class ScoreColumns:
    """The text, title and id columns a run reads, and the ``roles`` the user named."""

    text: str
    title: str | None
    id: str | None
    given: frozenset[str] = frozenset()

    def describe(self) -> str:
        """One line for people: each column, given or guessed, and how to set the guessed ones.

        Example:
            >>> ScoreColumns("body", "title", None, frozenset({"text", "title"})).describe()
            'Columns: text=body, title=title (given); id=none (guessed; set it with --id-column)'
        """
        names = {"text": self.text, "title": self.title, "id": self.id}
        shown = {role: f"{role}={name or 'none'}" for role, name in names.items()}
        given = [shown[role] for role in names if role in self.given]
        guessed = [role for role in names if role not in self.given]
        groups = [f"{', '.join(given)} (given)"] if given else []
        if guessed:
            them = "them" if len(guessed) > 1 else "it"
            options = ", ".join(f"--{role}-column" for role in guessed)
            groups.append(f"{', '.join(shown[role] for role in guessed)} "
                          f"(guessed; set {them} with {options})")
        return "Columns: " + "; ".join(groups)


@dataclass(frozen=True)
class ScoreProgress:
    """How far a run is: rows written so far and the fraction of the input read (if known)."""

    rows: int
    fraction: float | None


@dataclass(frozen=True)
class ScoreSummary:
    """What a scoring run read and wrote.

    ``flagged`` counts rows with anything in ``error`` (unscored rows and warnings);
    ``too_short`` the rows read but left without a label because their text is too short
    to judge (no ``label``, a ``warning: too short (N words) ...`` in ``error``), which are
    neither ``scored`` nor ``unscored``;
    ``lines`` is the physical lines of a CSV or JSONL input, accounted for as
    ``header_lines + blank_lines + lines in rows`` (``unaccounted_lines`` is then 0).
    """

    input: str
    output: str
    rows: int
    scored: int
    flagged: int
    labels: dict[str, int]
    seconds: float
    jobs: int
    engine: str
    lines: int = 0
    header_lines: int = 0
    blank_lines: int = 0
    malformed: int = 0
    not_utf8: int = 0
    unaccounted_lines: int = 0
    resumed_rows: int = 0
    examples: tuple[str, ...] = field(default=())
    too_short: int = 0
    #: Things about the whole run to tell the user, e.g. input columns that were renamed.
    warnings: tuple[str, ...] = field(default=())

    @property
    def unscored(self) -> int:
        """Rows that got no prediction at all (rows too short to label are not among them)."""
        return self.rows - self.scored - self.too_short

    @property
    def rows_per_second(self) -> float:
        return (self.rows - self.resumed_rows) / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "examples": list(self.examples), "warnings": list(self.warnings),
                "unscored": self.unscored,
                "rows_per_second": round(self.rows_per_second, 2)}

    def report(self) -> str:
        """A few lines for people: rows, labels, flagged rows and how the input adds up."""
        labels = ", ".join(f"{k} {v:,}" for k, v in sorted(self.labels.items())) or "none"
        lines = [
            f"Scored {self.scored:,} of {self.rows:,} rows in {self.seconds:.1f} s "
            f"({self.rows_per_second:,.1f} rows/s, {self.jobs} job(s), {self.engine}) "
            f"-> {self.output}",
            f"labels: {labels}; too short to label: {self.too_short:,}",
            f"flagged: {self.flagged:,} rows ({self.unscored:,} not scored, "
            f"{self.too_short:,} too short to label, "
            f"{self.flagged - self.unscored - self.too_short:,} scored with a warning); "
            "see the error column",
        ]
        if self.lines:
            in_rows = self.lines - self.header_lines - self.blank_lines - self.unaccounted_lines
            lines.append(
                f"input: {self.lines:,} lines = {self.header_lines} header + "
                f"{self.blank_lines:,} blank + {in_rows:,} in {self.rows:,} rows "
                f"({self.malformed:,} malformed, {self.not_utf8:,} not UTF-8)"
                + (f"; {self.unaccounted_lines:,} lines UNACCOUNTED" if self.unaccounted_lines
                   else "")
            )
        if self.resumed_rows:
            lines.append(f"resumed: {self.resumed_rows:,} rows were scored by the earlier run")
        lines += [f"  {example}" for example in self.examples]
        return "\n".join(lines)


# -- one chunk ----------------------------------------------------------------------------


def _not_text(value: Any, column: str) -> str | None:
    if isinstance(value, str):
        return None if value.strip() else f"the {column} cell is empty; not scored"
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return f"the {column} cell is missing; not scored"
    return f"the {column} cell is {type(value).__name__}, not text; not scored"


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _columns_of(prediction: Prediction) -> dict[str, Any]:
    """A prediction as generated columns; with no label (too short), no label or confidence."""
    skills = prediction.skills
    labeled = prediction.label is not None
    evidence: dict[str, set[tuple[int, int]]] = {}
    for e in prediction.evidence:
        if e.label == prediction.label:
            evidence.setdefault(e.term, set()).update(e.spans)
    return {
        "label": prediction.label,
        "confidence": round(prediction.confidence, 4) if labeled else None,
        **{f"p_{lab}": round(prediction.probabilities.get(lab, 0.0), 4) for lab in LABELS},
        "evidence": list(evidence),
        "evidence_spans": [",".join(f"{a}-{b}" for a, b in sorted(spans)) for spans in evidence.values()],
        "ai_skills": _unique(m.name for m in skills if m.side == "ai_engineer"),
        "ds_skills": _unique(m.name for m in skills if m.side == "data_scientist"),
        # software, data engineering, analytics and the skills both roles share
        "other_skills": _unique(m.name for m in skills if m.side not in ("ai_engineer", "data_scientist")),
        "tasks": _unique(m.name for m in prediction.tasks),
    }


_NO_TEXT = "no text left after removing markup; not scored"


def _predict_one(role: RoleModel, text: str, title: str | None) -> Prediction | str:
    try:
        extraction = extract(text)
        if not extraction.text.strip():
            return _NO_TEXT
        return role.predict_extractions([extraction], [title])[0]
    except Exception as exc:  # reported in the row's error column, and logged
        log.exception("scoring one posting failed")
        return f"scoring failed ({type(exc).__name__}: {exc}); not scored"


def _predict(texts: list[str], titles: list[str | None], model: str | None) -> list[Any]:
    """A Prediction, or an error message, per text; one bad text never fails the others."""

    with _MODEL_LOCK:
        role = load_model(model)
        try:
            extractions = list(extract_many(texts))
            keep = [i for i, e in enumerate(extractions) if e.text.strip()]
            found = role.predict_extractions(
                [extractions[i] for i in keep], [titles[i] for i in keep]
            )
        except Exception:
            log.exception("scoring a batch failed; scoring its rows one at a time")
            return [_predict_one(role, t, title) for t, title in zip(texts, titles, strict=True)]
        out: list[Any] = [_NO_TEXT] * len(texts)
        for i, prediction in zip(keep, found, strict=True):
            out[i] = prediction
        return out


def _renames(columns: list[str]) -> dict[str, str]:
    """``input_<name>`` (``input_input_<name>``...) for input columns named like generated ones."""
    return prefixed(columns, GENERATED)


def _rename_warnings(reader: TableReader) -> tuple[str, ...]:
    """A warning naming the input columns that the output keeps under another name."""
    inner = _renames(reader.columns)
    pairs = [(c, inner.get(m, m)) for c, m in zip(reader.input_columns, reader.columns, strict=True)]
    moved = [(old, new) for old, new in pairs if old != new]
    if not moved:
        return ()
    message = (f"input column(s) {', '.join(old for old, _ in moved)} are written as "
               f"{', '.join(new for _, new in moved)}: jdanalyzer writes its own columns by those names")
    log.warning(message)
    return (message,)


def score_frame(
    frame: pd.DataFrame,
    *,
    text_column: str,
    title_column: str | None = None,
    model: str | None = None,
) -> pd.DataFrame:
    """Score one chunk: the input columns, then :data:`GENERATED`, one row per input row.

    The :data:`LISTS` cells are lists of strings (missing where the row was not scored);
    :func:`~jdanalyzer.batch.tables.neutralized` joins them for CSV. Input columns named
    like a generated one are kept as ``input_<name>``. The reader's error and warning
    columns (:data:`jdanalyzer.batch.tables.ERROR`, ``WARNING``), if present,
    go into ``error``. Both engines run this function.

    Example:
        >>> frame = pd.DataFrame({"description": ["We fine-tune LLMs and ship RAG ...", ""]})
        >>> list(score_frame(frame, text_column="description")["error"])  # doctest: +SKIP
        ['warning: too short (7 words) ...', 'the description cell is empty; not scored']
    """
    n = len(frame)
    errors = [str(e) for e in frame[ERROR]] if ERROR in frame else [""] * n
    notes = [[str(w)] if w else [] for w in frame[WARNING]] if WARNING in frame else [[]] * n
    out = frame.drop(columns=[c for c in (ERROR, WARNING) if c in frame]).reset_index(drop=True)
    out = out.rename(columns=_renames(list(out.columns)))
    texts = list(frame[text_column])
    titles = list(frame[title_column]) if title_column else [None] * n
    todo = []
    for i, text in enumerate(texts):
        if not errors[i]:
            errors[i] = _not_text(text, text_column) or ""
            if not errors[i]:
                todo.append(i)
    results: list[Any] = [None] * n
    if todo:
        found = _predict(
            [texts[i] for i in todo],
            [t if isinstance(t := titles[i], str) else None for i in todo],
            model,
        )
        for i, result in zip(todo, found, strict=True):
            if isinstance(result, str):
                errors[i] = result
            else:
                results[i] = result
                notes[i] = notes[i] + [f"warning: {w}" for w in result.warnings]
    rows = [_columns_of(r) if r is not None else {} for r in results]
    for name in GENERATED[:-1]:
        values = [row.get(name) for row in rows]
        numeric = name == "confidence" or name.startswith("p_")
        out[name] = pd.Series(values, dtype="float64" if numeric else object)
    out["error"] = pd.Series(
        [e or " | ".join(note) for e, note in zip(errors, notes, strict=True)], dtype=object
    )
    return out


# -- a whole file ---------------------------------------------------------------------------


class _Tally:
    """Counts of the rows written, kept in the progress file so a resumed run adds up."""

    def __init__(self, saved: dict[str, Any] | None = None) -> None:
        saved = saved or {}
        self.rows = int(saved.get("rows", 0))
        self.scored = int(saved.get("scored", 0))
        self.flagged = int(saved.get("flagged", 0))
        self.too_short = int(saved.get("too_short", 0))
        self.labels = Counter(saved.get("labels", {}))
        self.examples: list[str] = list(saved.get("examples", []))

    def add(self, frame: pd.DataFrame, id_column: str | None) -> None:
        labels = frame["label"].dropna()
        errors = frame["error"].astype(str)
        flagged = errors != ""
        self.rows += len(frame)
        self.scored += len(labels)
        self.flagged += int(flagged.sum())
        self.too_short += int((frame["label"].isna() & errors.str.contains(TOO_SHORT, regex=False)).sum())
        self.labels.update(labels.astype(str))
        for i in flagged[flagged].index[: max(0, 5 - len(self.examples))]:
            ident = str(frame.at[i, id_column]) if id_column else ""
            who = f"{id_column} {ident}" if ident else f"row {self.rows - len(frame) + i + 1}"
            self.examples.append(f"{who}: {frame.at[i, 'error']}")

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "scored": self.scored, "flagged": self.flagged,
                "too_short": self.too_short, "labels": dict(self.labels), "examples": self.examples}


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    """Start a thread that ends this process once ``parent`` is gone (POSIX only).

    A worker blocks reading its task pipe, which it holds open itself, so it would idle on
    for ever after the parent was killed; an orphan is re-parented, so its parent pid changes.
    """
    if os.name != "posix":
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="jdanalyzer-parent-watch", daemon=True).start()


def _init_worker(model: str | None, parent: int) -> None:
    """Load the model once per worker process (inherited already when the pool forks)."""

    _exit_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    load_model(model)
    get_pipeline()


def _score_chunks(
    chunks: Iterable[tuple[int, pd.DataFrame, float | None]],
    jobs: int,
    options: dict[str, Any],
) -> Iterator[tuple[int, pd.DataFrame, float | None]]:
    """Score chunks in input order, in ``jobs`` processes with at most 2 * jobs in flight."""
    if jobs == 1:
        for index, chunk, fraction in chunks:
            yield index, score_frame(chunk, **options), fraction
        return
    # Forking shares the model the parent has loaded (copy-on-write) and starts at once.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_init_worker,
        initargs=(options["model"], os.getpid()),
    )
    pending: deque[tuple[int, Future[pd.DataFrame], float | None]] = deque()
    try:
        for index, chunk, fraction in chunks:
            pending.append((index, pool.submit(score_frame, chunk, **options), fraction))
            if len(pending) >= 2 * jobs:
                index, future, fraction = pending.popleft()
                yield index, future.result(), fraction
        while pending:
            index, future, fraction = pending.popleft()
            yield index, future.result(), fraction
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    tmp.replace(path)


def _sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _check_dask_output(out: Path, fmt: str) -> None:
    """Refuse an ``-o`` named like a file with ``--engine dask``, which writes a folder."""
    if out.suffix.lower() in _FILE_SUFFIXES:
        folder = out.with_name(out.name.split(".")[0] or "scored")
        raise InputError(
            f"--engine dask writes a folder of part files (part-000000.{fmt}, ...), not one "
            f"file; give -o a folder name without a suffix, e.g. -o {folder}"
            + ("" if fmt == "csv" else " (add --format csv for CSV parts)")
        )
    if fmt not in ("parquet", "csv"):
        raise InputError(f"--engine dask writes parquet or csv parts, not {fmt}")


def _check_output(out: Path, *, file: bool, fmt: str) -> None:
    """Fail before any work if ``out`` cannot be written: a folder, under a file, read-only."""
    if file and out.is_dir():
        raise InputError(f"{out} is a folder; -o names the file to write, e.g. {out / f'scored.{fmt}'}")
    folder = out.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {out}: {folder} is a file, not a folder; choose another -o")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"cannot write in {folder}: permission denied; choose another -o")


def _damaged(path: Path, what: str) -> InputError:
    return InputError(f"cannot resume: {path} is damaged ({what}); rerun with --force instead "
                      "of --resume to start over")


def _load_progress(path: Path) -> dict[str, Any]:
    """The progress file of an interrupted run, checked for shape."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _damaged(path, f"not JSON: {exc}") from None
    if not isinstance(saved, dict) or saved.get("version") != _PROGRESS_VERSION:
        raise _damaged(path, f"not a version {_PROGRESS_VERSION} progress file")
    chunks, parts, tally = saved.get("chunks"), saved.get("parts"), saved.get("tally")
    if not isinstance(saved.get("settings"), dict):
        raise _damaged(path, "no settings")
    if not isinstance(chunks, int) or not isinstance(parts, list) or len(parts) != chunks:
        raise _damaged(path, "the chunks and parts do not agree")
    for entry in parts:
        if not (isinstance(entry, dict) and isinstance(entry.get("name"), str)
                and isinstance(entry.get("rows"), int) and isinstance(entry.get("sha256"), str)):
            raise _damaged(path, f"a part entry is not name, rows, sha256: {entry!r}")
    if not (isinstance(tally, dict)
            and all(isinstance(tally.get(k), int) for k in ("rows", "scored", "flagged"))
            and isinstance(tally.get("labels"), dict) and isinstance(tally.get("examples"), list)):
        raise _damaged(path, "no row tally")
    if tally["rows"] != sum(entry["rows"] for entry in parts):
        raise _damaged(path, "its row tally is not the sum of its parts")
    return saved


def _check_resume(parts: Path, saved: dict[str, Any], settings: dict[str, Any]) -> None:
    """Refuse to resume from parts that are not what this run would write."""
    old = saved["settings"]
    if old.get("input_sha256") != settings["input_sha256"]:
        raise InputError(
            f"cannot resume: {settings['input']} has changed since the run in {parts} started "
            "(its SHA-256 differs); rerun with --force instead of --resume to start over"
        )
    changed = sorted(k for k in settings if old.get(k) != settings[k])
    if changed:
        raise InputError(
            f"cannot resume: the run in {parts} was started with another "
            f"{', '.join(changed)}; pass --force to start over"
        )
    for index, entry in enumerate(saved["parts"]):
        path = parts / entry["name"]
        if entry["name"] != f"part-{index:06d}.{settings['format']}":
            raise _damaged(parts / "progress.json", f"part {index} is named {entry['name']}")
        if not path.is_file():
            raise InputError(f"cannot resume: {path} is missing; rerun with --force instead of "
                             "--resume to start over")
        if _sha256(path) != entry["sha256"]:
            raise InputError(f"cannot resume: {path} has changed since it was written (its "
                             "SHA-256 differs); rerun with --force instead of --resume to start over")


def _prepare_output(
    out: Path, *, force: bool, resume: bool, settings: dict[str, Any]
) -> dict[str, Any] | None:
    """Check OUTPUT and its parts folder; return the saved progress when resuming."""
    parts = out.with_name(out.name + ".parts")
    if out.exists() and not force:
        raise InputError(f"{out} exists; pass --force to overwrite it")
    if parts.exists():
        if resume:
            progress = parts / "progress.json"
            if not progress.exists():  # interrupted before its first chunk was written
                if any(parts.glob("part-*")):
                    raise _damaged(progress, "it is missing, but parts are there")
                return None
            saved = _load_progress(progress)
            _check_resume(parts, saved, settings)
            return saved
        if not force:
            raise InputError(
                f"{parts} holds an interrupted run; pass --resume to continue it "
                "or --force to start over"
            )
        shutil.rmtree(parts)
    try:
        parts.mkdir(parents=True)
    except OSError as exc:
        raise InputError(f"cannot create {exc.filename or parts}: {exc.strerror or exc}; "
                         "choose another -o") from None
    return None


def score_file(
    input: str | Path,
    output: str | Path,
    *,
    text_column: str | None = None,
    title_column: str | None = None,
    id_column: str | None = None,
    jobs: int | None = None,
    fmt: str | None = None,
    force: bool = False,
    resume: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    model: str | Path | None = None,
    chunk_size: int = 256,
    progress: Callable[[ScoreProgress], None] | None = None,
    on_columns: Callable[[ScoreColumns], None] | None = None,
) -> ScoreSummary:
    """Score every row of a CSV (or ``.csv.gz``), JSONL or Parquet table into ``output``.

    The output is written to ``OUTPUT.parts/`` chunk by chunk (with ``progress.json``)
    and joined into ``OUTPUT`` only at the end, so an interrupted run never leaves a file
    that looks complete, and ``resume=True`` continues after the last written chunk.

    Args:
        input: the table, or ``"-"`` for standard input.
        output: the file to write (CSV, JSONL or Parquet by its suffix or ``fmt``); with
            ``engine="dask"``, a folder (a name without a suffix such as ``.csv``) to fill
            with ``part-000000.parquet``... (``part-000000.csv``... with ``fmt="csv"``).
        text_column: the posting text column (default: guessed, e.g. ``description``).
        title_column: the title column (default: ``title`` etc. when present).
        id_column: a row id, used to name flagged rows in the summary.
        jobs: worker processes (default: :func:`auto_jobs`, 1 for a small input).
        fmt: output format, ``csv``, ``jsonl`` or ``parquet``.
        force: overwrite ``output`` and discard an interrupted run.
        resume: continue an interrupted run with the same input and options.
        engine: ``local`` (processes on this machine) or ``dask``.
        scheduler: with ``engine="dask"``, the address of a running Dask scheduler
            (default: a local cluster of ``jobs`` workers).
        model: a model file (default: the packaged model).
        chunk_size: rows per chunk (the unit of parallel work, writing and resuming).
        progress: called after each chunk is written.
        on_columns: called with the columns read, once they are known and the output and
            model are checked, before any row is scored.

    Example:
        >>> summary = score_file("postings.csv", "scored.csv")  # doctest: +SKIP
        >>> summary.rows == summary.scored + summary.unscored  # doctest: +SKIP
        True
    """
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs must be 1 or more, not {jobs}")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    out = Path(output)
    if engine == "dask":
        if resume:
            raise InputError("--resume works with --engine local; a Dask run is restarted whole")
        fmt = fmt or "parquet"
        _check_dask_output(out, fmt)
    out_fmt = fmt or guess_format(out, what="output")
    _check_output(out, file=engine == "local", fmt=out_fmt)
    model_arg = str(model) if model is not None else None
    given = frozenset(role for role, name in
                      (("text", text_column), ("title", title_column), ("id", id_column)) if name)
    if engine == "dask":
        return _score_dask(input, out, out_fmt, text_column, title_column, id_column, jobs,
                           scheduler, model_arg, chunk_size, force, given, on_columns)
    started = time.perf_counter()
    with TableReader(input, chunk_size=chunk_size) as reader:
        text_col, title_col, id_col = resolve_columns(
            reader.columns, text_column, title_column, id_column
        )
        jobs = jobs or auto_jobs(*reader.size_hint(), os.cpu_count())
        if resume and reader.is_stdin:
            raise InputError("cannot resume reading standard input; give the input file")
        settings = {
            "input": "-" if reader.is_stdin else str(Path(input).resolve()),
            "input_bytes": reader.stats.bytes_total,
            "input_sha256": None if reader.is_stdin else _sha256(Path(input)),
            "format": out_fmt, "chunk_size": chunk_size, "text_column": text_col,
            "title_column": title_col, "model": model_arg,
            # parts of an older version hold "; "-joined text where these hold lists
            **({"list_cells": "arrays"} if out_fmt != "csv" else {}),
        }
        saved = _prepare_output(out, force=force, resume=resume, settings=settings)
        parts = out.with_name(out.name + ".parts")
        written: list[dict[str, Any]] = list(saved["parts"]) if saved else []
        tally = _Tally(saved.get("tally") if saved else None)
        resumed_rows = tally.rows

        load_model(model_arg)  # a missing or broken model fails here, before any work
        if on_columns is not None:
            on_columns(ScoreColumns(text_col, title_col, id_col, given))
        options = {"text_column": text_col, "title_column": title_col, "model": model_arg}
        chunks = _unwritten(reader, written, parts)
        columns: list[str] = []
        try:
            for index, frame, fraction in _score_chunks(chunks, jobs, options):
                columns = list(frame.columns)
                part = parts / f"part-{index:06d}.{out_fmt}"
                write_part(neutralized(frame, TEXT_GENERATED) if out_fmt == "csv" else frame,
                           part.with_suffix(".tmp"), out_fmt, lists=LISTS)
                part.with_suffix(".tmp").replace(part)
                tally.add(frame, id_col)
                written.append({"name": part.name, "rows": len(frame), "sha256": _sha256(part)})
                _write_json(parts / "progress.json", {
                    "version": _PROGRESS_VERSION, "settings": settings, "chunks": len(written),
                    "parts": written, "tally": tally.to_dict(),
                })
                if progress is not None:
                    progress(ScoreProgress(tally.rows, fraction))
        except OSError as exc:
            raise _write_error(exc, parts, resumable=True) from None
        stats = reader.stats
    if not columns:  # no new rows: the header alone, or all of it in resumed parts
        renames = _renames(reader.columns)
        columns = [*(renames.get(c, c) for c in reader.columns), *GENERATED]
    tmp = out.with_name(f".tmp-{out.name}")  # keeps the suffix: .csv.gz is compressed
    try:
        concat_parts([parts / entry["name"] for entry in written], tmp, out_fmt, columns,
                     lists=LISTS)
        tmp.replace(out)
    except OSError as exc:
        raise _write_error(exc, out, resumable=True) from None
    shutil.rmtree(parts)
    return _summary(input, out, tally, stats, started=started, jobs=jobs, engine="local",
                    resumed_rows=resumed_rows, warnings=_rename_warnings(reader))


def _unwritten(
    reader: TableReader, written: list[dict[str, Any]], parts: Path
) -> Iterator[tuple[int, pd.DataFrame, float | None]]:
    """The chunks not written yet; those that were must have as many rows as their parts."""
    for index, chunk in enumerate(reader.chunks()):
        if index >= len(written):
            yield index, chunk, reader.stats.fraction
        elif len(chunk) != written[index]["rows"]:
            raise InputError(
                f"cannot resume: chunk {index + 1} of {reader.source} has {len(chunk)} rows but "
                f"{parts / written[index]['name']} holds {written[index]['rows']}; rerun with "
                "--force instead of --resume to start over"
            )


def _write_error(exc: OSError, path: Path, *, resumable: bool) -> JDAnalyzerError:
    where = exc.filename or path
    then = "; then rerun with --resume to continue" if resumable else ""
    return JDAnalyzerError(f"cannot write {where}: {exc.strerror or exc}; free some space or "
                           f"choose another -o{then}")


# -- Dask ---------------------------------------------------------------------------------


def _read_chunk(start: tuple[int, int], *, path: str, fmt: str, columns: list[str],
                chunk_size: int) -> pd.DataFrame:
    with TableReader(path, fmt=fmt, chunk_size=chunk_size, start=start, header=columns) as reader:
        return next(reader.chunks(max_rows=chunk_size))


def _score_dask(
    input: str | Path, out: Path, out_fmt: str, text_column: str | None,
    title_column: str | None, id_column: str | None, jobs: int | None, scheduler: str | None,
    model: str | None, chunk_size: int, force: bool, given: frozenset[str],
    on_columns: Callable[[ScoreColumns], None] | None,
) -> ScoreSummary:
    """Score with ``map_partitions`` on a Dask cluster; write a folder of Parquet or CSV parts."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    if str(input) == "-":
        raise InputError("--engine dask reads a file the workers can open, not standard input")
    if out.exists() and not force:
        raise InputError(f"{out} exists; pass --force to overwrite it")
    started = time.perf_counter()
    path = Path(input).resolve()
    with TableReader(path, chunk_size=chunk_size) as reader:
        text_col, title_col, id_col = resolve_columns(
            reader.columns, text_column, title_column, id_column
        )
        jobs = jobs or auto_jobs(*reader.size_hint(), os.cpu_count())
        if reader.fmt != "parquet":
            for _ in reader.chunks():  # one pass to find where each partition starts
                pass
    stats, columns = reader.stats, reader.columns
    options: dict[str, Any] = {"text_column": text_col, "title_column": title_col, "model": model}
    meta_in = pd.DataFrame({c: pd.Series(dtype=object) for c in [*columns, ERROR, WARNING]})
    if reader.fmt == "parquet":
        frames = dd.read_parquet(str(path))
        meta_in = frames._meta  # the file's own types (numbers, lists...), for the schema
    else:
        frames = dd.from_map(
            _read_chunk, reader.chunk_starts, path=str(path), fmt=reader.fmt,
            columns=reader.input_columns, chunk_size=chunk_size, meta=meta_in,
            enforce_metadata=False,
        )
    meta_out = score_frame(meta_in, **options)
    if out_fmt == "parquet":
        meta_out = arrow_ready(meta_out, LISTS)
    if on_columns is not None:
        on_columns(ScoreColumns(text_col, title_col, id_col, given))
    cluster = None if scheduler else LocalCluster(
        n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
    )
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        with Client(scheduler or cluster):
            scored = frames.map_partitions(score_frame, **options, meta=meta_out)
            if out_fmt == "parquet":
                scored.map_partitions(arrow_ready, LISTS, meta=meta_out).to_parquet(
                    str(tmp), write_index=False, name_function=lambda i: f"part-{i:06d}.parquet",
                    schema=pa_table(meta_out, lists=LISTS).schema)
            else:
                scored.map_partitions(neutralized, TEXT_GENERATED, meta=meta_out).to_csv(
                    str(tmp / "part-*.csv"), index=False, name_function=lambda i: f"{i:06d}")
    finally:
        if cluster is not None:
            cluster.close()
    if out.exists():
        shutil.rmtree(out) if out.is_dir() else out.unlink()
    tmp.replace(out)
    tally = _Tally()
    for frame in _read_parts(out, out_fmt, [c for c in (id_col, "label", "error") if c]):
        tally.add(frame, id_col)
    return _summary(input, out, tally, stats, started=started, jobs=jobs, engine="dask",
                    warnings=_rename_warnings(reader))


def _read_parts(folder: Path, fmt: str, columns: list[str]) -> Iterator[pd.DataFrame]:
    """The given columns of each part of a Dask output folder, in order."""
    if fmt == "parquet":
        frame = pd.read_parquet(folder, columns=columns)
        frame["error"] = frame["error"].fillna("")
        yield frame
        return
    for part in sorted(folder.glob("part-*.csv")):
        frame = pd.read_csv(part, usecols=columns, dtype=str, keep_default_na=False)
        frame["label"] = frame["label"].replace("", None)
        yield frame


def _summary(
    input: Any, out: Path, tally: Any, stats: Any, *, started: float, jobs: int, engine: str,
    resumed_rows: int = 0, warnings: tuple[str, ...] = (),
) -> ScoreSummary:
    """The summary of a finished run, from the row tally and the reader's line counts."""
    return ScoreSummary(
        input=str(input), output=str(out), rows=tally.rows, scored=tally.scored,
        flagged=tally.flagged, too_short=tally.too_short, labels=dict(tally.labels),
        seconds=time.perf_counter() - started, jobs=jobs, engine=engine,
        lines=stats.lines, header_lines=stats.header_lines, blank_lines=stats.blank_lines,
        malformed=stats.malformed, not_utf8=stats.fallback_rows,
        unaccounted_lines=stats.unaccounted_lines, resumed_rows=resumed_rows,
        examples=tuple(tally.examples), warnings=warnings,
    )
