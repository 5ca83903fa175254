"""Split a normalized ad into its parts: company blurb, duties, requirements, nice-to-have, offer.

Ads mark their parts with short heading lines ("Responsibilities", "What you'll bring:",
"Nice to have"). A line is a heading when it is short, not a bullet, names one of the parts,
and is not a field with its value ("Good to have :- GCP", "Salary: $70,000"); text before the
first heading is the introduction (usually about the company).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ROLE_KINDS", "SECTION_KINDS", "Section", "Unit", "section_at", "split_sections", "split_units"
]

SECTION_KINDS = (
    "intro", "company", "responsibilities", "requirements", "nice_to_have", "offer", "other"
)
#: Parts that describe the role itself rather than the company or the offer.
ROLE_KINDS = ("responsibilities", "requirements", "nice_to_have")

# Checked in this order: "preferred qualifications" is nice-to-have before it is requirements.
_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("nice_to_have", r"nice[- ]to[- ]have|bonus|preferred|desirable|good to have|"
                         r"would be (?:great|a plus)|plus points|extra credit|ideally"),
        ("responsibilities", r"responsibilit|what you(?:'ll| will)? do|your role|the role|"
                             r"in this role|duties|your tasks|day[- ]to[- ]day|your mission|"
                             r"you will|what you'll work on|the job|key tasks|the work|"
                             r"(?:position|role|job) (?:overview|summary)|job description|"
                             r"you'll get to|what you(?:'ll| will) be doing"),
        ("requirements", r"requirement|qualification|what you(?:'ll| will)? (?:bring|need|have)|"
                         r"you have|you bring|must[- ]have|about you|who you are|skills|"
                         r"looking for|your profile|experience|we need|we expect"),
        ("offer", r"benefit|what we offer|we offer|perks|compensation|salary|why join|"
                  r"what's in it|in return|package"),
        ("company", r"about (?:us|the company|the team|our)|who we are|our company|our team|"
                    r"company overview|^about\b"),
    )
)
_HEADING_MAX_WORDS = 8
# LinkedIn's footer ("Seniority level", "Employment type", ...) is about the offer, never duties.
_FOOTER = re.compile(r"seniority level|employment type|job function|industries", re.IGNORECASE)
# A field, "Label: value" ("Good to have :- GCP", "Salary: $70,000"), is a line of its own,
# no heading: else everything after it would be read as that part of the ad.
_FIELD = re.compile(r"[^:]{2,60}?\s*:-?\s*(?P<value>\S.*)")
# The first line is the ad's title unless it is a bare heading ("Responsibilities").
_FIRST_LINE_HEADING_WORDS = 3


@dataclass(frozen=True)
class Section:
    """A part of an ad: its kind, its heading line (or ``""``) and its character range."""

    kind: str
    heading: str
    start: int
    end: int


def _heading_kind(line: str) -> str | None:
    # Typographic apostrophes ("What You’ll Do") read as plain ones.
    stripped = line.strip().strip("#*_ ").strip().replace("\u2019", "'")
    if not stripped or stripped.startswith("- ") or len(stripped.split()) > _HEADING_MAX_WORDS:
        return None
    if stripped.endswith((".", "!", ",", ";")):
        return None
    if _FOOTER.fullmatch(stripped):
        return "offer"
    field = _FIELD.fullmatch(stripped)
    if field and not stripped.endswith(":") and _heading_kind(field["value"].lstrip("- ")) is None:
        return None  # a field; a glued heading ("Job Description:Responsibilities") stays one
    for kind, pattern in _HEADINGS:
        if pattern.search(stripped):
            return kind
    # A question names a part only when it is a known heading ("Who are we looking for?").
    return "other" if stripped.endswith(":") else None


def split_sections(text: str) -> list[Section]:
    """Cut ``text`` into consecutive sections covering all of it.

    Example:
        >>> text = "Acme makes maps.\\nWhat you'll do\\n- Build models\\nNice to have\\n- Rust"
        >>> [(s.kind, s.heading) for s in split_sections(text)]
        [('intro', ''), ('responsibilities', "What you'll do"), ('nice_to_have', 'Nice to have')]
    """
    sections: list[Section] = []
    kind, heading, start = "intro", "", 0
    offset = 0
    for line in text.split("\n"):
        found = _heading_kind(line)
        if found is not None and offset > 0:
            if offset > start:
                sections.append(Section(kind, heading, start, offset))
            kind, heading, start = found, line.strip(), offset
        elif found is not None and (found == "company" or line.rstrip().endswith(":")
                                    or len(line.split()) <= _FIRST_LINE_HEADING_WORDS):
            kind, heading = found, line.strip()  # else the first line is usually the title
        offset += len(line) + 1
    if len(text) > start or not sections:
        sections.append(Section(kind, heading, start, len(text)))
    return sections


def section_at(sections: list[Section], offset: int) -> Section:
    """The section that holds character ``offset``."""
    for section in sections:
        if section.start <= offset < section.end:
            return section
    return sections[-1]


@dataclass(frozen=True)
class Unit:
    """A sentence or bullet of an ad, with the kind of section it stands in.

    Units are what the duty reader labels: one duty or requirement each, in most ads.
    ``text[start:end]`` is the unit's text.
    """

    kind: str
    start: int
    end: int


# A sentence ends at ". " / "! " / "? " followed by a capital, digit or quote, not after
# an initial or a common abbreviation ("e.g. Python", "ex. Salesforce").
# The look-behinds come after the mark, so they are tried only where a sentence may end
# (before it, they were tried at every character: 4x slower).
# Scraped text often lost the space between sentences ("tuning.Support", "Duties:Design"):
# a mark between a lowercase and a capitalized word ends a sentence too.
_SENTENCE_BREAK = re.compile(
    r"[.!?](?<![A-Z][.!?])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<!\bex\.)(?<!\bincl\.)"
    r"\s+(?=[A-Z0-9(\"'“])"
    r"|[.:;](?<=[a-z][.:;])(?=[A-Z][a-z])"
)
_UNIT_MIN_CHARS = 3


def split_units(text: str, sections: list[Section] | None = None) -> list[Unit]:
    """Cut ``text`` into sentences and bullets, each tagged with its section's kind.

    Every line is a unit, split further at sentence ends; heading lines are left out.

    Example:
        >>> text = "Acme makes maps. We ship daily.\\nResponsibilities\\n- Build models"
        >>> [text[u.start:u.end] for u in split_units(text)]
        ['Acme makes maps.', 'We ship daily.', '- Build models']
        >>> [u.kind for u in split_units(text)]
        ['intro', 'intro', 'responsibilities']
    """
    sections = split_sections(text) if sections is None else sections
    units: list[Unit] = []
    for section in sections:
        offset = section.start
        for line in text[section.start:section.end].split("\n"):
            line_start = offset
            offset += len(line) + 1
            if section.heading and line.strip() == section.heading:
                continue
            start = line_start
            for match in _SENTENCE_BREAK.finditer(line):
                end = line_start + match.start() + 1
                if end - start >= _UNIT_MIN_CHARS:
                    units.append(Unit(section.kind, start, end))
                start = line_start + match.end()
            end = line_start + len(line.rstrip())
            if end - start >= _UNIT_MIN_CHARS:
                units.append(Unit(section.kind, start, end))
    return units
