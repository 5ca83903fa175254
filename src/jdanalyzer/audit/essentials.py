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

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache
from importlib.resources import files

from jdanalyzer.audit.places import states_location
from jdanalyzer.audit.rules import AdContext
from jdanalyzer.text.sections import section_at
from jdanalyzer.types import Match

__all__ = [
    "ESSENTIALS", "NOT_REQUIRED_KINDS", "concrete_statements", "count_duties", "describes_duties",
    "duty_statements", "duty_tasks", "missing_parts", "optional_starts", "required",
    "states_pay", "states_requirements", "vague_pay",
]

#: The parts every ad should have, in the order messages name them.
ESSENTIALS = ("duties", "requirements", "pay", "location")
#: Section kinds whose skills and tasks the job does not require.
NOT_REQUIRED_KINDS = ("nice_to_have", "company", "offer")
#: Fewer concrete tasks than this, and no duties section, is an ad without duties.
MIN_TASKS = 2
# Words that make what follows them in a sentence an ability asked for, not work to do
# ("Ability to articulate ...", "experience leading a team, managing projects").
_ABILITY = re.compile(
    r"\b(?:abilit(?:y|ies)|able to|capable of|experienced?|knowledge|understanding|"
    r"familiar(?:ity)?|proficien(?:cy|t)|expertise|skill(?:ed|s)?|track record|excited to|"
    r"passion(?:ate)?)\b",
    re.IGNORECASE,
)
# Where the sentence of a task starts: a line break or the end of the sentence before.
_SENTENCE_END = re.compile(r"[\n.;!?]")
#: How far before a task, within its sentence, an ability word governs it.
_ABILITY_REACH = 80
# A duties heading as scraped text keeps it, on its own line or glued to the next sentence
# ("Responsibilities:", "RESPONSIBILITIES + Audit data", "ResponsibilitiesDesign models",
# "Essential Functions:", "What You Will Do:").
_DUTIES_HEADING = re.compile(
    r"\b(?:[Rr]esponsibilities|RESPONSIBILITIES|[Dd]uties|DUTIES|Essential [Ff]unctions|"
    r"ESSENTIAL FUNCTIONS|What [Yy]ou(?:'|’| [Ww]i)ll [Dd]o|WHAT YOU(?:'|’| WI)LL DO)"
    r"(?:[ \t]*:|[ \t]*\n|[ \t]*[-+*•][ \t]|[ \t]*(?=[A-Z]))"
)
# "You will build ...", "the analyst will present ...", "you will be responsible for building".
_DUTY_LEAD = re.compile(
    r"\b(?:you(?:\s+will|'ll|’ll|\s+would|'d|’d)|would like you to|you are going to|"
    r"(?:the|a|an|our)\s+(?:successful\s+|new\s+|data\s+)?(?:candidate|person|hire|analyst|"
    r"scientist|engineer|postholder)\s+will"
    r")\s+(?:also\s+|then\s+|help\s+(?:to\s+)?|be\s+responsible\s+for\s+)?([a-z]+)",
    re.IGNORECASE,
)
# A line that starts with a verb and goes on for two words more, after any bullet mark:
# "- Deploy and operate ..." (not "Engineering" alone, a job-function field). Scraped text
# that lost its line breaks keeps them as an inline bullet ("data + Audit the tables") or as
# a lower-case word run into the next line's first word ("dataCorrect the errors").
_LINE_VERB = re.compile(
    r"(?:^[ \t]*(?:(?:[-*•·▪◦‣–—]|\d{1,2}[.)])[ \t]*)?|[ \t][+•][ \t]+|\b[a-z]{3,}(?=[A-Z][a-z]))"
    r"([A-Za-z]+)(?=[ \t,]+[^\s,]+[ \t]+\S)",
    re.MULTILINE,
)
# A bullet line: "- ...", "* ...", "• ...", "1. ...".
_BULLET_LINE = re.compile(r"^[ \t]*(?:[-*•·▪◦‣]|\d{1,2}[.)])[ \t]+.*$", re.MULTILINE)
# Task verbs that say nothing about the work ("you will work with", "join", "apply now").
_NOT_WORK = frozenset({"work", "join", "report", "offer", "give", "use", "read", "share",
                       "field", "set", "turn", "engage", "enable", "make", "find", "spot",
                       "apply", "understand"})

