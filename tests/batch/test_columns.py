"""One column guesser for score, /api/score and the audit."""

from __future__ import annotations

import pytest

from jdanalyzer.batch.columns import COLUMN_NAMES, guess_column, resolve_columns
from jdanalyzer.errors import ColumnError


@pytest.mark.parametrize(
    ("columns", "given", "expected"),
    [
        (["posting_id", "Description"], None, "Description"),
        (["id", "job_description", "text"], None, "job_description"),
        (["body"], None, "body"),
        ([" Ad_Text "], None, " Ad_Text "),
        (["a", "b"], "b", "b"),
    ],
)
def test_guess_column(columns: list[str], given: str | None, expected: str) -> None:
    assert guess_column(columns, given, "text") == expected


def test_guess_column_lists_the_columns() -> None:
    with pytest.raises(ColumnError) as info:
        guess_column(["id", "company"], None, "text")
    assert str(info.value) == (
        f"no text column found (tried {', '.join(COLUMN_NAMES['text'])}); the table has: id, company; "
        "choose one with --text-column"
    )
    with pytest.raises(ColumnError, match="no column 'desc' for the text; the table has: id"):
        guess_column(["id"], "desc", "text")


def test_resolve_columns_guesses_all_three() -> None:
    guessed = resolve_columns(["Job_Title", "ad_id", "content"], None, None, None)
    assert guessed == ("content", "Job_Title", "ad_id")
    assert resolve_columns(["text"], None, None, None) == ("text", None, None)
