"""Exceptions raised by jdanalyzer.

Every message names the bad value and says what to do. The CLI prints the message on one
line as ``Error: ...`` and exits with :data:`JDAnalyzerError.exit_code`.
"""

from __future__ import annotations


class JDAnalyzerError(Exception):
    """Base class of the errors jdanalyzer raises on purpose."""

    exit_code = 1


class InputError(JDAnalyzerError):
    """The input (a posting, a file, a table) cannot be used as it is."""

    exit_code = 2


class EmptyTextError(InputError):
    """A posting is empty or only whitespace."""


class ColumnError(InputError):
    """A table lacks the column a command needs."""


class TaxonomyError(JDAnalyzerError):
    """The taxonomy data files are missing or inconsistent."""


class ModelError(JDAnalyzerError):
    """A model file is missing, changed, truncated or was made by other library versions."""

    exit_code = 3
