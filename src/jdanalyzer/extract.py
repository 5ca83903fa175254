"""Extract taxonomy skills and tasks from posting text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .normalize import normalize
from .taxonomy import Taxonomy, load_taxonomy
from .types import Extraction, Match

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["MAX_CHARS", "doc_to_extraction", "extract", "extract_many", "prepare_text"]

#: Longer postings are cut to this many characters (and flagged as truncated).
MAX_CHARS = 100_000


def prepare_text(text: str, *, max_chars: int = MAX_CHARS) -> tuple[str, bool]:
    """Normalize ``text`` and cut it to ``max_chars``; return it and whether it was cut."""
    if not isinstance(text, str):
        raise TypeError(f"expected the posting as str, got {type(text).__name__}")
    # Bound the work done by the normalizer too: a 2 MB paste is cut before parsing.
    raw_cut = len(text) > 4 * max_chars
    clean = normalize(text[: 4 * max_chars] if raw_cut else text)
    if len(clean) > max_chars:
        return clean[:max_chars], True
    return clean, raw_cut


def doc_to_extraction(
    doc: Doc, *, truncated: bool = False, text: str | None = None, taxonomy: Taxonomy | None = None
) -> Extraction:
    """Read the spans the taxonomy matcher left on ``doc`` into an :class:`Extraction`.

    Pass ``text`` when you have the string the doc was made from: ``doc.text`` rebuilds it
    token by token, which costs as much as the matching.
    """
    taxonomy = taxonomy or load_taxonomy()
    text = doc.text if text is None else text

    def matches(key: str) -> tuple[Match, ...]:
        out = []
        for span in doc.spans.get(key, []) if doc.spans else []:
            term = taxonomy[span.id_]
            out.append(
                Match(
                    id=term.id,
                    name=term.name,
                    matched=span.text,
                    start=span.start_char,
                    end=span.end_char,
                    kind=term.kind,
                    side=term.side,
                    category=term.category,
                )
            )
        return tuple(out)

    warnings = (f"the posting was cut to its first {len(text):,} characters",) if truncated else ()
    return Extraction(
        text=text, skills=matches("skills"), tasks=matches("tasks"),
        truncated=truncated, warnings=warnings,
    )


def extract(text: str, *, max_chars: int = MAX_CHARS) -> Extraction:
    """Find the skills and tasks a posting mentions.

    The text is normalized first (HTML, bullets, odd whitespace); offsets in the result
    point into ``result.text``.

    Example:
        >>> result = extract("You will deploy LLMs with vLLM and build dashboards in Tableau.")
        >>> [m.id for m in result.skills]
        ['llm', 'vllm', 'tableau']
    """
    from .pipeline import get_pipeline

    clean, truncated = prepare_text(text, max_chars=max_chars)
    return doc_to_extraction(get_pipeline()(clean), truncated=truncated, text=clean)


def extract_many(
    texts: Iterable[str], *, batch_size: int = 64, max_chars: int = MAX_CHARS
) -> Iterator[Extraction]:
    """Extract from many postings, batching them through ``nlp.pipe``; yields in input order."""
    from .pipeline import get_pipeline

    nlp = get_pipeline()
    prepared = ((clean, (clean, cut)) for clean, cut in (prepare_text(t, max_chars=max_chars) for t in texts))
    for doc, (clean, truncated) in nlp.pipe(prepared, batch_size=batch_size, as_tuples=True):
        yield doc_to_extraction(doc, truncated=truncated, text=clean)
