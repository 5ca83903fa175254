"""Extract taxonomy skills and tasks from posting text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from jdanalyzer.extraction.components import ArraySentencizer, CaseFoldingLemmatizer, TaxonomyMatcher
from jdanalyzer.extraction.fastpath import find_match_ids
from jdanalyzer.extraction.pipeline import LEMMATIZER_PIPE, SENTENCIZER_PIPE, TAXONOMY_PIPE, get_pipeline
from jdanalyzer.extraction.taxonomy import Taxonomy, Term, load_taxonomy, roles_apart
from jdanalyzer.text.normalize import normalize
from jdanalyzer.types import Extraction, Match

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

    Pass ``text`` when you have the string the doc was made from; otherwise ``doc.text``
    rebuilds it token by token.
    """
    taxonomy = taxonomy or load_taxonomy()
    text = doc.text if text is None else text
    strings = doc.vocab.strings

    def matches(key: str) -> tuple[Match, ...]:
        spans = doc.spans.get(key, []) if doc.spans else []
        return tuple(
            _match(taxonomy[strings[span.id]], text, span.start_char, span.end_char) for span in spans
        )

    return _extraction(text, matches("skills"), matches("tasks"), truncated, matches("roles"))


def extract(text: str, *, max_chars: int = MAX_CHARS) -> Extraction:
    """Find the skills and tasks a posting mentions.

    The text is normalized first (HTML, bullets, odd whitespace); offsets in the result
    point into ``result.text``.

    Example:
        >>> result = extract("You will deploy LLMs with vLLM and build dashboards in Tableau.")
        >>> [m.id for m in result.skills]
        ['llm', 'vllm', 'dashboards', 'tableau']
    """
    return next(extract_many([text], max_chars=max_chars))


def extract_many(
    texts: Iterable[str], *, batch_size: int = 64, max_chars: int = MAX_CHARS
) -> Iterator[Extraction]:
    """Extract from many postings, ``batch_size`` at a time; yields in input order.

    Texts are read a batch ahead. An error in reading one (a text that is not a ``str``
    raises ``TypeError``, or ``texts`` itself fails) is raised once the results of the
    texts before it have been yielded.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be 1 or more, got {batch_size}")
    batch: list[tuple[str, bool]] = []
    try:
        for text in texts:
            batch.append(prepare_text(text, max_chars=max_chars))
            if len(batch) == batch_size:
                full, batch = batch, []
                yield from _extract_batch(full)
    except Exception:
        yield from _extract_batch(batch)  # the texts read before the error
        raise
    yield from _extract_batch(batch)


def _extract_batch(prepared: list[tuple[str, bool]]) -> Iterator[Extraction]:
    """The extractions of normalized texts, each with whether it was cut."""
    if not prepared:
        return
    nlp = get_pipeline()
    sentencizer = nlp.get_pipe(SENTENCIZER_PIPE)
    lemmatizer = nlp.get_pipe(LEMMATIZER_PIPE)
    matcher = nlp.get_pipe(TAXONOMY_PIPE)
    assert isinstance(sentencizer, ArraySentencizer)
    assert isinstance(lemmatizer, CaseFoldingLemmatizer)
    assert isinstance(matcher, TaxonomyMatcher)
    # The docs go to the fast path fresh from the tokenizer, rather than through
    # ``nlp.pipe``: it does the sentencizer's and lemmatizer's work itself, and gives the
    # matches that TaxonomyMatcher.reference_matches gives, as token offsets.
    docs = [nlp.make_doc(clean) for clean, _ in prepared]
    found = find_match_ids(matcher, docs, sentencizer=sentencizer, lemmatizer=lemmatizer)
    taxonomy = matcher.taxonomy
    for (clean, truncated), ids in zip(prepared, found, strict=True):
        skills, roles = roles_apart(
            _matches(ids.skills, matcher.term_of, clean, ids.starts, ids.ends),
            lambda m: taxonomy[m.id].names_role(m.matched),
        )
        tasks = _matches(ids.tasks, matcher.term_of, clean, ids.starts, ids.ends)
        yield _extraction(clean, tuple(skills), tasks, truncated, tuple(roles))


def _match(term: Term, text: str, start: int, end: int) -> Match:
    # Positional arguments: benchmarks/bench_extract.py times extraction.
    return Match(term.id, term.name, text[start:end], start, end, term.kind, term.side, term.category)


def _matches(
    found: list[tuple[int, int, int]], term_of: dict[int, Term], text: str, idx: Any, ends: Any
) -> tuple[Match, ...]:
    """:func:`_match` for each ``(start, end, match_id)`` token span, given the arrays of
    character offsets where each token starts (``idx``) and ends (``ends``)."""
    if not found:
        return ()
    starts = idx[[start for start, _, _ in found]].tolist()
    stops = ends[[end - 1 for _, end, _ in found]].tolist()
    return tuple(
        _match(term_of[match_id], text, a, b)
        for (_, _, match_id), a, b in zip(found, starts, stops, strict=True)
    )


def _extraction(
    text: str,
    skills: tuple[Match, ...],
    tasks: tuple[Match, ...],
    truncated: bool,
    roles: tuple[Match, ...] = (),
) -> Extraction:
    warnings = (f"the posting was cut to its first {len(text):,} characters",) if truncated else ()
    return Extraction(
        text=text, skills=skills, tasks=tasks, truncated=truncated, warnings=warnings, roles=roles
    )
