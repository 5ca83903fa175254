"""The spaCy components, and the fast path's pieces next to what spaCy's stock paths give."""

from __future__ import annotations

import gc

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.pipeline import Sentencizer
from spacy.util import filter_spans

from jdanalyzer.extraction import fastpath
from jdanalyzer.extraction.extract import doc_to_extraction, extract_many, prepare_text
from jdanalyzer.extraction.fastpath import (
    _compiled,
    _HashTable,
    _LexemeTable,
    _longest_first,
    _longest_per_id,
    find_match_ids,
)
from jdanalyzer.extraction.pipeline import (
    _SENTENCE_PUNCT,
    LEMMATIZER_PIPE,
    SENTENCIZER_PIPE,
    TAXONOMY_PIPE,
    build_pipeline,
    get_pipeline,
)


@pytest.fixture(scope="module")
def corpus_texts(postings_sample) -> list[str]:
    """60 corpus postings, or the 40 fixture postings when the corpus is absent."""
    rows = postings_sample.sample(min(60, len(postings_sample)), random_state=7)
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


def test_tokens_after_building_the_matcher_are_a_blank_tokenizers(corpus_texts: list[str]) -> None:
    # Building the patterns ends by emptying the tokenizer's chunk cache (so postings'
    # words get its places); its special cases ("don't", "e.g.", ":)") must survive that.
    import spacy

    blank = spacy.blank("en")
    nlp = get_pipeline()
    for text in [*corpus_texts[:20], "We don't ship :) models, e.g. LLMs at 9 a.m. (U.S.)"]:
        assert [t.text for t in nlp.make_doc(text)] == [t.text for t in blank.make_doc(text)]


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


def _annotated_by_the_components(text: str):
    nlp = get_pipeline()
    return nlp.get_pipe(LEMMATIZER_PIPE)(nlp.get_pipe(SENTENCIZER_PIPE)(nlp.make_doc(text)))


def _components():
    nlp = get_pipeline()
    return nlp.get_pipe(SENTENCIZER_PIPE), nlp.get_pipe(LEMMATIZER_PIPE)


# Sentence breaks between a verb and its object, and cased short names at sentence starts.
_BOUNDARY_TEXTS = [
    "Deploy.\nModels in production. Build pipelines and deploy models.",
    "You will design, build and deploy\nmachine learning models; fine-tune LLMs. R is a plus.",
    "Experience with R, Go and Spark.\nGo deeper. Excel at work; Excel and SQL.",
    "Build dashboards in Tableau! Models? Write documentation.\n\n- Train models\n- Evaluate LLMs",
    "We like it. Spark is used daily. Our stack: Spark is used daily.",
]


def test_arrays_of_a_fresh_doc_are_those_of_the_annotated_doc(corpus_texts: list[str]) -> None:
    """The fast path's arrays of a doc fresh from the tokenizer are those it reads from the
    doc once the components annotated it, and the doc is left as it was."""
    nlp = get_pipeline()
    compiled = _compiled(nlp.get_pipe(TAXONOMY_PIPE))
    sentencizer, lemmatizer = _components()
    edge_cases = [".", "Deployed models. Then data", "\n\n- Build RAG\n- Ship it!", "?! No", "Façade"]
    for text in edge_cases + _BOUNDARY_TEXTS + corpus_texts[:15]:
        doc = nlp.make_doc(text)
        fresh = doc.to_array(["LEMMA", "SENT_START"]).tolist()
        tokens = compiled.batch_arrays([doc], sentencizer, lemmatizer)
        assert not tokens.annotated
        assert doc.to_array(["LEMMA", "SENT_START"]).tolist() == fresh
        expected = compiled.token_arrays(_annotated_by_the_components(text))
        for name, ours, theirs in zip(tokens._fields, tokens, expected, strict=True):
            if name != "annotated":
                assert ours.tolist() == theirs.tolist(), name
        assert tokens.firsts.tolist() == [0]


