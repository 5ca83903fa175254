"""The audit's wording rules: jargon and exclusionary phrases, gender coding, length, readability.

Phrases come from ``data/ad_phrases.json``; gender-coded stems from
``data/gender_coded_words.json`` (see :mod:`jdanalyzer.audit.gender`); typical lengths from
``data/audit_norms.json`` (see :mod:`jdanalyzer.audit.norms`). Each rule is a function of an
:class:`~jdanalyzer.audit.rules.AdContext` registered by ``@rule``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from jdanalyzer.audit.findings import Finding, make_spans
from jdanalyzer.audit.rules import AdContext, rule

__all__ = [
    "Phrase", "exclusionary_language", "gender_coded", "hard_to_read", "jargon", "load_phrases",
    "phrase_findings", "unusual_length",
]

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


def phrase_findings(ad_id: str, text: str, *,
                    categories: Iterable[str] | None = None) -> list[Finding]:
    """One finding per phrase family found: ``jargon``, ``exclusionary-language``, ``vague-duties``.

    ``categories`` keeps only families of those categories of ``data/ad_phrases.json``
    (``jargon``, ``exclusionary``, ``vague_duty``); the findings follow the file's order.

    Example:
        >>> [f.rule for f in phrase_findings("ad", "We want a rockstar, native English speaker.")]
        ['jargon', 'exclusionary-language']
    """
    wanted = None if categories is None else set(categories)
    findings = []
    for phrase in load_phrases():
        if wanted is not None and phrase.category not in wanted:
            continue
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


@rule("jargon", severity="medium", also=("low",),
      summary="Jargon and clichés that put applicants off ('rockstar', 'ninja', 'hustle').")
def jargon(ad: AdContext) -> Iterator[Finding]:
    """Phrases of the ``jargon`` category of ``data/ad_phrases.json``.

    One finding per phrase family, with that family's severity: **medium** for the
    "rockstar, ninja, guru, wizard" kind and "work hard, play hard", **low** for
    "fast-paced environment", "synergy", "like a family" and the like. The spans are every
    occurrence, in any case and with plurals.
    """
    yield from phrase_findings(ad.ad_id, ad.text, categories=("jargon",))


@rule("exclusionary-language", severity="high", also=("medium",),
      summary="Wording that turns away people by age, origin, disability or background.")
def exclusionary_language(ad: AdContext) -> Iterator[Finding]:
    """Phrases of the ``exclusionary`` category of ``data/ad_phrases.json``.

    One finding per phrase family, with that family's severity: **high** for wording that
    screens by age or origin ("young and dynamic", "digital native", "recent graduate",
    "native English speaker"), **medium** for "culture fit", gendered job words
    ("salesman"), physical demands and "top university".
    """
    yield from phrase_findings(ad.ad_id, ad.text, categories=("exclusionary",))


@rule("gender-coded", severity="info", also=("low",),
      summary="Gender-coded words, counted as gender-decoder counts them.")
def gender_coded(ad: AdContext) -> Iterator[Finding]:
    """The masculine- and feminine-coded words of Gaucher, Friesen & Kay (2011).

    Words are counted as the gender-decoder tool counts them and its verdict is given; a
    second verdict leaves out the stems technical ads use in a non-gendered sense
    ("analytical", "lead", "data-driven" ...), and the message says how many hits are in the
    duties and requirements rather than the company blurb. **low** when that second count
    differs by 4 or more (gender-decoder's "strongly"), else **info**. No finding when the ad
    has no coded word.
    """
    coding = ad.gender
    if not coding.hits:
        return
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
    yield Finding(
        ad.ad_id, "gender-coded", severity, message,
        "Balance strongly coded words that are not technical terms (e.g. 'competitive', "
        "'dominant', 'fearless' against 'collaborative', 'supportive'); research by Gaucher, "
        "Friesen & Kay (2011) found masculine-coded ads made women less interested in applying.",
        make_spans(ad.text, [(h.start, h.end) for h in coding.hits]),
    )


@rule("unusual-length", severity="low",
      summary="Shorter or longer than 9 in 10 ads in the corpus.")
def unusual_length(ad: AdContext) -> Iterator[Finding]:
    """A word count below the 10th or above the 90th percentile of ``data/audit_norms.json``.

    Words are counted as the readability figures count them (letters and inner apostrophes).
    """
    figures, norms = ad.readability, ad.norms["word_count"]
    low, high = norms["p10"], norms["p90"]
    if figures.words < low or figures.words > high:
        side = "shorter" if figures.words < low else "longer"
        yield Finding(
            ad.ad_id, "unusual-length", "low",
            f"{figures.words} words: {side} than 9 in 10 ads in the corpus "
            f"(typical {norms['p25']:.0f}-{norms['p75']:.0f}, median {norms['p50']:.0f})",
            "Add the duties, requirements, pay and location" if side == "shorter"
            else "Cut repeated company text and long lists; keep what a candidate needs to decide.",
        )


@rule("hard-to-read", severity="low",
      summary="Harder to read than 9 in 10 ads (approximate Flesch reading ease).")
def hard_to_read(ad: AdContext) -> Iterator[Finding]:
    """A Flesch reading ease below the 10th percentile of ``data/audit_norms.json``.

    The figures are approximate: syllables come from pyphen's hyphenation dictionary, and
    every bullet counts as a sentence. The message also gives the Flesch-Kincaid grade.
    """
    ease, grade = ad.readability.flesch_reading_ease, ad.readability.grade_level
    hard = ad.norms["flesch_reading_ease"]["p10"]
    if ease is not None and grade is not None and ease < hard:
        yield Finding(
            ad.ad_id, "hard-to-read", "low",
            f"hard to read: Flesch reading ease {ease:.0f}, grade level {grade:.0f} "
            f"(approximate), harder than 9 in 10 ads in the corpus (reading ease below {hard:.0f}; "
            "plain English scores 60 or more)",
            "Use shorter sentences and plainer words; split long bullets in two.",
        )
