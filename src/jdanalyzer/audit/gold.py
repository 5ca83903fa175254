"""Scoring the audit against findings a careful reviewer expects (``tests/data/audit_gold``).

A gold finding is an (ad, rule) pair at severity ``medium`` or ``high``; so is a finding the
audit raises at those severities. Precision and recall count pairs, per rule and over all
rules (micro-averaged); a pair found at the other of the two severities still counts, and
the severity agreement is reported beside.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jdanalyzer.audit.findings import Finding

__all__ = ["GoldFinding", "RuleScore", "Scores", "load_expected", "score_findings"]

#: The severities the gold lists and the scores count.
SCORED = ("high", "medium")


@dataclass(frozen=True)
class GoldFinding:
    """One finding a reviewer expects: the ad, the rule and its severity."""

    ad: str
    rule: str
    severity: str


@dataclass
class RuleScore:
    """True positives, false positives and false negatives of one rule, with the pairs."""

    rule: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    same_severity: int = 0
    false_alarms: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Scores:
    """Per-rule scores and their micro average."""

    rules: dict[str, RuleScore]

    def _total(self, attr: str) -> int:
        return sum(getattr(score, attr) for score in self.rules.values())

    @property
    def precision(self) -> float:
        tp, fp = self._total("tp"), self._total("fp")
        return tp / (tp + fp) if tp + fp else 1.0

    @property
    def recall(self) -> float:
        tp, fn = self._total("tp"), self._total("fn")
        return tp / (tp + fn) if tp + fn else 1.0

    @property
    def severity_agreement(self) -> float:
        tp = self._total("tp")
        return self._total("same_severity") / tp if tp else 1.0


def load_expected(path: str | Path, *, ad_column: str = "ad") -> tuple[set[str], list[GoldFinding]]:
    """The ads a gold CSV covers and the medium and high findings it expects.

    Rows have ``<ad_column>,rule,severity``; an ad with nothing to find has one row with
    rule ``none``.
    """
    ads: set[str] = set()
    expected = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            ad = row[ad_column].strip()
            ads.add(ad)
            if row["rule"].strip() != "none" and row["severity"].strip() in SCORED:
                expected.append(GoldFinding(ad, row["rule"].strip(), row["severity"].strip()))
    return ads, expected


def score_findings(
    found: Iterable[tuple[str, Finding]], expected: Iterable[GoldFinding], ads: set[str]
) -> Scores:
    """Score the audit's ``found`` (ad key, finding) pairs on ``ads`` against ``expected``.

    Findings on ads outside ``ads``, company-level findings and those below ``medium`` are
    not scored.
    """
    gold = {(g.ad, g.rule): g.severity for g in expected}
    raised: dict[tuple[str, str], str] = {}
    for ad, finding in found:
        if ad in ads and finding.ad_id and finding.severity in SCORED:
            key = (ad, finding.rule)
            if raised.get(key) != "high":  # the most serious finding of a rule on an ad
                raised[key] = finding.severity
    rules: dict[str, RuleScore] = {}
    for key in sorted(set(gold) | set(raised)):
        ad, rule = key
        score = rules.setdefault(rule, RuleScore(rule))
        if key in gold and key in raised:
            score.tp += 1
            score.same_severity += gold[key] == raised[key]
        elif key in raised:
            score.fp += 1
            score.false_alarms.append(ad)
        else:
            score.fn += 1
            score.misses.append(ad)
    return Scores(dict(sorted(rules.items())))
