from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jdanalyzer.normalize import looks_like_html, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<ul><li>Build&nbsp;RAG pipelines</li><li>Deploy <b>LLMs</b></li></ul>",
         "- Build RAG pipelines\n- Deploy LLMs"),
        ("<p>We use <strong>PyTorch</strong> &amp; SQL.</p>", "We use PyTorch & SQL."),
        ("['About Us', 'We build models.', '• Python', '• SQL']",
         "About Us\nWe build models.\n- Python\n- SQL"),
        ("• Python\n· SQL\n▪ Tableau\n* R", "- Python\n- SQL\n- Tableau\n- R"),
        ("Salary &lt; 100k and AT&amp;T", "Salary < 100k and AT&T"),
        ("a\u00a0b\u200bc\td.\r\nE", "a bc d.\nE"),
        ("\n\n\n  text  \n\n\n\nmore\n", "text\n\nmore"),
        ("", ""),
    ],
)
def test_normalize_cases(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_hard_wrapped_bullets_are_joined() -> None:
    raw = (
        "- Lead the development of scene understanding systems\n"
        "  responsible for calibrating spaces that contain hundreds\n"
        "  of cameras.\n"
        "- Mentor engineers"
    )
    assert normalize(raw).split("\n") == [
        "- Lead the development of scene understanding systems responsible for "
        "calibrating spaces that contain hundreds of cameras.",
        "- Mentor engineers",
    ]


def test_short_lines_are_not_joined() -> None:
    assert normalize("Responsibilities\nBuild models") == "Responsibilities\nBuild models"


def test_comparison_signs_are_not_html() -> None:
    assert not looks_like_html("salary < 100k and > 50k")
    assert normalize("salary < 100k and > 50k") == "salary < 100k and > 50k"


def test_broken_list_string_is_kept_as_text() -> None:
    assert normalize("['unterminated, 'list'") == "['unterminated, 'list'"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalize_never_raises_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once
