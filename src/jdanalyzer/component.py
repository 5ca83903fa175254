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

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import Lemmatizer, Sentencizer
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from .taxonomy import Taxonomy, Term, load_taxonomy, plural, surface_variants

__all__ = ["ArraySentencizer", "CaseFoldingLemmatizer", "TaxonomyMatcher"]

# Tokens that show a capitalised short name ("R", "Go", "Spark") is listed as a tool.
_LIST_CONTEXT = frozenset(
    {",", "/", "(", ")", ";", ":", "and", "or", "&", "in", "with", "using", "like", "e.g.",
     "including", "such", "as", "of", "+", "-", "[", "]", "{", "}"}
)
_BAD_FOLLOWERS = frozenset({"&", "'s", "’s", "'", "-", "."})
# A verb and its object may be this many tokens apart (no punctuation or line break between).
DEFAULT_WINDOW = 4
# Coordinated task verbs may stand between the verb and its object: "design, build and deploy".
_COORDINATION = frozenset({",", "and", "or", "&", "/"})
_CHAIN = 6


@Language.factory(
    "jdanalyzer_sentencizer",
    assigns=["token.is_sent_start", "doc.sents"],
    default_config={"punct_chars": None, "overwrite": False},
)
def make_sentencizer(
    nlp: Language, name: str, punct_chars: list[str] | None, overwrite: bool
) -> ArraySentencizer:
    return ArraySentencizer(name, punct_chars=punct_chars, overwrite=overwrite)


