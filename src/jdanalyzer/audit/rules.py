"""The audit's rules in one shape, and the registry that lists them all.

A rule is a function of one ad (an :class:`AdContext`, scope ``ad``) or of all the ads of a
company (a :class:`CompanyContext`, scope ``company``) that yields
:class:`~jdanalyzer.audit.findings.Finding` objects. ``@rule`` registers it in :data:`RULES`
with its id, the severity it reports, a one-line summary and its docstring as the doc.

The rules are defined next to the logic they use: :mod:`jdanalyzer.audit.checks` (role
clarity, requirements, missing essentials), :mod:`jdanalyzer.audit.wording` (phrases,
gender coding, length and readability) and :mod:`jdanalyzer.audit.boilerplate` (text shared
between ads). :data:`RULES` lists them in that order whatever was imported first;
``jdanalyzer audit --list-rules`` and ``docs/audit-rules.md`` (``scripts/audit_rules.py``)
are made from it.

Example:
    >>> RULES["no-salary"].severity, RULES["boilerplate"].scope
    ('medium', 'company')
    >>> [r.id for r in RULES.select(select=["jargon", "no-salary"])]
    ['no-salary', 'jargon']
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from importlib import import_module
from typing import Any, TypeVar

from jdanalyzer.audit.findings import SEVERITIES, Finding
from jdanalyzer.audit.gender import GenderCoding, gender_coding
from jdanalyzer.audit.norms import load_norms
from jdanalyzer.audit.readability import Readability
from jdanalyzer.audit.readability import readability as measure_readability
from jdanalyzer.audit.shared_text import Boilerplate, find_boilerplate
from jdanalyzer.errors import InputError
from jdanalyzer.text.sections import Section, section_at
from jdanalyzer.types import Extraction, Match, Prediction

__all__ = [
    "RULES", "SCOPES", "AdContext", "CompanyContext", "Rule", "RuleRegistry", "parse_rule_ids",
    "rule",
]

#: ``ad``: the rule reads one ad at a time. ``company``: it reads all the ads of the company.
SCOPES = ("ad", "company")
#: The modules that define rules, in the order :data:`RULES` lists them.
RULE_MODULES = ("jdanalyzer.audit.checks", "jdanalyzer.audit.wording",
                "jdanalyzer.audit.boilerplate")

C = TypeVar("C", bound=Callable[..., Iterable[Finding]])


def _this_year() -> int:
    return date.today().year


@dataclass(frozen=True)
class AdContext:
    """One ad ready for the rules: normalized text, sections, matches and content label.

    ``year`` is the reference year of the young-technology rule, ``norms`` the corpus figures
    (``data/audit_norms.json``). ``readability`` and ``gender`` are worked out on first use.
    Make a changed copy with :func:`dataclasses.replace`.
    """

    ad_id: str
    title: str
    text: str
    sections: tuple[Section, ...]
    extraction: Extraction
    prediction: Prediction | None = None
    location: str = ""
    year: int = field(default_factory=_this_year)
    norms: Mapping[str, Any] = field(default_factory=load_norms, repr=False, compare=False)

    def in_sections(self, matches: tuple[Match, ...], *kinds: str) -> list[Match]:
        return [m for m in matches if section_at(list(self.sections), m.start).kind in kinds]

    def has_section(self, kind: str) -> bool:
        return any(s.kind == kind for s in self.sections)

    @cached_property
    def readability(self) -> Readability:
        return measure_readability(self.text)

    @cached_property
    def gender(self) -> GenderCoding:
        return gender_coding(self.text, list(self.sections))


@dataclass(frozen=True)
class CompanyContext:
    """All the ads of one company, for the rules that compare ads with each other."""

    company: str
    ads: tuple[AdContext, ...]

    @cached_property
    def boilerplate(self) -> Boilerplate:
        """The sentences two or more of the ads share."""
        return find_boilerplate({ad.ad_id: ad.text for ad in self.ads})


@dataclass(frozen=True)
class Rule:
    """One audit rule: its id, severities, scope, summary, doc and the function that checks.

    ``severity`` is what the rule usually reports, ``also`` the other severities it reports
    in the cases its doc names. ``check`` takes an :class:`AdContext` (scope ``ad``) or a
    :class:`CompanyContext` (scope ``company``) and yields findings with ``rule == id``.
    """

    id: str
    severity: str
    summary: str
    doc: str
    check: Callable[[Any], Iterable[Finding]] = field(repr=False, compare=False)
    scope: str = "ad"
    also: tuple[str, ...] = ()

    @property
    def severities(self) -> tuple[str, ...]:
        """Every severity the rule reports, the most serious first."""
        return tuple(s for s in SEVERITIES if s == self.severity or s in self.also)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "severities": list(self.severities),
                "scope": self.scope, "summary": self.summary, "doc": self.doc}


def parse_rule_ids(values: Iterable[str]) -> tuple[str, ...]:
    """Rule ids from repeated and comma-separated values, in order, without repeats.

    Example:
        >>> parse_rule_ids(["jargon, no-salary", "jargon", " "])
        ('jargon', 'no-salary')
    """
    ids = (part.strip() for value in values for part in value.split(","))
    return tuple(dict.fromkeys(i for i in ids if i))


class RuleRegistry(Mapping[str, Rule]):
    """The rules by id, listed by defining module (``modules``), then as defined.

    Looking anything up imports the modules first, so the registry is always complete.
    """

    def __init__(self, modules: Sequence[str] = ()) -> None:
        self._modules = tuple(modules)
        self._rules: dict[str, Rule] = {}
        self._ordered: dict[str, Rule] | None = None

    def add(self, new: Rule) -> None:
        """Register ``new``; its id must be new."""
        if new.id in self._rules:
            raise ValueError(f"two audit rules have the id {new.id!r}")
        self._rules[new.id] = new
        self._ordered = None

    def _all(self) -> dict[str, Rule]:
        for name in self._modules:
            import_module(name)  # defining a rule registers it
        if self._ordered is None:
            rank = {name: i for i, name in enumerate(self._modules)}
            self._ordered = dict(sorted(
                self._rules.items(),
                key=lambda item: rank.get(item[1].check.__module__, len(rank)),
            ))
        return self._ordered

    def __getitem__(self, rule_id: str) -> Rule:
        return self._all()[rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def check_ids(self, ids: Iterable[str], option: str = "select") -> None:
        """Raise :class:`InputError` for the first id that is not a rule (``option`` says where)."""
        known = self._all()
        for rule_id in ids:
            if rule_id not in known:
                close = difflib.get_close_matches(rule_id, list(known), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise InputError(
                    f"unknown audit rule '{rule_id}' in {option}{hint}; the rules are: "
                    f"{', '.join(known)}"
                )

    def select(self, *, select: Sequence[str] | None = None, ignore: Sequence[str] = (),
               names: tuple[str, str] = ("select", "ignore")) -> tuple[Rule, ...]:
        """The rules in ``select`` (default: all) less those in ``ignore``, in registry order.

        ``names`` are what error messages call the two lists (e.g. ``--select``).

        Raises:
            InputError: an id is not a rule (the message lists the rules), or ``select`` is
                given but empty.
        """
        if select is not None:
            if not select:
                raise InputError(f"{names[0]} names no rule; give at least one rule id "
                                 "(`jdanalyzer audit --list-rules` lists them)")
            self.check_ids(select, names[0])
        self.check_ids(ignore, names[1])
        return tuple(r for r in self._all().values()
                     if (select is None or r.id in select) and r.id not in ignore)

    def table(self) -> str:
        """One line per rule: id, severities and summary, in columns.

        Example:
            >>> print(RULES.table().splitlines()[0])  # doctest: +ELLIPSIS
            role-mismatch ... high/medium/low  The title names one role, ...
        """
        rules = list(self._all().values())
        width = max(len(r.id) for r in rules)
        severities = {r.id: "/".join(r.severities) for r in rules}
        sev_width = max(len(s) for s in severities.values())
        return "\n".join(f"{r.id:<{width}}  {severities[r.id]:<{sev_width}}  {r.summary}"
                         for r in rules)


#: Every audit rule, in a fixed order.
RULES = RuleRegistry(RULE_MODULES)


def rule(id: str, *, severity: str, summary: str, also: Sequence[str] = (), scope: str = "ad",
         registry: RuleRegistry | None = None) -> Callable[[C], C]:
    """Register the decorated function as an audit rule; its docstring is the rule's doc.

    The function is returned unchanged, so it can be called directly too.

    Raises:
        ValueError: a bad severity or scope, or no docstring.

    Example:
        >>> test_rules = RuleRegistry()
        >>> @rule("shouting", severity="low", summary="Whole words in capitals.",
        ...       registry=test_rules)
        ... def shouting(ad: AdContext) -> Iterator[Finding]:
        ...     '''Finds WORDS IN CAPITALS.'''
        ...     yield from ()
        >>> test_rules["shouting"].doc
        'Finds WORDS IN CAPITALS.'
    """
    for value in (severity, *also):
        if value not in SEVERITIES:
            raise ValueError(f"rule {id}: severity must be one of {', '.join(SEVERITIES)}, "
                             f"not {value!r}")
    if scope not in SCOPES:
        raise ValueError(f"rule {id}: scope must be one of {', '.join(SCOPES)}, not {scope!r}")

    def register(check: C) -> C:
        doc = inspect.getdoc(check)
        if not doc:
            raise ValueError(f"rule {id}: {check.__qualname__} needs a docstring (the rule's doc)")
        (RULES if registry is None else registry).add(
            Rule(id, severity, summary, doc, check, scope, tuple(also))
        )
        return check

    return register
