"""The spaCy components' array-based fast paths give what spaCy's stock paths give."""

from __future__ import annotations

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.pipeline import Sentencizer
from spacy.util import filter_spans

from jdanalyzer.component import HashTable, _longest_first
from jdanalyzer.extract import doc_to_extraction, extract_many, prepare_text
from jdanalyzer.pipeline import _SENTENCE_PUNCT, get_pipeline


@pytest.fixture(scope="module")
def corpus_texts(corpus_postings) -> list[str]:
    rows = corpus_postings.sample(60, random_state=7)
    return [prepare_text(text)[0] for text in rows["description"]]


def test_sentence_starts_match_spacys_sentencizer(corpus_texts: list[str]) -> None:
    nlp = get_pipeline()
    ours = nlp.get_pipe("jdanalyzer_sentencizer")
    stock = Sentencizer(punct_chars=_SENTENCE_PUNCT)
    edge_cases = ["", ".", "...", "Hello. World", "a.\n\n- b", "!! x ? ? y", "\n\nfoo", "No end"]
    for text in corpus_texts + edge_cases:
        doc = nlp.make_doc(text)
        assert ours.predict([doc]) == stock.predict([doc]), text[:80]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["Build", "models", ".", "!", "?", ";", "\n", "(", ")", "-"]), max_size=40))
def test_sentence_starts_match_on_punctuation_soup(parts: list[str]) -> None:
    nlp = get_pipeline()
    doc = nlp.make_doc(" ".join(parts))
    stock = Sentencizer(punct_chars=_SENTENCE_PUNCT)
    assert nlp.get_pipe("jdanalyzer_sentencizer").predict([doc]) == stock.predict([doc])


def test_lemmas_match_the_per_token_lookup(corpus_texts: list[str]) -> None:
    nlp = get_pipeline()
    lemmatizer = nlp.get_pipe("jdanalyzer_lemmatizer")
    for text in corpus_texts[:20]:
        doc = lemmatizer(nlp.make_doc(text))
        assert [t.lemma_ for t in doc] == [lemmatizer.lookup_lemmatize(t)[0] for t in doc]


def test_lemmatizer_keeps_lemmas_already_set() -> None:
    nlp = get_pipeline()
    doc = nlp.make_doc("Deploying models")
    doc[0].lemma_ = "kept"
    nlp.get_pipe("jdanalyzer_lemmatizer")(doc)
    assert [t.lemma_ for t in doc] == ["kept", "model"]


def test_hash_table_finds_merged_and_pending_keys() -> None:
    table = HashTable({5: 50, 1: 10})
    table.add({3: 30})  # stays pending: below the merge threshold
    values, found = table.get(numpy.array([1, 2, 3, 5, 7], dtype=numpy.uint64))
    assert values.tolist() == [10, 0, 30, 50, 0]
    assert found.tolist() == [True, False, True, True, False]
    table.add({k: k + 1 for k in range(100, 2200)})  # over the threshold: merged
    values, found = table.get(numpy.array([3, 150, 2199, 2200], dtype=numpy.uint64))
    assert values.tolist() == [30, 151, 2200, 0]
    assert len(table) == 3 + 2100


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 6), st.integers(0, 3)), max_size=25))
def test_longest_first_resolves_overlaps_like_filter_spans(raw: list[tuple[int, int, int]]) -> None:
    doc = get_pipeline().make_doc(" ".join(["w"] * 40))
    matches = [(start, start + length, label) for start, length, label in raw]
    expected = filter_spans([doc[s:e] for s, e, _ in matches])
    assert [(s, e) for s, e, _ in _longest_first(matches)] == [(s.start, s.end) for s in expected]


def test_extract_many_equals_reading_the_components_spans(corpus_texts: list[str]) -> None:
    """extract_many reads the matcher's offsets directly; a user's pipeline reads doc.spans."""
    nlp = get_pipeline()
    for text, fast in zip(corpus_texts, extract_many(corpus_texts), strict=True):
        from_spans = doc_to_extraction(nlp(text), text=text)
        assert fast.skills == from_spans.skills
        assert sorted(fast.tasks, key=lambda m: (m.start, m.end, m.id)) == sorted(
            from_spans.tasks, key=lambda m: (m.start, m.end, m.id)
        )
