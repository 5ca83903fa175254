"""spaCy components: the taxonomy matcher and a case-folding lookup lemmatizer.

Both are registered with ``@Language.factory`` (and exposed through the
``spacy_factories`` entry point), so they work in a user's own pipeline::

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("jdanalyzer_lemmatizer")
    nlp.add_pipe("jdanalyzer_taxonomy")
    nlp.initialize()
    doc = nlp("We fine-tune LLMs and build dashboards in Tableau.")
    [(s.text, s.id_, s.label_) for s in doc.spans["skills"]]

Matches land in ``doc.spans["skills"]`` and ``doc.spans["tasks"]``; each span's ``id_`` is
the taxonomy id and its ``label_`` the side the term points to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from .taxonomy import Taxonomy, Term, load_taxonomy, plural, surface_variants

__all__ = ["CaseFoldingLemmatizer", "TaxonomyMatcher"]

# Tokens that show a capitalised short name ("R", "Go", "Spark") is listed as a tool.
_LIST_CONTEXT = frozenset(
    {",", "/", "(", ")", ";", ":", "and", "or", "&", "in", "with", "using", "like", "e.g.",
     "including", "such", "as", "of", "+", "-", "[", "]", "{", "}"}
)
_BAD_FOLLOWERS = frozenset({"&", "'s", "’s", "'", "-", "."})
# A verb and its object may be this many tokens apart (no punctuation or line break between).
DEFAULT_WINDOW = 4


@Language.factory(
    "jdanalyzer_lemmatizer",
    assigns=["token.lemma"],
    default_config={"mode": "lookup", "overwrite": False, "model": None},
)
def make_lemmatizer(
    nlp: Language, name: str, model: Any, mode: str, overwrite: bool
) -> CaseFoldingLemmatizer:
    return CaseFoldingLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite)


class CaseFoldingLemmatizer(Lemmatizer):
    """spaCy's lookup lemmatizer, but lowercase: "Deployed" and "deployed" both give "deploy".

    spaCy's lookup table is keyed on lowercase forms, so a capitalised verb at the start of a
    bullet ("Deploy models") would otherwise keep itself as its lemma.
    """

    def lookup_lemmatize(self, token: Token) -> list[str]:
        table = self.lookups.get_table("lemma_lookup", {})
        lower = token.lower_
        result = table.get(lower, lower)
        return [result] if isinstance(result, str) else [r.lower() for r in result]

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "lookup":
            return super().__call__(doc)
        # The same lookup as lookup_lemmatize, keyed on the lowercase form's hash and
        # cached: the stock per-token path costs as much as tokenizing.
        cache = self._lemma_cache
        strings = doc.vocab.strings
        table = None
        for token in doc:
            if not self.overwrite and token.lemma != 0:
                continue
            lemma = cache.get(token.lower)
            if lemma is None:
                if table is None:
                    table = self.lookups.get_table("lemma_lookup", {})
                lower = token.lower_
                found = table.get(lower, lower)
                lemma = strings.add(found if isinstance(found, str) else found[0])
                cache[token.lower] = lemma
            token.lemma = lemma
        return doc

    @property
    def _lemma_cache(self) -> dict[int, int]:
        cache = self.__dict__.get("_cache")
        if cache is None:
            cache = self.__dict__["_cache"] = {}
        return cache


@Language.factory(
    "jdanalyzer_taxonomy",
    requires=["token.lemma", "token.is_sent_start"],
    assigns=["doc.spans"],
    default_config={"skills_key": "skills", "tasks_key": "tasks", "window": DEFAULT_WINDOW},
)
def make_taxonomy_matcher(
    nlp: Language, name: str, skills_key: str, tasks_key: str, window: int
) -> TaxonomyMatcher:
    return TaxonomyMatcher(
        nlp, name, skills_key=skills_key, tasks_key=tasks_key, window=window
    )


class TaxonomyMatcher:
    """Find taxonomy skills and tasks in a Doc.

    Skills: a PhraseMatcher on lowercase text over every alias and its spelling variants,
    plus an exact-case PhraseMatcher for ambiguous short names ("R", "Go", "Spark",
    "Excel", "RAG") guarded by list context. Tasks: the same for fixed task phrases, and a
    Matcher on lemmas for "verb ... object" within ``window`` tokens. Overlapping spans of
    one kind are resolved longest first.
    """

    def __init__(
        self,
        nlp: Language,
        name: str = "jdanalyzer_taxonomy",
        *,
        taxonomy: Taxonomy | None = None,
        skills_key: str = "skills",
        tasks_key: str = "tasks",
        window: int = DEFAULT_WINDOW,
    ) -> None:
        self.name = name
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self.skills_key = skills_key
        self.tasks_key = tasks_key
        self.window = window
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._tasks = Matcher(nlp.vocab)
        # Hashes of the lemmas / lowercase forms that can start a verb...object pattern.
        self._verb_lemmas: set[int] = set()
        self._verb_lowers: set[int] = set()
        self._build(nlp)
        self._verb_lemma_array = numpy.fromiter(self._verb_lemmas, dtype=numpy.uint64)
        self._verb_lower_array = numpy.fromiter(self._verb_lowers, dtype=numpy.uint64)

    def _build(self, nlp: Language) -> None:
        explicit = {form.lower() for term in self.taxonomy for form in term.phrase_forms}
        claimed: set[str] = set()
        lemma_of = _lemma_function(nlp)
        for term in self.taxonomy:
            forms = []
            for form in term.phrase_forms:
                for variant in surface_variants(form.lower()):
                    is_own = variant == form.lower()
                    if variant in claimed or (not is_own and variant in explicit):
                        continue
                    claimed.add(variant)
                    forms.append(variant)
            if forms:
                self._lower.add(term.id, list(nlp.tokenizer.pipe(forms)))
            if term.cased_aliases:
                self._cased.add(term.id, list(nlp.tokenizer.pipe(term.cased_aliases)))
            if term.verbs and term.objects:
                self._tasks.add(term.id, self._verb_object_patterns(term, lemma_of))

    def _verb_object_patterns(self, term: Term, lemma_of: Any) -> list[list[dict[str, Any]]]:
        objects = set()
        for word in (o.lower() for o in term.objects):
            # Lookup tables miss plurals of new words ("LLMs"), so list the plural too.
            objects |= {word, lemma_of(word), plural(word) or word}
        gap = {"IS_PUNCT": False, "IS_SPACE": False, "IS_SENT_START": False, "OP": f"{{0,{self.window}}}"}
        obj = {"LEMMA": {"IN": sorted(objects)}, "IS_SENT_START": False}
        single, multi = [], []
        for verb in term.verbs:
            parts = verb.lower().replace("-", " - ").split()
            if len(parts) == 1:
                single.extend({parts[0], lemma_of(parts[0])})
            else:
                multi.append(parts)
                joined = "".join(p for p in parts if p != "-")  # "fine-tune" -> "finetune"
                single.extend({joined, lemma_of(joined)})
        strings = self._tasks.vocab.strings
        self._verb_lemmas.update(strings.add(v) for v in single)
        self._verb_lowers.update(strings.add(parts[0]) for parts in multi)
        patterns = []
        if single:
            patterns.append([{"LEMMA": {"IN": sorted(set(single))}}, gap, obj])
        for parts in multi:
            head: list[dict[str, Any]] = [
                {"ORTH": "-", "OP": "?"} if p == "-" else {"LOWER": p} for p in parts[:-1]
            ]
            last = parts[-1]
            head.append({"LEMMA": {"IN": sorted({last, lemma_of(last)})}})
            patterns.append([*head, gap, obj])
        return patterns

    def __call__(self, doc: Doc) -> Doc:
        skills, tasks = self.find_matches(doc)
        self.set_annotations(doc, skills, tasks)
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in stream:
            yield self(doc)

    def find_matches(self, doc: Doc) -> tuple[list[Span], list[Span]]:
        """Return (skills, tasks) spans, overlaps resolved, without touching ``doc``."""
        skills: list[Span] = []
        tasks: list[Span] = []
        for match_id, start, end in self._lower(doc):
            term = self.taxonomy[doc.vocab.strings[match_id]]
            (skills if term.kind == "skill" else tasks).append(_span(doc, start, end, term))
        for match_id, start, end in self._cased(doc):
            term = self.taxonomy[doc.vocab.strings[match_id]]
            if _cased_in_context(doc, start, end):
                (skills if term.kind == "skill" else tasks).append(_span(doc, start, end, term))
        for match_id, start, end in self._verb_object_matches(doc):
            term = self.taxonomy[doc.vocab.strings[match_id]]
            tasks.append(_span(doc, start, end, term))
        return filter_spans(skills), filter_spans(tasks)

    def _verb_object_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Run the verb...object Matcher only on short windows that start with a task verb.

        The Matcher's set predicates ("LEMMA": {"IN": ...}) are evaluated in Python for every
        token and pattern; a vectorised look-up of the few tokens that can start a match
        first makes task matching about 50 times cheaper on real postings.
        """
        if len(doc) == 0:
            return []
        attrs = doc.to_array([LEMMA, LOWER])
        starts = numpy.flatnonzero(
            numpy.isin(attrs[:, 0], self._verb_lemma_array)
            | numpy.isin(attrs[:, 1], self._verb_lower_array)
        )
        matches: list[tuple[int, int, int]] = []
        reach = self.window + 4  # verb parts ("fine", "-", "tune") + gap + object
        window_start, window_end = -1, -1
        for start in [*starts.tolist(), None]:
            if start is not None and start <= window_end:
                window_end = min(len(doc), start + reach)
                continue
            if window_start >= 0:
                for match_id, s, e in self._tasks(doc[window_start:window_end]):
                    matches.append((match_id, window_start + s, window_start + e))
            if start is not None:
                window_start, window_end = start, min(len(doc), start + reach)
        return matches

    def set_annotations(self, doc: Doc, skills: list[Span], tasks: list[Span]) -> None:
        doc.spans[self.skills_key] = sorted(skills)
        doc.spans[self.tasks_key] = sorted(tasks)


def _span(doc: Doc, start: int, end: int, term: Term) -> Span:
    return Span(doc, start, end, label=term.side, span_id=term.id)


def _cased_in_context(doc: Doc, start: int, end: int) -> bool:
    """Accept an exact-case short name only where it reads as a listed tool name."""
    after = doc[end] if end < len(doc) else None
    if after is not None and after.text in _BAD_FOLLOWERS and after.whitespace_ == "":
        return False
    before = doc[start - 1] if start > 0 else None
    in_list = (before is not None and before.lower_ in _LIST_CONTEXT) or (
        after is not None and after.lower_ in _LIST_CONTEXT
    )
    single_letter = end - start == 1 and len(doc[start].text) == 1
    if single_letter or doc[start].is_sent_start or before is None or before.is_space:
        return in_list
    return True


def _lemma_function(nlp: Language) -> Any:
    """Lemmatize a single lowercase word with the lookup table the pipeline will use."""
    try:
        from spacy.lookups import load_lookups

        table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    except (ValueError, ImportError):  # spacy-lookups-data missing: compare surface forms
        return lambda word: word
    return lambda word: table.get(word, word)
