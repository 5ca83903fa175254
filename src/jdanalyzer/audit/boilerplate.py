"""The audit's one company-level rule: text a company repeats across its ads (the template).

The shared sentences are found by :func:`jdanalyzer.audit.shared_text.find_boilerplate`; the
``boilerplate`` rule reads all the ads at once and reports the template once for the company,
not once per ad that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from jdanalyzer.audit.findings import Finding
from jdanalyzer.audit.readability import words_of
from jdanalyzer.audit.rules import CompanyContext, rule
from jdanalyzer.audit.shared_text import Boilerplate

__all__ = ["boilerplate", "template_finding"]

#: Above this share of an ad's words in shared passages, the ad is "mostly template".
_MOSTLY_SHARED = 0.5
#: How many passages the finding's message quotes.
_QUOTED = 3
_QUOTE_CHARS = 60


def _quote(text: str) -> str:
    return text if len(text) <= _QUOTE_CHARS else text[:_QUOTE_CHARS].rsplit(" ", 1)[0] + "…"


def template_finding(texts: Mapping[str, str], found: Boilerplate) -> Finding | None:
    """The company's one ``boilerplate`` finding, or ``None`` when no ad shares text.

    Its ``ad_id`` is empty (it is about the company); the message lists the shared passages
    with the ads that hold each, and names the ads that are mostly template.

    Example:
        >>> from jdanalyzer.audit.shared_text import find_boilerplate
        >>> blurb = "Acme builds maps for the logistics trade."
        >>> texts = {"a": blurb + " You will build route models in Python and ship them daily.",
        ...          "b": "Hello. " + blurb}
        >>> finding = template_finding(texts, find_boilerplate(texts))
        >>> finding.ad_id, finding.severity
        ('', 'low')
        >>> finding.message[:50]
        "1 passage is shared between ads: 'Acme builds maps"
        >>> finding.message[-48:]
        '(7 words, in 2 ads: a, b); most of b is template'
    """
    if not found.passages:
        return None
    mostly = []
    for ad_id, ranges in found.ranges.items():
        shared = sum(len(words_of(texts[ad_id][s:e])) for s, e in ranges)
        if ranges and shared / max(len(words_of(texts[ad_id])), 1) > _MOSTLY_SHARED:
            mostly.append(ad_id)
    count = len(found.passages)
    listed = "; ".join(
        f"'{_quote(p.text)}' ({p.words} words, in {len(p.ad_ids)} ads: {', '.join(p.ad_ids)})"
        for p in found.passages[:_QUOTED])
    more = f"; and {count - _QUOTED} more" if count > _QUOTED else ""
    message = (f"{count} passage{' is' if count == 1 else 's are'} shared between ads: "
               f"{listed}{more}" + (f"; most of {', '.join(mostly)} is template" if mostly else ""))
    return Finding(
        "", "boilerplate", "low" if mostly else "info", message,
        "Keep the company template short and make the role-specific part the bulk of each ad."
        if mostly else "Fine for company facts; check that the shared text fits every role.",
    )


@rule("boilerplate", severity="info", also=("low",), scope="company",
      summary="Text the company's ads share (the template), reported once.")
def boilerplate(company: CompanyContext) -> Iterator[Finding]:
    """Sentences of six words or more that two or more of the company's ads share.

    Sentences are compared after lower-casing and dropping everything but letters and
    digits; neighbouring shared sentences are merged into passages. One finding for the
    company, not one per ad: its ad id is empty and its message lists the passages with the
    ads that share each. **info** (company facts are fine to repeat), **low** when more than
    half of the words of some ad are shared (the message names those ads). The report
    marks the shared text in every ad.
    """
    finding = template_finding({ad.ad_id: ad.text for ad in company.ads}, company.boilerplate)
    if finding is not None:
        yield finding
