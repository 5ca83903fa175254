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
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import Lemmatizer, Sentencizer
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from jdanalyzer.extraction.taxonomy import Taxonomy, Term, load_taxonomy, plural, surface_variants

__all__ = [
    "ArraySentencizer", "CaseFoldingLemmatizer", "HashTable", "LexemeTable", "TaxonomyMatcher",
    "TokenArrays",
]

# Tokens that show a capitalised short name ("R", "Go", "Spark") is listed as a tool.
_LIST_CONTEXT = frozenset(
    {",", "/", "(", ")", ";", ":", "and", "or", "&", "in", "with", "using", "like", "e.g.",
     "including", "such", "as", "of", "+", "-", "[", "]", "{", "}"}
)
_BAD_FOLLOWERS = frozenset({"&", "'s", "’s", "'", "-"})
# A verb and its object may be this many tokens apart (no punctuation or line break between).
DEFAULT_WINDOW = 4
# Coordinated task verbs may stand between the verb and its object: "design, build and deploy".
_COORDINATION = frozenset({",", "and", "or", "&", "/"})
# How many coordinated verbs and their conjunctions the scan looks across.
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
            guesses.append(self.sentence_starts(doc.to_array(ORTH), doc.to_array(IS_PUNCT)).tolist())
        return guesses

    def sentence_starts(self, orths: numpy.ndarray, is_punct: numpy.ndarray) -> numpy.ndarray:
        """The rule on a non-empty doc's ``ORTH`` and ``IS_PUNCT`` arrays: True where a sentence starts."""
        return _sentence_starts(self._enders().contains(orths), is_punct != 0)

    def _enders(self) -> HashTable:
        """The hashes of ``punct_chars`` (which ``from_bytes`` may replace), as a table."""
        chars = tuple(self.punct_chars)
        cached = self.__dict__.get("_enders_cache")
        if cached is None or cached[0] != chars:
            cached = self.__dict__["_enders_cache"] = (chars, HashTable({get_string_id(c): 1 for c in chars}))
        return cached[1]


def _sentence_starts(
    ender: numpy.ndarray, is_punct: numpy.ndarray, firsts: numpy.ndarray | None = None
) -> numpy.ndarray:
    """The sentencizer's rule, from whether each token is in ``punct_chars`` and is
    punctuation; for several docs end to end, ``firsts`` are the indices of their first tokens."""
    plain = ~ender & ~is_punct
    # A plain token starts a sentence when an ender came after the last plain token.
    index = numpy.arange(len(ender))
    last_ender = numpy.maximum.accumulate(numpy.where(ender, index, -1))
    last_plain = numpy.maximum.accumulate(numpy.where(plain, index, -1))
    plain_before = numpy.concatenate(([-1], last_plain[:-1]))
    if firsts is not None and len(firsts) > 1:
        # A token sees no plain token of the docs before its own (nor their enders: those
        # come before the plain token this puts just ahead of its doc).
        doc_first = numpy.repeat(firsts, numpy.diff(numpy.append(firsts, len(ender))))
        plain_before = numpy.maximum(plain_before, doc_first - 1)
    starts = plain & (last_ender > plain_before)
    starts[0 if firsts is None else firsts] = True  # (no doc is empty: see batch_arrays)
    return starts


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

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, lookups: Any = None
    ) -> None:
        # Share the lookup table the taxonomy matcher's patterns were lemmatized with, as the
        # plain dict it is read into: loading spacy-lookups-data again, or making spaCy's
        # Table of it, costs a tenth of a second each at every start. The Table is made
        # only if ``lookups`` is asked for (to save the component, say).
        table = _lemma_table() if lookups is None and self.mode == "lookup" else None
        if table is None:
            super().initialize(get_examples, nlp=nlp, lookups=lookups)
            return
        from spacy.lookups import Lookups

        self.lookups = Lookups()
        self.__dict__["_pending_lemmas"] = table
        self._validated = True  # "lemma_lookup", the one table lookup mode needs, is there

    @property  # type: ignore[override]
    def lookups(self) -> Any:
        pending = self.__dict__.pop("_pending_lemmas", None)
        if pending is not None:
            self.__dict__["_lookups"].add_table("lemma_lookup", pending)
        return self.__dict__["_lookups"]

    @lookups.setter
    def lookups(self, value: Any) -> None:
        self.__dict__.pop("_pending_lemmas", None)
        self.__dict__["_lookups"] = value

    def _lemma_lookup(self) -> Any:
        """The lemma lookup table: the plain dict while spaCy's Table is not made."""
        pending = self.__dict__.get("_pending_lemmas")
        return pending if pending is not None else self.lookups.get_table("lemma_lookup", {})

    def lookup_lemmatize(self, token: Token) -> list[str]:
        table = self._lemma_lookup()
        lower = token.lower_
        result = table.get(lower, lower)
        return [result] if isinstance(result, str) else [r.lower() for r in result]

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "lookup" or len(doc) == 0:
            return super().__call__(doc)
        # The same look-up as lookup_lemmatize, on the lowercase forms' hashes, cached and
        # written back in one array: the stock per-token path costs as much as tokenizing.
        lemmas = self.lemma_hashes(doc.to_array(LOWER))
        if not self.overwrite and doc.has_annotation("LEMMA"):
            current = doc.to_array(LEMMA)
            lemmas = numpy.where(current != 0, current, lemmas)
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]
        return doc

    def lemma_hashes(self, lowers: numpy.ndarray) -> numpy.ndarray:
        """The lemma hash of each lowercase-form hash in ``lowers`` (lookup mode only)."""
        lemma_of = self._lemma_table
        lemmas, found = lemma_of.get(lowers)
        if not found.all():
            strings = self.vocab.strings
            table = self._lemma_lookup()
            new = {}
            for h in set(lowers[~found].tolist()):
                lower = strings[h]
                lemma = table.get(lower, lower)
                new[h] = strings.add(lemma if isinstance(lemma, str) else lemma[0])
            lemma_of.add(new)
            lemmas, _ = lemma_of.get(lowers)
        return lemmas

    @property
    def _lemma_table(self) -> HashTable:
        """Lemma hash by lowercase-form hash, filled as forms are met."""
        table = self.__dict__.get("_table")
        if table is None:
            table = self.__dict__["_table"] = HashTable()
        return table


