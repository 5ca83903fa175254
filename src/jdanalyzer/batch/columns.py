"""Which column of a table holds the text, title, id, location and date of each posting.

One list of accepted names per role, used by ``score``, the web page's ``/api/score`` and
the audit's CSV input alike: a column is the one the user names, else the first of these
names present in the table (any case, surrounding spaces ignored).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from jdanalyzer.errors import ColumnError

__all__ = ["COLUMN_NAMES", "ColumnRole", "guess_column", "resolve_columns"]

ColumnRole = Literal["text", "title", "id", "location", "date"]
#: Accepted names per role, lower-case, first match wins.
COLUMN_NAMES: dict[ColumnRole, tuple[str, ...]] = {
    "text": ("description", "job_description", "jobdescription", "text", "body", "content",
             "ad_text", "posting", "job_text", "details"),
    "title": ("title", "job_title", "jobtitle", "position", "role"),
    "id": ("posting_id", "id", "ad_id", "job_id", "jobid"),
    "location": ("location", "job_location"),
    "date": ("date", "date_posted", "posted"),
}


def guess_column(
    columns: Sequence[str], given: str | None, role: ColumnRole, *, required: bool = True,
    option: str | None = None,
) -> str | None:
    """The column named ``given``, else the first name for ``role`` present in ``columns``.

    Raises:
        ColumnError: ``given`` is not a column, or none fits and the column is ``required``.

    Example:
        >>> guess_column(["Job_Title", "Description"], None, "text")
        'Description'
    """
    option = option or f"--{role}-column"
    if given is not None:
        if given not in columns:
            raise ColumnError(f"no column {given!r} for the {role}; the table has: {', '.join(columns)}")
        return given
    by_lower = {str(c).lower().strip(): str(c) for c in columns}
    for name in COLUMN_NAMES[role]:
        if name in by_lower:
            return by_lower[name]
    if required:
        raise ColumnError(
            f"no {role} column found (tried {', '.join(COLUMN_NAMES[role])}); the table has: "
            f"{', '.join(map(str, columns)) or 'no columns'}; choose one with {option}"
        )
    return None


def resolve_columns(
    columns: list[str], text: str | None, title: str | None, ident: str | None
) -> tuple[str, str | None, str | None]:
    """The text, title and id columns to use: the ones given, or guessed from the names."""
    text_col = guess_column(columns, text, "text")
    assert text_col is not None
    return text_col, guess_column(columns, title, "title", required=False), \
        guess_column(columns, ident, "id", required=False)
