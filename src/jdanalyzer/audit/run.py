"""Audit a company's own job ads: findings per ad, ready for a report or a findings file.

Example:
    >>> from jdanalyzer.audit.run import audit
    >>> result = audit("tests/data/audit_ads", company="Brightloom")  # doctest: +SKIP
    >>> result.severity_counts()  # doctest: +SKIP
    {'high': 6, 'medium': 10, 'low': 8, 'info': 10}

The rules (ids in ``Finding.rule``) are listed in :data:`jdanalyzer.audit.rules.RULES`
(``jdanalyzer audit --list-rules``, ``docs/audit-rules.md``); ``select`` and ``ignore``
choose which of them run.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jdanalyzer.audit.ads import Ad, AdProblem, read_ads
from jdanalyzer.audit.findings import SEVERITIES, Finding, Span, make_spans, write_findings
from jdanalyzer.audit.gender import GenderCoding
from jdanalyzer.audit.readability import Readability
from jdanalyzer.audit.rules import RULES, AdContext, CompanyContext
from jdanalyzer.audit.shared_text import SharedPassage
from jdanalyzer.errors import InputError
from jdanalyzer.extraction.extract import prepare_text
from jdanalyzer.model.predict import RoleModel, load_model
from jdanalyzer.text.sections import Section, split_sections
from jdanalyzer.types import LABEL_TITLES, SIDES, Match

__all__ = [
    "AdAudit", "AuditResult", "Finding", "Span", "audit", "audit_ads", "write_findings",
]
#: How an ad too short to label is counted and shown.
TOO_SHORT = "too short to tell"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdAudit:
    """The audit of one ad: its normalized text, content label, figures and findings."""

    ad_id: str
    title: str
    source: str
    text: str
    #: The content label, or None when the ad is too short to tell.
    label: str | None
    probabilities: dict[str, float]
    low_confidence: bool
    findings: tuple[Finding, ...]
    readability: Readability
    gender: GenderCoding
    skills: tuple[Match, ...]
    tasks: tuple[Match, ...]
    sections: tuple[Section, ...]
    warnings: tuple[str, ...] = ()
    #: The stretches of text the ad shares with the company's other ads (the template).
    shared: tuple[Span, ...] = ()

    def severity_counts(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        return {s: counts.get(s, 0) for s in SEVERITIES}

    @property
    def summary(self) -> str:
        """One line an HR lead can paste into a ticket: the ad, what it reads as, what to fix.

        ``"ml-engineer (ML Engineer): reads as AI engineer (91%). 1 high: years-for-young-tech;
        2 medium: no-salary, jargon; 1 low."``
        """
        head = self.ad_id + (f" ({self.title})" if self.title and self.title != self.ad_id else "")
        if self.label is None:
            reads = "too short to tell the role"
        else:
            name, p = LABEL_TITLES.get(self.label, self.label), self.probabilities[self.label]
            reads = f"reads as {name} ({p:.0%})"
        parts = []
        for severity in SEVERITIES:
            rules = list(dict.fromkeys(f.rule for f in self.findings if f.severity == severity))
            if not rules:
                continue
            n = sum(f.severity == severity for f in self.findings)
            parts.append(f"{n} {severity}: {', '.join(rules)}" if severity in ("high", "medium")
                         else f"{n} {severity}")
        return f"{head}: {reads}. " + ("; ".join(parts) if parts else "no findings") + "."

    def to_dict(self) -> dict[str, Any]:
        return {
            "ad_id": self.ad_id,
            "title": self.title,
            "source": self.source,
            "summary": self.summary,
            "label": self.label,
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "low_confidence": self.low_confidence,
            "findings": [f.to_dict() for f in self.findings],
            "readability": self.readability.to_dict(),
            "gender": self.gender.to_dict(),
            "skills": sorted({m.name for m in self.skills}),
            "sections": [{"kind": s.kind, "heading": s.heading} for s in self.sections],
            "warnings": list(self.warnings),
            "shared": [s.to_dict() for s in self.shared],
            "text": self.text,
        }


@dataclass(frozen=True)
class AuditResult:
    """The audit of all ads of one company, with the ads that could not be audited.

    ``rules`` are the ids of the rules that ran. ``company_findings`` are about the ads
    together (the shared template), not about one ad; their ``ad_id`` is empty.
    """

    company: str
    ads: tuple[AdAudit, ...]
    problems: tuple[AdProblem, ...] = ()
    warnings: tuple[str, ...] = ()
    shared_passages: tuple[SharedPassage, ...] = ()
    rules: tuple[str, ...] = ()
    company_findings: tuple[Finding, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding: those of each ad in turn, then those about the company."""
        return tuple(f for ad in self.ads for f in ad.findings) + self.company_findings

    def severity_counts(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        return {s: counts.get(s, 0) for s in SEVERITIES}

    def at_or_above(self, severity: str) -> tuple[Finding, ...]:
        """The findings of ``severity`` or more serious (``"medium"``: high and medium ones).

        Raises:
            ValueError: ``severity`` is not one of :data:`SEVERITIES`.
        """
        rank = SEVERITIES.index(severity)
        return tuple(f for f in self.findings if SEVERITIES.index(f.severity) <= rank)

    def role_mix(self) -> dict[str, int]:
        """How many ads the role model puts in each label (from content, not title)."""
        return dict(Counter(ad.label or TOO_SHORT for ad in self.ads).most_common())

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
            "rules": list(self.rules),
            "company_findings": [f.to_dict() for f in self.company_findings],
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
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
) -> AuditResult:
    """Run the rules on ``ads`` (one company's) and collect the findings.

    ``select`` names the rules to run (default: all of them), ``ignore`` rules to leave
    out; see :data:`jdanalyzer.audit.rules.RULES`. Ads whose text is empty once markup is
    removed are listed as problems, not audited. ``year`` is the reference year for the
    young-technology rule (default: this year).

    Raises:
        InputError: ``select`` or ``ignore`` names a rule that does not exist.
        ModelError: the role model cannot be loaded.
    """

    rules = RULES.select(select=select, ignore=ignore)
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
    year = year or date.today().year
    contexts = tuple(
        AdContext(ad.id, ad.title, p.text, tuple(split_sections(p.text)), p.extraction, p,
                  ad.location, year)
        for ad, p in zip(usable, predictions, strict=True)
    )
    findings: list[list[Finding]] = [
        [f for r in rules if r.scope == "ad" for f in r.check(ctx)] for ctx in contexts
    ]
    everyone = CompanyContext(company, contexts)
    position: dict[str, int] = {}
    for i, ctx in enumerate(contexts):
        position.setdefault(ctx.ad_id, i)
    about_company: list[Finding] = []
    for company_rule in (r for r in rules if r.scope == "company"):
        for finding in company_rule.check(everyone):
            if finding.ad_id in position:
                findings[position[finding.ad_id]].append(finding)
            else:
                about_company.append(finding)
    template = everyone.boilerplate
    audits = [
        AdAudit(
            ad_id=ad.id, title=ad.title, source=ad.source, text=p.text, label=p.label,
            probabilities=dict(p.probabilities), low_confidence=p.low_confidence,
            findings=_sorted(found), readability=ctx.readability, gender=ctx.gender,
            skills=p.skills, tasks=p.tasks, sections=ctx.sections, warnings=p.warnings,
            shared=make_spans(p.text, template.ranges.get(ad.id, ())),
        )
        for ad, p, ctx, found in zip(usable, predictions, contexts, findings, strict=True)
    ]
    log.info("audited %d ads of %s with %d rules (%d problems)", len(audits), company,
             len(rules), len(problems))
    return AuditResult(company, tuple(audits), tuple(problems), tuple(warnings),
                       template.passages, tuple(r.id for r in rules), _sorted(about_company))


def audit(
    source: str | Path, *, company: str, model: RoleModel | None = None, year: int | None = None,
    text_column: str | None = None, title_column: str | None = None,
    select: Sequence[str] | None = None, ignore: Sequence[str] = (),
) -> AuditResult:
    """Read the ads at ``source`` (CSV, folder or file) and audit them.

    ``select`` and ``ignore`` choose the rules, as in :func:`audit_ads`.

    Raises:
        InputError: nothing at ``source`` can be audited (see :func:`jdanalyzer.audit.ads.read_ads`),
            or an unknown rule id.
    """
    RULES.select(select=select, ignore=ignore)  # bad rule ids fail before reading any ad
    batch = read_ads(source, text_column=text_column, title_column=title_column)
    result = audit_ads(batch.ads, company=company, model=model, year=year,
                       problems=batch.problems, warnings=batch.warnings,
                       select=select, ignore=ignore)
    if not result.ads:
        details = "; ".join(f"{p.source}: {p.message}" for p in result.problems) or "no rows"
        raise InputError(f"no ad in {source} could be audited ({details})")
    return result