_NICE_LINE = re.compile(r"nice[- ]to[- ]have|\ba plus\b|\bbonus\b|\bpreferred\b|\bideally\b|"
                        r"\bdesirable\b|\bwould be great\b", re.IGNORECASE)
_SALARY = re.compile(
    r"[$€£]\s?\d|\d\s?(?:k|K)?\s?(?:USD|EUR|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|INR)\b|"
    r"\b(?:USD|EUR|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|INR)\s?\d|"
    r"\b(?:salary|pay|compensation|base|range)\b[^\n.]{0,40}?"
    r"(?<![\d,.])(?:\d{1,3}(?:[,.]\d{3})+|(?!(?:19|20)\d\d\b)\d{4,6}|\d{2,3}\s?[kK])\b|"
    r"\d{2,3}\s?k\s?(?:-|–|to)\s?\d{2,3}\s?k\b|\bper (?:annum|year|month|hour)\b",
    re.IGNORECASE,
)
# A money figure that is not the job's pay: a company's or market's size ("the $650 billion
# staffing market"), or the pay of other jobs in a scraped list ("$95,000.00-$ 2 weeks ago").
_NOT_PAY = re.compile(
    r"[\d,.]*\s*(?:(?:billion|million|trillion|bn|mn)\b|"
    r"(?:[^\n]{0,25}?\b\d+\s+)?(?:minutes?|hours?|days?|weeks?|months?)\s+ago\b)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_VAGUE_PAY = re.compile(r"competitive (?:salary|pay|compensation|package)|"
                        r"attractive (?:salary|package)|salary (?:is )?negotiable|DOE\b",
                        re.IGNORECASE)


def states_pay(text: str) -> bool:
    """Whether ``text`` gives an amount of money, a pay range or a rate ("per year").

    A number after "salary" or "pay" must look like money ("55,000", "65k"; not "28 days'
    holiday"), and figures that are a company's or market's size ("a $650 billion market")
    or other jobs' pay in a scraped list ("$95,000.00-$ 2 weeks ago") do not count.

    Example:
        >>> states_pay("Salary: $120k-$150k."), states_pay("A competitive salary.")
        (True, False)
    """
    return any(_is_pay(text, m) for m in _SALARY.finditer(text))


def _is_pay(text: str, found: re.Match[str]) -> bool:
    """Whether a pay-like match is pay: not a company's size, not another job's pay."""
    digit = _DIGIT.search(text, found.start(), found.end())
    return digit is None or _NOT_PAY.match(text, digit.start()) is None


def vague_pay(text: str) -> list[re.Match[str]]:
    """Pay wording without an amount ("competitive salary", "DOE")."""
    return list(_VAGUE_PAY.finditer(text))


@lru_cache(maxsize=1)
def _work_verbs() -> frozenset[str]:
    """The verbs of the task list (``data/tasks.jsonl``) that name work to do."""
    lines = (files("jdanalyzer") / "data" / "tasks.jsonl").read_text(encoding="utf-8").splitlines()
    verbs = {verb.lower() for line in lines if line.strip() for verb in json.loads(line)["verbs"]}
    return frozenset(verbs - _NOT_WORK)


def _verb_form(word: str) -> str | None:
    """The base form of ``word`` if it is a work verb as written, with -s or with -ing."""
    verbs, word = _work_verbs(), word.lower()
    candidates = [word]
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        candidates += [stem, stem + "e", stem[:-1] if stem[-1:] == stem[-2:-1] else stem]
    elif word.endswith("es") or word.endswith("s"):
        candidates += [word[:-1], word[:-2]]
    return next((c for c in candidates if c in verbs), None)


