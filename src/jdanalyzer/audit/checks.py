"""The audit's rules about content: role clarity, requirement inflation, missing essentials.

Each rule is a function of an :class:`~jdanalyzer.audit.rules.AdContext` (the normalized ad
with its sections, skills and the content-only classification) that yields
:class:`~jdanalyzer.audit.findings.Finding` objects, registered in
:data:`~jdanalyzer.audit.rules.RULES` by ``@rule``. Wording rules (phrases, gender coding,
readability) are in :mod:`jdanalyzer.audit.wording`.

Example:
    >>> from jdanalyzer.extraction.extract import extract
    >>> from jdanalyzer.text.sections import split_sections
    >>> found = extract("Responsibilities\\n- Build forecasting models.\\n- Analyze data.")
    >>> ad = AdContext("ad", "Data Scientist", found.text, tuple(split_sections(found.text)),
    ...                found)
    >>> [f.rule for f in no_salary(ad)], [f.rule for f in no_responsibilities(ad)]
    (['no-salary'], [])
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files

from jdanalyzer.audit.essentials import (
    MIN_TASKS,
    concrete_statements,
    count_duties,
    describes_duties,
    duty_tasks,
    optional_starts,
    required,
    states_pay,
    vague_pay,
)
from jdanalyzer.audit.findings import Finding, make_spans
from jdanalyzer.audit.norms import counted_skills
from jdanalyzer.audit.places import states_location
from jdanalyzer.audit.rules import AdContext, rule
from jdanalyzer.audit.wording import phrase_findings
from jdanalyzer.model.titles import title_family, title_mismatch
from jdanalyzer.text.sections import section_at
from jdanalyzer.types import Match, Prediction

__all__ = [
    "AdText",
    "missing_essentials",
    "no_location",
    "no_nice_to_have_split",
    "no_responsibilities",
    "no_salary",
    "requirement_inflation",
    "requirements_split",
    "role_clarity",
    "role_mismatch",
    "title_family",
    "too_many_skills",
    "unicorn_ad",
    "vague_duties",
    "years_for_young_tech",
    "young_tech_years",
]

_UNICORN_SIDE_TERMS = 5
#: A ``hybrid`` label makes a unicorn only when the required parts name this many of each side.
_UNICORN_HYBRID_TERMS = 3
#: Terms that do not tell one role from the other: every data job names a language, and a
#: discipline's name ("data science roles", "ML engineering mindset") is no skill asked for.
_UNICORN_NOT_ROLE_TERMS = frozenset({"data_science", "ml_engineering", "software_engineering"})
#: Below this probability of the ``hybrid`` label the role model all but rules out that both
#: roles are core to the job, whatever terms of the other side the ad names.
_UNICORN_MIN_HYBRID = 0.1
_YEARS = re.compile(
    r"(?:at least |minimum (?:of )?|min\.? )?\b(\d{1,2}|one|two|three|four|five|six|seven|eight|"
    r"nine|ten)\s*\+?\s*(?:(?:-|–|to)\s*\d{1,2}\s*\+?\s*)?(?:years?|yrs?)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10}

#: The name this class had before the rules took one shape; kept for callers.
AdText = AdContext


def _evidence_ranges(prediction: Prediction, label: str, limit: int = 6) -> list[tuple[int, int]]:
    terms = sorted((e for e in prediction.evidence_for(label) if e.spans), key=lambda e: -e.weight)
    return [span for e in terms[:limit] for span in e.spans[:2]]


def _side_terms(ad: AdContext, side: str) -> list[Match]:
    """The first mention of each skill and task of ``side`` in the parts the job requires.

    Soft skills, programming languages and the names of disciplines are left out: they do
    not say which of the two roles the job is.
    """
    first: dict[str, Match] = {}
    for m in required(ad, ad.extraction.matches):
        if m.side == side and m.category not in ("soft_skill", "language") \
                and m.id not in _UNICORN_NOT_ROLE_TERMS:
            first.setdefault(m.id, m)
    return list(first.values())


@rule("role-mismatch", severity="high", also=("medium", "low"),
      summary="The title names one role; the duties and skills confidently read as another.")
def role_mismatch(ad: AdContext) -> Iterator[Finding]:
    """The role the title advertises against the role the text describes.

    The role model labels the text alone, without the title, and only a confident label
    counts: at least 70% likely and not low confidence. The title is read for its family:
    data science ("data scientist", "statistician"), AI engineering ("ML engineer", "LLM
    developer", "prompt engineer" ...), analyst ("data analyst", "BI analyst",
    "analytics"), another scientist ("research scientist", "applied scientist", "ML
    scientist": these span research, modelling and engineering, so they never mismatch) or
    another engineer. **high** when the title names one of the two roles and the text reads
    as the other, **medium** when an analyst title is over AI-engineering work, **low** when
    the title names one of the two roles and the text reads as neither. An analyst title
    over data-science or other work is no mismatch. ``classify --title`` applies the same
    rule (``title_mismatch`` in its JSON). The spans of high and medium findings are the
    strongest evidence terms of the label the text got.
    """
    prediction = ad.prediction
    if prediction is None:
        return
    mismatch = title_mismatch(ad.title, prediction)
    if mismatch is None:
        return
    if mismatch.severity == "low":
        yield Finding(
            ad.ad_id, "role-mismatch", "low", mismatch.message,
            "Describe the modelling or AI work the role involves, or choose a title that "
            "names the work the ad describes.",
        )
        return
    yield Finding(
        ad.ad_id, "role-mismatch", mismatch.severity, mismatch.message,
        f"Retitle the ad for the work it describes (e.g. '{_title_for(mismatch.label)}'), or "
        "rewrite the duties if the title is right: candidates search by title.",
        make_spans(ad.text, _evidence_ranges(prediction, mismatch.label)),
    )


@rule("unicorn-ad", severity="medium",
      summary="Asks for both full roles, AI engineer and data scientist, at once.")
def unicorn_ad(ad: AdContext) -> Iterator[Finding]:
    """An ad that asks for a whole AI engineer and a whole data scientist in one person.

    Only what the job requires counts: skills and tasks outside the nice-to-have section,
    the lines that call themselves optional ("... is a plus"), the company blurb (but not
    bullet lines under it: a list whose heading went unrecognised) and the offer; an
    ML-engineer ad that lists data-science skills as nice to have is not a unicorn. Terms
    that do not tell the roles apart do not count either: soft skills, programming
    languages (Python, SQL, R ...) and the names of the disciplines ("2+ years in data
    science roles"). Flagged when those parts name at least five AI-engineering and
    five data-science terms, or when the role model labels the text ``hybrid`` and they
    name at least three of each; never when the role model all but rules out that both
    roles are core (the ``hybrid`` label under 10% likely), as when an AI-engineering ad
    names analysis words in passing ("an experimentation and evaluation loop", "regression
    suites"). The spans are the first six terms of each side.
    """
    if ad.prediction is None or ad.prediction.probabilities.get("hybrid", 0.0) < _UNICORN_MIN_HYBRID:
        return
    ai_terms, ds_terms = _side_terms(ad, "ai_engineer"), _side_terms(ad, "data_scientist")
    fewer = min(len(ai_terms), len(ds_terms))
    if fewer >= _UNICORN_SIDE_TERMS or (
            ad.prediction.label == "hybrid" and fewer >= _UNICORN_HYBRID_TERMS):
        names = lambda terms: ", ".join(m.name for m in terms[:4])  # noqa: E731
        yield Finding(
            ad.ad_id, "unicorn-ad", "medium",
            f"asks for both full roles: {len(ai_terms)} AI-engineering terms ({names(ai_terms)}) "
            f"and {len(ds_terms)} data-science terms ({names(ds_terms)}) outside the "
            "nice-to-haves",
            "Decide which role is the core of the job and move the other side to "
            "nice-to-have, or split it into two ads; few people are strong at both.",
            make_spans(ad.text, [(m.start, m.end) for m in (ai_terms[:6] + ds_terms[:6])]),
        )


def role_clarity(ad: AdContext) -> list[Finding]:
    """The role-clarity rules together: ``role-mismatch`` and ``unicorn-ad``."""
    return [*role_mismatch(ad), *unicorn_ad(ad)]


def _title_for(label: str) -> str:
    return {"ai_engineer": "AI Engineer", "data_scientist": "Data Scientist"}.get(label, label)


@lru_cache(maxsize=1)
def _young_technologies() -> tuple[tuple[str, int, re.Pattern[str]], ...]:
    data = json.loads(
        (files("jdanalyzer") / "data" / "young_technologies.json").read_text(encoding="utf-8")
    )
    return tuple(
        (t["name"], int(t["since"]), re.compile(t["pattern"], re.IGNORECASE))
        for t in data["technologies"]
    )


@rule("years-for-young-tech", severity="high", also=("medium",),
      summary="Asks for more years of a technology than practitioners can have.")
def years_for_young_tech(ad: AdContext) -> Iterator[Finding]:
    """Asking "5+ years of LLM experience" of tools that are only a few years old.

    A number of years is read with the clause that follows it up to the next ``.`` or
    ``;`` ("6+ years of Python; LLMs are a plus" asks nothing of LLMs). When the clause names
    a technology of ``data/young_technologies.json``, the years asked are set against the
    years the youngest one named has been available, up to the reference year (this year
    unless the audit is given another): **medium** when they reach its age less one,
    **high** when they reach or pass its whole age.
    """
    for line_start, line in _lines(ad.text):
        for m in _YEARS.finditer(line):
            asked = m.group(1).lower()
            years = _NUMBER_WORDS[asked] if asked in _NUMBER_WORDS else int(asked)
            clause = line[m.end():]
            clause = clause[: re.search(r"[.;]\s|$", clause).start()][:90]  # type: ignore[union-attr]
            found = [(since, name, tech) for name, since, pattern in _young_technologies()
                     if (tech := pattern.search(clause)) is not None]
            if not found:
                continue
            since, name, _ = max(found, key=lambda f: f[0])  # the youngest one named
            available = ad.year - since
            if years < available - 1:
                continue
            start = line_start + m.end()
            named = ", ".join(n for _, n, _ in sorted(found, key=lambda f: f[2].start()))
            yield Finding(
                ad.ad_id, "years-for-young-tech", "high" if years >= available else "medium",
                f"asks for {m.group(0).strip()} with {named}; practitioners have had {name} "
                f"only since about {since} ({available} years)",
                f"Ask for hands-on experience with {name} (e.g. 'shipped one LLM feature to "
                "production') rather than a number of years few people can have.",
                make_spans(ad.text, [(line_start + m.start(), line_start + m.end())] + [
                    (start + t.start(), start + t.end()) for _, _, t in found]),
            )


def young_tech_years(ad: AdContext, *, year: int | None = None) -> list[Finding]:
    """The ``years-for-young-tech`` findings, with ``year`` as the reference year if given."""
    return list(years_for_young_tech(replace(ad, year=year) if year else ad))


def _lines(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


@dataclass(frozen=True)
class _Demand:
    """The skills and tools an ad asks for: all of them (no soft skills), by id, optional ones."""

    skills: list[Match]
    asked: set[str]
    nice: set[str]

    @property
    def required(self) -> set[str]:
        return self.asked - self.nice


def _demand(ad: AdContext) -> _Demand:
    skills = [m for m in ad.extraction.skills if m.category != "soft_skill"]
    nice_starts = optional_starts(ad, skills)
    nice = {m.id for m in ad.in_sections(tuple(skills), "nice_to_have")} | {
        m.id for m in skills if m.start in nice_starts}
    return _Demand(skills, counted_skills(skills), nice)


@rule("too-many-skills", severity="medium", also=("high",),
      summary="Asks for more distinct skills and tools than 9 in 10 ads do.")
def too_many_skills(ad: AdContext) -> Iterator[Finding]:
    """A required-skills list longer than the corpus's 90th percentile.

    Counts the distinct skills and tools the ad requires: soft skills are left out, and so
    are those in a nice-to-have section or on a line that calls itself optional ("... is a
    plus", "preferred", "bonus"). **medium** above the 90th percentile of
    ``data/audit_norms.json``, **high** above 1.5 times it. The spans are the first mention
    of each required skill.
    """
    demand, norms = _demand(ad), ad.norms["distinct_skills"]
    required = demand.required
    if len(required) <= norms["p90"]:
        return
    first: dict[str, Match] = {}
    for m in demand.skills:
        if m.id in required:
            first.setdefault(m.id, m)
    severity = "high" if len(required) > 1.5 * norms["p90"] else "medium"
    typical = f"typical ads ask for {norms['p25']:.0f}-{norms['p75']:.0f}"
    yield Finding(
        ad.ad_id, "too-many-skills", severity,
        f"asks for {len(required)} distinct skills and tools"
        f"{' as required' if demand.nice else ''} ({typical}; 9 in 10 ask for at most "
        f"{norms['p90']:.0f})",
        "Keep the few skills the job needs from day one as required and move the rest "
        "to nice-to-have; long lists put off qualified applicants who miss one item.",
        make_spans(ad.text, [(m.start, m.end) for m in first.values()]),
    )


@rule("requirements-split", severity="info",
      summary="Says which skills are required and which are nice to have (good practice).")
def requirements_split(ad: AdContext) -> Iterator[Finding]:
    """A note, not a fault: the ad marks some skills as nice-to-have.

    Reported when at least one skill or tool sits in a nice-to-have section or on a line
    that calls itself optional; the message gives how many of the skills named are optional.
    """
    demand = _demand(ad)
    if demand.nice:
        yield Finding(
            ad.ad_id, "requirements-split", "info",
            f"separates required from nice-to-have: of {len(demand.asked)} skills and tools "
            f"named, {len(demand.nice)} are marked nice-to-have",
            "Keep it that way: say which skills are required.",
        )


@rule("no-nice-to-have-split", severity="low",
      summary="A long skill list that does not say which skills are required.")
def no_nice_to_have_split(ad: AdContext) -> Iterator[Finding]:
    """More skills than the corpus's 75th percentile, none of them marked optional.

    Applicants cannot tell the must-haves from the wishes. Not reported when any skill is
    marked nice-to-have (see ``requirements-split``).
    """
    demand = _demand(ad)
    if not demand.nice and len(demand.asked) > ad.norms["distinct_skills"]["p75"]:
        yield Finding(
            ad.ad_id, "no-nice-to-have-split", "low",
            f"lists {len(demand.asked)} skills and tools without saying which are required and "
            "which are nice to have",
            "Split the list into 'Required' and 'Nice to have' so applicants can judge their fit.",
        )


def requirement_inflation(ad: AdContext, *, year: int | None = None) -> list[Finding]:
    """The requirement rules together: young-tech years, too many skills, required vs nice."""
    return [*young_tech_years(ad, year=year), *too_many_skills(ad), *requirements_split(ad),
            *no_nice_to_have_split(ad)]


@rule("no-responsibilities", severity="high",
      summary="Says little about what the person will do.")
def no_responsibilities(ad: AdContext) -> Iterator[Finding]:
    """No responsibilities section, and few concrete duties anywhere in the ad.

    Fewer than two concrete tasks, verb-object pairs the extraction finds ("build models",
    "deploy agents"; tasks that overlap in the text are one), and fewer than two sentences
    or lines that say what the person will do in words the task list may not know ("you
    will build a weekly report", "- Own the retraining pipeline"). Tasks a sentence asks
    for as an ability ("Ability to articulate technical concepts", "experience leading a
    team") are requirements, not duties. A responsibilities heading counts as a section
    even where scraped text runs it into the next sentence ("ResponsibilitiesDesign
    models").
    """
    if not describes_duties(ad):
        tasks = count_duties(duty_tasks(ad))
        yield Finding(
            ad.ad_id, "no-responsibilities", "high",
            "says little about what the person will do: no responsibilities section and "
            f"{tasks} concrete task{'s' if tasks != 1 else ''} found",
            "Add a 'What you will do' list of the main duties, with the share of time each takes.",
        )


def _empty_duties(ad: AdContext) -> Iterator[Finding]:
    tasks = duty_tasks(ad)
    if not ad.has_section("responsibilities") or ad.in_sections(tuple(tasks), "responsibilities") \
            or count_duties(tasks) >= MIN_TASKS:
        return
    sections = list(ad.sections)
    if any(section_at(sections, i).kind == "responsibilities" for i in concrete_statements(ad)):
        return
    duty = next(s for s in ad.sections if s.kind == "responsibilities")
    yield Finding(
        ad.ad_id, "vague-duties", "medium",
        "the responsibilities name no concrete task (building, deploying, analysing ...)",
        "Replace general statements with the concrete work: what is built, analysed or "
        "shipped, for whom, with which tools.",
        make_spans(ad.text, [(duty.start, min(duty.end, duty.start + len(duty.heading)))]),
    )


@rule("vague-duties", severity="medium",
      summary="The duties name no concrete task, or hide behind catch-all phrases.")
def vague_duties(ad: AdContext) -> Iterator[Finding]:
    """Duties a candidate cannot picture, found two ways.

    1. The ad has a responsibilities section, but no concrete task is in it and fewer than
       two are in the rest of the ad (the span is the section heading). A task is a
       verb-object pair the extraction finds, or a line or sentence of the section that
       starts with a work verb and names a skill or tool ("- Design and validate ML models
       on patient data", not "- Drive innovation across the team"). As for
       ``no-responsibilities``, tasks asked for as an ability ("Ability to articulate
       technical concepts", "Experience building neural networks") do not count: a "Key
       Responsibilities" list of experience and attitudes is vague.
    2. Catch-all phrases of ``data/ad_phrases.json`` ("other duties as assigned", "related
       duties as required", "miscellaneous tasks", "various tasks"), one finding per phrase
       family with its severity there.
    """
    yield from _empty_duties(ad)
    yield from phrase_findings(ad.ad_id, ad.text, categories=("vague_duty",))


@rule("no-salary", severity="medium", summary="Gives no salary or salary range.")
def no_salary(ad: AdContext) -> Iterator[Finding]:
    """No amount of money, currency, pay range or "per year/hour" anywhere in the ad.

    "Competitive salary" and the like do not count; they are quoted in the message and are
    the spans. Nor do figures that are not the job's pay: a number after "salary" or "pay"
    that is not money ("salary and bonus, 28 days' holiday", "401(k)"), a company's or
    market's size ("raised $40 million", "a $650 billion market") and other jobs' pay in a
    list scraped with the ad ("$95,000.00-$ 2 weeks ago").
    """
    if not states_pay(ad.text):
        vague = vague_pay(ad.text)
        yield Finding(
            ad.ad_id, "no-salary", "medium",
            "gives no salary or range" + (f" (only '{vague[0].group()}')" if vague else ""),
            "Publish the salary range: ads with pay get more applicants, and several "
            "jurisdictions require it.",
            make_spans(ad.text, [(v.start(), v.end()) for v in vague]),
        )


@rule("no-location", severity="medium",
      summary="Gives no location and no remote or office policy.")
def no_location(ad: AdContext) -> Iterator[Finding]:
    """Neither a place nor a remote, hybrid or on-site policy is given.

    A location is the ``location`` column of a CSV; a place name in the text: a country, US
    state, region, capital or major city of ``data/places.json`` ("London.", "Leeds,
    hybrid.") or a US "City, ST"; a work arrangement: "remote", "hybrid", "on-site",
    "onsite", "in office" (not "hybrid search" or "remote sensing"); or a pointer to a place:
    "based in ...", "our Berlin office", "relocation". Not a location: a form field left
    empty ("Telecommute:Contact information:", "Location:Duration:"), "commuter benefits"
    (a perk) and an organisation named "the Office of ...".
    """
    if not states_location(ad.text, ad.location):
        yield Finding(
            ad.ad_id, "no-location", "medium",
            "gives no location and no remote or office policy",
            "Say where the job is and how many days (if any) are in the office.",
        )


def missing_essentials(ad: AdContext) -> list[Finding]:
    """The missing-essentials rules together: no duties, duties without a task, pay, place.

    Catch-all duty phrases are left to :func:`jdanalyzer.audit.wording.phrase_findings`.
    """
    return [*no_responsibilities(ad), *_empty_duties(ad), *no_salary(ad), *no_location(ad)]