class HashTable:
    """Integers keyed by string hash, looked up for a whole token array at once.

    A hash table in numpy arrays (see :class:`_Slots`): one gather per token finds most keys,
    where a binary search over sorted keys takes a dozen steps and a dict look-up per token
    costs about as much as tokenizing. New keys wait in a dict and are merged in batches,
    so a growing table (lexemes of new words) is not rebuilt on every document.
    """

    def __init__(self, items: dict[int, int] | None = None) -> None:
        self.keys = numpy.zeros(0, dtype=numpy.uint64)
        self.values = numpy.zeros(0, dtype=numpy.uint64)
        self._slots = _Slots(self.keys, self.values)
        self._pending: dict[int, int] = {}
        if items:
            self.add(items)
            self._merge()

    def __len__(self) -> int:
        return len(self.keys) + len(self._pending)

    def add(self, items: dict[int, int]) -> None:
        self._pending.update(items)
        if len(self._pending) > max(1024, len(self.keys) // 8):
            self._merge()

    def get(self, hashes: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Return (values, found) for an array of hashes; missing ones get 0."""
        values, found = self._slots.get(hashes)
        if self._pending and not found.all():
            pending = self._pending
            for i in numpy.flatnonzero(~found).tolist():
                value = pending.get(int(hashes[i]))
                if value is not None:
                    values[i] = value
                    found[i] = True
        return values, found

    def contains(self, hashes: numpy.ndarray) -> numpy.ndarray:
        return self.get(hashes)[1]

    def _merge(self) -> None:
        items = dict(zip(self.keys.tolist(), self.values.tolist(), strict=True))
        items.update(self._pending)
        self._pending = {}
        self.keys = numpy.fromiter(items, dtype=numpy.uint64, count=len(items))
        self.values = numpy.fromiter(items.values(), dtype=numpy.uint64, count=len(items))
        self._slots = _Slots(self.keys, self.values)


class _Slots:
    """A hash table in arrays: each key sits in the slot that its low bits name; keys whose
    slot is taken wait in a sorted array, searched only for hashes not found in their slot.

    There are at least twice as many slots as keys, so a lookup is one gather for most
    hashes. Keys go in in the order given, so the early (frequent) words get the slots. An
    empty slot holds a key of another slot, so it matches no hash that lands there.
    """

    def __init__(self, keys: numpy.ndarray, values: numpy.ndarray) -> None:
        n = len(keys)
        size = 1 << max(4, (2 * n).bit_length())
        self.mask = numpy.uint64(size - 1)
        self.keys = (numpy.arange(size, dtype=numpy.uint64) + numpy.uint64(1)) & self.mask
        self.values = numpy.zeros(size, dtype=numpy.uint64)
        taken, first = numpy.unique(keys & self.mask, return_index=True)
        self.keys[taken] = keys[first]
        self.values[taken] = values[first]
        rest = numpy.ones(n, dtype=bool)
        rest[first] = False
        self.rest = _Sorted(keys[rest], values[rest])

    def get(self, hashes: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        slots = hashes & self.mask
        found = self.keys[slots] == hashes
        values = self.values[slots]
        if found.all():
            return values, found
        values[~found] = 0
        if len(self.rest.keys):
            missed = numpy.flatnonzero(~found)
            more, more_found = self.rest.get(hashes[missed])
            values[missed] = more
            found[missed] = more_found
        return values, found


class _Sorted:
    """The keys of :class:`_Slots` that found their slot taken: a binary search over them."""

    def __init__(self, keys: numpy.ndarray, values: numpy.ndarray) -> None:
        order = numpy.argsort(keys)
        self.keys, self.values = keys[order], values[order]

    def get(self, hashes: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        if not len(self.keys):
            return numpy.zeros(len(hashes), dtype=numpy.uint64), numpy.zeros(len(hashes), dtype=bool)
        at = numpy.minimum(numpy.searchsorted(self.keys, hashes), len(self.keys) - 1)
        found = self.keys[at] == hashes
        return numpy.where(found, self.values[at], numpy.uint64(0)), found


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
        _forget_tokenized(nlp)
        strings = nlp.vocab.strings
        # What each lemma can be in a verb...object match, as bit flags for one look-up.
        self._lemma_flags = _flag_table(
            {
                _VERB: self._verb_terms,
                _OBJECT: self._object_terms,
                _CHAIN_WORD: [strings.add(word) for word in self._chain],
                _COORDINATOR: [strings.add(word) for word in _COORDINATION],
            }
        )
        self._hyphen = numpy.uint64(strings.add("-"))
        # A match id is the hash of the term id, which is also the span's ``id``.
        self._side_of = {strings.add(t.id): strings.add(t.side) for t in self.taxonomy}
        #: The taxonomy term of a match id.
        self.term_of: dict[int, Term] = {strings.add(t.id): t for t in self.taxonomy}
        self._skill_ids = frozenset(strings.add(t.id) for t in self.taxonomy if t.kind == "skill")
        # The same look-ups with the task ids as bits, in rows of 64-bit lanes: the scan
        # tests every (verb, object) pair at once for a task they share.
        self._task_of_bit = sorted(self._tasks)
        self._verb_lanes, self._first_part_lanes, self._object_lanes = (
            _MaskTable(terms, self._task_of_bit)
            for terms in (self._verb_terms, self._first_part_terms, self._object_terms)
        )
        self._lexemes: tuple[Any, ...] | None = None  # (sentencizer, lemmatizer, punct_chars, LexemeTable)

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
        # "*" rather than "{0,6}": the Matcher forks a state per optional token, which costs
        # five times more; the chain's length is bounded by the windows the scan hands over.
        coordinated = {"LEMMA": {"IN": self._chain}, "OP": "*"}
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
        """Return (skills, tasks) spans in text order, overlaps resolved, without touching ``doc``."""
        skills, tasks = self.find_match_ids(doc)
        side_of = self._side_of
        return (
            [Span(doc, s, e, label=side_of[m], span_id=m) for s, e, m in skills],
            [Span(doc, s, e, label=side_of[m], span_id=m) for s, e, m in tasks],
        )

    def find_match_ids(
        self, doc: Doc, tokens: TokenArrays | None = None
    ) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
        """Return (skills, tasks) as ``(start, end, match_id)`` token offsets, in text order,
        overlaps resolved; ``match_id`` is the hash of the taxonomy id.

        ``tokens`` are the doc's token arrays when the caller has them already (see
        :meth:`annotate_new_doc`); otherwise they are read from ``doc``.
        """
        if tokens is None:
            tokens = self.token_arrays(doc)
        return self.find_match_ids_many([doc], tokens)[0]

    def find_match_ids_many(
        self, docs: Sequence[Doc], tokens: TokenArrays
    ) -> list[tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]]:
        """:meth:`find_match_ids` of each of ``docs``, given the arrays of all their tokens
        end to end (see :meth:`batch_arrays`): the scan for verb...object windows runs
        once over all of them."""
        skill_ids = self._skill_ids
        firsts = tokens.firsts.tolist()
        sent_starts = tokens.sent_starts
        results = []
        verb_object_matches = self._verb_object_matches(docs, tokens)
        for doc, first, verb_object in zip(docs, firsts, verb_object_matches, strict=True):
            found = self._lower(doc)
            skills = [(start, end, match_id) for match_id, start, end in found if match_id in skill_ids]
            tasks = [(start, end, match_id) for match_id, start, end in found if match_id not in skill_ids]
            for match_id, start, end in self._cased(doc):
                if _cased_in_context(doc, start, end, bool(sent_starts[first + start])):
                    (skills if match_id in skill_ids else tasks).append((start, end, match_id))
            tasks += verb_object
            results.append((_longest_first(skills), _longest_per_id(tasks)))
        return results

    def _verb_object_matches(
        self, docs: Sequence[Doc], tokens: TokenArrays
    ) -> list[list[tuple[int, int, int]]]:
        """Run the verb...object Matcher only on the few windows where a match can be; return
        each doc's ``(start, end, match_id)`` matches.

        The Matcher's set predicates ("LEMMA": {"IN": ...}) run in Python for every token and
        pattern. A scan with array look-ups first finds each task verb followed, within reach
        and without a sentence or clause break, by an object of the same task; the Matcher
        then runs on those windows alone, so the result is the Matcher's own.
        """
        firsts = tokens.firsts
        found: list[list[tuple[int, int, int]]] = [[] for _ in docs]
        windows = self._windows(tokens)
        if not windows:
            return found
        # Each window lies in one doc: a doc's first token starts a sentence, where scans stop.
        by_doc: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
        for term_id, spans in windows.items():
            at = numpy.searchsorted(firsts, [start for start, _ in spans], side="right") - 1
            for k, (start, end) in zip(at.tolist(), spans, strict=True):
                by_doc[k].append((term_id, start, end))
        lemmas = tokens.lemmas
        firsts_list = firsts.tolist()
        for k, doc_windows in by_doc.items():
            doc, first = docs[k], firsts_list[k]
            if not tokens.annotated:
                # The doc has no lemmas or sentence starts: write the lemmas, all the Matcher
                # reads that the doc lacks (its IS_SENT_START checks read False, as they
                # would on the annotated doc; see _windows). One array write costs less than
                # writing the windows' tokens one by one.
                doc.from_array([LEMMA], lemmas[first : first + len(doc)].reshape(-1, 1))  # type: ignore[arg-type]
            # A verb takes its nearest object: keep the shortest match per task and start.
            # The scan found lemmas, so the Matcher's check for missing lemmas is skipped.
            n = len(doc)
            nearest: dict[tuple[int, int], int] = {}
            for term_id, start, end in doc_windows:
                start, end = start - first, end - first
                for match_id, s, e in self._tasks[term_id](doc[start:end], allow_missing=True):
                    key = (match_id, start + s)
                    nearest[key] = min(nearest.get(key, n), start + e)
            found[k] = sorted((s, e, m) for (m, s), e in nearest.items())
        return found

    def _windows(self, tokens: TokenArrays) -> dict[str, list[list[int]]]:
        """The scan: token windows ``[start, end]`` (end exclusive) per task id where that
        task's verb...object patterns can match, over ``tokens`` (one doc or several)."""
        n = len(tokens.flags)
        flags = tokens.flags
        objects = numpy.flatnonzero(flags & _OBJECT)
        if not objects.size:
            return {}
        verbs = numpy.flatnonzero(flags & _VERB)
        if not verbs.size:
            return {}
        # The scan from a verb stops before the next sentence start, at the next punctuation
        # or space that is not a coordination ("design, build and deploy"), or at ``reach``.
        # Whichever of the first two comes first is the first stop after the verb.
        reach = _CHAIN + self.window + 3  # chain + gap + "-" "tune" of a multi-word verb
        starts = tokens.sent_starts
        breaks = tokens.breaks & ((flags & _COORDINATOR) == 0)
        lemmas, lowers = tokens.lemmas, tokens.lowers
        if len(self._first_part_lanes):
            # "-" in a multi-word verb ("fine-tune") is no break after the verb's first part.
            after_first_part = self._first_part_lanes.contains(lowers[:-1])
            breaks[1:] &= ~(after_first_part & (lowers[1:] == self._hyphen))
        stops = numpy.flatnonzero(starts | breaks)
        last_before_stop = numpy.append(stops - starts[stops], n - 1)
        last = numpy.minimum(
            last_before_stop[numpy.searchsorted(stops, verbs, side="right")], verbs + reach
        )
        first_object = numpy.searchsorted(objects, verbs, side="right")
        counts = numpy.searchsorted(objects, last, side="right") - first_object
        if not counts.any():
            return {}
        # Every (verb, object within reach) pair, as arrays: pair p is the verb at
        # pair_verb[p] and the object at pair_object[p], each verb's objects in turn.
        pair_verb = numpy.repeat(verbs, counts)
        pairs_before = numpy.cumsum(counts) - counts  # pairs of the verbs before each verb
        pair_k = numpy.arange(len(pair_verb)) + numpy.repeat(first_object - pairs_before, counts)
        pair_object = objects[pair_k]
        # Tokens between verb and object that cannot be coordinated verbs fill the gap, which
        # holds ``window`` tokens (two more after the first part of a multi-word verb).
        gap_fill = numpy.cumsum((flags & _CHAIN_WORD) == 0)
        verb_lanes = self._verb_lanes.get(lemmas[pair_verb])
        limit = gap_fill[pair_verb] + self.window
        if len(self._first_part_lanes):
            verb_lanes |= self._first_part_lanes.get(lowers[pair_verb])
            limit += numpy.where(self._first_part_lanes.contains(lowers[pair_verb]), 2, 0)
        # A pair can match when the object is within the gap and verb and object share a
        # task; the loop below goes through the tasks each such pair shares.
        shared = verb_lanes & self._object_lanes.get(lemmas[pair_object])
        keep = (gap_fill[pair_object - 1] <= limit) & shared.any(axis=1)
        task_of_bit = self._task_of_bit
        windows: dict[str, list[list[int]]] = defaultdict(list)  # task id -> [start, end]s
        for i, j, lanes in zip(
            pair_verb[keep].tolist(), pair_object[keep].tolist(), shared[keep].tolist(), strict=True
        ):
            for lane, common in enumerate(lanes):
                while common:
                    bit = common & -common
                    common ^= bit
                    spans = windows[task_of_bit[64 * lane + bit.bit_length() - 1]]
                    # A window holds no sentence start but at its first token, so the
                    # Matcher's IS_SENT_START checks (never on a first token) read False.
                    if spans and (i < spans[-1][1] or (i == spans[-1][1] and not starts[i])):
                        spans[-1][1] = max(spans[-1][1], j + 1)
                    else:
                        spans.append([i, j + 1])
        return windows

    def token_arrays(self, doc: Doc) -> TokenArrays:
        """Read what the matcher needs of ``doc``'s tokens, with one ``to_array`` call."""
        rows = doc.to_array([LEMMA, LOWER, SENT_START, IS_PUNCT, IS_SPACE, IDX, LENGTH])
        lemmas, lowers = rows[:, 0], rows[:, 1]
        return TokenArrays(
            lemmas=lemmas,
            lowers=lowers,
            sent_starts=rows[:, 2] == 1,
            breaks=(rows[:, 3] + rows[:, 4]) > 0,
            flags=self._token_flags(lemmas, lowers),
            idx=rows[:, 5],
            ends=rows[:, 5] + rows[:, 6],
        )

    def _token_flags(self, lemmas: numpy.ndarray, lowers: numpy.ndarray) -> numpy.ndarray:
        """What each token can be in a verb...object match (``_VERB`` etc.), from its lemma
        and, for the first part of a multi-word verb, its lowercase form."""
        flags = self._lemma_flags.get(lemmas)[0]
        if len(self._first_part_lanes):
            flags |= numpy.where(self._first_part_lanes.contains(lowers), _VERB, 0).astype(numpy.uint64)
        return flags

    def annotate_new_doc(
        self, doc: Doc, sentencizer: ArraySentencizer, lemmatizer: CaseFoldingLemmatizer
    ) -> TokenArrays:
        """Do to ``doc`` what ``sentencizer`` and then ``lemmatizer`` would, and return its
        :class:`TokenArrays` for :meth:`find_match_ids`.

        A doc fresh from the tokenizer gets its arrays from :meth:`new_doc_arrays` and both
        annotations written at once, where the components and the matcher would read seven
        attributes and write two, one by one; any other doc goes through the components
        themselves.

        Example:
            >>> from jdanalyzer.extraction.pipeline import build_pipeline
            >>> nlp = build_pipeline()
            >>> doc = nlp.make_doc("Deployed models. Then more")
            >>> tokens = nlp.get_pipe("jdanalyzer_taxonomy").annotate_new_doc(
            ...     doc, nlp.get_pipe("jdanalyzer_sentencizer"), nlp.get_pipe("jdanalyzer_lemmatizer"))
            >>> [t.lemma_ for t in doc][:2], tokens.sent_starts.tolist()
            (['deploy', 'model'], [True, False, False, True, False])
        """
        rows = doc.to_array([SENT_START, LEMMA])
        # Fresh from the tokenizer: no lemmas, and no sentence start set but the first token's.
        fresh = len(doc) > 0 and not rows[:, 1].any() and not rows[1:, 0].any() and rows[0, 0] <= 1
        if not fresh or lemmatizer.mode != "lookup":
            return self.token_arrays(lemmatizer(sentencizer(doc)))
        tokens = self.new_doc_arrays(doc, sentencizer, lemmatizer)
        # What the sentencizer writes: 1 or -1 (as uint64) on every token.
        rows[:, 0] = numpy.where(tokens.sent_starts, 1, -1).astype(numpy.int64).astype(numpy.uint64)
        rows[:, 1] = tokens.lemmas
        doc.from_array([SENT_START, LEMMA], rows)  # type: ignore[arg-type]
        return tokens._replace(annotated=True)

    def new_doc_arrays(
        self, doc: Doc, sentencizer: ArraySentencizer, lemmatizer: CaseFoldingLemmatizer
    ) -> TokenArrays:
        """The :class:`TokenArrays` that :meth:`annotate_new_doc` returns, without writing
        the sentence starts and lemmas to ``doc``: for a non-empty doc just made by the
        tokenizer, with the lemmatizer in lookup mode.

        ORTH is read once and every other attribute gathered from a :class:`LexemeTable`.
        For callers that want the matches alone: with ``annotated`` False,
        :meth:`find_match_ids` writes the lemmas (in one array) only when the verb...object
        Matcher has windows to check, and reads sentence starts from the arrays alone.

        Example:
            >>> from jdanalyzer.extraction.pipeline import build_pipeline
            >>> nlp = build_pipeline()
            >>> doc = nlp.make_doc("Deployed models. Then more")
            >>> tokens = nlp.get_pipe("jdanalyzer_taxonomy").new_doc_arrays(
            ...     doc, nlp.get_pipe("jdanalyzer_sentencizer"), nlp.get_pipe("jdanalyzer_lemmatizer"))
            >>> tokens.sent_starts.tolist(), doc.has_annotation("LEMMA")
            ([True, False, False, True, False], False)
        """
        return self.batch_arrays([doc], sentencizer, lemmatizer)

    def batch_arrays(
        self, docs: Sequence[Doc], sentencizer: ArraySentencizer, lemmatizer: CaseFoldingLemmatizer
    ) -> TokenArrays:
        """:meth:`new_doc_arrays` of several non-empty docs at once, their tokens end to
        end, for :meth:`find_match_ids_many`: one gather for all their tokens costs less
        than one per doc. ``firsts`` holds the index of each doc's first token.

        Example:
            >>> from jdanalyzer.extraction.pipeline import build_pipeline
            >>> nlp = build_pipeline()
            >>> docs = [nlp.make_doc("Deployed models. Then more"), nlp.make_doc("Hi.")]
            >>> tokens = nlp.get_pipe("jdanalyzer_taxonomy").batch_arrays(
            ...     docs, nlp.get_pipe("jdanalyzer_sentencizer"), nlp.get_pipe("jdanalyzer_lemmatizer"))
            >>> tokens.firsts.tolist(), tokens.sent_starts.tolist()
            ([0, 5], [True, False, False, True, False, True, False])
        """
        if not docs or not all(len(doc) for doc in docs):
            raise ValueError("batch_arrays takes one or more docs, none of them empty")
        parts = [doc.to_array([ORTH, IDX]) for doc in docs]
        rows = parts[0] if len(parts) == 1 else numpy.concatenate(parts)
        firsts = numpy.cumsum([0] + [len(part) for part in parts[:-1]])
        table = self._lexeme_table(sentencizer, lemmatizer)
        at = table.rows(rows[:, 0])
        flags = table.flags[at]
        idx = rows[:, 1]
        return TokenArrays(
            lemmas=table.lemmas[at],
            lowers=table.lowers[at],
            sent_starts=_sentence_starts(
                (flags & LexemeTable.ENDER) > 0, (flags & LexemeTable.PUNCT) > 0, firsts
            ),
            breaks=(flags & (LexemeTable.PUNCT | LexemeTable.SPACE)) > 0,
            flags=flags & _MATCH_FLAGS,
            idx=idx,
            ends=idx + table.lengths[at],
            annotated=False,
            firsts=firsts,
        )

    def _lexeme_table(self, sentencizer: ArraySentencizer, lemmatizer: CaseFoldingLemmatizer) -> LexemeTable:
        """The lexeme table for these components, kept while they and the sentence enders stay."""
        key = (sentencizer, lemmatizer, tuple(sentencizer.punct_chars))
        cached = self._lexemes
        if cached is None or cached[0] is not key[0] or cached[1] is not key[1] or cached[2] != key[2]:
            cached = self._lexemes = (*key, LexemeTable(self, sentencizer, lemmatizer))
        return cached[3]

    def set_annotations(self, doc: Doc, skills: list[Span], tasks: list[Span]) -> None:
        doc.spans[self.skills_key] = skills
        doc.spans[self.tasks_key] = tasks


_VERB, _OBJECT, _CHAIN_WORD, _COORDINATOR = 1, 2, 4, 8
_MATCH_FLAGS = _VERB | _OBJECT | _CHAIN_WORD | _COORDINATOR


_ONE_DOC = numpy.zeros(1, dtype=numpy.int64)
_ONE_DOC.flags.writeable = False


class TokenArrays(NamedTuple):
    """What the taxonomy matcher reads of a doc's tokens, as arrays over the doc, or over
    several docs end to end (see ``firsts``)."""

    lemmas: numpy.ndarray  # LEMMA hashes
    lowers: numpy.ndarray  # LOWER hashes
    sent_starts: numpy.ndarray  # bool: the token starts a sentence
    breaks: numpy.ndarray  # bool: punctuation or space
    flags: numpy.ndarray  # what the token can be in a verb...object match (_VERB etc.)
    idx: numpy.ndarray  # character offset of the token
    ends: numpy.ndarray  # character offset after the token
    # The doc carries these lemmas and sentence starts; if not, the matcher writes the
    # lemmas when its verb...object Matcher needs them (see TaxonomyMatcher.new_doc_arrays).
    annotated: bool = True
    # The index of each doc's first token: [0] for one doc, more for docs end to end.
    firsts: numpy.ndarray = _ONE_DOC


class LexemeTable:
    """What a pipeline's sentencizer, lemmatizer and taxonomy matcher read of a token that
    depends on its lexeme alone, by ORTH hash: worked out once per lexeme, gathered per doc.

    Reading a lexeme attribute from a Doc costs about as much for each attribute (a pointer
    per token), so reading ORTH alone and gathering the rest from here costs a fraction of
    reading five attributes and looking up two of them. Like spaCy's own caches, it takes a
    lexeme's lowercase form and flags not to change.
    """

    # Bits of ``flags`` above the matcher's own: the token is one of the sentencizer's
    # ``punct_chars``, is punctuation, is space.
    ENDER, PUNCT, SPACE = 16, 32, 64

    def __init__(
        self, matcher: TaxonomyMatcher, sentencizer: ArraySentencizer, lemmatizer: CaseFoldingLemmatizer
    ) -> None:
        self._matcher, self._sentencizer, self._lemmatizer = matcher, sentencizer, lemmatizer
        self._rows = HashTable()  # ORTH hash -> row of the arrays below
        self._size = 0
        self.lowers = numpy.zeros(0, dtype=numpy.uint64)
        self.lemmas = numpy.zeros(0, dtype=numpy.uint64)
        self.lengths = numpy.zeros(0, dtype=numpy.uint64)
        self.flags = numpy.zeros(0, dtype=numpy.uint64)

    def __len__(self) -> int:
        return self._size

    def rows(self, orths: numpy.ndarray) -> numpy.ndarray:
        """The row of each ORTH hash, adding the lexemes not met before."""
        rows, found = self._rows.get(orths)
        if not found.all():
            self._add(numpy.unique(orths[~found]))
            rows, _ = self._rows.get(orths)
        return rows

    def _add(self, orths: numpy.ndarray) -> None:
        vocab = self._matcher._vocab
        lexemes = [vocab[orth] for orth in orths.tolist()]
        lowers = numpy.array([lex.lower for lex in lexemes], dtype=numpy.uint64)
        lemmas = self._lemmatizer.lemma_hashes(lowers)
        flags = self._matcher._token_flags(lemmas, lowers)
        for bit, values in (
            (self.ENDER, self._sentencizer._enders().contains(orths)),
            (self.PUNCT, numpy.array([lex.is_punct for lex in lexemes], dtype=bool)),
            (self.SPACE, numpy.array([lex.is_space for lex in lexemes], dtype=bool)),
        ):
            flags |= numpy.where(values, bit, 0).astype(numpy.uint64)
        start, end = self._size, self._size + len(orths)
        if end > len(self.flags):  # grow by doubling, so adding stays linear
            capacity = max(1024, 2 * end)
            for name in ("lowers", "lemmas", "lengths", "flags"):
                grown = numpy.zeros(capacity, dtype=numpy.uint64)
                grown[:start] = getattr(self, name)[:start]
                setattr(self, name, grown)
        self.lowers[start:end] = lowers
        self.lemmas[start:end] = lemmas
        self.lengths[start:end] = [len(lex.orth_) for lex in lexemes]
        self.flags[start:end] = flags
        self._rows.add(dict(zip(orths.tolist(), range(start, end), strict=True)))
        self._size = end


def _forget_tokenized(nlp: Language) -> None:
    """Empty the tokenizer's cache of chunks it has split (not its special cases).

    spaCy's tokenizer caches at most ``max_cache_size`` (10,000) chunks and then stops
    adding. The matcher's ~6,000 alias forms, tokenized once to build the patterns, would
    keep most of the places for good and leave postings' words to be split anew each
    time: 15% slower tokenizing. Tokenizing the forms with the cache off costs 0.1 s more
    at every start, so they are cached while building and forgotten after.
    """
    flush = getattr(nlp.tokenizer, "_flush_cache", None)
    if callable(flush):  # spaCy's Tokenizer; a tokenizer of the user's own is left alone
        flush()


def _flag_table(groups: dict[int, Iterable[int]]) -> HashTable:
    """Bit flags by string hash: what each lemma can be in a verb...object match."""
    flags: dict[int, int] = defaultdict(int)
    for flag, hashes in groups.items():
        for h in hashes:
            flags[h] |= flag
    return HashTable(flags)


class _MaskTable:
    """The tasks each string hash (a verb's lemma, say) belongs to, as bits in rows of 64-bit
    lanes (bit ``k`` is task ``task_of_bit[k]``): ``get`` gives the rows of a whole array of
    hashes at once, zeros for hashes not in the table."""

    def __init__(self, terms: dict[int, set[str]], task_of_bit: list[str]) -> None:
        bit_of = {term_id: k for k, term_id in enumerate(task_of_bit)}
        self._rows = HashTable({h: row for row, h in enumerate(terms, start=1)})
        self.masks = numpy.zeros((len(terms) + 1, max(1, -(-len(task_of_bit) // 64))), dtype=numpy.uint64)
        for row, ids in enumerate(terms.values(), start=1):
            for k in (bit_of[term_id] for term_id in ids):
                self.masks[row, k // 64] |= numpy.uint64(1 << (k % 64))

    def __len__(self) -> int:
        return len(self.masks) - 1

    def get(self, hashes: numpy.ndarray) -> numpy.ndarray:
        return self.masks[self._rows.get(hashes)[0]]

    def contains(self, hashes: numpy.ndarray) -> numpy.ndarray:
        """Whether each hash belongs to a task."""
        return self._rows.contains(hashes)


def _verb_lemmas(verb: str, lemma_of: Any) -> set[str]:
    """Every lemma a form of ``verb`` can get from the lookup table: the table has quirks
    ("developing" -> "develope"), so inflect the verb and look each form up."""
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = {verb, verb + "s", verb + "es", verb + "d", verb + "ed", stem + "ing", stem + "ed"}
    if len(verb) > 2 and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou" and verb[-3] not in "aeiou":
        forms |= {verb + verb[-1] + "ing", verb + verb[-1] + "ed"}  # ship -> shipping
    return {verb} | {lemma_of(form) for form in forms if lemma_of(form) != form}


def _longest_first(matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """``spacy.util.filter_spans`` on ``(start, end, id)`` tuples: longest first, then
    leftmost; returned in text order.

    Only matches that overlap compete, so each run of overlapping matches is settled on
    its own; most matches overlap none and are kept as they come.
    """
    kept: list[tuple[int, int, int]] = []
    run: list[tuple[int, int, int]] = []  # overlapping matches, in text order
    reach = -1  # where the run's furthest match ends
    for match in sorted(matches):
        if match[0] >= reach:
            kept += _settle(run) if len(run) > 1 else run
            run = []
        run.append(match)
        reach = max(reach, match[1])
    return kept + (_settle(run) if len(run) > 1 else run)


def _settle(run: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Keep the longest matches of a run of overlapping ones (then the leftmost), in text order."""
    kept: list[tuple[int, int, int]] = []
    seen: set[int] = set()
    for match in sorted(run, key=lambda m: (m[0] - m[1], m[0])):
        start, end, _ = match
        if start not in seen and end - 1 not in seen:
            kept.append(match)
            seen.update(range(start, end))
    return sorted(kept)


def _longest_per_id(matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Resolve overlaps among matches of the same task, longest first; different tasks may
    overlap ("build and deploy models" is two duties)."""
    ordered = sorted(matches)
    end_of: dict[int, int] = {}  # furthest end so far of each id
    for start, end, match_id in ordered:
        if end_of.get(match_id, 0) > start:
            break
        end_of[match_id] = end
    else:
        return ordered  # no two matches of one id overlap, the usual case
    by_id: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for match in matches:
        by_id[match[2]].append(match)
    return sorted(m for group in by_id.values() for m in _longest_first(group))


def _cased_in_context(doc: Doc, start: int, end: int, sent_start: bool) -> bool:
    """Accept an exact-case short name only where it reads as a listed tool name;
    ``sent_start`` says whether it starts a sentence."""
    after = doc[end] if end < len(doc) else None
    if after is not None and after.text in _BAD_FOLLOWERS and after.whitespace_ == "":
        return False
    before = doc[start - 1] if start > 0 else None
    in_list = (before is not None and before.lower_ in _LIST_CONTEXT) or (
        after is not None and after.lower_ in _LIST_CONTEXT
    )
    single_letter = end - start == 1 and len(doc[start].text) == 1
    if single_letter or sent_start or before is None or before.is_space:
        return in_list
    return True


def _lemma_function(nlp: Language) -> Any:
    """Lemmatize a single lowercase word with the lookup table the pipeline will use."""
    table = _lemma_table()
    if table is None:  # spacy-lookups-data missing: compare surface forms
        return lambda word: word
    return lambda word: table.get(word, word)


@lru_cache(maxsize=1)
def _lemma_table() -> dict[str, Any] | None:
    """spaCy's English lemma lookup table, read from spacy-lookups-data as a plain dict (what
    ``spacy.lookups.load_lookups`` reads, before making a Table of it); None if missing."""
    from spacy.util import load_language_data, registry

    if "en" not in registry.lookups:
        return None
    data = registry.lookups.get("en")
    table = load_language_data(data["lemma_lookup"]) if "lemma_lookup" in data else None
    return table if isinstance(table, dict) else None
