"""Turn a posting as scraped (HTML, Python-list strings, bullets, hard-wrapped lines) into plain text.

All character offsets jdanalyzer reports point into the text this module returns, so
callers keep the normalized text next to their matches.
"""

from __future__ import annotations

import ast
import html
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
_BULLET = re.compile(rf"^\s*(?:[{re.escape(_BULLET_MARKS)}]|o(?=\s|$))\s*")
_BULLET_FIRST = frozenset(_BULLET_MARKS + "o")
# Control characters (but tab and newline), zero-width and bidi marks, soft hyphens, BOMs,
# which are dropped; and lone surrogates (from broken decoding), which cannot be encoded
# (spaCy needs to) and become U+FFFD. One pass finds both.
_INVISIBLE_OR_SURROGATE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffe\uffff]"
    "|[\ud800-\udfff]"
)
# spaCy's tokenizer strips prefixes and suffixes off a space-free chunk one at a time, copying
# and searching the rest of the chunk each time: a run of "(", "<", "*", "'", "_", emoji...
# costs the square of its length (8,000 "(" took 11.5 s). So in a run of punctuation marks and
# symbols ("_" too, though it counts as a word character) a mark repeated more than
# _MAX_REPEAT times is cut to _MAX_REPEAT ("-----" rules, "*****"), the run is cut by a space
# every _MAX_SYMBOL_RUN characters, and any space-free chunk every _MAX_CHUNK characters
# ("'s's's..." and "US$US$..." are chains of affixes too). What is left costs the tokenizer a
# bounded amount per character. Of the shared corpus's 7,165 ads these rules change 136 (long
# "-----" and "_____" rules, a few URLs longer than _MAX_CHUNK) and none of their matches.
_SYMBOL_RUN = re.compile(r"(?:_|[^\w\s]){5,}")
_REPEATED = re.compile(r"(.)\1{4,}")
_MAX_REPEAT = 4
_MAX_SYMBOL_RUN = 16
_MAX_CHUNK = 100
# Searching a text for either costs as much as the rest of normalizing, and few ads hold one.
# So first its UTF-8 bytes are mapped (in C) so that a symbol run leaves "#####" (every byte
# of a symbol, "_" or a non-ASCII character becomes "#") and a long chunk more than
# _MAX_CHUNK "x" in a row (every byte but ASCII spaces becomes "x"): a text without those
# holds neither.
_SYMBOL_BYTES = bytes(
    ord("a") if byte < 128 and (chr(byte).isalnum() or chr(byte).isspace()) else ord("#")
    for byte in range(256)
)
_CHUNK_BYTES = bytes(ord(" ") if byte < 128 and chr(byte).isspace() else ord("x") for byte in range(256))
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


# The edges of markup with no visible text (scripts, styles, comments), block tags and any
# tag, for the fallback of _html_to_text. "[^<>]" keeps each search linear in the text.
_HIDDEN_EDGE = re.compile(r"<(/?)(script|style)\b[^<>]*>|<!--|-->", re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"</?(?:p|br|div|li|ul|ol|tr|td|th|table|h[1-6]|section|article|header|footer|pre|blockquote)\b[^<>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^<>]*>")


def _html_to_text(text: str) -> str:
    """The text of an HTML posting, laid out by inscriptis.

    libxml2, which parses the HTML for inscriptis, stops reading elements nested more than
    255 deep (unclosed ``<span>`` or ``<font>`` tags in scraped ads): everything after is
    lost. When the layout holds fewer than half the words that are left once scripts,
    styles, comments and tags are stripped, the stripped text is used instead, with a line
    break for each block tag.
    """
    from inscriptis import get_text

    laid_out = get_text(text)
    stripped = _TAG.sub(" ", _BLOCK_TAG.sub("\n", _visible_markup(text)))
    if len(laid_out.split()) * 2 >= len(stripped.split()):
        return laid_out
    return html.unescape(stripped)


def _visible_markup(text: str) -> str:
    """``text`` without its script and style elements and comments, in one pass over their edges."""
    pieces: list[str] = []
    keep_from, closing = 0, ""
    for edge in _HIDDEN_EDGE.finditer(text):
        slash, name = edge.group(1), (edge.group(2) or "").lower()
        if not closing:
            if edge.group() == "-->" or slash:  # a stray end
                continue
            pieces.append(text[keep_from : edge.start()])
            closing = name or "-->"
        elif (closing == "-->" and edge.group() == "-->") or (slash and name == closing):
            keep_from, closing = edge.end(), ""
    if not closing:
        pieces.append(text[keep_from:])
    return " ".join(pieces)