def test_arrays_of_docs_end_to_end_are_each_docs_arrays(corpus_texts: list[str]) -> None:
    # Docs that start with punctuation after one that ends a sentence, or with none: the
    # sentence rule must not look across into the doc before.
    texts = [*_BOUNDARY_TEXTS, "It ends.", "- and goes on", "!", "? Then", "Façade", *corpus_texts[:15]]
    nlp = get_pipeline()
    compiled = _compiled(nlp.get_pipe(TAXONOMY_PIPE))
    sentencizer, lemmatizer = _components()
    docs = [nlp.make_doc(text) for text in texts]
    together = compiled.batch_arrays(docs, sentencizer, lemmatizer)
    assert together.firsts.tolist() == numpy.cumsum([0] + [len(d) for d in docs[:-1]]).tolist()
    for doc, first in zip(docs, together.firsts.tolist(), strict=True):
        alone = compiled.batch_arrays([doc], sentencizer, lemmatizer)
        for name, ours, theirs in zip(together._fields, together, alone, strict=True):
            if name not in ("annotated", "firsts"):
                assert ours[first : first + len(doc)].tolist() == theirs.tolist(), (name, doc.text[:40])
    with pytest.raises(ValueError, match="none of them empty"):
        compiled.batch_arrays([docs[0], nlp.make_doc("")], sentencizer, lemmatizer)


def test_matches_of_docs_end_to_end_are_each_docs_matches(corpus_texts: list[str]) -> None:
    """Fresh docs end to end (with the components given) match as each doc does alone once
    the components annotated it (without them); empty docs among them too."""
    texts = [*_BOUNDARY_TEXTS, "Deploy", "", "models to production.", "Build and", "deploy models"]
    texts += corpus_texts
    nlp = get_pipeline()
    matcher = nlp.get_pipe(TAXONOMY_PIPE)
    sentencizer, lemmatizer = _components()
    docs = [nlp.make_doc(text) for text in texts]
    found = find_match_ids(matcher, docs, sentencizer=sentencizer, lemmatizer=lemmatizer)
    together = [(f.skills, f.tasks) for f in found]
    alone = [find_match_ids(matcher, [doc])[0] for doc in map(_annotated_by_the_components, texts)]
    assert together == [(f.skills, f.tasks) for f in alone]
    for f, a in zip(found, alone, strict=True):
        assert f.starts.tolist() == a.starts.tolist() and f.ends.tolist() == a.ends.tolist()
    assert sum(len(tasks) for _, tasks in together) > 50  # the corpus texts have verb...object tasks


@pytest.fixture(scope="module")
def wide_matcher():
    """The taxonomy matcher over the shipped terms plus multi-word verbs ("fine-tune",
    "set up") and 60 made-up tasks: more than 128 tasks, three 64-bit lanes of task masks."""
    from jdanalyzer.extraction.components import TaxonomyMatcher
    from jdanalyzer.extraction.taxonomy import Taxonomy, Term, load_taxonomy

    def task(term_id: str, verbs: tuple[str, ...], objects: tuple[str, ...]) -> Term:
        return Term(term_id, term_id, "task", "shared", "curated", verbs=verbs, objects=objects)

    extra = [
        task("tune_widgets", ("fine-tune",), ("widget",)),
        task("set_up_gadgets", ("set up", "work closely with"),
             ("gadget", "data widget", "data-rich widget")),
    ]
    extra += [task(f"zz_{k}", (f"zorb{k}", "ship"), (f"quux{k}", "widget")) for k in range(60)]
    taxonomy = Taxonomy([*load_taxonomy(), *extra])
    assert len(taxonomy.tasks) > 128
    return TaxonomyMatcher(get_pipeline(), taxonomy=taxonomy)


