"""Text a company repeats across its ads (the template), found by hashing normalized sentences.

Each line of an ad is cut into sentences; a sentence of at least :data:`MIN_WORDS` words
whose normalized form (lower case, letters and digits only) occurs in two or more ads is
shared. Neighbouring shared sentences are merged into passages for display. The
``boilerplate`` rule is the audit's one company-level rule: it reads all the ads at once and
reports the template once for the company, not once per ad that uses it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jdanalyzer.audit.findings import Finding
from jdanalyzer.audit.readability import words_of
from jdanalyzer.audit.rules import CompanyContext, rule

__all__ = [
    "MIN_WORDS", "Boilerplate", "SharedPassage", "boilerplate", "find_boilerplate",
    "template_finding",
]

#: Shorter sentences ("Requirements:", "Apply now.") are common to every ad and not template.
MIN_WORDS = 6
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
_GAP = re.compile(r"[\s\-•*.,;:!?]*")
_MOSTLY_SHARED = 0.5
#: How many passages the finding's message quotes.
_QUOTED = 3
_QUOTE_CHARS = 60


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


def _quote(text: str) -> str:
    return text if len(text) <= _QUOTE_CHARS else text[:_QUOTE_CHARS].rsplit(" ", 1)[0] + "…"


def template_finding(texts: Mapping[str, str], found: Boilerplate) -> Finding | None:
    """The company's one ``boilerplate`` finding, or ``None`` when no ad shares text.

    Its ``ad_id`` is empty (it is about the company); the message lists the shared passages
    with the ads that hold each, and names the ads that are mostly template.

    Example:
        >>> blurb = "Acme builds maps for the logistics trade."
        >>> texts = {"a": blurb + " You will build route models in Python and ship them daily.",
        ...          "b": "Hello. " + blurb}
        >>> finding = template_finding(texts, find_boilerplate(texts))
        >>> finding.ad_id, finding.severity
        ('', 'low')
        >>> finding.message[:50]
        "1 passage is shared between ads: 'Acme builds maps"
        >>> finding.message[-48:]
        '(7 words, in 2 ads: a, b); most of b is template'
    """
    if not found.passages:
        return None
    mostly = []
    for ad_id, ranges in found.ranges.items():
        shared = sum(len(words_of(texts[ad_id][s:e])) for s, e in ranges)
        if ranges and shared / max(len(words_of(texts[ad_id])), 1) > _MOSTLY_SHARED:
            mostly.append(ad_id)
    count = len(found.passages)
    listed = "; ".join(
        f"'{_quote(p.text)}' ({p.words} words, in {len(p.ad_ids)} ads: {', '.join(p.ad_ids)})"
        for p in found.passages[:_QUOTED])
    more = f"; and {count - _QUOTED} more" if count > _QUOTED else ""
    message = (f"{count} passage{' is' if count == 1 else 's are'} shared between ads: "
               f"{listed}{more}" + (f"; most of {', '.join(mostly)} is template" if mostly else ""))
    return Finding(
        "", "boilerplate", "low" if mostly else "info", message,
        "Keep the company template short and make the role-specific part the bulk of each ad."
        if mostly else "Fine for company facts; check that the shared text fits every role.",
    )


@rule("boilerplate", severity="info", also=("low",), scope="company",
      summary="Text the company's ads share (the template), reported once.")
def boilerplate(company: CompanyContext) -> Iterator[Finding]:
    """Sentences of six words or more that two or more of the company's ads share.

    Sentences are compared after lower-casing and dropping everything but letters and
    digits; neighbouring shared sentences are merged into passages. One finding for the
    company, not one per ad: its ad id is empty and its message lists the passages with the
    ads that share each. **info** (company facts are fine to repeat), **low** when more than
    half of the words of some ad are shared (the message names those ads). The report
    marks the shared text in every ad.
    """
    finding = template_finding({ad.ad_id: ad.text for ad in company.ads}, company.boilerplate)
    if finding is not None:
        yield finding