def _invisible_or_surrogate(match: re.Match[str]) -> str:
    return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else ""


def _shorten_symbol_run(match: re.Match[str]) -> str:
    run = _REPEATED.sub(lambda repeated: repeated.group(1) * _MAX_REPEAT, match.group())
    return _cut(run, _MAX_SYMBOL_RUN)


def _cut(chunk: str, width: int) -> str:
    """``chunk`` with a space after every ``width`` characters (none at its end)."""
    if len(chunk) <= width:
        return chunk
    return " ".join([chunk[start : start + width] for start in range(0, len(chunk), width)])


def _clean_lines(text: str) -> list[str]:
    """Collapse the spaces in each line, shorten its runs of symbols and cut its long chunks
    (see _SYMBOL_RUN), turn bullet markers into "- ", join lines that a source wrapped at a
    fixed width back into their sentence or bullet, and keep one blank line of a run of them.

    The runs and chunks are cut in each line before it is read for bullets and wraps, so
    that a second pass reads the same lines and changes nothing.

    Each output line is kept as its pieces and joined once at the end: joining a wrapped
    line on at every step copied it again each time (quadratic on many short lines)."""
    out: list[list[str]] = []  # the pieces of each output line
    lengths: list[int] = []  # the length each output line will have
    data = text.encode("utf-8", "surrogatepass")
    symbol_runs = b"#####" in data.translate(_SYMBOL_BYTES) and _SYMBOL_RUN.search(text) is not None
    long_chunks = b"x" * (_MAX_CHUNK + 1) in data.translate(_CHUNK_BYTES)
    for line in text.split("\n"):
        # str.split() splits on every kind of space (no-break, em, ideographic...): one C
        # pass, where a regex over the whole text costs as much as tokenizing it.
        words = line.split()
        line = " ".join(words)
        if symbol_runs:
            line = _SYMBOL_RUN.sub(_shorten_symbol_run, line)
        if long_chunks and len(line) > _MAX_CHUNK and max(map(len, words)) > _MAX_CHUNK:
            line = " ".join([_cut(word, _MAX_CHUNK) for word in line.split()])
        if not line:
            if not out or out[-1]:
                out.append([])
                lengths.append(0)
            continue
        if line[0] in _BULLET_FIRST:
            match = _BULLET.match(line)
            if match:
                # A mark alone on its line becomes "-" too: the bullet's text may be the
                # next line, joined on as a wrap ("•" then "build models").
                bullet = "- " + line[match.end() :] if match.end() < len(line) else "-"
                out.append([bullet])
                lengths.append(len(bullet))
                continue
        if out:
            previous = out[-1]
            # Wrapped: a long line, or one going on in lowercase, that stops mid-sentence.
            if (
                previous
                and not previous[-1].endswith(_SENTENCE_END)
                and (lengths[-1] >= _WRAP_WIDTH or line[0].islower())
            ):
                previous.append(line)
                lengths[-1] += 1 + len(line)
                continue
        out.append([line])
        lengths.append(len(line))
    return [" ".join(pieces) for pieces in out]


def normalize(text: str) -> str:
    """Return the plain text of a posting.

    Handles HTML (via inscriptis), descriptions stored as Python-list strings, bullet
    markers, non-breaking and odd spaces, control characters and hard-wrapped lines. Runs
    of punctuation or symbols and space-free chunks are shortened or cut with spaces (see
    ``_SYMBOL_RUN``), so that tokenizing the result takes time linear in its length.

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
    text = _html_to_text(text) if looks_like_html(text) else html.unescape(text)
    # Invisible characters go before NFKC: dropped after, they could leave a letter next to
    # the accent it composes with ("s", U+200B, U+0301), which a second pass would compose.
    text = _INVISIBLE_OR_SURROGATE.sub(_invisible_or_surrogate, text)
    text = unicodedata.normalize("NFKC", text)
    return "\n".join(_clean_lines(text)).strip()
