"""The taxonomy matcher's fast path: the matches of the reference path, read from token arrays.

:meth:`~jdanalyzer.extraction.components.TaxonomyMatcher.reference_matches` states what
jdanalyzer extracts, with spaCy's PhraseMatcher, Matcher and ``filter_spans``; read it
first. :func:`find_match_ids` finds the same matches, and is what ``extract_many`` and the
component call. ``tests/extraction/test_parity.py`` holds the two to the same output, and
``benchmarks/bench_extract.py`` times one next to the other.

What differs from the reference path:

- Over docs fresh from the tokenizer, the sentencizer's and lemmatizer's results are not
  written to the docs: what they give for a token depends on its lexeme alone, so it is
  worked out once per lexeme (:class:`_LexemeTable`) and gathered per doc, for the docs of
  a batch end to end (:class:`_TokenArrays`).
- The verb...object Matcher does not run over whole docs. A scan over the arrays
  (:meth:`_Compiled.windows`) finds each task verb followed within reach, with no sentence
  or clause break between, by an object of the same (verbs, objects) pair of the task (the
  pairs a word belongs to are bits of 64-bit lanes, :class:`_MaskTable`); a multi-word verb
  counts where a later word of it follows its first, an object of several words where its
  last two words stand together. The Matcher of that task then runs on those windows alone,
  so each match is the Matcher's own.
- Context rules (:meth:`TaxonomyMatcher.accepts_context`) are checked only for the match
  ids that have one, and :meth:`TaxonomyMatcher.accepts_verb_object` and ``modifies_next``
  only next to a hyphen or at the last word of an object of several words.
- Overlaps are resolved on ``(start, end, id)`` tuples, as ``filter_spans`` resolves them
  on spans (:func:`_longest_first`).
- String hashes are looked up for whole arrays at once in :class:`_HashTable`.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol, overload

import numpy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, LOWER, ORTH, SENT_START
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from jdanalyzer.extraction.ellipsis import Elision

__all__ = [
    "Lemmatizer", "MatchIds", "Rules", "Sentencizer", "find_match_ids", "merge_touching", "pair_hash",
    "sorted_hashes",
]

Patterns = dict[str, list[list[dict[str, Any]]]]  # Matcher patterns by task id


class Rules(Protocol):
    """What the fast path reads of the taxonomy matcher
    (:class:`~jdanalyzer.extraction.components.TaxonomyMatcher`, which documents each): its
    PhraseMatchers and verb...object patterns, the word tables the scan is built from, and
    the checks a match must pass. Only the matcher builds these; the fast path reads them."""

    COORDINATION: frozenset[str]
    vocab: Vocab
    phrases: PhraseMatcher
    cased: PhraseMatcher
    task_patterns: Patterns
    task_list_patterns: Patterns
    pair_task: dict[str, str]
    verb_pairs: dict[int, set[str]]
    first_part_pairs: dict[int, set[str]]
    object_pairs: dict[int, set[str]]
    compound_pairs: dict[int, set[str]]
    second_words: set[int]
    compound_befores: set[int]
    hyphen_heads: set[int]
    compound_objects: dict[int, dict[tuple[str, ...], set[int]]]
    chain_words: list[str]
    window: int
    reach: int
    skill_ids: frozenset[int]
    elision: Elision

    @property
    def context_rules(self) -> Mapping[int, Any]: ...

    def accepts_context(self, doc: Doc, start: int, end: int, match_id: int) -> bool: ...
    def accepts_verb_object(self, doc: Doc, start: int, end: int, match_id: int) -> bool: ...
    def modifies_next(self, doc: Doc, end: int) -> bool: ...
    def accepts_cased(self, doc: Doc, start: int, end: int, sent_start: bool) -> bool: ...


class Sentencizer(Protocol):
    """What the fast path reads of the sentencizer
    (:class:`~jdanalyzer.extraction.components.ArraySentencizer`)."""

    punct_chars: Collection[str]

    def __call__(self, doc: Doc) -> Doc: ...
    def is_ender(self, orths: numpy.ndarray) -> numpy.ndarray: ...
    def sentence_starts(
        self, is_ender: numpy.ndarray, is_punct: numpy.ndarray, firsts: numpy.ndarray | None = None
    ) -> numpy.ndarray: ...


class Lemmatizer(Protocol):
    """What the fast path reads of the lemmatizer
    (:class:`~jdanalyzer.extraction.components.CaseFoldingLemmatizer`)."""

    @property
    def mode(self) -> str: ...

    def __call__(self, doc: Doc) -> Doc: ...
    def lemma_hashes(self, lowers: numpy.ndarray) -> numpy.ndarray: ...

Found = list[tuple[int, int, int]]  # (start token, end token, match id) in text order


class MatchIds(NamedTuple):
    """The matches of one doc as token offsets, and where each token starts and ends in the text."""

    skills: Found
    tasks: Found
    starts: numpy.ndarray  # character offset of each token
    ends: numpy.ndarray  # character offset after each token


def find_match_ids(
    matcher: Rules,
    docs: Sequence[Doc],
    *,
    sentencizer: Sentencizer | None = None,
    lemmatizer: Lemmatizer | None = None,
) -> list[MatchIds]:
    """The skills and tasks ``matcher`` finds in each of ``docs``, as
    :meth:`~jdanalyzer.extraction.components.TaxonomyMatcher.reference_matches` finds them,
    with ``(start, end, match_id)`` token offsets (``match_id`` is the hash of the taxonomy
    id) in text order.

    Without ``sentencizer`` and ``lemmatizer`` the docs must carry sentence starts and
    lemmas. With them, the docs are taken as fresh from the tokenizer and are not
    annotated, except that lemmas are written to the docs whose verb...object windows the
    Matcher checks.

    Example:
        >>> from jdanalyzer.extraction.pipeline import build_pipeline
        >>> nlp = build_pipeline()
        >>> matcher = nlp.get_pipe("jdanalyzer_taxonomy")
        >>> [found] = find_match_ids(matcher, [nlp("Deploy models with vLLM.")])
        >>> [(s, e, matcher.term_of[m].id) for s, e, m in found.skills + found.tasks]
        [(3, 4, 'vllm'), (0, 2, 'deploy_models')]
    """
    compiled = _compiled(matcher)
    if sentencizer is None or lemmatizer is None:
        return [compiled.match_annotated(doc) for doc in docs]
    results: list[MatchIds | None] = [None] * len(docs)
    batch = [k for k, doc in enumerate(docs) if len(doc)] if lemmatizer.mode == "lookup" else []
    if batch:
        batch_docs = [docs[k] for k in batch]
        tokens = compiled.batch_arrays(batch_docs, sentencizer, lemmatizer)
        found = compiled.match_many(batch_docs, tokens)
        for k, first, (skills, tasks) in zip(batch, tokens.firsts.tolist(), found, strict=True):
            end = first + len(docs[k])
            results[k] = MatchIds(skills, tasks, tokens.idx[first:end], tokens.ends[first:end])
    # Empty docs, and lemmas not from the lookup table: the components annotate the doc.
    return [
        found if found is not None else compiled.match_annotated(lemmatizer(sentencizer(doc)))
        for doc, found in zip(docs, results, strict=True)
    ]


_COMPILED: weakref.WeakKeyDictionary[Rules, _Compiled] = weakref.WeakKeyDictionary()


def _compiled(matcher: Rules) -> _Compiled:
    """The fast path's tables for ``matcher``, made on first use."""
    compiled = _COMPILED.get(matcher)
    if compiled is None:
        compiled = _COMPILED[matcher] = _Compiled(matcher)
    return compiled