_WIDE_TEXTS = [
    "We fine-tune the widget daily. You will set up a gadget and fine-tune widgets.",
    "Working closely with data widgets; ship data widgets and well-designed widgets; build modeling models.",
    "Set up data-rich widgets; set up a data - rich widget.",
    "Set up, fine - tune and ship the new widgets.\nzorb59 a quux59; zorb3 the quux3 and quux59",
    "Fine-tune.\nWidget", "ship", "widgets and zorb7 big quux7", "Deploy models to production.",
]


def test_the_scan_leaves_out_no_match_of_the_verb_object_matcher(wide_matcher) -> None:
    """The scan's windows leave out no match the reference path's verb...object Matcher
    finds on the whole doc."""
    nlp = get_pipeline()
    compiled = _compiled(wide_matcher)
    docs = [nlp.make_doc(text) for text in _WIDE_TEXTS]
    found = compiled.verb_object_matches(docs, compiled.batch_arrays(docs, *_components()))
    whole_docs = [_annotated_by_the_components(text) for text in _WIDE_TEXTS]
    assert found == [wide_matcher.verb_object_matches(doc) for doc in whole_docs]
    term_of = wide_matcher.term_of
    assert {term_of[m].id for matches in found for _, _, m in matches} >= {
        "tune_widgets", "set_up_gadgets", "zz_59", "zz_3", "zz_7", "deploy_models"
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(
    ["fine", "-", "tune", "fine-tune", "Set", "up", "the", "widget", "gadgets", "deploy", "models",
     "ship", "zorb3", "quux3", "zorb59", "quux59", ",", "and", ".", "\n", "big", "of", "working", "closely",
     "with", "data", "well-", "LLM-", "modeling", "build", "data-rich", "rich"]
), min_size=1, max_size=25), min_size=1, max_size=6))
def test_the_scan_leaves_out_no_match_on_word_soup(wide_matcher, texts: list[list[str]]) -> None:
    nlp = get_pipeline()
    compiled = _compiled(wide_matcher)
    texts = [" ".join(words) for words in texts]
    docs = [nlp.make_doc(text) for text in texts]
    found = compiled.verb_object_matches(docs, compiled.batch_arrays(docs, *_components()))
    whole_docs = [_annotated_by_the_components(text) for text in texts]
    assert found == [wide_matcher.verb_object_matches(doc) for doc in whole_docs]


def _stock_sentencizer_pipeline():
    """The pipeline with spaCy's own Sentencizer (same rule, per-token predict)."""
    from jdanalyzer.extraction.pipeline import build_pipeline

    nlp = build_pipeline()
    nlp.replace_pipe(SENTENCIZER_PIPE, "sentencizer", config={"punct_chars": _SENTENCE_PUNCT})
    return nlp


def test_matches_on_an_unannotated_doc_equal_the_stock_components(corpus_texts: list[str]) -> None:
    """find_match_ids on a fresh doc (lemmas written only where the verb...object Matcher
    reads them, no sentence starts) finds what the components find on a fully annotated
    doc, with spaCy's stock sentencizer too."""
    nlp = get_pipeline()
    stock = _stock_sentencizer_pipeline()
    matcher = nlp.get_pipe(TAXONOMY_PIPE)
    sentencizer, lemmatizer = _components()
    n_tasks = 0
    for text in _BOUNDARY_TEXTS + corpus_texts:
        doc = nlp.make_doc(text)
        [found] = find_match_ids(matcher, [doc], sentencizer=sentencizer, lemmatizer=lemmatizer)
        skills, tasks = found.skills, found.tasks
        assert not doc.has_annotation("SENT_START")
        for pipeline in (nlp, stock):
            annotated = pipeline(text)
            found_skills = [*annotated.spans["skills"], *annotated.spans["roles"]]
            assert sorted((s.start, s.end, s.id) for s in found_skills) == sorted(skills)
            assert sorted((s.start, s.end, s.id) for s in annotated.spans["tasks"]) == sorted(
                (s, e, m) for s, e, m in tasks
            )
        n_tasks += len(tasks)
    assert n_tasks > 100  # the verb...object path was exercised


