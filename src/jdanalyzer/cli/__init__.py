"""The ``jdanalyzer`` command line: thin commands over the Python API."""

from jdanalyzer.cli.main import app, main

__all__ = ["app", "main"]
