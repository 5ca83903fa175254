"""Build (once) the spaCy pipeline that extraction and classification share."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from spacy.attrs import ORTH
from spacy.lang.en import English, EnglishDefaults
from spacy.language import Language

# Defining the components registers their factories with spaCy (entry points do the same
# for an installed package; this import makes it hold when the package runs from source).
from jdanalyzer.extraction import components  # noqa: F401

__all__ = [
    "LEMMATIZER_PIPE", "SENTENCIZER_PIPE", "TAXONOMY_PIPE",
    "PostingEnglish", "build_pipeline", "collector_paused", "get_pipeline", "without_whitespace_cases",
]

#: Names of the components in the pipeline.
SENTENCIZER_PIPE = "jdanalyzer_sentencizer"
LEMMATIZER_PIPE = "jdanalyzer_lemmatizer"
TAXONOMY_PIPE = "jdanalyzer_taxonomy"

# Line breaks end a bullet, so they end a "sentence" too.
_SENTENCE_PUNCT = [".", "!", "?", ";", "\n", "\n\n", "。", "！", "？"]


def without_whitespace_cases(rules: dict[str, Any]) -> dict[str, Any]:
    """Tokenizer special cases without those that only give back their whitespace as one
    token ("\\n", "\\t", " "), which leave the tokens as they are.

    spaCy's tokenizer stops caching a doc's chunks once one of them hit a special case, and
    English lists "\\n" as one: a posting, which has line breaks, was split word by word anew
    each time (2.1 ms for the 1,600-character sample, seen or not; 0.07 ms once cached).
    ``tests/extraction/test_components.py`` compares the tokens with spaCy's on postings.
    """
    return {
        orth: tokens for orth, tokens in rules.items()
        if not (orth.isspace() and tokens == [{ORTH: orth}])
    }


class _PostingDefaults(EnglishDefaults):
    tokenizer_exceptions = without_whitespace_cases(EnglishDefaults.tokenizer_exceptions)


class PostingEnglish(English):
    """``spacy.blank("en")`` whose tokenizer caches the chunks of texts with line breaks (see
    :func:`without_whitespace_cases`): the same tokens, made faster.

    A subclass with its own defaults, as spaCy's docs show for customizing a language; setting
    the tokenizer's ``rules`` after the fact would load its 1,300 special cases again (0.13 s).
    """

    Defaults = _PostingDefaults


def build_pipeline(*, reference: bool = False) -> Language:
    """Return a new :class:`PostingEnglish` pipeline with sentencizer, lemmas and the taxonomy matcher.

    With ``reference``, the pipeline is the plain spaCy path: spaCy's own sentencizer, and
    the taxonomy matcher's :meth:`~jdanalyzer.extraction.components.TaxonomyMatcher.reference_matches`
    in place of the fast path. It finds the same matches (benchmarks/bench_extract.py times both).

    Example:
        >>> nlp = build_pipeline()
        >>> doc = nlp("Experience with PyTorch.")
        >>> [s.id_ for s in doc.spans["skills"]]
        ['pytorch']
    """
    with collector_paused():
        return _build(reference)


def _build(reference: bool) -> Language:
    nlp = PostingEnglish()
    sentencizer = "sentencizer" if reference else "jdanalyzer_sentencizer"
    nlp.add_pipe(sentencizer, name=SENTENCIZER_PIPE, config={"punct_chars": _SENTENCE_PUNCT})
    nlp.add_pipe("jdanalyzer_lemmatizer", name=LEMMATIZER_PIPE)
    nlp.add_pipe("jdanalyzer_taxonomy", name=TAXONOMY_PIPE, config={"reference": reference})
    nlp.initialize()
    return nlp


@lru_cache(maxsize=1)
def get_pipeline() -> Language:
    """The shared pipeline of this process, built on first use."""
    return build_pipeline()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, and turn it back on after (if it was on).

    Building the pipeline makes some hundred thousand objects that live as long as it does
    and no garbage cycles; collections while it builds only scan them again, about a sixth
    of the build time (benchmarks/bench_classify.py times a whole command).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
