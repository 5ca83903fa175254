"""Gender-coded wording, counted the way the gender-decoder tool counts it.

Word stems from Gaucher, Friesen & Kay (2011): a word is coded when it starts with a
masculine or feminine stem ("analytical" starts with "analy"). The verdict follows
gender-decoder: feminine minus masculine count; 0 is neutral, beyond +/-3 is "strongly".
One difference: a word that starts with two stems of a list ("dominant": "domina" and
"dominant") counts once here, where gender-decoder counts it twice.

Technical ads use many listed words in senses unrelated to gender ("lead engineer",
"data-driven", "responsibilities"), so each hit also records whether its stem is one of
those generic words and which part of the ad it sits in (the role text or the company
blurb), and :class:`GenderCoding` gives a second verdict without the generic stems. Two of
those stems are traits too: "competitive" counts as generic only before pay or a market
("competitive salary", "competitive landscape"), "driven" only in a compound
("data-driven"), "hierarchical" only before a model or data structure ("hierarchical
Bayesian models", not "a flat hierarchy"), and "determin-" only as a verb ("determines the
requirements", "pay is determined by"; not "determined" the trait nor "determination");
"competitive and driven" is coded.
:func:`strength` grades how far a text leans one way, from both the difference and the ratio
of the two counts, so that "2 against 0" and "12 against 10" are not judged alike.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from jdanalyzer.text.sections import ROLE_KINDS, Section, section_at, split_sections

__all__ = [
    "STRENGTHS", "GenderCoding", "GenderHit", "gender_coding", "load_word_lists", "strength",
    "verdict",
]

#: How far a text leans to one gender, weakest first (see :func:`strength`).
STRENGTHS = ("balanced", "slightly", "clearly", "strongly")
_CLEAR = (2, 2.0)  # at least this difference and this ratio of the two counts
_STRONG = (4, 3.0)

# "competitive" followed, within two words, by pay or a market: the generic sense.
_GENERIC_AFTER = re.compile(
    r"(?:[ \t,&/-]+\w+){0,2}?[ \t,&/-]+(?:salar|pay|compensation|package|benefit|rate|wage|"
    r"remuneration|bonus|equity|base|reward|pric|offer|terms|market|landscape|advantage|edge|"
    r"analys|intelligence|programming|position|industry|field|space)", re.IGNORECASE)
# "driven" as the end of a compound ("data-driven", "data driven"): the generic sense.
_COMPOUND_BEFORE = re.compile(r"(?:-|\bdata\s+)$", re.IGNORECASE)
# "hierarchical" before a model or data structure ("hierarchical Bayesian models"): a method.
_METHOD_AFTER = re.compile(
    r"(?:[ \t,&/-]+\w+){0,2}?[ \t,&/-]+(?:model|bayes|cluster|regression|linear|mixed|data|"
    r"structure|time|forecast|classif|taxonom|label|index|tree|attention|softmax)", re.IGNORECASE)
# "determined" as a verb ("pay is determined by experience"), not the trait ("you are
# determined to ship").
_PASSIVE_AFTER = re.compile(r"\s+(?:by|based|through|from|using|according|at|on)\b", re.IGNORECASE)
# gender-decoder splits on whitespace and on . , quotes < > * ? ! [ ] @ ' : ; ( ) / &
_WORD = re.compile(r"[^\s.,“”‘’<>*?!\"\[\]@':;()/&]+")


@dataclass(frozen=True)
class WordLists:
    masculine: tuple[str, ...]
    feminine: tuple[str, ...]
    generic: frozenset[str]
    source: str


@dataclass(frozen=True)
class GenderHit:
    """One coded word: the word as written, its stem, gender, offsets and where it is."""

    word: str
    stem: str
    gender: str
    start: int
    end: int
    section: str
    generic: bool

    @property
    def in_role_text(self) -> bool:
        """True when the word is in the duties or requirements, not the company blurb."""
        return self.section in ROLE_KINDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "word": self.word, "stem": self.stem, "gender": self.gender, "start": self.start,
            "end": self.end, "section": self.section, "generic": self.generic,
        }


@dataclass(frozen=True)
class GenderCoding:
    """All coded words of an ad with the gender-decoder verdict and an honest second one."""

    hits: tuple[GenderHit, ...]

    def count(self, gender: str, *, generic: bool | None = None, role: bool | None = None) -> int:
        """Hits of ``gender``, optionally only (non-)generic ones or those (not) in role text."""
        return sum(
            1 for h in self.hits
            if h.gender == gender
            and (generic is None or h.generic == generic)
            and (role is None or h.in_role_text == role)
        )

    @property
    def verdict(self) -> str:
        """gender-decoder's verdict over every hit."""
        return verdict(self.count("feminine"), self.count("masculine"))

    @property
    def specific_verdict(self) -> str:
        """The verdict without the stems technical ads use in a non-gendered sense."""
        return verdict(
            self.count("feminine", generic=False), self.count("masculine", generic=False)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "specific_verdict": self.specific_verdict,
            "masculine": self.count("masculine"),
            "feminine": self.count("feminine"),
            "masculine_in_role_text": self.count("masculine", role=True),
            "feminine_in_role_text": self.count("feminine", role=True),
            "hits": [h.to_dict() for h in self.hits],
        }