# What a token can be in a verb...object match, as bits of its flags.
_VERB, _OBJECT, _CHAIN_WORD, _COORDINATOR = 1, 2, 4, 8
# The last word of an object of several words and the word before it ("model" and "data"
# of "data model"), and the first word of a multi-word verb ("work" of "work with"): such
# a word is an object or a verb where the scan finds the other words.
_COMPOUND_END, _COMPOUND_BEFORE, _FIRST_PART = 128, 256, 512
# A word of an object of several words that a hyphen follows ("retrieval-augmented generation").
_HYPHEN_HEAD = 1024
_MATCH_FLAGS = (
    _VERB | _OBJECT | _CHAIN_WORD | _COORDINATOR
    | _COMPOUND_END | _COMPOUND_BEFORE | _FIRST_PART | _HYPHEN_HEAD
)

_ONE_DOC = numpy.zeros(1, dtype=numpy.int64)
_ONE_DOC.flags.writeable = False


class _TokenArrays(NamedTuple):
    """What the fast path reads of a doc's tokens, as arrays over the doc, or over several
    docs end to end (see ``firsts``)."""

    lemmas: numpy.ndarray  # LEMMA hashes
    lowers: numpy.ndarray  # LOWER hashes
    sent_starts: numpy.ndarray  # bool: the token starts a sentence
    breaks: numpy.ndarray  # bool: punctuation or space
    flags: numpy.ndarray  # what the token can be in a verb...object match (_VERB etc.)
    idx: numpy.ndarray  # character offset of the token
    ends: numpy.ndarray  # character offset after the token
    # The docs carry these lemmas and sentence starts; if not, the lemmas are written to
    # the docs whose windows the verb...object Matcher checks (see _Compiled.verb_object_matches).
    annotated: bool = True
    # The index of each doc's first token: [0] for one doc, more for docs end to end.
    firsts: numpy.ndarray = _ONE_DOC


