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

from jdanalyzer.audit.essentials import missing_parts
from jdanalyzer.audit.findings import Finding, make_spans
from jdanalyzer.audit.gender import GenderHit, strength
from jdanalyzer.audit.norms import outer_range
from jdanalyzer.audit.rules import AdContext, rule
from jdanalyzer.text.sections import ROLE_KINDS

__all__ = [
    "Phrase", "exclusionary_language", "gender_coded", "hard_to_read", "jargon", "load_phrases",
    "phrase_findings", "unusual_length",
]

_RULES = {"jargon": "jargon", "exclusionary": "exclusionary-language", "vague_duty": "vague-duties"}


@dataclass(frozen=True)
class Phrase:
    """A flagged phrase family: its surface forms, category, severity and a suggestion."""

    phrases: tuple[str, ...]
    category: str
    severity: str
    suggestion: str
    pattern: re.Pattern[str]


# Words that end a noun phrase: after them, a word of ``not_before`` describes something else
# ("a digital native with product sense" is a person, whatever the product).
_PHRASE_BREAK = r"(?:with|who|whom|whose|and|or|to|for|in|on|at|of|by|from|that|as|is|are|the|a|an)"


def _compile(phrases: list[str], not_before: list[str] | tuple[str, ...] = ()) -> re.Pattern[str]:
    """One pattern for ``phrases``, not matching where a word of ``not_before`` follows.

    Up to two words may stand between the phrase and that word ("digital-native travel
    brands"), unless one of them ends the noun phrase ("a digital native with product sense").

    Example:
        >>> pattern = _compile(["digital native"], ["business", "brand"])
        >>> text = "Digital natives; digital-native businesses; digital-native travel brands"
        >>> [m.group() for m in pattern.finditer(text)]
        ['Digital natives']
    """
    forms = []
    for phrase in sorted(phrases, key=len, reverse=True):
        words = [re.escape(w) for w in re.split(r"[\s\-,/]+", phrase.strip()) if w]
        forms.append(r"[\s\-,/&]+".join(words) + ("s?" if phrase[-1].isalpha() else ""))
    unless = ""
    if not_before:
        nouns = "|".join(re.escape(w) for w in sorted(not_before, key=len, reverse=True))
        between = r"(?:(?!" + _PHRASE_BREAK + r"\b)\w+[\s\-]+){0,2}"
        unless = r"(?![\s\-,/&]+" + between + r"(?:" + nouns + r")(?:e?s)?\b)"
    return re.compile(r"(?<![\w-])(?:" + "|".join(forms) + r")(?![\w-])" + unless,
                      re.IGNORECASE)


