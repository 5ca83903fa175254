"""The ``jdanalyzer`` command line: thin commands over the Python API."""

from __future__ import annotations

import functools
import sys
import unicodedata
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import typer

from jdanalyzer.batch.columns import COLUMN_NAMES
from jdanalyzer.errors import EmptyTextError, JDAnalyzerError

app = typer.Typer(
    name="jdanalyzer",
    help="Tell what job a job posting really describes: AI engineer, data scientist, hybrid or other.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def _version(value: bool) -> None:
    if value:
        from jdanalyzer import __version__

        typer.echo(f"jdanalyzer {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Tell what job a job posting really describes: AI engineer, data scientist, hybrid or other."""


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


def _one_line(message: str) -> str:
    """``message`` with control and line-breaking characters escaped (``\\x1e``), so that a
    file name or a cell holding them cannot split one message over several lines."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in message
    )


def _fail(message: str, code: int) -> None:
    typer.echo(f"Error: {_one_line(message)}", err=True)
    raise typer.Exit(code)


def _warn(message: str) -> None:
    typer.echo(f"Warning: {_one_line(message)}", err=True)


def handles_errors(func: F) -> F:
    """Turn library errors into one ``Error: ...`` line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except JDAnalyzerError as exc:
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except BrokenPipeError:  # e.g. `jdanalyzer ... | head`
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


def without_cycle_collection(func: F) -> F:
    """Run a command with Python's cyclic garbage collector paused: start-up (spaCy, the
    model, the pipeline) makes over a hundred thousand objects that live to the end, and
    classifying a posting leaves no garbage cycles, so collections only scan them again
    (0.1-0.25 s of a cold ``classify``; benchmarks/bench_classify.py)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from jdanalyzer.extraction.pipeline import collector_paused

        with collector_paused():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _console(err: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=err)


FileArg = typer.Argument(
    None, help="Posting file (text, Markdown or HTML); '-' or nothing reads standard input.",
    show_default=False,
)


def _read_text(file: Path | None) -> str:
    from jdanalyzer.text.reading import read_posting

    decoded = read_posting(file)
    if decoded.fallback:
        _warn(f"input is not UTF-8; read it as {decoded.encoding}")
    if not decoded.text.strip():
        raise EmptyTextError("the posting is empty; paste or pipe the text of a job ad")
    return decoded.text


@app.command()
@handles_errors
@without_cycle_collection
def extract(
    file: Path | None = FileArg,
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """List the skills and tasks a posting mentions."""
    from jdanalyzer.cli.render import extraction_table, print_json
    from jdanalyzer.extraction.extract import extract as run_extract

    result = run_extract(_read_text(file))
    console = _console()
    for warning in result.warnings:
        _warn(str(warning))
    if format is OutputFormat.json:
        print_json(console, result.to_dict())
        return
    if not result.mentions:
        console.print("No skills or tasks from the taxonomy were found in this text.")
        return
    console.print(extraction_table(result))


ModelOption = typer.Option(
    None, "--model", help="A model file you trust (default: the model shipped with jdanalyzer).",
    show_default=False,
)


@app.command()
@handles_errors
@without_cycle_collection
def classify(
    files: list[Path] | None = typer.Argument(
        None, help="Posting files (text, Markdown, HTML, Word .docx or PDF) or folders of them; "
        "'-' or nothing reads standard input.", show_default=False,
    ),
    title: str | None = typer.Option(None, "--title", "-t", help="The ad's title (one posting only)."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
    model: Path | None = ModelOption,
) -> None:
    """Label a posting ai_engineer, data_scientist, hybrid or other, with the evidence.

    One file: its label, probabilities, evidence and text. Several files or a folder (its
    .txt, .md, .html, .docx and .pdf files): a table, one row per file (label, confidence,
    runner-up, top duty evidence), or with --format json a list of objects with "file" and
    "error". A file that cannot be read gets a row with its error, the others are still
    classified, and the exit code is 2. Word and PDF files need the documents extra:
    pip install 'jdanalyzer\\[documents]'.
    """
    from jdanalyzer.cli.render import FileOutcome, files_json, files_table, prediction_view, print_json
    from jdanalyzer.errors import InputError
    from jdanalyzer.model.predict import load_model
    from jdanalyzer.text.reading import posting_files, read_posting

    sources = files or []
    console = _console()
    if len(sources) <= 1 and not (sources and sources[0].is_dir()):
        text = _read_text(sources[0] if sources else None)
        prediction = load_model(str(model) if model else None).classify(text, title)
        if format is OutputFormat.json:
            print_json(console, prediction.to_dict())
            return
        for renderable in prediction_view(prediction):
            console.print(renderable)
        return
    if any(str(source) == "-" for source in sources):
        raise InputError("'-' (standard input) cannot be mixed with files; give it alone")
    if title:
        raise InputError("--title is the title of one posting; leave it out when classifying several")
    paths = posting_files(sources)
    loaded = load_model(str(model) if model else None)
    outcomes: list[FileOutcome] = []
    with _console(err=True).status("classifying") as status:
        for path in paths:
            status.update(f"classifying {path}")
            try:
                decoded = read_posting(path)
                if decoded.fallback:
                    _warn(f"{path} is not UTF-8; read it as {decoded.encoding}")
                if not decoded.text.strip():
                    raise InputError("the posting is empty")
                outcomes.append((str(path), loaded.classify(decoded.text)))
            except InputError as exc:
                outcomes.append((str(path), str(exc)))
    if format is OutputFormat.json:
        print_json(console, files_json(outcomes))
    else:
        console.print(files_table(outcomes))
    failed = sum(isinstance(outcome, str) for _, outcome in outcomes)
    if failed:
        _fail(f"{failed} of {len(outcomes)} files could not be classified; their rows say why", 2)


CorpusPostings = typer.Option(
    Path("../shared/corpora/postings.csv.gz"), "--postings",
    help="Postings CSV (posting_id, title, company, source, description).",
)
CorpusLabels = typer.Option(
    Path("../shared/corpora/labels-train.csv"), "--labels", help="Labels CSV (posting_id, label)."
)
ExtraLabels = typer.Option(
    [], "--extra-labels", exists=True, dir_okay=False,
    help="More labels CSV (posting_id, label), e.g. corpora/labels-extra.csv; repeatable.",
)
Heldout = typer.Option(
    None, "--heldout", help="IDs never to use (default: heldout-ids.txt beside the labels).",
    show_default=False,
)


@app.command()
@handles_errors
def train(
    postings: Path = CorpusPostings,
    labels: Path = CorpusLabels,
    extra_labels: list[Path] = ExtraLabels,
    out: Path = typer.Option(Path("models"), "--out", "-o", help="Folder for the model, manifest and card."),
    heldout: Path | None = Heldout,
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds for the model card."),
    second_annotation: Path | None = typer.Option(
        None, "--second-annotation", exists=True, dir_okay=False,
        help="CSV (posting_id,label) relabeling some training postings blind: the model card "
        "reports how often it agrees with the training labels.",
    ),
    curve: bool = typer.Option(True, "--curve/--no-curve", help="Add a learning curve to the model card."),
    sentence_labels: Path | None = typer.Option(
        None, "--sentence-labels", exists=True, dir_okay=False,
        help="Labeled duty sentences (unit_id, label, section), e.g. corpora/sentence-labels.csv: "
        "the model then reads the posting duty by duty.",
    ),
    seeds: int = typer.Option(3, "--seeds", min=1, help="Fold seeds for the mean and spread in the card."),
) -> None:
    """Train the role model, evaluate it by grouped cross-validation and write the model card."""
    from jdanalyzer.model.artifacts import MODEL_FILE, sha256_of
    from jdanalyzer.model.training import fit_and_save

    console = _console(err=True)
    with console.status("training") as status:
        path = fit_and_save(postings, labels, out, heldout=heldout, n_splits=folds,
                            curve=(0.25, 0.5, 0.75) if curve else (),
                            second_annotation=second_annotation, extra_labels=extra_labels,
                            sentence_labels=sentence_labels, seeds=tuple(range(seeds)),
                            progress=lambda msg: status.update(msg))
    manifest = path.with_suffix(".json").name
    typer.echo(f"Wrote {path.name}, {MODEL_FILE}, {manifest} and MODEL_CARD.md in {out}")
    typer.echo(f"SHA-256 of {path.name}: {sha256_of(path)} (to ship it, set "
               "jdanalyzer.model.artifacts.SHIPPED_WEIGHTS_SHA256 to this)")


@app.command()
@handles_errors
def evaluate(
    postings: Path = CorpusPostings,
    labels: Path = CorpusLabels,
    extra_labels: list[Path] = ExtraLabels,
    heldout: Path | None = Heldout,
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """Cross-validate the model and the baselines on the same folds, grouped by company."""
    from jdanalyzer.cli.render import print_json
    from jdanalyzer.model.card import evaluation_markdown
    from jdanalyzer.model.training import cross_validate, load_labeled

    console = _console(err=True)
    with console.status("reading and matching postings") as status:
        frame, _ = load_labeled(postings, labels, heldout=heldout, extra_labels=extra_labels)
        report = cross_validate(frame, n_splits=folds, progress=lambda msg: status.update(msg))
    if format is OutputFormat.json:
        print_json(_console(), report.to_dict())
    else:
        typer.echo(evaluation_markdown(report))


class TableFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


class Engine(str, Enum):
    local = "local"
    dask = "dask"


class _ScoreProgress:
    """A rich progress bar on a terminal; a plain line every ``every`` seconds otherwise."""

    def __init__(self, console: Any, every: float = 10.0) -> None:
        from time import monotonic

        self.console, self.every, self.clock = console, every, monotonic
        self.started = self.last = monotonic()
        self.bar: Any = None

    def __enter__(self) -> _ScoreProgress:
        if self.console.is_terminal:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("{task.fields[rows]:,} rows"), BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TextColumn("{task.fields[rate]:,.1f} rows/s"),
                TimeRemainingColumn(), console=self.console, transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("score", total=1000, rows=0, rate=0.0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, done: Any) -> None:
        now = self.clock()
        rate = done.rows / max(now - self.started, 1e-9)
        if self.bar is not None:
            completed = 1000 * done.fraction if done.fraction is not None else None
            self.bar.update(self.task, completed=completed, rows=done.rows, rate=rate)
        elif now - self.last >= self.every:
            self.last = now
            share = f", {done.fraction:.0%} of the input" if done.fraction is not None else ""
            self.console.print(f"scored {done.rows:,} rows ({rate:,.1f} rows/s{share})",
                               highlight=False)


def _opt(*names: str, default: Any = None, **kwargs: Any) -> Any:
    return typer.Option(default, *names, show_default=default not in (None, ...), **kwargs)


ScoreInput = typer.Argument(
    ..., show_default=False,
    help="Postings table: CSV (.csv, .csv.gz), JSONL or Parquet; '-' reads standard input.",
)
ScoreOutput = _opt(
    "--output", "-o", default=...,
    help="File to write. With --engine dask, a folder to create (a name without a suffix such as "
    ".csv) holding part-000000.parquet, ... (part-000000.csv, ... with --format csv).",
)
TextColumnOption = _opt("--text-column", help="Posting text column (default: guessed).")
TitleColumn = _opt(
    "--title-column",
    help=f"Title column (default: the first of {', '.join(COLUMN_NAMES['title'])} present; "
    "none if absent).",
)
IdColumn = _opt(
    "--id-column",
    help="Column naming rows in the summary (default: the first of "
    f"{', '.join(COLUMN_NAMES['id'])} present).",
)
Jobs = _opt(
    "--jobs", "-j", min=1,
    help="Worker processes. Default: auto, 1 for a small input (under 2,000 rows, or under 8 MB "
    "when the rows are not known without reading: CSV, JSONL), where starting workers costs more "
    "than they save; else all cores, at most 4.",
)
TableFormatOption = _opt(
    "--format", "-f",
    help="Output format (default: from OUTPUT's suffix; parquet with --engine dask).",
)
Force = _opt("--force", default=False, help="Overwrite OUTPUT; discard an interrupted run.")
Resume = _opt("--resume", default=False, help="Continue an interrupted run from its last chunk.")
EngineOption = _opt("--engine", default=Engine.local, help="Local processes or a Dask cluster.")
Scheduler = _opt("--scheduler", help="Dask scheduler address (default: start a local cluster).")
ChunkSize = _opt("--chunk-size", default=256, min=1, help="Rows per chunk (unit of work, resume).")


@app.command()
@handles_errors
def score(
    input: str = ScoreInput,
    output: Path = ScoreOutput,
    text_column: str | None = TextColumnOption,
    title_column: str | None = TitleColumn,
    id_column: str | None = IdColumn,
    jobs: int | None = Jobs,
    format: TableFormat | None = TableFormatOption,
    force: bool = Force,
    resume: bool = Resume,
    engine: Engine = EngineOption,
    scheduler: str | None = Scheduler,
    chunk_size: int = ChunkSize,
    model: Path | None = ModelOption,
) -> None:
    """Score every row of a table of postings: label, probabilities, evidence, skills, tasks."""
    from jdanalyzer.batch.score import score_file

    console = _console(err=True)
    try:
        with _ScoreProgress(console) as progress:
            summary = score_file(
                input, output, text_column=text_column, title_column=title_column,
                id_column=id_column, jobs=jobs, fmt=format.value if format else None,
                force=force, resume=resume, engine=engine.value, scheduler=scheduler,
                model=model, chunk_size=chunk_size, progress=progress,
                on_columns=lambda columns: console.print(
                    columns.describe(), highlight=False, markup=False, soft_wrap=True),
            )
    except KeyboardInterrupt:
        _fail(f"interrupted; run the same command with --resume to continue ({output}.parts)", 130)
    for warning in summary.warnings:
        _warn(str(warning))
    typer.echo(summary.report())

AuditInput = typer.Argument(
    None, show_default=False,
    help="The company's ads: a CSV (title, description; optional id, location, date) or a "
    "folder of .txt, .md or .html files, one ad per file (the file name is the ad id). "
    "Not needed with --list-rules.",
)

AuditCompany = _opt("--company", "-c", help="The company the ads are from (required).")
AuditReport = _opt("--output", "-o", help="The HTML report to write (required).")
AuditFindings = _opt("--findings", help="Also write the findings: .csv or .json.")
AuditForce = _opt("--force", default=False, help="Overwrite existing output files.")
AuditSelect = _opt("--select",
                   help="Run only these rules (repeat, or separate with commas; default: all).")
AuditIgnore = _opt("--ignore",
                   help="Leave out these rules (repeat, or separate with commas).")
AuditFailOn = _opt(
    "--fail-on",
    help="Exit with code 1 when a finding of this severity or worse is found: high, medium or "
    "low (for CI; the report and findings are still written first).",
)
AuditConfig = _opt(
    "--config",
    help="A TOML file whose tool.jdanalyzer.audit table sets select, ignore and fail_on "
    "(default: ./pyproject.toml when it has that table). Options given here win over the file.",
)
AuditListRules = _opt("--list-rules", default=False,
                      help="List the rules (id, severities, summary) and exit.")


@app.command("audit")
@handles_errors
def audit_command(
    input: Path | None = AuditInput,
    company: str | None = AuditCompany,
    output: Path | None = AuditReport,
    findings: Path | None = AuditFindings,
    force: bool = AuditForce,
    model: Path | None = ModelOption,
    text_column: str | None = TextColumnOption,
    title_column: str | None = TitleColumn,
    select: list[str] | None = AuditSelect,
    ignore: list[str] | None = AuditIgnore,
    fail_on: str | None = AuditFailOn,
    config: Path | None = AuditConfig,
    list_rules: bool = AuditListRules,
) -> None:
    """Audit a company's own job ads: findings per ad and a self-contained HTML report.

    Exit codes: 0 done, 1 a finding at or above --fail-on, 2 bad input or options, 3 bad model.
    The rules are listed by --list-rules and in docs/audit-rules.md.
    """
    from jdanalyzer.audit.rules import RULES

    if list_rules:
        typer.echo(RULES.table())
        return
    from importlib.util import find_spec

    from jdanalyzer.errors import InputError

    if input is None:
        raise InputError("missing INPUT, the ads to audit (--list-rules lists the rules)")
    if company is None:
        raise InputError("missing --company, the company the ads are from")
    if output is None:
        raise InputError("missing --output, the HTML report to write")
    missing = [name for name in ("jinja2", "matplotlib", "pyphen") if find_spec(name) is None]
    if missing:
        raise JDAnalyzerError(
            f"`jdanalyzer audit` needs the audit extra ({', '.join(missing)} not installed): "
            "pip install 'jdanalyzer[audit]'"
        )
    from jdanalyzer.audit.config import load_settings
    from jdanalyzer.audit.findings import ensure_writable, write_findings
    from jdanalyzer.audit.report import write_report
    from jdanalyzer.audit.run import audit
    from jdanalyzer.model.predict import load_model

    settings = load_settings(config).override(select=select, ignore=ignore, fail_on=fail_on)
    ensure_writable(output, force=force)
    if findings is not None:
        ensure_writable(findings, force=force, suffixes=(".csv", ".json"))
    with _console(err=True).status(f"auditing the ads in {input}"):
        result = audit(input, company=company, model=load_model(str(model) if model else None),
                       text_column=text_column, title_column=title_column,
                       select=settings.select, ignore=settings.ignore)
        write_report(result, output, force=force)
        if findings is not None:
            write_findings(result.findings, findings, force=force)
    for problem in result.problems:
        _warn(f"{problem.source}: {problem.message}")
    for warning in result.warnings:
        _warn(str(warning))
    counts = ", ".join(f"{n} {severity}" for severity, n in result.severity_counts().items())
    ads = f"{len(result.ads)} ad{'' if len(result.ads) == 1 else 's'}"
    some = f" with {len(result.rules)} of {len(RULES)} rules" if len(result.rules) < len(RULES) else ""
    typer.echo(f"Audited {ads} of {company}{some}: {len(result.findings)} findings ({counts}).")
    for ad in result.ads:  # one line per ad, to paste into a ticket
        typer.echo(f"- {ad.summary}")
    typer.echo(f"Wrote {output}" + (f" and {findings}" if findings is not None else ""))
    if settings.fail_on is not None and (failing := result.at_or_above(settings.fail_on)):
        typer.echo(f"Failing: {len(failing)} finding{'' if len(failing) == 1 else 's'} at "
                   f"{settings.fail_on} severity or worse (fail-on {settings.fail_on})", err=True)
        raise typer.Exit(1)


_WEB_MODULES = {"fastapi": ("fastapi",), "uvicorn": ("uvicorn",),
                "python-multipart": ("python_multipart", "multipart")}
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command()
@handles_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="Port to listen on."),
    model: Path | None = ModelOption,
    workers: int = typer.Option(
        1, "--workers", "-w", min=1, max=64,
        help="Worker processes, each with its own model (about 250 MB): one uses one core; "
        "use as many as the cores you give it for many requests at once.",
    ),
) -> None:
    """Start the local web page and JSON API (needs the web extra)."""
    from importlib.util import find_spec

    missing = [name for name, modules in _WEB_MODULES.items()
               if not any(find_spec(module) for module in modules)]
    if missing:
        raise JDAnalyzerError(
            f"`jdanalyzer serve` needs the web extra ({', '.join(missing)} not installed): "
            "pip install 'jdanalyzer[web]'"
        )
    from jdanalyzer.web.app import serve as run_server

    if host not in _LOOPBACK:
        _warn(f"listening on {host}: other machines can reach this server")
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"Loading the model; then open http://{shown}:{port}/ (Ctrl-C stops)", err=True)
    run_server(host=host, port=port, model=model, workers=workers)


@app.command("labels")
@handles_errors
def labels_command(
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                        help="Output format: table prints plain text."),
) -> None:
    """Say what each label means: ai_engineer, data_scientist, hybrid, other."""
    import json
    import textwrap
    from importlib.resources import files

    data = json.loads((files("jdanalyzer") / "data" / "labels.json").read_text(encoding="utf-8"))
    if format is OutputFormat.json:
        typer.echo(json.dumps(data["labels"], ensure_ascii=False, indent=2))
        return
    for label, definition in data["labels"].items():
        typer.echo(f"{label}\n{textwrap.fill(definition, 88, initial_indent='  ', subsequent_indent='  ')}\n")
    typer.echo(textwrap.fill(f"Title: {data['title']}", 90))


def main() -> None:
    """Entry point of the ``jdanalyzer`` console script."""
    app()
