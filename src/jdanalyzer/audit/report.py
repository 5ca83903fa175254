"""The audit report: one self-contained HTML file (inline CSS, inline SVG charts, no scripts).

All ad text is escaped piece by piece before the finding spans are wrapped in ``<mark>``,
so markup in an ad (``<script>``, ``onerror=``) shows as text and never runs. The page also
carries a Content-Security-Policy that allows no script and no network fetch at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from importlib.resources import files
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jdanalyzer.audit import charts
from jdanalyzer.audit.findings import SEVERITIES, Finding, Span, ensure_writable
from jdanalyzer.audit.norms import load_norms
from jdanalyzer.types import LABEL_TITLES, SIDES

if TYPE_CHECKING:
    from markupsafe import Markup

    from jdanalyzer.audit.run import AuditResult

__all__ = ["highlight", "render_report", "write_report"]

_TEMPLATE_RULES = ("boilerplate",)


def highlight(text: str, findings: Iterable[Finding], shared: Iterable[Span] = ()) -> Markup:
    """``text`` escaped, with each finding's spans wrapped in ``<mark>``.

    Overlapping spans are split at every boundary; a piece covered by several findings gets
    the class of the most serious one. ``shared`` spans (text shared with other ads) and
    boilerplate spans get the ``template`` class.

    Example:
        >>> from jdanalyzer.audit.findings import Finding, Span
        >>> f = Finding("a", "jargon", "medium", "m", "s", (Span(2, 10, "<b>ninja"),))
        >>> str(highlight("a <b>ninja</b>", [f]))
        'a <mark class="sev-medium" title="jargon">&lt;b&gt;ninja</mark>&lt;/b&gt;'
    """
    from markupsafe import Markup, escape

    findings = list(findings)
    shared = tuple(shared)
    if shared:
        findings.append(Finding("", "boilerplate", "info", "shared with other ads", "", shared))
    covers: list[tuple[int, int, Finding]] = [
        (s.start, s.end, f) for f in findings for s in f.spans if 0 <= s.start < s.end <= len(text)
    ]
    cuts = sorted({0, len(text)} | {p for s, e, _ in covers for p in (s, e)})
    pieces = []
    for start, end in pairwise(cuts):
        piece = escape(text[start:end])
        over = [f for s, e, f in covers if s <= start and end <= e]
        if not over:
            pieces.append(piece)
            continue
        template = any(f.rule in _TEMPLATE_RULES for f in over)
        flagged = [f for f in over if f.rule not in _TEMPLATE_RULES]
        classes = []
        if flagged:
            worst = min(flagged, key=lambda f: SEVERITIES.index(f.severity))
            classes.append(f"sev-{worst.severity}")
        if template:
            classes.append("template")
        rules = ", ".join(sorted({f.rule for f in over}))
        pieces.append(Markup('<mark class="{}" title="{}">{}</mark>').format(
            " ".join(classes), rules, piece))
    return Markup("").join(pieces)


def _template_text() -> str:
    return (files("jdanalyzer.audit") / "templates" / "report.html.j2").read_text(encoding="utf-8")


def render_report(result: AuditResult, *, today: date | None = None) -> str:
    """The HTML report of an audit, as one string.

    Example:
        >>> html = render_report(audit("tests/data/audit_ads", company="Acme"))  # doctest: +SKIP
    """
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup


    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True)
    template = env.from_string(_template_text())
    chart_svgs: dict[str, Any] = {}
    if result.ads:
        chart_svgs = {
            "roles": Markup(charts.role_mix_chart(result)),
            "severity": Markup(charts.severity_chart(result)),
            "skills": Markup(charts.skills_chart(result)),
            "length": Markup(charts.length_chart(result)),
        }
    return template.render(
        result=result,
        today=(today or date.today()).isoformat(),
        severities=SEVERITIES,
        severity_colors=charts.SEVERITY_COLORS,
        sides=SIDES,
        side_titles=charts.SIDE_TITLES,
        label_titles=LABEL_TITLES,
        charts=chart_svgs,
        norms=load_norms(),
        highlighted={ad.ad_id: highlight(ad.text, ad.findings, ad.shared) for ad in result.ads},
    )


def write_report(result: AuditResult, path: str | Path, *, force: bool = False) -> Path:
    """Write the HTML report to ``path``; refuses to overwrite unless ``force``.

    Raises:
        InputError: ``path`` exists and ``force`` is false, or its folder does not exist.
    """
    path = ensure_writable(path, force=force)
    path.write_text(render_report(result), encoding="utf-8")
    return path
