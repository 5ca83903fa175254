"""What every ad should state, and how the audit tells whether it does.

The four essentials are the duties, the requirements, the pay and the location. The rules
that report one missing (``no-responsibilities``, ``no-salary``, ``no-location``) and the
length rule, which names what a short ad lacks, all use the detectors here, so they never
disagree. Also here: which skills and tasks an ad *requires*, as opposed to those it lists
as nice to have.

Example:
    >>> from jdanalyzer.extraction.extract import extract
    >>> from jdanalyzer.text.sections import split_sections
    >>> found = extract("Responsibilities\\n- Build forecasting models.\\n- Analyze data.\\nLondon.")
    >>> ad = AdContext("ad", "", found.text, tuple(split_sections(found.text)), found)
    >>> missing_parts(ad)
    ('requirements', 'pay')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jdanalyzer.audit.places import states_location
from jdanalyzer.audit.rules import AdContext
from jdanalyzer.text.sections import section_at
from jdanalyzer.types import Match

__all__ = [
    "ESSENTIALS", "NOT_REQUIRED_KINDS", "describes_duties", "missing_parts", "optional_starts",
    "required", "states_pay", "states_requirements", "vague_pay",
]

#: The parts every ad should have, in the order messages name them.
ESSENTIALS = ("duties", "requirements", "pay", "location")
#: Section kinds whose skills and tasks the job does not require.
NOT_REQUIRED_KINDS = ("nice_to_have", "company", "offer")
#: Fewer concrete tasks than this, and no duties section, is an ad without duties.
MIN_TASKS = 2

_NICE_LINE = re.compile(r"nice[- ]to[- ]have|\ba plus\b|\bbonus\b|\bpreferred\b|\bideally\b|"
                        r"\bdesirable\b|\bwould be great\b", re.IGNORECASE)
_SALARY = re.compile(
    r"[$€£]\s?\d|\d\s?(?:k|K)?\s?(?:USD|EUR|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|INR)\b|"
    r"\b(?:USD|EUR|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|INR)\s?\d|"
    r"\b(?:salary|pay|compensation|base|range)\b[^\n.]{0,40}?\d{2,}|"
    r"\d{2,3}\s?k\s?(?:-|–|to)\s?\d{2,3}\s?k\b|\bper (?:annum|year|hour)\b",
    re.IGNORECASE,
)
_VAGUE_PAY = re.compile(r"competitive (?:salary|pay|compensation|package)|"
                        r"attractive (?:salary|package)|salary (?:is )?negotiable|DOE\b",
                        re.IGNORECASE)


def states_pay(text: str) -> bool:
    """Whether ``text`` gives an amount of money, a pay range or a rate ("per year").

    Example:
        >>> states_pay("Salary: $120k-$150k."), states_pay("A competitive salary.")
        (True, False)
    """
    return _SALARY.search(text) is not None


def vague_pay(text: str) -> list[re.Match[str]]:
    """Pay wording without an amount ("competitive salary", "DOE")."""
    return list(_VAGUE_PAY.finditer(text))


def describes_duties(ad: AdContext) -> bool:
    """A responsibilities section, or at least two concrete tasks anywhere in the ad."""
    return ad.has_section("responsibilities") or len(ad.extraction.tasks) >= MIN_TASKS


def optional_starts(ad: AdContext, matches: Iterable[Match]) -> set[int]:
    """Starts of ``matches`` on lines that call themselves optional ("... is a plus")."""
    lines, offset = [], 0
    for line in ad.text.split("\n"):
        if _NICE_LINE.search(line):
            lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    return {m.start for m in matches if any(s <= m.start < e for s, e in lines)}


def required(ad: AdContext, matches: Iterable[Match]) -> list[Match]:
    """The ``matches`` in the parts of the ad that describe what the job requires.

    Left out: matches in a nice-to-have section, on a line that calls itself optional, and
    in the company blurb or the offer (:data:`NOT_REQUIRED_KINDS`).
    """
    matches = list(matches)
    optional, sections = optional_starts(ad, matches), list(ad.sections)
    return [m for m in matches if m.start not in optional
            and section_at(sections, m.start).kind not in NOT_REQUIRED_KINDS]


def states_requirements(ad: AdContext) -> bool:
    """A requirements section, or two or more distinct skills or tools the job requires."""
    if ad.has_section("requirements"):
        return True
    skills = [m for m in ad.extraction.skills if m.category != "soft_skill"]
    return len({m.id for m in required(ad, skills)}) >= 2


def missing_parts(ad: AdContext) -> tuple[str, ...]:
    """Which of :data:`ESSENTIALS` the ad does not state, in that order."""
    stated = {
        "duties": describes_duties(ad),
        "requirements": states_requirements(ad),
        "pay": states_pay(ad.text),
        "location": states_location(ad.text, ad.location),
    }
    return tuple(part for part in ESSENTIALS if not stated[part])