def test_public_components_still_annotate_every_token(corpus_texts: list[str]) -> None:
    """Docs from nlp(...) and nlp.pipe carry a lemma and a sentence start on every token,
    the same as spaCy's stock sentencizer and the per-token lemmatizer give."""
    nlp = get_pipeline()
    stock = _stock_sentencizer_pipeline()
    lemmatizer = nlp.get_pipe(LEMMATIZER_PIPE)
    texts = _BOUNDARY_TEXTS + corpus_texts[:10]
    for doc in [nlp(texts[0]), *nlp.pipe(texts)]:
        assert doc.has_annotation("LEMMA", require_complete=True)
        assert all(t.is_sent_start is not None for t in doc)
        expected = stock(doc.text)
        assert [t.is_sent_start for t in doc] == [t.is_sent_start for t in expected]
        assert [t.lemma_ for t in doc] == [lemmatizer.lookup_lemmatize(t)[0] for t in doc]
    assert [t.lemma_ for t in nlp("Deployed models. Then data")] == ["deploy", "model", ".", "then", "datum"]


def test_matches_of_an_annotated_doc_read_its_own_annotations() -> None:
    """Without components, the fast path reads the lemmas and sentence starts the doc carries."""
    nlp = get_pipeline()
    matcher = nlp.get_pipe(TAXONOMY_PIPE)
    doc = nlp.make_doc("Deploying models. Then data")
    doc[0].lemma_ = "kept"  # the lemmatizer keeps it: no verb of deploy_models
    doc = nlp.get_pipe(LEMMATIZER_PIPE)(nlp.get_pipe(SENTENCIZER_PIPE)(doc))
    [found] = find_match_ids(matcher, [doc])
    assert found.tasks == []
    assert [matcher.term_of[m].id for _, _, m in find_match_ids(matcher, [nlp(doc.text)])[0].tasks] == [
        "deploy_models"
    ]


def test_lexeme_table_holds_each_lexemes_attributes() -> None:
    nlp = get_pipeline()
    table = _LexemeTable(_compiled(nlp.get_pipe(TAXONOMY_PIPE)), *_components())
    # More new words than the first allocation, to make the arrays grow.
    text = "Deployed models.\n\n- (LLMs) and ! " + " ".join(f"w{i}" for i in range(1500))
    doc = nlp.make_doc(text)
    at = table.rows(doc.to_array("ORTH"))
    assert len(table) == len({t.orth for t in doc})
    assert table.lowers[at].tolist() == [t.lower for t in doc]
    assert table.lengths[at].tolist() == [len(t) for t in doc]
    flags = table.flags[at].tolist()
    assert [bool(f & _LexemeTable.ENDER) for f in flags] == [t.text in _SENTENCE_PUNCT for t in doc]
    assert [bool(f & _LexemeTable.PUNCT) for f in flags] == [t.is_punct for t in doc]
    assert [bool(f & _LexemeTable.SPACE) for f in flags] == [t.is_space for t in doc]
    assert [t.text for t, f in zip(doc, flags, strict=False) if f & _LexemeTable.ENDER] == [".", "\n\n", "!"]
    assert table.rows(doc.to_array("ORTH")).tolist() == at.tolist()  # nothing added the second time


def test_longest_per_id_lets_different_tasks_overlap() -> None:
    build, deploy = 1, 2
    matches = [(0, 4, build), (2, 4, deploy), (0, 2, build), (5, 7, deploy)]
    assert _longest_per_id(matches) == [(0, 4, build), (2, 4, deploy), (5, 7, deploy)]
    assert _longest_per_id([(3, 5, build), (0, 2, build)]) == [(0, 2, build), (3, 5, build)]


