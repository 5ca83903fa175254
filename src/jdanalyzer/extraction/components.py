"""spaCy components: the taxonomy matcher, a case-folding lookup lemmatizer and a sentencizer.

They are registered with ``@Language.factory`` (and exposed through the ``spacy_factories``
entry point), so they work in a user's own pipeline::

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("jdanalyzer_lemmatizer")
    nlp.add_pipe("jdanalyzer_taxonomy")
    nlp.initialize()
    doc = nlp("We fine-tune LLMs and build dashboards in Tableau.")
    [(s.text, s.id_, s.label_) for s in doc.spans["skills"]]

Matches land in ``doc.spans["skills"]`` and ``doc.spans["tasks"]``; each span's ``id_`` is
the taxonomy id and its ``label_`` the side the term points to.

:meth:`TaxonomyMatcher.reference_matches` says what is matched, with spaCy's PhraseMatcher,
Matcher and ``filter_spans``, in the style of spaCy's ``span_ruler``. The component finds
the same matches through :func:`jdanalyzer.extraction.fastpath.find_match_ids` unless it is
made with ``reference=True``; ``tests/extraction/test_parity.py`` holds the two paths to
the same matches and ``benchmarks/bench_extract.py`` times both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise
from typing import Any

import numpy
from spacy.attrs import IS_PUNCT, LEMMA, LOWER, ORTH
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.matcher import Matcher, PhraseMatcher
from spacy.pipeline import Lemmatizer, Sentencizer
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans, load_language_data, registry

from jdanalyzer.errors import JDAnalyzerError, TaxonomyError
from jdanalyzer.extraction import fastpath
from jdanalyzer.extraction.ellipsis import Elision
from jdanalyzer.extraction.forms import FormTokens
from jdanalyzer.extraction.taxonomy import (
    Taxonomy,
    Term,
    load_taxonomy,
    plural,
    roles_apart,
    surface_variants,
)

__all__ = [
    "ArraySentencizer", "CaseFoldingLemmatizer", "ContextRule", "LemmaTableMissingError", "TaxonomyMatcher",
    "lemma_lookup_table",
]

# Tokens that show a capitalised short name ("R", "Go", "Spark") is listed as a tool.
_LIST_CONTEXT = frozenset(
    {",", "/", "(", ")", ";", ":", "and", "or", "&", "in", "with", "using", "like", "e.g.",
     "including", "such", "as", "of", "+", "-", "[", "]", "{", "}"}
)
_BAD_FOLLOWERS = frozenset({"&", "'s", "’s", "'", "-"})
# Prefixes that make a verb of a verb ("re-train", "co-develop", "fine-tune"), where other
# words joined by a hyphen make an adjective of it ("well-designed", "AI-driven").
_VERB_PREFIXES = frozenset({"re", "co", "de", "fine"})
# A verb and its object may be this many tokens apart (no punctuation or line break between).
DEFAULT_WINDOW = 4
# How many coordinated verbs and their conjunctions ("design, build and deploy") may stand
# between a verb and the gap before its object.
_CHAIN = 6


@dataclass(frozen=True)
class ContextRule:
    """When a match of a term whose name can mean something else counts: the term's
    ``not_preceded_by``, ``not_followed_by`` and ``only_with`` (see
    :class:`~jdanalyzer.extraction.taxonomy.Term`), as lowercase words with hyphens left out.

    Example:
        >>> import spacy
        >>> nlp = spacy.blank("en")
        >>> rule = ContextRule.of(Term("edge_ai", "edge AI", "skill", "shared", "curated",
        ...     not_preceded_by=("cutting",)), nlp.make_doc)
        >>> doc = nlp.make_doc("cutting-edge AI and edge AI")
        >>> rule.accepts(doc, 2, 4), rule.accepts(doc, 5, 7)
        (False, True)
    """

    not_preceded_by: tuple[tuple[str, ...], ...] = ()
    not_followed_by: tuple[tuple[str, ...], ...] = ()
    only_with: frozenset[str] = frozenset()

    @classmethod
    def of(cls, term: Term, make_doc: Callable[[str], Doc]) -> ContextRule:
        """The rule of ``term``, its words split by the tokenizer ``make_doc``.

        Raises:
            TaxonomyError: a word of ``only_with`` is more than one token.
        """

        def words(phrase: str) -> tuple[str, ...]:
            return tuple(w for w in (t.lower_.strip("-") for t in make_doc(phrase)) if w)

        only_with = frozenset(w for word in term.only_with for w in words(word))
        several = [word for word in term.only_with if len(words(word)) != 1]
        if several:
            raise TaxonomyError(
                f"entry {term.id!r}: only_with takes single words; {', '.join(map(repr, several))} "
                "are several (list each word on its own)"
            )
        return cls(
            tuple(w for w in map(words, term.not_preceded_by) if w),
            tuple(w for w in map(words, term.not_followed_by) if w),
            only_with,
        )

    def accepts(self, doc: Doc, start: int, end: int) -> bool:
        """Whether the match ``doc[start:end]`` counts in its context."""
        if self.not_preceded_by:
            size = max(map(len, self.not_preceded_by))
            before = tuple(reversed(_words(doc, range(start - 1, -1, -1), size)))
            if any(before[-len(w):] == w for w in self.not_preceded_by):
                return False
        if self.not_followed_by:
            size = max(map(len, self.not_followed_by))
            after = _words(doc, range(end, len(doc)), size)
            if any(after[: len(w)] == w for w in self.not_followed_by):
                return False
        if self.only_with:
            strings = doc.vocab.strings
            wanted = numpy.array([strings.add(word) for word in self.only_with], dtype=numpy.uint64)
            return bool(numpy.isin(doc.to_array(LOWER), wanted).any())
        return True


def _words(doc: Doc, positions: range, size: int) -> tuple[str, ...]:
    """The lowercase forms of up to ``size`` tokens at ``positions``, hyphens left out
    ("cutting-" and "-" read as "cutting" and nothing)."""
    found: list[str] = []
    for i in positions:
        word = doc[i].lower_.strip("-")
        if word:
            found.append(word)
            if len(found) == size:
                break
    return tuple(found)


class LemmaTableMissingError(JDAnalyzerError):
    """spaCy's English lemma lookup table (the package spacy-lookups-data) is not installed."""