def verdict(feminine: int, masculine: int) -> str:
    """gender-decoder's verdict from the two counts.

    Example:
        >>> verdict(1, 6), verdict(0, 0), verdict(2, 2)
        ('strongly masculine-coded', 'empty', 'neutral')
    """
    score = feminine - masculine
    if score == 0:
        return "neutral" if feminine else "empty"
    if score > 3:
        return "strongly feminine-coded"
    if score > 0:
        return "feminine-coded"
    if score < -3:
        return "strongly masculine-coded"
    return "masculine-coded"


def strength(masculine: int, feminine: int) -> tuple[str, str]:
    """The gender a text leans to (``""`` if neither) and how far: one of :data:`STRENGTHS`.

    **strongly** when one count exceeds the other by 4 or more and is at least 3 times it
    (gender-decoder's "strongly" starts at a difference of 4); **clearly** from a difference
    of 2 and twice the other count; **slightly** for any smaller lean. The ratio divides by
    at least 1, so "2 against 0" is clear and "9 against 7" only slight.

    Example:
        >>> strength(5, 0), strength(2, 0), strength(9, 7), strength(1, 1)
        (('masculine', 'strongly'), ('masculine', 'clearly'), ('masculine', 'slightly'), ('', 'balanced'))
    """
    if masculine == feminine:
        return "", "balanced"
    gender = "masculine" if masculine > feminine else "feminine"
    more, fewer = max(masculine, feminine), min(masculine, feminine)
    difference, ratio = more - fewer, more / max(fewer, 1)
    for name, (least_difference, least_ratio) in (("strongly", _STRONG), ("clearly", _CLEAR)):
        if difference >= least_difference and ratio >= least_ratio:
            return gender, name
    return gender, "slightly"


@lru_cache(maxsize=1)
def load_word_lists() -> WordLists:
    """The masculine and feminine stems shipped in ``data/gender_coded_words.json``."""
    data = json.loads(
        (files("jdanalyzer") / "data" / "gender_coded_words.json").read_text(encoding="utf-8")
    )
    return WordLists(
        masculine=tuple(data["masculine"]),
        feminine=tuple(data["feminine"]),
        generic=frozenset(data["generic_in_technical_ads"]),
        source=data["source"],
    )


def _words(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased words with offsets; hyphenated words are split unless a stem has a hyphen."""
    lists = load_word_lists()
    hyphenated = tuple(s for s in lists.masculine + lists.feminine if "-" in s)
    out = []
    for m in _WORD.finditer(text):
        word = m.group().lower()
        if "-" in word and not word.startswith(hyphenated):
            offset = m.start()
            for piece in word.split("-"):
                if piece:
                    out.append((piece, offset, offset + len(piece)))
                offset += len(piece) + 1
        else:
            out.append((word, m.start(), m.end()))
    return out


def _generic(stem: str, word: str, text: str, start: int, end: int, generic: frozenset[str]) -> bool:
    """Whether a hit is one of the words technical ads use in a non-gendered sense."""
    if stem not in generic:
        return False
    if word in ("competitive", "competitively"):
        return _GENERIC_AFTER.match(text, end) is not None
    if word == "driven":
        return _COMPOUND_BEFORE.search(text[max(0, start - 8):start]) is not None
    if stem == "hierarch":
        return word.startswith("hierarchical") and _METHOD_AFTER.match(text, end) is not None
    if stem == "determin":
        if word == "determined":
            return _PASSIVE_AFTER.match(text, end) is not None
        return word != "determination"  # "determine(s)", "determining", "deterministic"
    return True


def gender_coding(text: str, sections: list[Section] | None = None) -> GenderCoding:
    """Find the gender-coded words of ``text``.

    Example:
        >>> coding = gender_coding("We want a confident, competitive leader. We collaborate.")
        >>> [h.word for h in coding.hits], coding.verdict
        (['confident', 'competitive', 'leader', 'collaborate'], 'masculine-coded')
    """
    lists = load_word_lists()
    sections = sections or split_sections(text)
    hits = []
    for word, start, end in _words(text):
        for gender, stems in (("masculine", lists.masculine), ("feminine", lists.feminine)):
            if not word.startswith(stems):  # one C-level test before looking for the stem
                continue
            stem = next((s for s in stems if word.startswith(s)), None)
            if stem is not None:
                hits.append(
                    GenderHit(
                        word=text[start:end], stem=stem, gender=gender, start=start, end=end,
                        section=section_at(sections, start).kind,
                        generic=_generic(stem, word, text, start, end, lists.generic),
                    )
                )
    return GenderCoding(tuple(hits))