def test_hash_table_finds_merged_and_pending_keys() -> None:
    table = _HashTable({5: 50, 1: 10})
    table.add({3: 30})  # stays pending: below the merge threshold
    values, found = table.get(numpy.array([1, 2, 3, 5, 7], dtype=numpy.uint64))
    assert values.tolist() == [10, 0, 30, 50, 0]
    assert found.tolist() == [True, False, True, True, False]
    table.add({k: k + 1 for k in range(100, 2200)})  # over the threshold: merged
    values, found = table.get(numpy.array([3, 150, 2199, 2200], dtype=numpy.uint64))
    assert values.tolist() == [30, 151, 2200, 0]
    assert len(table) == 3 + 2100


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.integers(0, 2**64 - 1), st.integers(0, 2**63), max_size=300),
    st.lists(st.integers(0, 2**64 - 1), max_size=50),
)
def test_hash_table_answers_like_a_dict(items: dict[int, int], others: list[int]) -> None:
    """Keys that share their slot (small ones do: the slot is the low bits) and absent keys."""
    items.update({k: k for k in range(0, 4096, 512)})  # all in slot 0
    table = _HashTable(items)
    queries = [*items, *others, 0, 1, 2**64 - 1]
    values, found = table.get(numpy.array(queries, dtype=numpy.uint64))
    assert found.tolist() == [q in items for q in queries]
    assert values.tolist() == [items.get(q, 0) for q in queries]


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


def test_lemmatizer_makes_spacys_table_only_when_asked() -> None:
    """The lemma table is kept as the plain dict it is read into; ``lookups`` gives spaCy's
    Table of the same data (what the stock loader gives), for saving the component."""
    from spacy.lookups import load_lookups

    from jdanalyzer.extraction.pipeline import build_pipeline

    nlp = build_pipeline()
    lemmatizer = nlp.get_pipe(LEMMATIZER_PIPE)
    assert [t.lemma_ for t in nlp("Deployed models")] == ["deploy", "model"]
    assert "_pending_lemmas" in lemmatizer.__dict__
    table = lemmatizer.lookups.get_table("lemma_lookup")
    stock = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    assert len(table) == len(stock) and all(table.get(k) == stock.get(k) for k in ("models", "ran", "data"))
    assert [t.lemma_ for t in nlp("Deployed models")] == ["deploy", "model"]
    restored = build_pipeline().from_bytes(nlp.to_bytes())
    assert [t.lemma_ for t in restored("Deployed models")] == ["deploy", "model"]


# Ellipsis (tests/data/EXTRACTION_GOLD.md): a word coordinated with a skill of several words
# names the skill it stands for; a plain list does not.
ELISIONS = [
    ("Knowledge of supervised, unsupervised, and reinforcement learning.",
     [("supervised", "supervised_learning"), ("unsupervised", "unsupervised_learning"),
      ("reinforcement learning", "reinforcement_learning")], set()),
    ("Write unit, integration and contract tests.",
     [("unit", "testing"), ("integration", "testing"), ("contract tests", "testing")], set()),
    ("Analytical, statistical, and programming skills are a must.",
     [("Analytical", "analytical_thinking"), ("statistical", "statistics"),
      ("programming skills", "programming")], set()),
    ("Own data extraction, preparation, and transformation.",
     [("data extraction", "data_collection"), ("preparation", "data_preparation"),
      ("transformation", "data_preparation")], set()),
    ("Excellent oral and written communication.", [("oral", "communication")], set()),
    # A plain list, a word that stands on its own, a conjunct that begins a phrase of its own.
    ("A passion for numbers, business, coding, and artificial intelligence.", [], {"business_intelligence"}),
    ("Experience with AI and software engineering.", [], {"ml_engineering"}),
    ("Statistical data analysis, model and feature evaluations.", [], {"data_modeling"}),
]