@lru_cache(maxsize=1)
def lemma_lookup_table() -> dict[str, Any]:
    """spaCy's English lemma lookup table, read from spacy-lookups-data as a plain dict (what
    ``spacy.lookups.load_lookups`` reads, before making a Table of it).

    Raises:
        LemmaTableMissingError: spacy-lookups-data is not installed, or has no English
            ``lemma_lookup`` table.
    """
    data = registry.lookups.get("en") if "en" in registry.lookups else {}
    table = load_language_data(data["lemma_lookup"]) if "lemma_lookup" in data else None
    if not isinstance(table, dict):
        raise LemmaTableMissingError(
            "spaCy's English lemma table is missing: jdanalyzer matches task verbs and objects "
            "by their lemmas. Install it with `pip install spacy-lookups-data`"
        )
    return table


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
    punctuation nor in ``punct_chars`` starts the next one.
    """

    def predict(self, docs: Iterable[Doc]) -> list[list[bool]]:
        return [
            self.sentence_starts(self.is_ender(doc.to_array(ORTH)), doc.to_array(IS_PUNCT) != 0).tolist()
            if len(doc) else []
            for doc in docs
        ]

    def is_ender(self, orths: numpy.ndarray) -> numpy.ndarray:
        """Whether each ORTH hash is one of ``punct_chars``."""
        enders = fastpath.sorted_hashes(get_string_id(c) for c in self.punct_chars)
        if not len(enders):
            return numpy.zeros(len(orths), dtype=bool)
        at = numpy.minimum(numpy.searchsorted(enders, orths), len(enders) - 1)
        return enders[at] == orths

    @staticmethod
    def sentence_starts(
        is_ender: numpy.ndarray, is_punct: numpy.ndarray, firsts: numpy.ndarray | None = None
    ) -> numpy.ndarray:
        """The rule, from whether each token is in ``punct_chars`` and is punctuation: True
        where a sentence starts. For several docs end to end, ``firsts`` are the indices of
        their first tokens (no doc empty)."""
        plain = ~is_ender & ~is_punct
        # A plain token starts a sentence when an ender came after the last plain token.
        index = numpy.arange(len(is_ender))
        last_ender = numpy.maximum.accumulate(numpy.where(is_ender, index, -1))
        last_plain = numpy.maximum.accumulate(numpy.where(plain, index, -1))
        plain_before = numpy.concatenate(([-1], last_plain[:-1]))
        if firsts is not None and len(firsts) > 1:
            # A token sees no plain token of the docs before its own (nor their enders: those
            # come before the plain token this puts just ahead of its doc).
            doc_first = numpy.repeat(firsts, numpy.diff(numpy.append(firsts, len(is_ender))))
            plain_before = numpy.maximum(plain_before, doc_first - 1)
        starts = plain & (last_ender > plain_before)
        starts[0 if firsts is None else firsts] = True
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
        # The table is the plain dict the taxonomy matcher's patterns were lemmatized with;
        # spaCy's Table of it is made only if ``lookups`` is asked for (to save the
        # component, say). Start-up time: benchmarks/bench_extract.py.
        if lookups is not None or self.mode != "lookup":
            super().initialize(get_examples, nlp=nlp, lookups=lookups)
            return
        self.lookups = Lookups()
        self.__dict__["_pending_lemmas"] = lemma_lookup_table()
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
        # lookup_lemmatize on every token, read and written as arrays.
        lemmas = self.lemma_hashes(doc.to_array(LOWER))
        if not self.overwrite and doc.has_annotation("LEMMA"):
            current = doc.to_array(LEMMA)
            lemmas = numpy.where(current != 0, current, lemmas)
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]
        return doc

    def lemma_hashes(self, lowers: numpy.ndarray) -> numpy.ndarray:
        """The lemma hash of each lowercase-form hash in ``lowers`` (lookup mode only)."""
        lemma_of: dict[int, int] = self.__dict__.setdefault("_lemma_of_lower", {})
        forms = lowers.tolist()
        new = set(forms).difference(lemma_of)
        if new:
            strings = self.vocab.strings
            table = self._lemma_lookup()
            for form in new:
                lower = strings[form]
                lemma = table.get(lower, lower)
                lemma_of[form] = strings.add(lemma if isinstance(lemma, str) else lemma[0])
        return numpy.fromiter(map(lemma_of.__getitem__, forms), dtype=numpy.uint64, count=len(forms))


@Language.factory(
    "jdanalyzer_taxonomy",
    requires=["token.lemma", "token.is_sent_start"],
    assigns=["doc.spans"],
    default_config={
        "skills_key": "skills", "tasks_key": "tasks", "roles_key": "roles", "window": DEFAULT_WINDOW,
        "reference": False,
    },
)
def make_taxonomy_matcher(
    nlp: Language, name: str, skills_key: str, tasks_key: str, roles_key: str, window: int, reference: bool
) -> TaxonomyMatcher:
    return TaxonomyMatcher(
        nlp, name, skills_key=skills_key, tasks_key=tasks_key, roles_key=roles_key, window=window,
        reference=reference,
    )


class TaxonomyMatcher:
    """Find taxonomy skills and tasks in a Doc that carries sentence starts and lemmas.

    Skills: a PhraseMatcher on lowercase text over every alias and its spelling variants,
    plus an exact-case PhraseMatcher for ambiguous short names ("R", "Go", "Spark",
    "Excel", "RAG") guarded by list context. A term whose names can mean something else
    also has a :class:`ContextRule` from the taxonomy ("Spark" not before "joy", "edge
    AI" not after "cutting-", "Core ML" only in a text about iOS). Tasks: the same for
    fixed task phrases, and a Matcher on lemmas for "verb ... object" within ``window``
    tokens. Overlapping skills are resolved longest first; overlapping tasks likewise
    within one task id. See
    :meth:`reference_matches`; with ``reference`` False (the default) the component finds
    the same matches through the fast path. Skill matches that name a job title or team
    member (:meth:`Term.names_role`: "Data Scientist") go to ``doc.spans[roles_key]``.
    """

    #: Words that may coordinate task verbs: "design, build and deploy models".
    COORDINATION = frozenset({",", "and", "or", "&", "/"})

    def __init__(
        self,
        nlp: Language,
        name: str = "jdanalyzer_taxonomy",
        *,
        taxonomy: Taxonomy | None = None,
        skills_key: str = "skills",
        tasks_key: str = "tasks",
        roles_key: str = "roles",
        window: int = DEFAULT_WINDOW,
        reference: bool = False,
    ) -> None:
        self.name = name
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        self.skills_key = skills_key
        self.tasks_key = tasks_key
        self.roles_key = roles_key
        self.window = window
        self.reference = reference
        self.vocab = nlp.vocab
        #: A verb...object match ends at most this many tokens after the verb: the chain of
        #: coordinated verbs, the gap, and the rest of a multi-word verb ("- tune").
        self.reach = _CHAIN + window + 3
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        #: The verb...object Matcher patterns of each task id; and those of them whose gap is
        #: a list with commas or slashes (see _listed_gaps), which need a "," or "/" to match.
        self.task_patterns: dict[str, list[list[dict[str, Any]]]] = {}
        self.task_list_patterns: dict[str, list[list[dict[str, Any]]]] = {}
        #: The task of each (verbs, objects) pair, by the pair's key: the task id for a task's
        #: first pair, "id/k" for its k-th further pair (``Term.verb_object_groups``).
        self.pair_task: dict[str, str] = {}
        #: The pairs each lemma hash can be the verb of, the first word of a multi-word verb
        #: of, or the object of; and the pairs an object of several words is of, by
        #: :func:`fastpath.pair_hash` of its last two words (lowercase, then lemma).
        self.verb_pairs: dict[int, set[str]] = defaultdict(set)
        self.first_part_pairs: dict[int, set[str]] = defaultdict(set)
        self.object_pairs: dict[int, set[str]] = defaultdict(set)
        self.compound_pairs: dict[int, set[str]] = defaultdict(set)
        #: The words (lemma or lowercase hashes) that can follow the first word of a
        #: multi-word verb: the fast path looks for those verbs only where one does.
        self.second_words: set[int] = set()
        #: The lemma hashes of the words that can come right before the last word of an
        #: object of several words ("data" of "data model"), and of its words that a hyphen
        #: follows ("retrieval" of "retrieval-augmented generation").
        self.compound_befores: set[int] = set()
        self.hyphen_heads: set[int] = set()
        #: Objects of several words ("data model"), by the lemma hash of their last word:
        #: the words before it, and the tasks that list that object.
        self.compound_objects: dict[int, dict[tuple[str, ...], set[int]]] = defaultdict(
            lambda: defaultdict(set)
        )
        #: The lemmas that may stand between a verb and its gap: task verbs and COORDINATION.
        self.chain_words: list[str] = []
        #: The lowercase forms a word of a list of objects may not take: the base and -ing
        #: forms of the task verbs ("deploy", "deploying"), which start a clause of their own.
        self.verb_forms: list[str] = []
        # The LOWER hashes of a surface form's tokens: PhraseMatcher patterns without Docs.
        form_tokens = FormTokens(nlp)
        self._build(nlp, form_tokens)
        strings = nlp.vocab.strings
        # A match id is the hash of the term id, which is also the span's ``id``.
        #: The taxonomy term of a match id.
        self.term_of: dict[int, Term] = {strings.add(t.id): t for t in self.taxonomy}
        #: The hash of the side of a match id: the span's ``label``.
        self.side_of: dict[int, int] = {strings.add(t.id): strings.add(t.side) for t in self.taxonomy}
        self.skill_ids = frozenset(strings.add(t.id) for t in self.taxonomy if t.kind == "skill")
        #: The context rule of each match id whose term has one (names that can mean
        #: something else: "Spark joy", "cutting-edge AI").
        self.context_rules: dict[int, ContextRule] = {
            strings.add(t.id): ContextRule.of(t, nlp.make_doc) for t in self.taxonomy if t.has_context_rules
        }
        # The tokenizer keeps a one-letter name and a period as one token ("Python or R."),
        # so those cased names match that token too (see accepts_cased).
        for term in self.taxonomy:
            for form in (f for f in term.cased_aliases if len(f) == 1 and f.isalpha()):
                self.cased.add(term.id, [nlp.make_doc(form + ".")])
        #: Skills named through ellipsis: "unit" in "unit and integration tests".
        self.elision = Elision.of(self.taxonomy.skills, form_tokens, strings)
        _forget_tokenized(nlp)

    def _build(self, nlp: Language, form_tokens: FormTokens) -> None:
        # Skills and tasks are separate layers (tests/data/EXTRACTION_GOLD.md): a form names
        # at most one skill and one task ("data validation" is a skill, and the duty).
        explicit = {(term.kind, form.lower()) for term in self.taxonomy for form in term.phrase_forms}
        claimed: set[tuple[str, str]] = set()
        table = lemma_lookup_table()

        def lemma_of(word: str) -> Any:
            return table.get(word, word)

        verbs = {
            verb.lower()
            for term in self.taxonomy
            for group, _ in term.verb_object_groups
            for verb in group
            if " " not in verb
        }
        self.chain_words = sorted(
            {form for v in verbs for form in _verb_lemmas(v, lemma_of)} | self.COORDINATION
        )
        ing_forms = {form for v in verbs for form in _inflections(v) if form.endswith("ing")}
        self.verb_forms = sorted({v for v in verbs if "-" not in v} | ing_forms)
        for term in self.taxonomy:
            forms = []
            for form in term.phrase_forms:
                for variant in surface_variants(form.lower()):
                    key = (term.kind, variant)
                    if key in claimed or (variant != form.lower() and key in explicit):
                        continue
                    claimed.add(key)
                    forms.append(variant)
            if forms:
                # A pattern is given as its tokens' LOWER hashes, which is what the
                # PhraseMatcher keeps of a Doc (and unpickles from): no Doc per form.
                self.phrases.add(term.id, [form_tokens(form) for form in forms])  # type: ignore[misc]
            if term.cased_aliases:
                self.cased.add(term.id, [nlp.make_doc(form) for form in term.cased_aliases])
            if term.verb_object_groups:
                self.task_patterns[term.id], self.task_list_patterns[term.id] = self._verb_object_patterns(
                    term, lemma_of
                )

    def _verb_object_patterns(
        self, term: Term, lemma_of: Any
    ) -> tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]]]:
        """spaCy Matcher patterns: a verb of the task, optionally coordinated with other task
        verbs ("design, build and deploy"), up to ``window`` tokens, then an object of the
        same (verbs, objects) pair; an object of several words takes its words from the window.
        The object may also end a list of nouns that holds commas (see :meth:`_listed_gaps`):
        those patterns are returned apart, after the others."""
        # The chain's length is bounded by ``reach`` (see verb_object_matches), not here.
        coordinated = {"LEMMA": {"IN": self.chain_words}, "OP": "*"}
        patterns: list[list[dict[str, Any]]] = []
        lists: list[list[dict[str, Any]]] = []
        for k, (verbs, objects) in enumerate(term.verb_object_groups):
            key = f"{term.id}/{k}" if k else term.id
            self.pair_task[key] = term.id
            heads = self._verb_heads(term, key, verbs, lemma_of)
            for before, obj in self._object_tokens(term, key, objects, lemma_of):
                words = self.window - len(before)
                gap = {"IS_PUNCT": False, "IS_SPACE": False, "IS_SENT_START": False, "OP": f"{{0,{words}}}"}
                patterns += [[*head, coordinated, gap, *before, obj] for head in heads]
                listed_gaps = self._listed_gaps(words)
                lists += [[*head, *listed, *before, obj] for head in heads for listed in listed_gaps]
        return patterns, lists

    def _listed_gaps(self, words: int) -> list[list[dict[str, Any]]]:
        """Gaps of at most ``words`` words where the object is the last of a list of nouns
        with commas, after "and" or "or": "articulate methods, experiments, and findings",
        "write unit, integration and contract tests". No word of the list is a verb of a
        task in its base or -ing form ("build models, deploy pipelines and ..." lists no
        nouns). A list without commas is a plain gap. Words joined by slashes are a list
        too, without a conjunction ("productionize pipelines/models")."""
        word = {"IS_PUNCT": False, "IS_SPACE": False, "IS_SENT_START": False,
                "LOWER": {"NOT_IN": self.verb_forms}}
        comma = {"ORTH": ",", "IS_SENT_START": False}
        conjunction = {"LOWER": {"IN": ["and", "or"]}, "IS_SENT_START": False}
        gaps = []
        for listed in range(2, words + 1):
            after = {**word, "OP": f"{{0,{words - listed}}}"}
            optional = [token for _ in range(listed - 2) for token in (word, {**comma, "OP": "?"})]
            # "a, b, and c" (a comma before the conjunction) and "a, b and c".
            gaps.append([*optional, word, {**comma, "OP": "?"}, word, comma, conjunction, after])
            gaps.append([*optional, word, comma, word, conjunction, after])
        # "pipelines/models": the object is one of words joined by slashes.
        slash = {"ORTH": "/", "SPACY": False, "IS_SENT_START": False}
        gaps.append([{**word, "OP": f"{{1,{words}}}"}, slash])
        return gaps

    def _verb_heads(
        self, term: Term, key: str, verbs: Iterable[str], lemma_of: Any
    ) -> list[list[dict[str, Any]]]:
        """The token patterns of ``verbs`` (of the pair ``key``): one for the single words, and
        one per first and last word of the multi-word verbs, each word matched by its lemma
        ("working closely with"; the words between, "closely" or "directly", are one token)."""
        strings = self.vocab.strings
        single: set[str] = set()
        # (first word, last word) -> the words between them (one token, or "" for none).
        between: dict[tuple[str, str], set[str]] = defaultdict(set)
        for verb in verbs:
            parts = verb.lower().replace("-", " - ").split()
            if len(parts) == 1:
                single |= _verb_lemmas(parts[0], lemma_of)
                continue
            if len(parts) > 3:
                raise TaxonomyError(
                    f"entry {term.id!r}: the verb {verb!r} has more than three words (a hyphen counts "
                    "as one); shorten it, or name the duty as a phrase"
                )
            if "-" in parts:  # "fine-tune" is also written "finetune" and "fine tune"
                single |= _verb_lemmas("".join(p for p in parts if p != "-"), lemma_of)
            between[parts[0], parts[-1]].add(parts[1] if len(parts) == 3 else "")
        heads: list[list[dict[str, Any]]] = [[{"LEMMA": {"IN": sorted(single)}}]] if single else []
        for (first, last), middles in between.items():
            head: list[dict[str, Any]] = [{"LEMMA": {"IN": sorted(_verb_lemmas(first, lemma_of))}}]
            words = sorted(middles - {""})
            if words == ["-"]:
                head.append({"ORTH": "-", "OP": "?"})
            elif words:
                middle: dict[str, Any] = {"LOWER": {"IN": words}}
                head.append({**middle, "OP": "?"} if "" in middles else middle)
            head.append({"LEMMA": {"IN": sorted(_verb_lemmas(last, lemma_of))}})
            heads.append(head)
            for form in _verb_lemmas(first, lemma_of):
                self.first_part_pairs[strings.add(form)].add(key)
            self.second_words |= {strings.add(w) for w in middles - {""}}
            self.second_words |= {strings.add(form) for form in _verb_lemmas(last, lemma_of)}
        for form in single:
            self.verb_pairs[strings.add(form)].add(key)
        return heads

    def _object_tokens(
        self, term: Term, key: str, objects: Iterable[str], lemma_of: Any
    ) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
        """(the token patterns of an object's words before its last, the pattern of its last
        word) for the ``objects`` of the pair ``key``: one for the single-word objects, one per
        last word of the two-word objects ("data model", "dbt model"), and one per longer
        object. The last word is matched by its lemma, but not in its -ing form unless that is
        listed ("model", not "modeling"); the words before it by their lowercase forms."""
        strings = self.vocab.strings
        listed = {o.lower() for o in objects}
        single: set[str] = set()
        firsts: dict[frozenset[str], set[str]] = defaultdict(set)  # last word's forms -> first words
        found: list[tuple[list[dict[str, Any]], dict[str, Any]]] = []
        for obj in sorted(listed):
            *before, last = obj.replace("-", " - ").split()
            if len(before) >= self.window:
                raise TaxonomyError(
                    f"entry {term.id!r}: the object {obj!r} has {len(before) + 1} words; an object "
                    f"has at most {self.window} (the window between verb and object)"
                )
            # Lookup tables miss plurals of new words ("LLMs"), so list the plural too.
            forms = {last, lemma_of(last), plural(last) or last}
            if not before:
                single |= forms
                for form in forms:
                    self.object_pairs[strings.add(form)].add(key)
                continue
            self.compound_befores |= {strings.add(before[-1]), strings.add(lemma_of(before[-1]))}
            self.hyphen_heads |= {
                strings.add(form) for word, after in pairwise(before) if after == "-"
                for form in (word, lemma_of(word))
            }
            for form in forms:
                self.compound_pairs[fastpath.pair_hash(strings.add(before[-1]), strings.add(form))].add(key)
                self.compound_objects[strings.add(form)][tuple(before)].add(strings.add(term.id))
            if len(before) == 1:
                firsts[frozenset(forms)].add(before[0])
            else:
                tokens = [{"LOWER": word, "IS_SENT_START": False} for word in before]
                found.append((tokens, _object_pattern(forms, listed)))
        for last_forms, words in firsts.items():
            first = {"LOWER": {"IN": sorted(words)}, "IS_SENT_START": False}
            found.append(([first], _object_pattern(set(last_forms), listed)))
        if single:
            found.insert(0, ([], _object_pattern(single, listed)))
        return found

    @cached_property
    def verb_object(self) -> Matcher:
        """One Matcher with every task's verb...object patterns, keyed by task id."""
        matcher = Matcher(self.vocab)
        for term_id, patterns in self.task_patterns.items():
            matcher.add(term_id, patterns + self.task_list_patterns[term_id])
        return matcher

    def __call__(self, doc: Doc) -> Doc:
        skills, tasks = self.reference_matches(doc) if self.reference else self.find_matches(doc)
        self.set_annotations(doc, skills, tasks)
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in stream:
            yield self(doc)

    def reference_matches(self, doc: Doc) -> tuple[list[Span], list[Span]]:
        """Return (skills, tasks) spans in text order, overlaps resolved, without touching
        ``doc``: what jdanalyzer extracts, found the plain spaCy way.

        Example:
            >>> from jdanalyzer.extraction.pipeline import build_pipeline
            >>> nlp = build_pipeline()
            >>> skills, tasks = nlp.get_pipe("jdanalyzer_taxonomy").reference_matches(
            ...     nlp("Deploy models to production with R, Go and Apache Spark."))
            >>> [(s.text, s.id_) for s in skills], [(s.text, s.id_) for s in tasks]
            ([('R', 'r'), ('Go', 'go'), ('Apache Spark', 'spark')], [('Deploy models', 'deploy_models')])
        """
        found = [(start, end, match_id) for match_id, start, end in self.phrases(doc)]
        # Exact-case short names ("R", "Go", "Spark") count only where they read as listed tools.
        found += [
            (start, end, match_id)
            for match_id, start, end in self.cased(doc)
            if self.accepts_cased(doc, start, end, bool(doc[start].is_sent_start))
        ]
        # Names that can mean something else count only in a context that supports them.
        found = [match for match in found if self.accepts_context(doc, *match)]
        found += self.verb_object_matches(doc)
        spans = [self._span(doc, *match) for match in sorted(found)]
        # The longest of overlapping skills wins; tasks likewise, but only within one task id:
        # "build and deploy models" holds two tasks.
        skills = filter_spans([span for span in spans if span.id in self.skill_ids])
        # A word coordinated with a skill may name a skill of its own: "unit and integration tests".
        elided = self.elision.complete(doc, [(span.start, span.end, span.id) for span in skills])
        skills = [self._span(doc, *match) for match in elided]
        by_task: dict[int, list[Span]] = defaultdict(list)
        for span in spans:
            if span.id not in self.skill_ids:
                by_task[span.id].append(span)
        tasks = sorted(
            (span.start, span.end, span.id) for group in by_task.values() for span in filter_spans(group)
        )
        # Matches of one task that touch are one mention: "Collaborate with" + "cross-functional teams".
        return skills, [self._span(doc, *match) for match in fastpath.merge_touching(tasks)]

    def verb_object_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The ``(start, end, match_id)`` matches of the verb...object patterns in text order,
        before overlaps are resolved: a verb takes its nearest object within ``reach`` (a word
        that modifies the next, see :meth:`modifies_next`, is none), so each task keeps its
        shortest match from each verb, if that match counts (see :meth:`accepts_verb_object`)."""
        nearest: dict[tuple[int, int], int] = {}
        for match_id, start, end in self.verb_object(doc):
            if end - start <= self.reach + 1 and not self.modifies_next(doc, end):
                key = (match_id, start)
                nearest[key] = min(nearest.get(key, end), end)
        return sorted(
            (start, end, match_id)
            for (match_id, start), end in nearest.items()
            if self.accepts_verb_object(doc, start, end, match_id)
        )

    def find_matches(self, doc: Doc) -> tuple[list[Span], list[Span]]:
        """What :meth:`reference_matches` returns, found by the fast path."""
        [found] = fastpath.find_match_ids(self, [doc])
        return (
            [self._span(doc, s, e, m) for s, e, m in found.skills],
            [self._span(doc, s, e, m) for s, e, m in found.tasks],
        )

    def _span(self, doc: Doc, start: int, end: int, match_id: int) -> Span:
        return Span(doc, start, end, label=self.side_of[match_id], span_id=match_id)

    def accepts_context(self, doc: Doc, start: int, end: int, match_id: int) -> bool:
        """Whether a surface-form match of ``match_id`` counts by its term's context rule
        (see :class:`ContextRule`); True for terms without one."""
        rule = self.context_rules.get(match_id)
        return rule is None or rule.accepts(doc, start, end)

    @staticmethod
    def modifies_next(doc: Doc, end: int) -> bool:
        """Whether the word before ``end`` is joined by a hyphen to the word after it ("LLM" in
        "LLM-powered features", "retrieval" in "retrieval-augmented generation"): a part of a
        modifier, so no object of a verb."""
        return end < len(doc) - 1 and _joined(doc, end)

    def accepts_verb_object(self, doc: Doc, start: int, end: int, match_id: int) -> bool:
        """Whether a verb...object match ``doc[start:end]`` of ``match_id`` counts: not when
        its verb is joined by a hyphen to the word before ("well-designed APIs", "AI-driven
        initiatives"; but "re-train", "co-develop", "fine-tune"), nor when its object is the
        last word of an object of several words that the task does not list ("Build data
        models" builds no predictive model; "embedding models" are no models embedded)."""
        if start > 1 and _joined(doc, start - 1) and doc[start - 2].lower_ not in _VERB_PREFIXES:
            return False
        compounds = self.compound_objects.get(doc[end - 1].lemma)
        if compounds:
            for before, owners in compounds.items():
                first = end - 1 - len(before)
                if match_id not in owners and first >= start and all(
                    doc[first + k].lower_ == word for k, word in enumerate(before)
                ):
                    return False
        return True

    @staticmethod
    def accepts_cased(doc: Doc, start: int, end: int, sent_start: bool) -> bool:
        """Accept an exact-case short name only where it reads as a listed tool name;
        ``sent_start`` says whether it starts a sentence. A one-letter name ("R", or "R." with
        the period of the sentence it ends) counts only next to list words ("Python or R.")."""
        after = doc[end] if end < len(doc) else None
        if after is not None and after.text in _BAD_FOLLOWERS and after.whitespace_ == "":
            return False
        before = doc[start - 1] if start > 0 else None
        in_list = (before is not None and before.lower_ in _LIST_CONTEXT) or (
            after is not None and after.lower_ in _LIST_CONTEXT
        )
        single_letter = end - start == 1 and len(doc[start].text.rstrip(".")) == 1
        if single_letter or sent_start or before is None or before.is_space:
            return in_list
        return True

    def set_annotations(self, doc: Doc, skills: list[Span], tasks: list[Span]) -> None:
        kept, roles = roles_apart(skills, lambda span: self.term_of[span.id].names_role(span.text))
        doc.spans[self.skills_key] = kept
        doc.spans[self.tasks_key] = tasks
        doc.spans[self.roles_key] = roles


def _forget_tokenized(nlp: Language) -> None:
    """Empty the tokenizer's cache of chunks it has split (not its special cases), which
    building the patterns filled with alias forms, so that postings' words get its places
    (see benchmarks/bench_extract.py)."""
    flush = getattr(nlp.tokenizer, "_flush_cache", None)
    if callable(flush):  # spaCy's Tokenizer; a tokenizer of the user's own is left alone
        flush()


def _joined(doc: Doc, i: int) -> bool:
    """Whether ``doc[i]`` (neither the first nor the last token) is a hyphen inside a word: no
    space on either side ("AI-driven")."""
    token = doc[i]
    return token.text == "-" and not token.whitespace_ and not doc[i - 1].whitespace_


def _object_pattern(forms: set[str], listed: set[str]) -> dict[str, Any]:
    """The token pattern of an object word: a lowercase form whose lemma is one of ``forms``
    (see :func:`_forms_by_lemma`), but not an -ing form that is not in ``listed`` ("modeling"
    is no model). One set of forms, so the Matcher checks one attribute per token."""
    table, inverse = lemma_lookup_table(), _forms_by_lemma()
    found = {form for lemma in forms for form in inverse.get(lemma, ())}
    found |= {lemma for lemma in forms if lemma not in table}  # a form the table lacks is its own lemma
    return {
        "LOWER": {"IN": sorted(form for form in found if not form.endswith("ing") or form in listed)},
        "IS_SENT_START": False,
    }


@lru_cache(maxsize=1)
def _forms_by_lemma() -> dict[str, frozenset[str]]:
    """spaCy's English lemma lookup table inverted: the lowercase forms of each lemma."""
    inverse: dict[str, set[str]] = defaultdict(set)
    for form, lemma in lemma_lookup_table().items():
        inverse[lemma].add(form)
    return {lemma: frozenset(found) for lemma, found in inverse.items()}


def _inflections(verb: str) -> set[str]:
    """The forms a verb (or a noun used as one) can take: -s, -es, -d, -ed, -ing."""
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = {verb, verb + "s", verb + "es", verb + "d", verb + "ed", stem + "ing", stem + "ed"}
    if len(verb) > 2 and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou" and verb[-3] not in "aeiou":
        forms |= {verb + verb[-1] + "ing", verb + verb[-1] + "ed"}  # ship -> shipping
    return forms


def _verb_lemmas(verb: str, lemma_of: Any) -> set[str]:
    """Every lemma a form of ``verb`` can get from the lookup table: the table has quirks
    ("developing" -> "develope"), so inflect the verb and look each form up."""
    return {verb} | {lemma_of(form) for form in _inflections(verb) if lemma_of(form) != form}
