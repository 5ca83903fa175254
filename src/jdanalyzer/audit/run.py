"""Audit a company's own job ads: findings per ad, ready for a report or a findings file.

Example:
    >>> from jdanalyzer.audit.run import audit
    >>> result = audit("tests/data/audit_ads", company="Brightloom")  # doctest: +SKIP
    >>> result.severity_counts()  # doctest: +SKIP
    {'high': 6, 'medium': 10, 'low': 8, 'info': 10}

Rules (ids in ``Finding.rule``): ``role-mismatch``, ``unicorn-ad`` (role clarity);
``too-many-skills``, ``years-for-young-tech``, ``requirements-split``,
``no-nice-to-have-split`` (requirement inflation); ``no-responsibilities``,
``vague-duties``, ``no-salary``, ``no-location`` (missing essentials); ``gender-coded``;
``hard-to-read``, ``unusual-length``; ``jargon``, ``exclusionary-language``; ``boilerplate``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jdanalyzer.audit.ads import Ad, AdProblem, read_ads
from jdanalyzer.audit.boilerplate import SharedPassage, boilerplate_finding, find_boilerplate
from jdanalyzer.audit.checks import AdText, missing_essentials, requirement_inflation, role_clarity
from jdanalyzer.audit.findings import SEVERITIES, Finding, Span, write_findings
from jdanalyzer.audit.gender import GenderCoding, gender_coding
from jdanalyzer.audit.readability import Readability, readability
from jdanalyzer.audit.wording import gender_finding, length_and_readability, phrase_findings
from jdanalyzer.errors import InputError
from jdanalyzer.extraction.extract import prepare_text
from jdanalyzer.text.sections import Section, split_sections
from jdanalyzer.types import SIDES, Match

if TYPE_CHECKING:
    from jdanalyzer.model.predict import RoleModel

__all__ = [
    "AdAudit", "AuditResult", "Finding", "Span", "audit", "audit_ads", "write_findings",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdAudit:
    """The audit of one ad: its normalized text, content label, figures and findings."""

    ad_id: str
    title: str
    source: str
    text: str
    label: str
    probabilities: dict[str, float]
    low_confidence: bool
    findings: tuple[Finding, ...]
    readability: Readability
    gender: GenderCoding
    skills: tuple[Match, ...]
    tasks: tuple[Match, ...]
    sections: tuple[Section, ...]
    warnings: tuple[str, ...] = ()

    def severity_counts(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        return {s: counts.get(s, 0) for s in SEVERITIES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "ad_id": self.ad_id,
            "title": self.title,
            "source": self.source,
            "label": self.label,
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "low_confidence": self.low_confidence,
            "findings": [f.to_dict() for f in self.findings],
            "readability": self.readability.to_dict(),
            "gender": self.gender.to_dict(),
            "skills": sorted({m.name for m in self.skills}),
            "sections": [{"kind": s.kind, "heading": s.heading} for s in self.sections],
            "warnings": list(self.warnings),
            "text": self.text,
        }


@dataclass(frozen=True)
class AuditResult:
    """The audit of all ads of one company, with the ads that could not be audited."""

    company: str
    ads: tuple[AdAudit, ...]
    problems: tuple[AdProblem, ...] = ()
    warnings: tuple[str, ...] = ()
    shared_passages: tuple[SharedPassage, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for ad in self.ads for f in ad.findings)

    def severity_counts(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        return {s: counts.get(s, 0) for s in SEVERITIES}

    def role_mix(self) -> dict[str, int]:
        """How many ads the role model puts in each label (from content, not title)."""
        return dict(Counter(ad.label for ad in self.ads).most_common())

    def top_skills(self, side: str, n: int = 8) -> list[tuple[str, int]]:
        """The ``n`` skills of ``side`` named by the most ads, with the number of ads."""
        counts: Counter[str] = Counter()
        for ad in self.ads:
            counts.update({m.name for m in ad.skills if m.side == side})
        return counts.most_common(n)

    def to_dict(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "severity_counts": self.severity_counts(),
            "role_mix": self.role_mix(),
            "top_skills": {side: self.top_skills(side) for side in SIDES},
            "ads": [ad.to_dict() for ad in self.ads],
            "problems": [p.to_dict() for p in self.problems],
            "warnings": list(self.warnings),
            "shared_passages": [p.to_dict() for p in self.shared_passages],
        }


def _sorted(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.rule)))


def audit_ads(
    ads: Sequence[Ad],
    *,
    company: str,
    model: RoleModel | None = None,
    year: int | None = None,
    problems: Sequence[AdProblem] = (),
    warnings: Sequence[str] = (),
) -> AuditResult:
    """Run every check on ``ads`` (one company's) and collect the findings.

    Ads whose text is empty once markup is removed are listed as problems, not audited.
    ``year`` is the reference year for the young-technology check (default: this year).

    Raises:
        ModelError: the role model cannot be loaded.
    """
    from jdanalyzer.model.predict import load_model

    problems = list(problems)
    usable = []
    for ad in ads:
        if prepare_text(ad.text)[0].strip():
            usable.append(ad)
        else:
            problems.append(
                AdProblem(ad.id, ad.source, "not audited: no text once markup is removed")
            )
    model = model or load_model()
    predictions = model.classify_many([ad.text for ad in usable]) if usable else []
    shared = find_boilerplate({ad.id: p.text for ad, p in zip(usable, predictions, strict=True)})
    audits = []
    for ad, prediction in zip(usable, predictions, strict=True):
        text = prediction.text
        sections = tuple(split_sections(text))
        ad_text = AdText(ad.id, ad.title, text, sections, prediction.extraction, prediction,
                         ad.location)
        figures = readability(text)
        coding = gender_coding(text, list(sections))
        findings = role_clarity(ad_text) + requirement_inflation(ad_text, year=year)
        findings += missing_essentials(ad_text) + phrase_findings(ad.id, text)
        findings += length_and_readability(ad.id, figures)
        findings += [f for f in (gender_finding(ad.id, text, coding),
                                 boilerplate_finding(ad.id, text, shared)) if f is not None]
        audits.append(AdAudit(
            ad_id=ad.id, title=ad.title, source=ad.source, text=text, label=prediction.label,
            probabilities=dict(prediction.probabilities),
            low_confidence=prediction.low_confidence, findings=_sorted(findings),
            readability=figures, gender=coding, skills=prediction.skills,
            tasks=prediction.tasks, sections=sections, warnings=prediction.warnings,
        ))
    log.info("audited %d ads of %s (%d problems)", len(audits), company, len(problems))
    return AuditResult(company, tuple(audits), tuple(problems), tuple(warnings), shared.passages)


def audit(
    source: str | Path, *, company: str, model: RoleModel | None = None, year: int | None = None,
    text_column: str | None = None, title_column: str | None = None,
) -> AuditResult:
    """Read the ads at ``source`` (CSV, folder or file) and audit them.

    Raises:
        InputError: nothing at ``source`` can be audited (see :func:`jdanalyzer.audit.ads.read_ads`).
    """
    batch = read_ads(source, text_column=text_column, title_column=title_column)
    result = audit_ads(batch.ads, company=company, model=model, year=year,
                       problems=batch.problems, warnings=batch.warnings)
    if not result.ads:
        details = "; ".join(f"{p.source}: {p.message}" for p in result.problems) or "no rows"
        raise InputError(f"no ad in {source} could be audited ({details})")
    return result