@pytest.mark.parametrize(("text", "present", "absent"), ELISIONS, ids=[e[0][:50] for e in ELISIONS])
def test_coordinated_words_name_the_skills_they_stand_for(
    text: str, present: list[tuple[str, str]], absent: set[str]
) -> None:
    [result] = extract_many([text])
    matches = [(m.matched, m.id) for m in result.skills]
    for pair in present:
        assert pair in matches, (pair, matches)
    assert not absent & {term_id for _, term_id in matches}, matches


def test_a_conjunct_that_repeats_the_skills_first_word_stands_for_nothing() -> None:
    [result] = extract_many(["Help clients use their data and data science methods."])
    assert [(m.matched, m.id) for m in result.skills] == [("data science methods", "data_science")]


def test_the_fast_path_tables_go_with_their_pipeline() -> None:
    nlp = build_pipeline()
    doc = nlp("Deploy models with vLLM.")
    assert [s.id_ for s in doc.spans["skills"]] == ["vllm"]
    matcher = nlp.get_pipe("jdanalyzer_taxonomy")
    assert matcher in fastpath._COMPILED
    held = len(fastpath._COMPILED)
    del nlp, matcher, doc
    gc.collect()
    assert len(fastpath._COMPILED) == held - 1


@pytest.mark.parametrize("was_on", [True, False])
def test_building_the_pipeline_pauses_the_collector_and_restores_it(was_on: bool) -> None:
    from jdanalyzer.extraction import components as components_module

    seen = []
    original = components_module.TaxonomyMatcher._build

    def build(self, nlp, form_tokens):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return original(self, nlp, form_tokens)

    (gc.enable if was_on else gc.disable)()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(components_module.TaxonomyMatcher, "_build", build)
            build_pipeline()
        assert seen == [False]
        assert gc.isenabled() is was_on
    finally:
        gc.enable()


def test_the_pipeline_tokenizer_splits_postings_as_spacys_does(postings_sample) -> None:
    """The pipeline drops the whitespace special cases that kept spaCy's tokenizer from
    caching (see without_whitespace_cases): the tokens must stay those of a stock tokenizer, on
    postings as normalized and as written (tabs, runs of spaces, no-break spaces)."""
    import spacy
    from spacy.attrs import IDX, NORM, ORTH, SPACY

    stock = spacy.blank("en")
    ours = get_pipeline()
    assert "\n" in stock.tokenizer.rules and "\n" not in ours.tokenizer.rules
    raw = postings_sample["description"].sample(min(300, len(postings_sample)), random_state=3).tolist()
    odd = ["a\tb\t\tc\n\n\n  d \u00a0e", "\n", "  x  \n", "line one\r\nline two\t", "e.g. don't\nU.S.\n:)"]
    attrs = [ORTH, IDX, SPACY, NORM]
    for text in raw + [prepare_text(t)[0] for t in raw] + odd:
        for _ in range(2):  # the second time from the cache
            expected, got = stock.make_doc(text), ours.make_doc(text)
            assert len(got) == len(expected), text[:80]
            assert (got.to_array(attrs) == expected.to_array(attrs)).all(), text[:80]


def test_form_tokens_split_every_taxonomy_form_as_the_tokenizer_does() -> None:
    from jdanalyzer.extraction.forms import FormTokens
    from jdanalyzer.extraction.taxonomy import load_taxonomy, surface_variants

    nlp = get_pipeline()
    lowers = FormTokens(nlp)
    forms = {
        variant
        for term in load_taxonomy()
        for form in term.phrase_forms
        for variant in surface_variants(form.lower())
    }
    quick = [form for form in forms if form.replace(" ", "").replace("-", "").isalpha() and form.isascii()]
    assert len(quick) > 0.9 * len(forms)  # most forms take the quick split
    assert any("-" in form for form in quick)
    assert {form for form in forms if lowers(form) != lowers.by_tokenizer(form)} == set()
    # Words the tokenizer splits by a special case go through it.
    assert lowers("cannot") == lowers.by_tokenizer("cannot") and len(lowers("cannot")) == 2
