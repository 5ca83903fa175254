"""The audit's wording rules: jargon and exclusionary phrases, gender coding, readability.

Phrases come from ``data/ad_phrases.json``; gender-coded stems from
``data/gender_coded_words.json`` (see :mod:`jdanalyzer.audit.gender`); typical lengths from
``data/audit_norms.json`` (see :mod:`jdanalyzer.audit.norms`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from jdanalyzer.audit.findings import Finding, make_spans
from jdanalyzer.audit.gender import GenderCoding
from jdanalyzer.audit.norms import load_norms
from jdanalyzer.audit.readability import Readability

__all__ = ["Phrase", "gender_finding", "length_and_readability", "load_phrases", "phrase_findings"]

_RULES = {"jargon": "jargon", "exclusionary": "exclusionary-language", "vague_duty": "vague-duties"}
_STRONG = 4  # gender-decoder's "strongly" starts at a difference of 4


@dataclass(frozen=True)
class Phrase:
    """A flagged phrase family: its surface forms, category, severity and a suggestion."""

    phrases: tuple[str, ...]
    category: str
    severity: str
    suggestion: str
    pattern: re.Pattern[str]


def _compile(phrases: list[str]) -> re.Pattern[str]:
    forms = []
    for phrase in sorted(phrases, key=len, reverse=True):
        words = [re.escape(w) for w in re.split(r"[\s\-,/]+", phrase.strip()) if w]
        forms.append(r"[\s\-,/&]+".join(words) + ("s?" if phrase[-1].isalpha() else ""))
    return re.compile(r"(?<![\w-])(?:" + "|".join(forms) + r")(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=1)
def load_phrases() -> tuple[Phrase, ...]:
    """The phrase list shipped in ``data/ad_phrases.json``."""
    source = files("jdanalyzer") / "data" / "ad_phrases.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    return tuple(
        Phrase(tuple(e["phrases"]), e["category"], e["severity"], e["suggestion"],
               _compile(e["phrases"]))
        for e in data["entries"]
    )


def phrase_findings(ad_id: str, text: str) -> list[Finding]:
    """One finding per phrase family: ``jargon``, ``exclusionary-language``, ``vague-duties``.

    Example:
        >>> [f.rule for f in phrase_findings("ad", "We want a rockstar, native English speaker.")]
        ['jargon', 'exclusionary-language']
    """
    findings = []
    for phrase in load_phrases():
        found = list(phrase.pattern.finditer(text))
        if not found:
            continue
        words = sorted({m.group().lower() for m in found})
        kind = {"jargon": "jargon", "exclusionary": "exclusionary wording",
                "vague_duty": "catch-all duties"}[phrase.category]
        findings.append(Finding(
            ad_id, _RULES[phrase.category], phrase.severity,
            f"{kind}: " + ", ".join(f"'{w}'" for w in words),
            phrase.suggestion,
            make_spans(text, [(m.start(), m.end()) for m in found]),
        ))
    return findings


def gender_finding(ad_id: str, text: str, coding: GenderCoding) -> Finding | None:
    """The ``gender-coded`` finding: coded words, gender-decoder's verdict and an honest one.

    ``low`` when the words that are not generic in technical ads are strongly coded (a
    difference of 4 or more), else ``info``; ``None`` when no coded word is found.
    """
    if not coding.hits:
        return None
    masc, fem = coding.count("masculine"), coding.count("feminine")
    masc_specific = coding.count("masculine", generic=False)
    fem_specific = coding.count("feminine", generic=False)
    masc_role, fem_role = coding.count("masculine", role=True), coding.count("feminine", role=True)
    words = lambda gender: ", ".join(sorted({h.word.lower() for h in coding.hits  # noqa: E731
                                             if h.gender == gender})) or "none"
    message = (
        f"{coding.verdict} by the gender-decoder count ({masc} masculine: {words('masculine')}; "
        f"{fem} feminine: {words('feminine')}); without words technical ads use in a "
        f"non-gendered sense (analytical, lead, data-driven, responsibilities ...) it is "
        f"{coding.specific_verdict} ({masc_specific} vs {fem_specific}); {masc_role} masculine "
        f"and {fem_role} feminine hits are in the duties and requirements, the rest in the "
        "company blurb and offer"
    )
    severity = "low" if abs(masc_specific - fem_specific) >= _STRONG else "info"
    return Finding(
        ad_id, "gender-coded", severity, message,
        "Balance strongly coded words that are not technical terms (e.g. 'competitive', "
        "'dominant', 'fearless' against 'collaborative', 'supportive'); research by Gaucher, "
        "Friesen & Kay (2011) found masculine-coded ads made women less interested in applying.",
        make_spans(text, [(h.start, h.end) for h in coding.hits]),
    )


def length_and_readability(ad_id: str, figures: Readability) -> list[Finding]:
    """``unusual-length`` and ``hard-to-read``: outside the 10th-90th percentile of the corpus."""
    findings = []
    norms = load_norms()["word_count"]
    low, high = norms["p10"], norms["p90"]
    if figures.words < low or figures.words > high:
        side = "shorter" if figures.words < low else "longer"
        findings.append(Finding(
            ad_id, "unusual-length", "low",
            f"{figures.words} words: {side} than 9 in 10 ads in the corpus "
            f"(typical {norms['p25']:.0f}-{norms['p75']:.0f}, median {norms['p50']:.0f})",
            "Add the duties, requirements, pay and location" if side == "shorter"
            else "Cut repeated company text and long lists; keep what a candidate needs to decide.",
        ))
    ease, grade = figures.flesch_reading_ease, figures.grade_level
    hard = load_norms()["flesch_reading_ease"]["p10"]
    if ease is not None and grade is not None and ease < hard:
        findings.append(Finding(
            ad_id, "hard-to-read", "low",
            f"hard to read: Flesch reading ease {ease:.0f}, grade level {grade:.0f} "
            f"(approximate), harder than 9 in 10 ads in the corpus (reading ease below {hard:.0f}; "
            "plain English scores 60 or more)",
            "Use shorter sentences and plainer words; split long bullets in two.",
        ))
    return findings
