from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jdanalyzer.text.normalize import looks_like_html, normalize


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


def test_a_bullet_mark_alone_on_its_line_is_a_bullet() -> None:
    # Its text may come on the next line; normalizing again must not change the result.
    assert normalize("+\nbuild models") == "- build models"
    assert normalize("•\nBuild models\n*") == "-\nBuild models\n-"
    for raw in ("+\na", "a\n+\nb", "•\nBuild models"):
        assert normalize(normalize(raw)) == normalize(raw)


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


def _lines_by_the_plain_rules(text: str) -> str:
    """What normalize does after NFKC, as first written: each rule a pass of its own."""
    import re

    text = re.sub("[\ud800-\udfff]", "\ufffd", text)
    invisible = "\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffe\uffff"
    text = unicodedata.normalize("NFKC", re.sub(f"[{invisible}]", "", text))
    bullet = re.compile(r"^\s*(?:[•·▪◦●○■□►▶✓✔➢➤◆◇\-–—*+]|o(?=\s|$))\s*")

    def cut(chunk: str, width: int) -> str:
        return " ".join(chunk[start:start + width] for start in range(0, len(chunk), width))

    def shorten(run: re.Match[str]) -> str:  # a mark 4 times at most, a space every 16
        return cut(re.sub(r"(.)\1{4,}", r"\1" * 4, run.group()), 16)

    lines = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        line = re.sub(r"(?:_|[^\w\s])+", shorten, line)
        line = " ".join(cut(word, 100) for word in line.split())
        match = bullet.match(line)
        if match and match.end() < len(line):
            lines.append(("- " + line[match.end():], True))
        elif match:  # a mark alone: the bullet's text may follow on the next line
            lines.append(("-", True))
        else:
            lines.append((line, False))
    out: list[str] = []
    for line, is_bullet in lines:
        if out and line and not is_bullet:
            previous = out[-1]
            ends = previous.endswith((".", ":", "!", "?", ";"))
            if previous and not ends and (len(previous) >= 40 or line[0].islower()):
                out[-1] = previous + " " + line
                continue
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["\n", "\n\n\n", " ", "  ", "\t", "\u2028", "\u00ad", "\u200b", "\x07", "\ud800", "\ufeff", "- ", "• ",
     "o ", "* ", "+", "build", "Models", "and", ".", ";", "x" * 45, "lowercase start", "End.",
     "(((", "<*", "'", "'s", "_", "😀", "\u0301", "*" * 7, "-" * 30]
), max_size=40))
def test_lines_follow_the_plain_rules(parts: list[str]) -> None:
    text = "".join(parts)
    assert normalize(text) == _lines_by_the_plain_rules(unicodedata.normalize("NFKC", text))


def test_a_tag_made_by_unicode_folding_is_read_as_markup_the_first_time() -> None:
    """NFKC turns "<ª" into "<a": normalizing must not leave a tag that a second pass strips."""
    once = normalize("<ª")
    assert once == normalize(once)


# Space-free runs that spaCy's tokenizer took quadratic time over: it strips the prefixes
# and suffixes off a chunk one at a time (8,000 "(" took 11.5 s, 8,000 "_" 19 s).
LONG_RUNS = {
    "open paren": "(" * 100_000,
    "less than": "<" * 100_000,
    "asterisk": "*" * 100_000,
    "quote": "'" * 100_000,
    "underscore": "_" * 100_000,
    "emoji": "\U0001f600" * 100_000,
    "mixed marks": "(<*'" * 25_000,
    "chained 's": "x" + "'s" * 50_000,
    "chained US$": "US$" * 33_334,
    "one word": "a" * 100_000,
}


@pytest.mark.parametrize("mark", ["(", "<", "*", "'", "_", "-", ".", "=", "\U0001f600"])
def test_a_run_of_one_mark_keeps_four(mark: str) -> None:
    assert normalize(f"Python {mark * 100_000} SQL") == f"Python {mark * 4} SQL"
    assert normalize(f"Python {mark * 4} SQL") == f"Python {mark * 4} SQL"


def test_a_run_of_mixed_marks_is_cut_every_16_characters() -> None:
    assert normalize("a " + "(<*'" * 10 + " b") == "a (<*'(<*'(<*'(<*' (<*'(<*'(<*'(<*' (<*'(<*' b"


def test_a_long_chunk_is_cut_every_100_characters() -> None:
    assert normalize("x" * 250).split(" ") == ["x" * 100, "x" * 100, "x" * 50]
    assert normalize("Apply: " + "'s" * 60) == "Apply: " + "'s" * 50 + " " + "'s" * 10


def test_separators_collapse_and_real_tokens_stay_whole() -> None:
    url = "https://careers.example.com/jobs/4512-senior-machine-learning-engineer?src=linkedin&gh=1"
    raw = (
        "About the role\n"
        "==============================\n"
        f"Apply at {url} or ml-jobs@example.co.uk.\n"
        "You know scikit-learn, C++ and __init__.py (e.g. `torch.nn`)...\n"
        "______________________________________________\n"
        "Must have: **PyTorch** ✨🚀🔥"
    )
    assert normalize(raw).split("\n") == [
        "About the role",
        "====",
        f"Apply at {url} or ml-jobs@example.co.uk.",
        "You know scikit-learn, C++ and __init__.py (e.g. `torch.nn`)...",
        "____",
        "Must have: **PyTorch** ✨🚀🔥",
    ]


@pytest.mark.parametrize("run", LONG_RUNS.values(), ids=LONG_RUNS.keys())
def test_normalizing_and_splitting_long_runs_takes_linear_time(run: str) -> None:
    from jdanalyzer.text.sections import split_units

    start = time.perf_counter()
    clean = normalize(f"Responsibilities\n- Build models {run} with Python.\n")
    units = split_units(clean)
    assert time.perf_counter() - start < 10
    assert clean.startswith("Responsibilities\n- Build models ")
    assert units and max(len(word) for word in clean.split()) <= 100


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["(", "<", "*", "'", "_", "-", ".", "'s", "US$", "\U0001f600", "\u0301", "•", "é", "x" * 30,
     "Build", " ", "\n", "\u00a0", "\u200b"]
), max_size=120))
def test_normalize_is_idempotent_on_runs_of_marks(parts: list[str]) -> None:
    once = normalize("".join(parts))
    assert normalize(once) == once
    assert max((len(word) for word in once.split()), default=0) <= 100