class _Compiled:
    """What the fast path derives from a :class:`TaxonomyMatcher`'s rules: hash tables of
    the words of verb...object patterns, a Matcher per task, and lexeme tables."""

    def __init__(self, matcher: Rules) -> None:
        # A proxy: _COMPILED holds the matcher weakly, and a strong reference from its own
        # value would keep every matcher (and its pipeline) alive for good.
        self.matcher = weakref.proxy(matcher)
        strings = matcher.vocab.strings
        # What each lemma can be in a verb...object match, as bit flags for one look-up.
        self.lemma_flags = _flag_table(
            {
                _VERB: matcher.verb_pairs,
                _OBJECT: matcher.object_pairs,
                _CHAIN_WORD: [strings.add(word) for word in matcher.chain_words],
                _COMPOUND_END: matcher.compound_objects,
                _COMPOUND_BEFORE: matcher.compound_befores,
                _FIRST_PART: matcher.first_part_pairs,
                _HYPHEN_HEAD: matcher.hyphen_heads,
                _COORDINATOR: [strings.add(word) for word in matcher.COORDINATION],
            }
        )
        self.hyphen = numpy.uint64(strings.add("-"))
        self.list_marks = numpy.array([strings.add(","), strings.add("/")], dtype=numpy.uint64)
        # One Matcher per task, so that a window is checked against that task's patterns only;
        # and one with its list patterns, which can match only in a window with "," or "/".
        # Each is built when a window first needs it (:meth:`task_matcher`): building all of
        # them costs more than reading a posting, and one posting asks for a few.
        self._task_matchers: dict[tuple[str, bool], Matcher | None] = {}
        # The verb and object look-ups with the task ids as bits, in rows of 64-bit lanes:
        # the scan tests every (verb, object) pair at once for a task they share.
        self.task_of_bit = sorted(matcher.pair_task)
        self.verb_lanes, self.first_part_lanes, self.object_lanes, self.compound_lanes = (
            _MaskTable(pairs, self.task_of_bit)
            for pairs in (
                matcher.verb_pairs, matcher.first_part_pairs, matcher.object_pairs, matcher.compound_pairs
            )
        )
        self.second_words = _HashTable(dict.fromkeys(matcher.second_words, 1))
        # (sentencizer, lemmatizer, punct_chars, _LexemeTable) of the last batch.
        self._lexemes: tuple[Sentencizer, Lemmatizer, tuple[str, ...], _LexemeTable] | None
        self._lexemes = None

    @overload
    def task_matcher(self, term_id: str) -> Matcher: ...
    @overload
    def task_matcher(self, term_id: str, *, lists: bool) -> Matcher | None: ...

    def task_matcher(self, term_id: str, *, lists: bool = False) -> Matcher | None:
        """The Matcher of one task's verb...object patterns (``lists``: of its list patterns,
        None when it has none), built on first use."""
        key = (term_id, lists)
        if key not in self._task_matchers:
            rules = self.matcher.task_list_patterns if lists else self.matcher.task_patterns
            patterns = rules.get(term_id)
            built = None
            if patterns:
                built = Matcher(self.matcher.vocab)
                built.add(term_id, patterns)
            self._task_matchers[key] = built
        return self._task_matchers[key]

    def match_annotated(self, doc: Doc) -> MatchIds:
        """The matches of a doc that carries sentence starts and lemmas."""
        tokens = self.token_arrays(doc)
        [(skills, tasks)] = self.match_many([doc], tokens)
        return MatchIds(skills, tasks, tokens.idx, tokens.ends)

    def match_many(self, docs: Sequence[Doc], tokens: _TokenArrays) -> list[tuple[Found, Found]]:
        """(skills, tasks) of each of ``docs``, given the arrays of all their tokens end to
        end (see :meth:`batch_arrays`): the scan for verb...object windows runs once over
        all of them."""
        matcher = self.matcher
        skill_ids = matcher.skill_ids
        rules = matcher.context_rules
        sent_starts = tokens.sent_starts
        results = []
        verb_object_matches = self.verb_object_matches(docs, tokens)
        for doc, first, verb_object in zip(docs, tokens.firsts.tolist(), verb_object_matches, strict=True):
            found = matcher.phrases(doc)
            if rules:  # names that can mean something else: see TaxonomyMatcher.accepts_context
                found = [
                    (match_id, start, end)
                    for match_id, start, end in found
                    if match_id not in rules or matcher.accepts_context(doc, start, end, match_id)
                ]
            skills = [(start, end, match_id) for match_id, start, end in found if match_id in skill_ids]
            tasks = [(start, end, match_id) for match_id, start, end in found if match_id not in skill_ids]
            for match_id, start, end in matcher.cased(doc):
                if matcher.accepts_cased(
                    doc, start, end, bool(sent_starts[first + start])
                ) and matcher.accepts_context(doc, start, end, match_id):
                    (skills if match_id in skill_ids else tasks).append((start, end, match_id))
            tasks += verb_object
            lowers = tokens.lowers[first : first + len(doc)]
            skills = matcher.elision.complete(doc, _longest_first(skills), lowers)
            results.append((skills, merge_touching(_longest_per_id(tasks))))
        return results

    def verb_object_matches(self, docs: Sequence[Doc], tokens: _TokenArrays) -> list[Found]:
        """Each doc's verb...object matches: each task's Matcher on the windows where it can
        match, the nearest object per task and verb."""
        firsts = tokens.firsts
        found: list[Found] = [[] for _ in docs]
        windows = self.windows(tokens)
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
        accepts, modifies_next = self.matcher.accepts_verb_object, self.matcher.modifies_next
        # modifies_next can say yes only before a hyphen, accepts_verb_object no only after
        # one or at the last word of an object of several words: elsewhere nothing is asked.
        hyphens = numpy.append(tokens.lowers == self.hyphen, False)
        # How many commas and slashes come before each token (list patterns need one).
        marks = numpy.concatenate(([0], numpy.cumsum(numpy.isin(tokens.lowers, self.list_marks))))
        compound_ends = (tokens.flags & _COMPOUND_END) != 0
        for k, doc_windows in by_doc.items():
            doc, first = docs[k], firsts_list[k]
            if not tokens.annotated:
                # The doc has no lemmas or sentence starts: write the lemmas, all the Matcher
                # reads that the doc lacks (its IS_SENT_START checks read False, as they
                # would on the annotated doc; see windows).
                doc.from_array([LEMMA], lemmas[first : first + len(doc)].reshape(-1, 1))  # type: ignore[arg-type]
            # A verb takes its nearest object: keep the shortest match per task and start, if
            # it counts (see accepts_verb_object). The scan found lemmas, so the Matcher's
            # check for missing lemmas is skipped.
            n = len(doc)
            nearest: dict[tuple[int, int], int] = {}
            for term_id, start, end in doc_windows:
                window = doc[start - first : end - first]
                matches = self.task_matcher(term_id)(window, allow_missing=True)
                if marks[end] > marks[start]:
                    list_matcher = self.task_matcher(term_id, lists=True)
                    if list_matcher is not None:
                        matches += list_matcher(window, allow_missing=True)
                start, end = start - first, end - first
                for match_id, s, e in matches:
                    if hyphens[first + start + e] and modifies_next(doc, start + e):
                        continue
                    key = (match_id, start + s)
                    nearest[key] = min(nearest.get(key, n), start + e)
            found[k] = sorted(
                (s, e, m)
                for (m, s), e in nearest.items()
                if not (hyphens[first + s - 1] or compound_ends[first + e - 1])
                or accepts(doc, s, e, m)
            )
        return found

    def windows(self, tokens: _TokenArrays) -> dict[str, list[list[int]]]:
        """The scan: token windows ``[start, end]`` (end exclusive) per task id where that
        task's verb...object patterns can match, over ``tokens`` (one doc or several)."""
        n = len(tokens.flags)
        flags = tokens.flags
        lemmas, lowers = tokens.lemmas, tokens.lowers
        is_object = (flags & _OBJECT) != 0
        ends = numpy.flatnonzero((flags[1:] & _COMPOUND_END != 0) & (flags[:-1] & _COMPOUND_BEFORE != 0)) + 1
        if ends.size:
            # An object of several words ("data model") is its last word right after the one before.
            is_object[ends[self.compound_lanes.contains(pair_hash(lowers[ends - 1], lemmas[ends]))]] = True
        objects = numpy.flatnonzero(is_object)
        if not objects.size:
            return {}
        is_verb = (flags & _VERB) != 0
        is_first = None  # whether each token starts a multi-word verb
        firsts = numpy.flatnonzero(flags[:-1] & _FIRST_PART)
        if firsts.size:
            # The first word of a multi-word verb counts where a later word of it follows:
            # "work with" and "working closely with", not "work in a team".
            after = firsts + 1
            second = self.second_words
            firsts = firsts[second.contains(lemmas[after]) | second.contains(lowers[after])]
            if firsts.size:
                is_first = numpy.zeros(n, dtype=bool)
                is_first[firsts] = True
                is_verb |= is_first
        verbs = numpy.flatnonzero(is_verb)
        if not verbs.size:
            return {}
        # The scan from a verb stops before the next sentence start, at the next punctuation
        # or space that is not a coordination ("design, build and deploy"), or at ``reach``.
        # Whichever of the first two comes first is the first stop after the verb.
        reach = self.matcher.reach
        window = self.matcher.window
        starts = tokens.sent_starts
        breaks = tokens.breaks & ((flags & _COORDINATOR) == 0)
        # "-" in a multi-word verb ("fine-tune") is no break after the verb's first part, nor
        # in an object of several words ("retrieval-augmented generation").
        joins = (flags[:-1] & _HYPHEN_HEAD) != 0
        if is_first is not None:
            joins |= is_first[:-1]
        breaks[1:] &= ~(joins & (lowers[1:] == self.hyphen))
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
        verb_lanes = self.verb_lanes.get(lemmas[pair_verb])
        limit = gap_fill[pair_verb] + window
        if is_first is not None:
            at_first = is_first[pair_verb]
            verb_lanes[at_first] |= self.first_part_lanes.get(lemmas[pair_verb[at_first]])
            limit += numpy.where(at_first, 2, 0)
        # A pair can match when the object is within the gap and verb and object are of one
        # (verbs, objects) pair of a task; the loop below goes through each such task.
        object_lanes = self.object_lanes.get(lemmas[pair_object])
        if len(self.compound_lanes):
            object_lanes |= self.compound_lanes.get(pair_hash(lowers[pair_object - 1], lemmas[pair_object]))
        shared = verb_lanes & object_lanes
        keep = (gap_fill[pair_object - 1] <= limit) & shared.any(axis=1)
        task_of_bit = self.task_of_bit
        pair_task = self.matcher.pair_task
        windows: dict[str, list[list[int]]] = defaultdict(list)  # task id -> [start, end]s
        for i, j, lanes in zip(
            pair_verb[keep].tolist(), pair_object[keep].tolist(), shared[keep].tolist(), strict=True
        ):
            for lane, common in enumerate(lanes):
                while common:
                    bit = common & -common
                    common ^= bit
                    spans = windows[pair_task[task_of_bit[64 * lane + bit.bit_length() - 1]]]
                    # A window holds no sentence start but at its first token, so the
                    # Matcher's IS_SENT_START checks (never on a first token) read False.
                    if spans and (i < spans[-1][1] or (i == spans[-1][1] and not starts[i])):
                        spans[-1][1] = max(spans[-1][1], j + 1)
                    else:
                        spans.append([i, j + 1])
        return windows

    def token_arrays(self, doc: Doc) -> _TokenArrays:
        """Read what the fast path needs of an annotated doc's tokens, with one ``to_array`` call."""
        rows = doc.to_array([LEMMA, LOWER, SENT_START, IS_PUNCT, IS_SPACE, IDX, LENGTH])
        lemmas, lowers = rows[:, 0], rows[:, 1]
        return _TokenArrays(
            lemmas=lemmas,
            lowers=lowers,
            sent_starts=rows[:, 2] == 1,
            breaks=(rows[:, 3] + rows[:, 4]) > 0,
            flags=self.token_flags(lemmas),
            idx=rows[:, 5],
            ends=rows[:, 5] + rows[:, 6],
        )

    def token_flags(self, lemmas: numpy.ndarray) -> numpy.ndarray:
        """What each token can be in a verb...object match (``_VERB`` etc.), from its lemma; the
        first words of multi-word verbs are found by the scan (:meth:`windows`)."""
        return self.lemma_flags.get(lemmas)[0]

    def batch_arrays(
        self, docs: Sequence[Doc], sentencizer: Sentencizer, lemmatizer: Lemmatizer
    ) -> _TokenArrays:
        """The token arrays of non-empty docs fresh from the tokenizer, end to end, as they
        would be once ``sentencizer`` and then ``lemmatizer`` (in lookup mode) annotated
        them; the docs are left as they are. ``firsts`` holds the index of each doc's first
        token. ORTH is read once and every other attribute gathered from a :class:`_LexemeTable`.

        Example:
            >>> from jdanalyzer.extraction.pipeline import build_pipeline
            >>> nlp = build_pipeline()
            >>> docs = [nlp.make_doc("Deployed models. Then more"), nlp.make_doc("Hi.")]
            >>> tokens = _compiled(nlp.get_pipe("jdanalyzer_taxonomy")).batch_arrays(
            ...     docs, nlp.get_pipe("jdanalyzer_sentencizer"), nlp.get_pipe("jdanalyzer_lemmatizer"))
            >>> tokens.firsts.tolist(), tokens.sent_starts.tolist()
            ([0, 5], [True, False, False, True, False, True, False])
        """
        if not docs or not all(len(doc) for doc in docs):
            raise ValueError("batch_arrays takes one or more docs, none of them empty")
        parts = [doc.to_array([ORTH, IDX]) for doc in docs]
        rows = parts[0] if len(parts) == 1 else numpy.concatenate(parts)
        firsts = numpy.cumsum([0] + [len(part) for part in parts[:-1]])
        table = self.lexeme_table(sentencizer, lemmatizer)
        at = table.rows(rows[:, 0])
        flags = table.flags[at]
        idx = rows[:, 1]
        return _TokenArrays(
            lemmas=table.lemmas[at],
            lowers=table.lowers[at],
            sent_starts=sentencizer.sentence_starts(
                (flags & _LexemeTable.ENDER) > 0, (flags & _LexemeTable.PUNCT) > 0, firsts
            ),
            breaks=(flags & (_LexemeTable.PUNCT | _LexemeTable.SPACE)) > 0,
            flags=flags & _MATCH_FLAGS,
            idx=idx,
            ends=idx + table.lengths[at],
            annotated=False,
            firsts=firsts,
        )

    def lexeme_table(self, sentencizer: Sentencizer, lemmatizer: Lemmatizer) -> _LexemeTable:
        """The lexeme table for these components, kept while they and the sentence enders stay."""
        chars = tuple(sentencizer.punct_chars)
        cached = self._lexemes
        if cached is None or cached[:2] != (sentencizer, lemmatizer) or cached[2] != chars:
            table = _LexemeTable(self, sentencizer, lemmatizer)
            cached = self._lexemes = (sentencizer, lemmatizer, chars, table)
        return cached[3]


