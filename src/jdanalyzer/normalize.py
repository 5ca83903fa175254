"""Turn a posting as scraped (HTML, Python-list strings, bullets, hard-wrapped lines) into plain text.

All character offsets jdanalyzer reports point into the text this module returns, so
callers keep the normalized text next to their matches.
"""

from __future__ import annotations

import ast
import re
import unicodedata

__all__ = ["looks_like_html", "normalize"]

# A start or end tag of a real HTML element, or an entity: enough to decide the text is HTML.
_HTML_TAG = re.compile(
    r"<(?:/?(?:p|br|div|li|ul|ol|span|strong|b|i|em|h[1-6]|table|tr|td|a|section|article)\b[^>]*"
    r"|!DOCTYPE)",
    re.IGNORECASE,
)
_BULLET_MARKS = "•·▪◦●○■□►▶✓✔➢➤◆◇-–—*+"
_BULLET = re.compile(rf"^\s*(?:[{re.escape(_BULLET_MARKS)}]|o(?=\s))\s*")
_BULLET_FIRST = frozenset(_BULLET_MARKS + "o")
_MANY_NEWLINES = re.compile(r"\n{3,}")
# Control characters (but tab and newline), zero-width and bidi marks, soft hyphens, BOMs.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffe\uffff]"
)
# Lone surrogates (from broken decoding) cannot be encoded, and spaCy needs to.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SENTENCE_END = (".", ":", "!", "?", ";")
# Lines at least this long that stop mid-sentence were wrapped by the source, not the author.
_WRAP_WIDTH = 40


def looks_like_html(text: str) -> bool:
    """Return True when ``text`` contains HTML element tags."""
    return _HTML_TAG.search(text) is not None


def _from_python_list(text: str) -> str | None:
    """Read a description stored as the repr of a Python list of lines, or return None."""
    stripped = text.strip()
    if not (stripped.startswith("[") and stripped.endswith("]")) or len(stripped) < 4:
        return None
    if stripped[1] not in "'\"":
        return None
    try:
        value = ast.literal_eval(stripped)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return "\n".join(value)


def _html_to_text(text: str) -> str:
    from inscriptis import get_text

    return get_text(text)


def _clean_line(line: str) -> tuple[str, bool]:
    """Collapse spaces in a line and turn any bullet marker into "- "; say if it was a bullet."""
    # str.split() splits on every kind of space (no-break, em, ideographic...): one C pass,
    # where a regex over the whole text costs as much as tokenizing it.
    line = " ".join(line.split())
    if not line or line[0] not in _BULLET_FIRST:
        return line, False
    match = _BULLET.match(line)
    if match and match.end() < len(line):
        return "- " + line[match.end() :], True
    return line, False


def _unwrap(lines: list[tuple[str, bool]]) -> list[str]:
    """Join lines that a source wrapped at a fixed width back into their sentence or bullet."""
    out: list[str] = []
    for line, is_bullet in lines:
        if out and line and not is_bullet:
            previous = out[-1]
            wrapped = len(previous) >= _WRAP_WIDTH and not previous.endswith(_SENTENCE_END)
            continues = line[0].islower() and previous and not previous.endswith(_SENTENCE_END)
            if previous and (wrapped or continues):
                out[-1] = previous + " " + line
                continue
        out.append(line)
    return out


def normalize(text: str) -> str:
    """Return the plain text of a posting.

    Handles HTML (via inscriptis), descriptions stored as Python-list strings, bullet
    markers, non-breaking and odd spaces, control characters and hard-wrapped lines.

    Example:
        >>> normalize("<ul><li>Build&nbsp;RAG pipelines</li></ul>")
        '- Build RAG pipelines'
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    listed = _from_python_list(text)
    if listed is not None:
        text = listed
    if looks_like_html(text):
        text = _html_to_text(text)
    else:
        import html

        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", _SURROGATE.sub("\ufffd", text))
    lines = [_clean_line(line) for line in text.split("\n")]
    text = "\n".join(_unwrap(lines))
    return _MANY_NEWLINES.sub("\n\n", text).strip()
