"""The ``jdanalyzer`` command line: thin commands over the Python API."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import typer

from .errors import EmptyTextError, JDAnalyzerError

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
        from . import __version__

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


def _fail(message: str, code: int) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


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


def _console(err: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=err)


FileArg = typer.Argument(
    None, help="Posting file (text, Markdown or HTML); '-' or nothing reads standard input.",
    show_default=False,
)


def _read_text(file: Path | None) -> str:
    from .io import read_posting

    decoded = read_posting(file)
    if decoded.fallback:
        typer.echo(f"Warning: input is not UTF-8; read it as {decoded.encoding}", err=True)
    if not decoded.text.strip():
        raise EmptyTextError("the posting is empty; paste or pipe the text of a job ad")
    return decoded.text


@app.command()
@handles_errors
def extract(
    file: Path | None = FileArg,
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """List the skills and tasks a posting mentions."""
    from .extract import extract as run_extract
    from .render import extraction_table, print_json

    result = run_extract(_read_text(file))
    console = _console()
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    if format is OutputFormat.json:
        print_json(console, result.to_dict())
        return
    if not result.skills and not result.tasks:
        console.print("No skills or tasks from the taxonomy were found in this text.")
        return
    console.print(extraction_table(result))


ModelOption = typer.Option(
    None, "--model", help="A model file you trust (default: the model shipped with jdanalyzer).",
    show_default=False,
)


@app.command()
@handles_errors
def classify(
    file: Path | None = FileArg,
    title: str | None = typer.Option(None, "--title", "-t", help="The ad's title, if you have it."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
    model: Path | None = ModelOption,
) -> None:
    """Label a posting ai_engineer, data_scientist, hybrid or other, with the evidence."""
    from .classify import load_model
    from .render import prediction_view, print_json

    text = _read_text(file)
    prediction = load_model(str(model) if model else None).classify(text, title)
    console = _console()
    if format is OutputFormat.json:
        print_json(console, prediction.to_dict())
        return
    for renderable in prediction_view(prediction):
        console.print(renderable)


CorpusPostings = typer.Option(
    Path("../shared/corpora/postings.csv.gz"), "--postings", help="Postings CSV (posting_id, title, company, source, description)."
)
CorpusLabels = typer.Option(
    Path("../shared/corpora/labels-train.csv"), "--labels", help="Labels CSV (posting_id, label)."
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
    out: Path = typer.Option(Path("models"), "--out", "-o", help="Folder for the model, manifest and card."),
    heldout: Path | None = Heldout,
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds for the model card."),
) -> None:
    """Train the role model, evaluate it by grouped cross-validation and write the model card."""
    from .training import fit_and_save

    console = _console(err=True)
    with console.status("training") as status:
        path = fit_and_save(postings, labels, out, heldout=heldout, n_splits=folds,
                            progress=lambda msg: status.update(msg))
    typer.echo(f"Wrote {path}, {path.with_suffix('.json').name} and MODEL_CARD.md in {out}")


@app.command()
@handles_errors
def evaluate(
    postings: Path = CorpusPostings,
    labels: Path = CorpusLabels,
    heldout: Path | None = Heldout,
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """Cross-validate the model and the baselines on the same folds, grouped by company."""
    from .modelcard import evaluation_markdown
    from .render import print_json
    from .training import cross_validate, load_labeled

    console = _console(err=True)
    with console.status("reading and matching postings") as status:
        frame, _ = load_labeled(postings, labels, heldout=heldout)
        report = cross_validate(frame, n_splits=folds, progress=lambda msg: status.update(msg))
    if format is OutputFormat.json:
        print_json(_console(), report.to_dict())
    else:
        typer.echo(evaluation_markdown(report))


# --- score command (batch scoring) ---

# --- audit command ---

# --- serve command (web page) ---


def main() -> None:
    """Entry point of the ``jdanalyzer`` console script."""
    app()
