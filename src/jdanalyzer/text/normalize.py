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
# Control characters (but tab and newline), zero-width and bidi marks, soft hyphens, BOMs,
# which are dropped; and lone surrogates (from broken decoding), which cannot be encoded
# (spaCy needs to) and become U+FFFD. One pass finds both.
_INVISIBLE_OR_SURROGATE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffe\uffff]"
    "|[\ud800-\udfff]"
)
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


def _invisible_or_surrogate(match: re.Match[str]) -> str:
    return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else ""


def _clean_lines(text: str) -> list[str]:
    """Collapse the spaces in each line, turn bullet markers into "- ", join lines that a
    source wrapped at a fixed width back into their sentence or bullet, and keep one blank
    line of a run of them."""
    out: list[str] = []
    for line in text.split("\n"):
        # str.split() splits on every kind of space (no-break, em, ideographic...): one C
        # pass, where a regex over the whole text costs as much as tokenizing it.
        line = " ".join(line.split())
        if not line:
            if not out or out[-1]:
                out.append(line)
            continue
        if line[0] in _BULLET_FIRST:
            match = _BULLET.match(line)
            if match:
                # A mark alone on its line becomes "-" too: the bullet's text may be the
                # next line, joined on as a wrap ("•" then "build models").
                out.append("- " + line[match.end() :] if match.end() < len(line) else "-")
                continue
        if out:
            previous = out[-1]
            # Wrapped: a long line, or one going on in lowercase, that stops mid-sentence.
            if (
                previous
                and not previous.endswith(_SENTENCE_END)
                and (len(previous) >= _WRAP_WIDTH or line[0].islower())
            ):
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
    # NFKC can make a tag ("<ª" becomes "<a"): read markup in the text as it will read once
    # normalized, so that normalizing twice changes nothing.
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if looks_like_html(text):
        text = _html_to_text(text)
    else:
        import html

        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_OR_SURROGATE.sub(_invisible_or_surrogate, text)
    return "\n".join(_clean_lines(text)).strip()
