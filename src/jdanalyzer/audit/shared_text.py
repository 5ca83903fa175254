"""Text a company repeats across its ads (the template), found by hashing normalized sentences.

Each line of an ad is cut into sentences; a sentence of at least :data:`MIN_WORDS` words
whose normalized form (lower case, letters and digits only) occurs in two or more ads is
shared. Neighbouring shared sentences are merged into passages for display. The audit's
``boilerplate`` rule (:mod:`jdanalyzer.audit.boilerplate`) reports them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jdanalyzer.audit.readability import words_of

__all__ = ["MIN_WORDS", "Boilerplate", "SharedPassage", "find_boilerplate"]

#: Shorter sentences ("Requirements:", "Apply now.") are common to every ad and not template.
MIN_WORDS = 6
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
_GAP = re.compile(r"[\s\-•*.,;:!?]*")


@dataclass(frozen=True)
class SharedPassage:
    """A passage of shared text, the ads that hold all of it and its length in words."""

    text: str
    ad_ids: tuple[str, ...]
    words: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "ad_ids": list(self.ad_ids), "words": self.words}


@dataclass(frozen=True)
class Boilerplate:
    """Shared character ranges per ad and the distinct shared passages."""

    ranges: dict[str, tuple[tuple[int, int], ...]]
    passages: tuple[SharedPassage, ...]


def _key(sentence: str) -> str:
    plain = " ".join(re.sub(r"[^a-z0-9]+", " ", sentence.lower()).split())
    return hashlib.sha1(plain.encode("utf-8")).hexdigest()


def _units(text: str) -> list[tuple[int, int, str]]:
    units = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        lead = len(sentence) - len(sentence.lstrip(" -•*"))
        start, end = m.start() + lead, m.start() + len(sentence.rstrip())
        if len(words_of(text[start:end])) >= MIN_WORDS:
            units.append((start, end, _key(text[start:end])))
    return units


def find_boilerplate(texts: Mapping[str, str]) -> Boilerplate:
    """Find the sentences that two or more ads share.

    Example:
        >>> blurb = "Acme builds maps for the logistics trade since 1990."
        >>> found = find_boilerplate({"a": blurb + " Build models.", "b": "Hello. " + blurb})
        >>> found.ranges["b"], found.passages[0].ad_ids
        (((7, 59),), ('a', 'b'))
    """
    units = {ad_id: _units(text) for ad_id, text in texts.items()}
    holders: dict[str, set[str]] = {}
    for ad_id, ad_units in units.items():
        for _, _, key in ad_units:
            holders.setdefault(key, set()).add(ad_id)
    ranges: dict[str, tuple[tuple[int, int], ...]] = {}
    passages: dict[str, SharedPassage] = {}
    for ad_id, ad_units in units.items():
        text = texts[ad_id]
        merged: list[list[Any]] = []  # [start, end, set of ads holding every sentence]
        for start, end, key in ad_units:
            if len(holders[key]) < 2:
                continue
            if merged and _GAP.fullmatch(text[merged[-1][1]:start]) \
                    and len(merged[-1][2] & holders[key]) >= 2:
                merged[-1][1] = end
                merged[-1][2] = merged[-1][2] & holders[key]
            else:
                merged.append([start, end, set(holders[key])])
        ranges[ad_id] = tuple((s, e) for s, e, _ in merged)
        for s, e, ads in merged:
            passage = text[s:e]
            passages.setdefault(_key(passage), SharedPassage(
                passage, tuple(sorted(ads)), len(words_of(passage))))
    ordered = sorted(passages.values(), key=lambda p: (-len(p.ad_ids), -p.words))
    return Boilerplate(ranges, tuple(ordered))
