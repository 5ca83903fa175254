"""The audit's rules for one ad: role clarity, requirement inflation and missing essentials.

Each rule takes an :class:`AdText` (the normalized ad with its sections, skills and the
content-only classification) and returns :class:`~jdanalyzer.audit.findings.Finding` objects.
Wording rules (phrases, gender coding, readability) are in :mod:`jdanalyzer.audit.wording`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.resources import files

from jdanalyzer.audit.findings import Finding, make_spans
from jdanalyzer.audit.norms import counted_skills, load_norms
from jdanalyzer.text.sections import Section, section_at
from jdanalyzer.types import Extraction, Match, Prediction

__all__ = [
    "AdText",
    "missing_essentials",
    "requirement_inflation",
    "role_clarity",
    "title_family",
    "young_tech_years",
]

_DS_TITLE = re.compile(r"data scien|\bscientist|\banalyst|\banalytics\b|\bstatistician",
                       re.IGNORECASE)
_AI_TITLE = re.compile(
    r"\b(?:ai|a\.i\.|ml|mlops|llm|llmops|genai|gen ai|nlp|machine learning|deep learning|"
    r"generative ai|applied ai|ai/ml|ml/ai|prompt)\b[\w\s/&,-]{0,30}?"
    r"\b(?:engineer|developer|architect)|\bllm\b|\bgenai\b|\bprompt engineer",
    re.IGNORECASE,
)
ROLE_NAMES = {"ai_engineer": "AI engineering", "data_scientist": "data science",
              "hybrid": "both AI engineering and data science", "other": "neither role"}
_UNICORN_SIDE_TERMS = 5
_NICE_LINE = re.compile(r"nice[- ]to[- ]have|\ba plus\b|\bbonus\b|\bpreferred\b|\bideally\b|"
                        r"\bdesirable\b|\bwould be great\b", re.IGNORECASE)
_YEARS = re.compile(
    r"(?:at least |minimum (?:of )?|min\.? )?\b(\d{1,2}|one|two|three|four|five|six|seven|eight|"
    r"nine|ten)\s*\+?\s*(?:(?:-|–|to)\s*\d{1,2}\s*\+?\s*)?(?:years?|yrs?)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10}
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
_LOCATION = re.compile(
    r"(?i:\bremote(?:ly)?\b|\bhybrid (?:work|working|model|setup|schedule|policy|arrangement)|"
    r"\bon-?site\b|\bin[- ]office\b|\bwork(?:ing)? from home\b|\bwfh\b|"
    r"\b(?:based|located) in\b|\boffices? in\b|\brelocat|\blocations?\s*:|"
    r"\bdays? (?:a|per) week (?:in|at)\b|\bcommut|\b(?:our|the) (?:\w+ )?(?:office|campus|hq|"
    r"headquarters)\b)|"
    # A US "City, ST" place name.
    r"\b[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?, (?:A[LKZR]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|"
    r"M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])\b",
)


@dataclass(frozen=True)
class AdText:
    """One ad ready for the rules: normalized text, sections, matches and content label."""

    ad_id: str
    title: str
    text: str
    sections: tuple[Section, ...]
    extraction: Extraction
    prediction: Prediction | None = None
    location: str = ""

    def in_sections(self, matches: tuple[Match, ...], *kinds: str) -> list[Match]:
        return [m for m in matches if section_at(list(self.sections), m.start).kind in kinds]

    def has_section(self, kind: str) -> bool:
        return any(s.kind == kind for s in self.sections)


def title_family(title: str) -> str | None:
    """The role a title advertises: ``ai_engineer``, ``data_scientist``, ``hybrid`` or None.

    Example:
        >>> title_family("Senior Data Scientist"), title_family("Machine Learning Engineer")
        ('data_scientist', 'ai_engineer')
    """
    ds, ai = bool(_DS_TITLE.search(title)), bool(_AI_TITLE.search(title))
    if ds and ai:
        return "hybrid"
    return "data_scientist" if ds else "ai_engineer" if ai else None


def _evidence_ranges(prediction: Prediction, label: str, limit: int = 6) -> list[tuple[int, int]]:
    terms = sorted((e for e in prediction.evidence_for(label) if e.spans), key=lambda e: -e.weight)
    return [span for e in terms[:limit] for span in e.spans[:2]]


def _side_terms(extraction: Extraction, side: str) -> list[Match]:
    first: dict[str, Match] = {}
    for m in extraction.matches:
        if m.side == side and m.category != "soft_skill":
            first.setdefault(m.id, m)
    return list(first.values())


def role_clarity(ad: AdText) -> list[Finding]:
    """Title against content label (``role-mismatch``) and both-roles ads (``unicorn-ad``)."""
    prediction, findings = ad.prediction, list[Finding]()
    if prediction is None:
        return findings
    label, family = prediction.label, title_family(ad.title)
    shown = f"{prediction.confidence:.0%}"
    if family in ("ai_engineer", "data_scientist") and label in ("ai_engineer", "data_scientist") \
            and label != family:
        findings.append(Finding(
            ad.ad_id, "role-mismatch", "medium" if prediction.low_confidence else "high",
            f"the title '{ad.title}' advertises {ROLE_NAMES[family]}, but the duties and skills "
            f"read as {ROLE_NAMES[label]} ({shown} by the role model)",
            f"Retitle the ad for the work it describes (e.g. '{_title_for(label)}'), or rewrite "
            "the duties if the title is right: candidates search by title.",
            make_spans(ad.text, _evidence_ranges(prediction, label)),
        ))
    elif family in ("ai_engineer", "data_scientist") and label == "other":
        findings.append(Finding(
            ad.ad_id, "role-mismatch", "low",
            f"the title '{ad.title}' advertises {ROLE_NAMES[family]}, but the text reads as "
            f"neither AI engineering nor data science ({shown} by the role model)",
            "Describe the modelling or AI work the role involves, or choose a title that "
            "matches the work (e.g. data engineer, analyst, software engineer).",
        ))
    ai_terms = _side_terms(ad.extraction, "ai_engineer")
    ds_terms = _side_terms(ad.extraction, "data_scientist")
    many = len(ai_terms) >= _UNICORN_SIDE_TERMS and len(ds_terms) >= _UNICORN_SIDE_TERMS
    if label == "hybrid" or many:
        names = lambda terms: ", ".join(m.name for m in terms[:4])  # noqa: E731
        findings.append(Finding(
            ad.ad_id, "unicorn-ad", "medium",
            f"asks for both full roles: {len(ai_terms)} AI-engineering terms ({names(ai_terms)}) "
            f"and {len(ds_terms)} data-science terms ({names(ds_terms)})",
            "Decide which role is the core of the job and move the other side to "
            "nice-to-have, or split it into two ads; few people are strong at both.",
            make_spans(ad.text, [(m.start, m.end) for m in (ai_terms[:6] + ds_terms[:6])]),
        ))
    return findings


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


def young_tech_years(ad: AdText, *, year: int | None = None) -> list[Finding]:
    """``years-for-young-tech``: "5+ years of LLM experience" for tools only a few years old.

    A demand is flagged when the years asked for reach the years the technology has been
    available, less one (``high`` when they reach or pass its whole age).
    """
    year = year or date.today().year
    findings = []
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
            available = year - since
            if years < available - 1:
                continue
            start = line_start + m.end()
            named = ", ".join(n for _, n, _ in sorted(found, key=lambda f: f[2].start()))
            findings.append(Finding(
                ad.ad_id, "years-for-young-tech", "high" if years >= available else "medium",
                f"asks for {m.group(0).strip()} with {named}; practitioners have had {name} "
                f"only since about {since} ({available} years)",
                f"Ask for hands-on experience with {name} (e.g. 'shipped one LLM feature to "
                "production') rather than a number of years few people can have.",
                make_spans(ad.text, [(line_start + m.start(), line_start + m.end())] + [
                    (start + t.start(), start + t.end()) for _, _, t in found]),
            ))
    return findings


def _lines(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


def _nice_line_skills(ad: AdText) -> set[int]:
    """Starts of skills on lines that call themselves optional ("... is a plus")."""
    starts = set()
    for line_start, line in _lines(ad.text):
        if _NICE_LINE.search(line):
            starts |= {m.start for m in ad.extraction.skills
                       if line_start <= m.start < line_start + len(line)}
    return starts


def requirement_inflation(ad: AdText, *, year: int | None = None) -> list[Finding]:
    """Too many skills (``too-many-skills``), years for young tech, required vs nice-to-have."""
    findings = young_tech_years(ad, year=year)
    norms = load_norms()["distinct_skills"]
    skills = [m for m in ad.extraction.skills if m.category != "soft_skill"]
    asked = counted_skills(skills)
    nice_starts = _nice_line_skills(ad)
    nice = {m.id for m in ad.in_sections(tuple(skills), "nice_to_have")} | {
        m.id for m in skills if m.start in nice_starts}
    separated = bool(nice)
    required = asked - nice
    typical = f"typical ads ask for {norms['p25']:.0f}-{norms['p75']:.0f}"
    if len(required) > norms["p90"]:
        first: dict[str, Match] = {}
        for m in skills:
            if m.id in required:
                first.setdefault(m.id, m)
        severity = "high" if len(required) > 1.5 * norms["p90"] else "medium"
        findings.append(Finding(
            ad.ad_id, "too-many-skills", severity,
            f"asks for {len(required)} distinct skills and tools"
            f"{' as required' if separated else ''} ({typical}; 9 in 10 ask for at most "
            f"{norms['p90']:.0f})",
            "Keep the few skills the job needs from day one as required and move the rest "
            "to nice-to-have; long lists put off qualified applicants who miss one item.",
            make_spans(ad.text, [(m.start, m.end) for m in first.values()]),
        ))
    if separated:
        findings.append(Finding(
            ad.ad_id, "requirements-split", "info",
            f"separates required from nice-to-have: of {len(asked)} skills and tools named, "
            f"{len(nice)} are marked nice-to-have",
            "Keep it that way: say which skills are required.",
        ))
    elif len(asked) > norms["p75"]:
        findings.append(Finding(
            ad.ad_id, "no-nice-to-have-split", "low",
            f"lists {len(asked)} skills and tools without saying which are required and which "
            "are nice to have",
            "Split the list into 'Required' and 'Nice to have' so applicants can judge their fit.",
        ))
    return findings


def missing_essentials(ad: AdText) -> list[Finding]:
    """No duties, no pay, no location or remote policy (``no-responsibilities`` ...)."""
    findings = []
    tasks = ad.extraction.tasks
    if not ad.has_section("responsibilities") and len(tasks) < 2:
        findings.append(Finding(
            ad.ad_id, "no-responsibilities", "high",
            "says little about what the person will do: no responsibilities section and "
            f"{len(tasks)} concrete task{'s' if len(tasks) != 1 else ''} found",
            "Add a 'What you will do' list of the main duties, with the share of time each takes.",
        ))
    elif ad.has_section("responsibilities") and not ad.in_sections(tasks, "responsibilities") \
            and len(tasks) < 2:
        duty = next(s for s in ad.sections if s.kind == "responsibilities")
        findings.append(Finding(
            ad.ad_id, "vague-duties", "medium",
            "the responsibilities name no concrete task (building, deploying, analysing ...)",
            "Replace general statements with the concrete work: what is built, analysed or "
            "shipped, for whom, with which tools.",
            make_spans(ad.text, [(duty.start, min(duty.end, duty.start + len(duty.heading)))]),
        ))
    if not _SALARY.search(ad.text):
        vague = list(_VAGUE_PAY.finditer(ad.text))
        findings.append(Finding(
            ad.ad_id, "no-salary", "medium",
            "gives no salary or range" + (f" (only '{vague[0].group()}')" if vague else ""),
            "Publish the salary range: ads with pay get more applicants, and several "
            "jurisdictions require it.",
            make_spans(ad.text, [(v.start(), v.end()) for v in vague]),
        ))
    if not ad.location.strip() and not _LOCATION.search(ad.text):
        findings.append(Finding(
            ad.ad_id, "no-location", "medium",
            "gives no location and no remote or office policy",
            "Say where the job is and how many days (if any) are in the office.",
        ))
    return findings