class _LexemeTable:
    """What the sentencizer, the lemmatizer and the fast path read of a token that depends
    on its lexeme alone, by ORTH hash: worked out once per lexeme, gathered per doc. Like
    spaCy's own caches, it takes a lexeme's lowercase form and flags not to change."""

    # Bits of ``flags`` above the matcher's own: the token is one of the sentencizer's
    # ``punct_chars``, is punctuation, is space.
    ENDER, PUNCT, SPACE = 16, 32, 64

    def __init__(
        self, compiled: _Compiled, sentencizer: Sentencizer, lemmatizer: Lemmatizer
    ) -> None:
        self._compiled, self._sentencizer, self._lemmatizer = compiled, sentencizer, lemmatizer
        self._rows = _HashTable()  # ORTH hash -> row of the arrays below
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
            self._add(sorted_hashes(orths[~found].tolist()))
            rows, _ = self._rows.get(orths)
        return rows

    def _add(self, orths: numpy.ndarray) -> None:
        vocab = self._compiled.matcher.vocab
        lexemes = [vocab[orth] for orth in orths.tolist()]
        lowers = numpy.array([lex.lower for lex in lexemes], dtype=numpy.uint64)
        lemmas = self._lemmatizer.lemma_hashes(lowers)
        flags = self._compiled.token_flags(lemmas)
        for bit, values in (
            (self.ENDER, self._sentencizer.is_ender(orths)),
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


class _HashTable:
    """Integers keyed by string hash, looked up for a whole token array at once.

    A hash table in numpy arrays (see :class:`_Slots`). New keys wait in a dict and are
    merged in batches, so a growing table (lexemes of new words) is not rebuilt on every
    document.
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


def sorted_hashes(hashes: Iterable[int]) -> numpy.ndarray:
    """The distinct string hashes of ``hashes``, sorted, as a uint64 array (for searchsorted).

    A sorted set rather than ``numpy.unique``: without return_* arguments, recent numpy's
    first call of it imports ``numpy.ma`` (to check ``np.ma.is_masked``), 30-40 ms of a cold
    start (``tests/test_imports.py``).
    """
    return numpy.array(sorted(set(hashes)), dtype=numpy.uint64)


_PAIR_MULTIPLIER = 0x9E3779B97F4A7C15  # odd, so that distinct (a, b) rarely give one hash


@overload
def pair_hash(first: int, second: int) -> int: ...
@overload
def pair_hash(first: numpy.ndarray, second: numpy.ndarray) -> numpy.ndarray: ...
def pair_hash(first: int | numpy.ndarray, second: int | numpy.ndarray) -> int | numpy.ndarray:
    """One 64-bit hash for two string hashes (or for each pair of two arrays of them): the
    last two words of an object of several words, looked up for a whole doc at once."""
    if isinstance(first, numpy.ndarray):
        return first * numpy.uint64(_PAIR_MULTIPLIER) + second  # wraps around, as uint64 does
    return (first * _PAIR_MULTIPLIER + int(second)) & 0xFFFFFFFFFFFFFFFF


def _flag_table(groups: dict[int, Iterable[int]]) -> _HashTable:
    """Bit flags by string hash: what each lemma can be in a verb...object match."""
    flags: dict[int, int] = defaultdict(int)
    for flag, hashes in groups.items():
        for h in hashes:
            flags[h] |= flag
    return _HashTable(flags)


class _MaskTable:
    """The tasks each string hash (a verb's lemma, say) belongs to, as bits in rows of 64-bit
    lanes (bit ``k`` is task ``task_of_bit[k]``): ``get`` gives the rows of a whole array of
    hashes at once, zeros for hashes not in the table."""

    def __init__(self, terms: dict[int, set[str]], task_of_bit: list[str]) -> None:
        bit_of = {term_id: k for k, term_id in enumerate(task_of_bit)}
        self._rows = _HashTable({h: row for row, h in enumerate(terms, start=1)})
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


def _longest_first(matches: Found) -> Found:
    """``spacy.util.filter_spans`` on ``(start, end, id)`` tuples: longest first, then
    leftmost; returned in text order. Each run of overlapping matches is settled on its own."""
    kept: Found = []
    run: Found = []  # overlapping matches, in text order
    reach = -1  # where the run's furthest match ends
    for match in sorted(matches):
        if match[0] >= reach:
            kept += _settle(run) if len(run) > 1 else run
            run = []
        run.append(match)
        reach = max(reach, match[1])
    return kept + (_settle(run) if len(run) > 1 else run)


def _settle(run: Found) -> Found:
    """Keep the longest matches of a run of overlapping ones (then the leftmost), in text order."""
    kept: Found = []
    seen: set[int] = set()
    for match in sorted(run, key=lambda m: (m[0] - m[1], m[0])):
        start, end, _ = match
        if start not in seen and end - 1 not in seen:
            kept.append(match)
            seen.update(range(start, end))
    return sorted(kept)


def merge_touching(matches: Found) -> Found:
    """Matches in text order with those of one id that touch (one ends where the next starts)
    made one: "Collaborate with" and "cross-functional teams" name one duty.

    Example:
        >>> merge_touching([(0, 2, 7), (2, 5, 7), (2, 4, 9), (6, 8, 7)])
        [(0, 5, 7), (2, 4, 9), (6, 8, 7)]
    """
    merged: Found = []
    last: dict[int, int] = {}  # where in ``merged`` each id's last match is
    for start, end, match_id in matches:
        k = last.get(match_id)
        if k is not None and merged[k][1] == start:
            merged[k] = (merged[k][0], end, match_id)
        else:
            last[match_id] = len(merged)
            merged.append((start, end, match_id))
    return sorted(merged)


def _longest_per_id(matches: Found) -> Found:
    """:func:`_longest_first` within each id, in text order; different ids may overlap."""
    ordered = sorted(matches)
    end_of: dict[int, int] = {}  # furthest end so far of each id
    for start, end, match_id in ordered:
        if end_of.get(match_id, 0) > start:
            break
        end_of[match_id] = end
    else:
        return ordered  # no two matches of one id overlap
    by_id: dict[int, Found] = defaultdict(list)
    for match in matches:
        by_id[match[2]].append(match)
    return sorted(m for group in by_id.values() for m in _longest_first(group))