@lru_cache(maxsize=1)
def load_phrases() -> tuple[Phrase, ...]:
    """The phrase list shipped in ``data/ad_phrases.json``."""
    source = files("jdanalyzer") / "data" / "ad_phrases.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    return tuple(
        Phrase(tuple(e["phrases"]), e["category"], e["severity"], e["suggestion"],
               _compile(e["phrases"], e.get("not_before", ())))
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
    "rockstar, ninja, guru, wizard" kind, "work hard, play hard", "hustle" and "thrives
    under pressure" (the last three praise overwork), **low** for "fast-paced
    environment", "synergy", "like a family" and the like (a bare "fast-paced" is left
    alone: 1 in 7 ads of the corpus says it). The spans are every occurrence, in any case
    and with plurals.
    """
    yield from phrase_findings(ad.ad_id, ad.text, categories=("jargon",))


@rule("exclusionary-language", severity="high", also=("medium",),
      summary="Wording that turns away people by age, origin, disability or background.")
def exclusionary_language(ad: AdContext) -> Iterator[Finding]:
    """Phrases of the ``exclusionary`` category of ``data/ad_phrases.json``.

    One finding per phrase family, with that family's severity: **high** for wording that
    screens by age or origin ("young and dynamic", "young and hungry", "digital native",
    "recent graduates only", "native English speaker"), **medium** for "culture fit",
    gendered job words ("salesman"), "willing to work long hours", physical demands and "top
    university". A phrase is left alone where the words after it show it describes a
    company ("digital native businesses", "a young and dynamic company", "digital-native
    travel brands": up to two words may come between), and "recent graduates" only counts
    as a condition ("recent graduates only", "must be a recent graduate"), not as a welcome
    ("ideal for a recent graduate").
    """
    yield from phrase_findings(ad.ad_id, ad.text, categories=("exclusionary",))


#: The severity of a gender lean (see :func:`~jdanalyzer.audit.gender.strength`). Masculine
#: wording put women off in Gaucher, Friesen & Kay (2011); feminine wording hardly changed how
#: men saw the ads, so it is rated one step lower.
_GENDER_SEVERITY = {
    "masculine": {"strongly": "medium", "clearly": "low"},
    "feminine": {"strongly": "low"},
}


def _judged_hits(ad: AdContext) -> tuple[list[GenderHit], str]:
    """The coded words the severity rests on, and where they are.

    Words technical ads use in a non-gendered sense are left out. Only the duties and
    requirements count when the ad has such sections; otherwise everything but the company
    blurb and the offer.
    """
    specific = [h for h in ad.gender.hits if not h.generic]
    if any(s.kind in ROLE_KINDS for s in ad.sections):
        return [h for h in specific if h.in_role_text], "in the duties and requirements"
    return ([h for h in specific if h.section not in ("company", "offer")],
            "outside the company blurb and offer")


@rule("gender-coded", severity="info", also=("medium", "low"),
      summary="Gender-coded words, rated by how far the role text leans one way.")
def gender_coded(ad: AdContext) -> Iterator[Finding]:
    """The masculine- and feminine-coded words of Gaucher, Friesen & Kay (2011).

    Words are counted as the gender-decoder tool counts them and its verdict is given. The
    severity rests on a stricter count: only the duties and requirements (or, in an ad
    without such sections, everything but the company blurb and offer), and without the
    stems technical ads use in a non-gendered sense ("analytical", "lead", "data-driven",
    "competitive salary", "responsibilities", "hierarchical models", "determines the
    requirements" ...; "competitive", "driven" and "determined" still count when they
    describe a person, and "hierarchy" when it describes the company). From the difference
    and the ratio of the masculine and feminine words in it: **medium** when strongly
    masculine-coded (4 or more words more, and at least 3 times as many), **low** when
    clearly masculine-coded (2 more and twice as many) or strongly feminine-coded, **info**
    when balanced or slightly coded. No finding when that stricter count finds no coded
    word (the report still gives every ad's gender-decoder verdict).
    """
    coding = ad.gender
    judged, where = _judged_hits(ad)
    if not judged:
        return
    masc, fem = coding.count("masculine"), coding.count("feminine")
    masc_judged = sum(1 for h in judged if h.gender == "masculine")
    fem_judged = len(judged) - masc_judged
    gender, how = strength(masc_judged, fem_judged)
    lean = f"{how} {gender}-coded" if gender else "balanced"
    words = lambda hits, gender: ", ".join(sorted(  # noqa: E731
        {h.word.lower() for h in hits if h.gender == gender})) or "none"
    message = (
        f"{lean} {where}: {masc_judged} masculine-coded ({words(judged, 'masculine')}) and "
        f"{fem_judged} feminine-coded ({words(judged, 'feminine')}), leaving out words "
        "technical ads use in a non-gendered sense (analytical, lead, data-driven, "
        f"responsibilities ...); over the whole ad the gender-decoder count says {coding.verdict} "
        f"({masc} masculine: {words(coding.hits, 'masculine')}; {fem} feminine: "
        f"{words(coding.hits, 'feminine')})"
    )
    severity = _GENDER_SEVERITY.get(gender, {}).get(how, "info")
    suggestion = (
        "Nothing to change; keep the role text balanced." if severity == "info" else
        "Replace strongly coded words that are not technical terms (e.g. 'competitive', "
        "'dominant', 'fearless', 'aggressive') with plain descriptions of the work, or balance "
        "them ('collaborative', 'supportive'); Gaucher, Friesen & Kay (2011) found "
        "masculine-coded ads made women less interested in applying."
    )
    yield Finding(ad.ad_id, "gender-coded", severity, message, suggestion,
                  make_spans(ad.text, [(h.start, h.end) for h in coding.hits]))


_NEEDS = {"duties": "the duties (what the person will do)",
          "requirements": "the requirements (skills and experience needed)",
          "pay": "the pay (a salary range)",
          "location": "the location (a place, or remote, hybrid or on-site)"}


def _share(percentile: int) -> str:
    """The share of ads a percentile leaves out: "9 in 10" for the 10th, "19 in 20" for the 5th."""
    return {5: "19 in 20", 10: "9 in 10"}.get(percentile, f"{100 - percentile}% of")


@rule("unusual-length", severity="low",
      summary="Shorter or longer than 19 in 20 ads in the corpus.")
def unusual_length(ad: AdContext) -> Iterator[Finding]:
    """A word count outside the 5th to 95th percentile of ``data/audit_norms.json``.

    (The 10th to 90th when the norms give no wider range.) Words are counted as the
    readability figures count them (letters and inner apostrophes). For a short ad the
    suggestion names only the essentials it lacks (duties, requirements, pay, location, as
    ``no-responsibilities``, ``no-salary`` and ``no-location`` detect them).
    """
    figures, norms = ad.readability, ad.norms["word_count"]
    percentile, low, high = outer_range(norms)
    if low <= figures.words <= high:
        return
    side = "shorter" if figures.words < low else "longer"
    if side == "longer":
        suggestion = "Cut repeated company text and long lists; keep what a candidate needs to decide."
    elif missing := missing_parts(ad):
        named = [_NEEDS[part] for part in missing]
        listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
        suggestion = f"Add {listed}."
    else:
        suggestion = ("The duties, requirements, pay and location are all there; say more about "
                      "the day-to-day work, the team and the tools so a candidate can decide.")
    yield Finding(
        ad.ad_id, "unusual-length", "low",
        f"{figures.words} words: {side} than {_share(percentile)} ads in the corpus "
        f"(typical {norms['p25']:.0f}-{norms['p75']:.0f}, median {norms['p50']:.0f})",
        suggestion,
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
