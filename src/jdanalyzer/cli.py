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


def main() -> None:
    """Entry point of the ``jdanalyzer`` console script."""
    app()
