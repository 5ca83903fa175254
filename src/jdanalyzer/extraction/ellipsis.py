"""Skills named through ellipsis in a coordination: "supervised, unsupervised, and
reinforcement learning" names supervised and unsupervised learning too, and "data extraction,
preparation and transformation" names data preparation and data transformation.

A conjunct is one word coordinated with a matched skill of several words. It names a skill
when it takes the place of the words it stands for: before the match it shares the match's
last words ("unit and integration tests" gives "unit tests"), after the match it shares the
match's first words ("data quality and consistency" gives "data consistency"). The word is
then a mention of that skill, if no other match covers it. Conjuncts are read from the
match outwards and the first one that names no skill ends the reading, so a plain list
("numbers, business, coding, and artificial intelligence") is not read as one.

Words are compared by the hashes of their lowercase forms (spaCy's ``LOWER``), read once
per doc, so a doc without coordinated skills costs a few look-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from spacy.attrs import LOWER

from jdanalyzer.extraction.taxonomy import Term, surface_variants

if TYPE_CHECKING:
    import numpy
    from spacy.strings import StringStore
    from spacy.tokens import Doc

__all__ = ["Elision"]

Found = list[tuple[int, int, int]]  # (start token, end token, match id) in text order

#: Words that coordinate conjuncts; a comma may come before them ("A, B, and C").
COORDINATORS = ("and", "or", "&", "/")
#: At most this many conjuncts are read on each side of a match.
MAX_CONJUNCTS = 5
#: Words that stand on their own where they are coordinated: bare "AI" is the subject of
#: nearly every posting, so "AI and software engineering" is no "AI engineering".
NOT_CONJUNCTS = ("ai",)


class Elision:
    """The skills of several words by their lowercase token sequences, to read conjuncts with.

    Example:
        >>> import spacy
        >>> from jdanalyzer.extraction.taxonomy import load_taxonomy
        >>> nlp = spacy.blank("en")
        >>> from jdanalyzer.extraction.forms import FormTokens
        >>> elision = Elision.of(load_taxonomy().skills, FormTokens(nlp), nlp.vocab.strings)
        >>> doc = nlp("Write unit and integration tests.")
        >>> tests = (3, 5, nlp.vocab.strings["testing"])  # "integration tests"
        >>> [(doc[s:e].text, nlp.vocab.strings[m]) for s, e, m in elision.complete(doc, [tests])]
        [('unit', 'testing'), ('integration tests', 'testing')]
    """

    def __init__(self, names: dict[tuple[int, ...], int], strings: StringStore) -> None:
        #: The match id (hash of the term id) of each sequence of lowercase-form hashes.
        self.names = names
        self.strings = strings
        self.coordinators = frozenset(strings.add(word) for word in COORDINATORS)
        self.comma = strings.add(",")
        self.not_conjuncts = frozenset(strings.add(word) for word in NOT_CONJUNCTS)
        self._is_word: dict[int, bool] = {}

    @classmethod
    def of(
        cls, skills: Iterable[Term], lowers: Callable[[str], Sequence[int]], strings: StringStore
    ) -> Elision:
        """Index the case-insensitive surface forms of several words of ``skills`` and their
        spelling variants (see :func:`~jdanalyzer.extraction.taxonomy.surface_variants`), split
        into the ``LOWER`` hashes of their tokens by ``lowers``; a form as written wins over
        another entry's generated variant."""
        skills = list(skills)
        names: dict[tuple[int, ...], int] = {}
        written = [(form.lower(), term.id) for term in skills for form in term.phrase_forms]
        variants = [
            (variant, term.id)
            for term in skills
            for form in term.phrase_forms
            for variant in surface_variants(form.lower())
        ]
        for form, term_id in written + variants:
            if " " in form or "-" in form or "/" in form:
                key = tuple(lowers(form))
                if len(key) > 1:
                    names.setdefault(key, strings.add(term_id))
        return cls(names, strings)

    def complete(self, doc: Doc, skills: Found, lowers: numpy.ndarray | None = None) -> Found:
        """``skills`` (the doc's resolved skill matches, in text order) with the conjuncts
        that name skills through ellipsis added, in text order. ``lowers`` are the doc's
        ``LOWER`` hashes if the caller has them."""
        if not skills:
            return skills
        words = (doc.to_array(LOWER) if lowers is None else lowers).tolist()
        coordinators, comma = self.coordinators, self.comma
        taken: set[int] | None = None
        added: Found = []
        for start, end, _ in skills:
            if end - start < 2:
                continue
            before = start > 1 and words[start - 1] in coordinators
            after = end + 1 < len(words) and (words[end] in coordinators or words[end] == comma)
            if not (before or after):
                continue
            if taken is None:
                taken = {i for s, e, _ in skills for i in range(s, e)}
            match = tuple(words[start:end])
            for conjuncts, shares_last_words in (
                (self._before(words, start) if before else [], True),
                (self._after(words, end) if after else [], False),
            ):
                for i in conjuncts:
                    found = None if i in taken else self._name(match, words[i], shares_last_words)
                    if found is None:
                        break
                    added.append((i, i + 1, found))
                    taken.add(i)
        return sorted(skills + added) if added else skills

    def _name(self, match: tuple[int, ...], conjunct: int, shares_last_words: bool) -> int | None:
        """The match id of the skill that ``conjunct`` names with the ``match``'s words:
        before the match it replaces the match's first words, after it the last ones, as few
        as it takes. A reading that is the match itself names nothing: in "data and data
        science" the conjunct repeats a word and stands for nothing."""
        for k in range(1, len(match)):
            reading = (conjunct, *match[k:]) if shares_last_words else (*match[: len(match) - k], conjunct)
            found = self.names.get(reading)
            if found is not None and reading != match:
                return found
        return None

    def _is_conjunct(self, words: list[int], i: int) -> bool:
        """Whether token ``i`` can be a conjunct: a word of letters, not one that stands alone."""
        if not 0 <= i < len(words):
            return False
        word = words[i]
        known = self._is_word.get(word)
        if known is None:
            known = self._is_word[word] = self.strings[word].isalpha() and word not in self.not_conjuncts
        return known

    def _before(self, words: list[int], start: int) -> list[int]:
        """The conjuncts before a match at ``start``, nearest first: ``C, B(,) and [match]``."""
        i = start - 2 - (words[start - 2] == self.comma)
        found: list[int] = []
        while self._is_conjunct(words, i) and len(found) < MAX_CONJUNCTS:
            found.append(i)
            if i < 2 or words[i - 1] != self.comma:
                break
            i -= 2
        return found

    def _after(self, words: list[int], end: int) -> list[int]:
        """The conjuncts after a match ending at ``end``, nearest first: ``[match], B(,) and
        C``, where C ends the phrase (what follows it is no word): in "model, and feature
        evaluations" the conjunct is the first word of a phrase of its own."""
        found: list[int] = []
        i = end
        while i + 1 < len(words) and len(found) < MAX_CONJUNCTS:
            if words[i] == self.comma and words[i + 1] in self.coordinators:
                i += 1
            if words[i] in self.coordinators:
                last = i + 1
                ends = self._is_conjunct(words, last) and not self._is_conjunct(words, last + 1)
                return [*found, last] if ends else []
            if words[i] != self.comma or not self._is_conjunct(words, i + 1):
                return []
            found.append(i + 1)
            i += 2
        return []