def duty_statements(ad: AdContext) -> list[int]:
    """Where the ad says what the person will do, in words the task list may not know.

    Two kinds: a sentence such as "you will build ...", "the analyst will present ...", and
    a line or bullet that starts with a work verb ("- Deploy and operate our models",
    "Creates cash flow models"). Work verbs are those of the task list (``data/tasks.jsonl``)
    less a few that say nothing about the work ("work", "join", "apply"). A line in a
    nice-to-have section is a wish, not a duty. Returns the starts of the verbs.

    Example:
        >>> from jdanalyzer.extraction.extract import extract
        >>> from jdanalyzer.text.sections import split_sections
        >>> found = extract("You will build reports. You will need SQL.\\n- Clean the data.")
        >>> ad = AdContext("ad", "", found.text, tuple(split_sections(found.text)), found)
        >>> [found.text[i:i + 5] for i in duty_statements(ad)]
        ['build', 'Clean']
    """
    sections = list(ad.sections)
    starts = [m.start(1) for m in _DUTY_LEAD.finditer(ad.text) if _verb_form(m.group(1))]
    starts += [m.start(1) for m in _LINE_VERB.finditer(ad.text)
               if m.group(1)[0].isupper() and _verb_form(m.group(1))
               and not (sections and section_at(sections, m.start(1)).kind == "nice_to_have")]
    return sorted(set(starts))


def concrete_statements(ad: AdContext) -> list[int]:
    """The :func:`duty_statements` whose sentence names a skill or tool (not a soft skill).

    "- Design and validate ML models on patient data" names its object; "- Drive
    innovation across the team" does not.
    """
    skills = sorted(m.start for m in ad.extraction.skills if m.category != "soft_skill")
    ends = [m.start() for m in _SENTENCE_END.finditer(ad.text)] + [len(ad.text)]
    return [i for i in duty_statements(ad)
            if (j := bisect_left(skills, i)) < len(skills) and skills[j] < ends[bisect_left(ends, i)]]


def _asks_ability(text: str, start: int) -> bool:
    """Whether the sentence of ``start`` asks for an ability just before it ("Ability to ...")."""
    reach = max(0, start - _ABILITY_REACH)
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, reach, start)), default=reach)
    return _ABILITY.search(text, begin, start) is not None


def duty_tasks(ad: AdContext) -> list[Match]:
    """The concrete tasks that are the job's work, not abilities asked for.

    Left out: tasks a sentence asks for as an ability ("Ability to articulate technical
    concepts", "experience leading a team", "proficiency in building dashboards"): those
    are requirements. Sections are not read: a duties list whose heading is missed runs on
    in the section before it, the company blurb or even the offer.
    """
    return [m for m in ad.extraction.tasks if not _asks_ability(ad.text, m.start)]


def count_duties(tasks: Iterable[Match]) -> int:
    """How many duties ``tasks`` name: tasks that overlap in the text are one duty.

    "statistical analysis of market research results" reads as two tasks (statistical
    analysis; analysing results) but names one duty.
    """
    count, end = 0, -1
    for m in sorted(tasks, key=lambda m: m.start):
        if m.start >= end:
            count += 1
        end = max(end, m.end)
    return count


def describes_duties(ad: AdContext) -> bool:
    """A responsibilities section, two concrete tasks or two sentences saying what one will do.

    The tasks are those of :func:`duty_tasks`; the sentences and lines those of
    :func:`duty_statements` ("you will build a weekly report", "- Deploy and operate ...").
    A responsibilities heading counts even where the section splitter cannot see it, as in
    scraped text that runs it into the next sentence ("ResponsibilitiesDesign models").
    """
    if ad.has_section("responsibilities") or _DUTIES_HEADING.search(ad.text):
        return True
    return count_duties(duty_tasks(ad)) >= MIN_TASKS or len(duty_statements(ad)) >= MIN_TASKS


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
    in the company blurb or the offer (:data:`NOT_REQUIRED_KINDS`). A bullet line in the
    company blurb counts: a blurb is prose, and bullets under it are a duties or
    requirements list whose heading the section splitter missed ("What you'll own").
    """
    matches = list(matches)
    optional, sections = optional_starts(ad, matches), list(ad.sections)
    bullets = _bullet_starts(ad.text, matches)
    return [m for m in matches if m.start not in optional
            and ((kind := section_at(sections, m.start).kind) not in NOT_REQUIRED_KINDS
                 or (kind == "company" and m.start in bullets))]


def _bullet_starts(text: str, matches: Iterable[Match]) -> set[int]:
    """Starts of ``matches`` on bullet lines ("- Fine-tune open models", "* SQL")."""
    lines = [(m.start(), m.end()) for m in _BULLET_LINE.finditer(text)]
    starts = [start for start, _ in lines]
    return {m.start for m in matches
            if (i := bisect_right(starts, m.start) - 1) >= 0 and m.start < lines[i][1]}


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
