"""Approximate readability of an ad: Flesch reading ease and Flesch-Kincaid grade level.

Syllables come from the hyphenation dictionary that ships with ``pyphen`` (no download at
run time, unlike textstat's pronunciation dictionary), raised to a vowel-group count when
hyphenation finds fewer breaks than the word has vowel groups. Both methods undercount or
overcount some words, so the figures are approximate and labelled as such everywhere.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Readability", "count_syllables", "readability", "words_of"]

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
# A sentence ends at . ! ? or at a line break: every bullet counts as one sentence.
_SENTENCE_BREAK = re.compile(r"[.!?]+(?=\s|$)|\n+")


@dataclass(frozen=True)
class Readability:
    """Readability figures of one text (approximate: syllables are estimated)."""

    words: int
    sentences: int
    syllables: int
    flesch_reading_ease: float | None
    grade_level: float | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("flesch_reading_ease", "grade_level"):
            if data[key] is not None:
                data[key] = round(data[key], 1)
        data["approximate"] = True
        return data


@lru_cache(maxsize=1)
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


def _vowel_groups(word: str) -> int:
    word = word.lower()
    groups = len(_VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1  # silent final e: "create" has two, "machine" two
    return max(groups, 1)


@lru_cache(maxsize=20_000)
def count_syllables(word: str) -> int:
    """Estimate the syllables of one English word.

    Example:
        >>> count_syllables("responsibilities"), count_syllables("team")
        (6, 1)
    """
    word = word.lower().strip("'’")
    if not word:
        return 0
    hyphenated = len(_hyphenator().positions(word)) + 1
    return max(hyphenated, _vowel_groups(word))


def words_of(text: str) -> list[str]:
    """The words of ``text`` as readability counts them (letters and inner apostrophes)."""
    return _WORD.findall(text)


def readability(text: str) -> Readability:
    """Flesch reading ease and Flesch-Kincaid grade of ``text`` (approximate).

    Reading ease runs from about 100 (very easy) down to 0 and below (very hard); most job
    ads score 10 to 40. The grade level is the US school grade needed to follow the text.

    Example:
        >>> r = readability("You will build models. You will ship them.")
        >>> r.words, r.sentences, r.flesch_reading_ease is not None
        (8, 2, True)
    """
    words = words_of(text)
    sentences = sum(1 for piece in _SENTENCE_BREAK.split(text) if _WORD.search(piece))
    syllables = sum(count_syllables(w) for w in words)
    if not words or not sentences:
        return Readability(len(words), sentences, syllables, None, None)
    per_sentence = len(words) / sentences
    per_word = syllables / len(words)
    ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
    return Readability(len(words), sentences, syllables, ease, grade)