class ArraySentencizer(Sentencizer):
    """spaCy's rule-based sentencizer with the same rule, read from token arrays.

    A sentence ends after a token in ``punct_chars``; the next token that is neither
    punctuation nor in ``punct_chars`` starts the next one. The stock ``predict`` builds a
    Token object per token, which costs more than tokenizing.
    """

    def predict(self, docs: Iterable[Doc]) -> list[list[bool]]:
        guesses: list[list[bool]] = []
        for doc in docs:
            if len(doc) == 0:
                guesses.append([])
                continue
            strings = doc.vocab.strings
            punct_hashes = {strings.add(ch) for ch in self.punct_chars}
            attrs = doc.to_array([ORTH, IS_PUNCT])
            enders = [h in punct_hashes for h in attrs[:, 0].tolist()]
            is_punct = attrs[:, 1].tolist()
            starts = [False] * len(doc)
            starts[0] = True
            seen_end = False
            for i, ender in enumerate(enders):
                if seen_end and not is_punct[i] and not ender:
                    starts[i] = True
                    seen_end = False
                elif ender:
                    seen_end = True
            guesses.append(starts)
        return guesses


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
        if self.mode != "lookup" or len(doc) == 0:
            return super().__call__(doc)
        # The same look-up as lookup_lemmatize, on the lowercase forms' hashes, cached and
        # written back in one array: the stock per-token path costs as much as tokenizing.
        cache = self._lemma_cache
        strings = doc.vocab.strings
        lowers = doc.to_array(LOWER).tolist()
        missing = [h for h in set(lowers) if h not in cache]
        if missing:
            table = self.lookups.get_table("lemma_lookup", {})
            for h in missing:
                lower = strings[h]
                found = table.get(lower, lower)
                cache[h] = strings.add(found if isinstance(found, str) else found[0])
        lemmas = numpy.fromiter((cache[h] for h in lowers), dtype=numpy.uint64, count=len(lowers))
        if not self.overwrite:
            current = doc.to_array(LEMMA)
            lemmas = numpy.where(current != 0, current, lemmas)
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]
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
    Matcher on lemmas for "verb ... object" within ``window`` tokens. Overlapping skills are
    resolved longest first; overlapping tasks likewise within one task id.
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
        self._vocab = nlp.vocab
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        # One Matcher per task, so a window is checked against that task's patterns only.
        self._tasks: dict[str, Matcher] = {}
        # Hash look-ups that find where a verb...object match can be: verb hash -> task ids
        # (lemmas, or the lowercase first part of a multi-word verb), object lemma -> task ids.
        self._verb_terms: dict[int, set[str]] = defaultdict(set)
        self._first_part_terms: dict[int, set[str]] = defaultdict(set)
        self._object_terms: dict[int, set[str]] = defaultdict(set)
        self._build(nlp)
        self._coordination = frozenset(nlp.vocab.strings.add(word) for word in _COORDINATION)
        self._verb_hashes = numpy.fromiter(self._verb_terms, dtype=numpy.uint64)
        self._first_part_hashes = numpy.fromiter(self._first_part_terms, dtype=numpy.uint64)

    def _build(self, nlp: Language) -> None:
        explicit = {form.lower() for term in self.taxonomy for form in term.phrase_forms}
        claimed: set[str] = set()
        lemma_of = _lemma_function(nlp)
        verbs = {v.lower() for t in self.taxonomy for v in t.verbs if " " not in v}
        self._chain = sorted(
            {form for v in verbs for form in _verb_lemmas(v, lemma_of)} | _COORDINATION
        )
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
                self._lower.add(term.id, [nlp.make_doc(form) for form in forms])
            if term.cased_aliases:
                self._cased.add(term.id, [nlp.make_doc(form) for form in term.cased_aliases])
            if term.verbs and term.objects:
                self._tasks[term.id] = Matcher(nlp.vocab)
                self._tasks[term.id].add(term.id, self._verb_object_patterns(term, lemma_of))

    def _verb_object_patterns(self, term: Term, lemma_of: Any) -> list[list[dict[str, Any]]]:
        """spaCy Matcher patterns: a verb of the task, optionally coordinated with other task
        verbs ("design, build and deploy"), up to ``window`` tokens, then an object."""
        strings = self._vocab.strings
        objects = set()
        for word in (o.lower() for o in term.objects):
            # Lookup tables miss plurals of new words ("LLMs"), so list the plural too.
            objects |= {word, lemma_of(word), plural(word) or word}
        for word in objects:
            self._object_terms[strings.add(word)].add(term.id)
        coordinated = {"LEMMA": {"IN": self._chain}, "OP": f"{{0,{_CHAIN}}}"}
        gap = {"IS_PUNCT": False, "IS_SPACE": False, "IS_SENT_START": False, "OP": f"{{0,{self.window}}}"}
        obj = {"LEMMA": {"IN": sorted(objects)}, "IS_SENT_START": False}
        single: set[str] = set()
        multi = []
        for verb in term.verbs:
            parts = verb.lower().replace("-", " - ").split()
            if len(parts) == 1:
                single |= _verb_lemmas(parts[0], lemma_of)
            else:
                multi.append(parts)
                joined = "".join(p for p in parts if p != "-")  # "fine-tune" -> "finetune"
                single |= _verb_lemmas(joined, lemma_of)
                self._first_part_terms[strings.add(parts[0])].add(term.id)
        for verb in single:
            self._verb_terms[strings.add(verb)].add(term.id)
        patterns: list[list[dict[str, Any]]] = []
        if single:
            patterns.append([{"LEMMA": {"IN": sorted(single)}}, coordinated, gap, obj])
        for parts in multi:
            head: list[dict[str, Any]] = [
                {"ORTH": "-", "OP": "?"} if p == "-" else {"LOWER": p} for p in parts[:-1]
            ]
            head.append({"LEMMA": {"IN": sorted(_verb_lemmas(parts[-1], lemma_of))}})
            patterns.append([*head, coordinated, gap, obj])
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
        return filter_spans(skills), _longest_per_id(tasks)

    def _verb_object_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Run the verb...object Matcher only on the few windows where a match can be.

        The Matcher's set predicates ("LEMMA": {"IN": ...}) run in Python for every token and
        pattern. A scan with hash look-ups first finds each task verb followed, within reach
        and without a sentence or clause break, by an object of the same task; the Matcher
        then runs on those windows alone, so the result is the Matcher's own.
        """
        if len(doc) == 0:
            return []
        attrs = doc.to_array([LEMMA, LOWER, IS_PUNCT, IS_SPACE, SENT_START])
        lemmas, lowers = attrs[:, 0].tolist(), attrs[:, 1].tolist()
        breaks = ((attrs[:, 2] == 1) | (attrs[:, 3] == 1)).tolist()
        sentence_starts = (attrs[:, 4].astype(numpy.int64) == 1).tolist()
        verbs, firsts, objects = self._verb_terms, self._first_part_terms, self._object_terms
        coordination = self._coordination
        reach = _CHAIN + self.window + 3  # chain + gap + "-" "tune" of a multi-word verb
        windows: dict[str, list[list[int]]] = defaultdict(list)  # task id -> [start, end]s
        n = len(doc)
        candidates = numpy.flatnonzero(
            numpy.isin(attrs[:, 0], self._verb_hashes) | numpy.isin(attrs[:, 1], self._first_part_hashes)
        )
        for i in candidates.tolist():
            terms = verbs.get(lemmas[i]) or firsts.get(lowers[i])
            if not terms:
                continue
            for j in range(i + 1, min(n, i + reach + 1)):
                if sentence_starts[j]:
                    break
                found = objects.get(lemmas[j])
                if found:
                    for term_id in terms & found:
                        spans = windows[term_id]
                        if spans and i <= spans[-1][1]:
                            spans[-1][1] = max(spans[-1][1], j + 1)
                        else:
                            spans.append([i, j + 1])
                if breaks[j] and lowers[j] not in coordination:
                    break
        # A verb takes its nearest object: keep the shortest match per task and start.
        nearest: dict[tuple[int, int], int] = {}
        for term_id, spans in windows.items():
            matcher = self._tasks[term_id]
            for start, end in spans:
                for match_id, s, e in matcher(doc[start:end]):
                    key = (match_id, start + s)
                    nearest[key] = min(nearest.get(key, n), start + e)
        return sorted(((m, s, e) for (m, s), e in nearest.items()), key=lambda m: (m[1], m[2]))

    def set_annotations(self, doc: Doc, skills: list[Span], tasks: list[Span]) -> None:
        doc.spans[self.skills_key] = sorted(skills)
        doc.spans[self.tasks_key] = sorted(tasks)


def _verb_lemmas(verb: str, lemma_of: Any) -> set[str]:
    """Every lemma a form of ``verb`` can get from the lookup table: the table has quirks
    ("developing" -> "develope"), so inflect the verb and look each form up."""
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = {verb, verb + "s", verb + "es", verb + "d", verb + "ed", stem + "ing", stem + "ed"}
    if len(verb) > 2 and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou" and verb[-3] not in "aeiou":
        forms |= {verb + verb[-1] + "ing", verb + verb[-1] + "ed"}  # ship -> shipping
    return {verb} | {lemma_of(form) for form in forms if lemma_of(form) != form}


def _longest_per_id(spans: list[Span]) -> list[Span]:
    """Resolve overlaps among spans of the same task, longest first; different tasks may
    overlap ("build and deploy models" is two duties)."""
    by_id: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_id[span.id_].append(span)
    return sorted(s for group in by_id.values() for s in filter_spans(group))


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
    table = _lemma_table()
    if table is None:  # spacy-lookups-data missing: compare surface forms
        return lambda word: word
    return lambda word: table.get(word, word)


@lru_cache(maxsize=1)
def _lemma_table() -> Any:
    try:
        from spacy.lookups import load_lookups

        return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    except (ValueError, ImportError):
        return None
