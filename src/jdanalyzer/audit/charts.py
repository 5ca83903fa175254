"""Charts of an audit, drawn with matplotlib and returned as inline SVG markup.

Text is drawn as paths (``svg.fonttype = "path"``), so no ad id or skill name reaches the
SVG as markup, and the SVG needs no font from the network. All text is literal: a ``$`` in
an ad id is a dollar sign, never the start of a math formula (mathtext and TeX are off).
"""

from __future__ import annotations

import io
import re
import textwrap
from typing import TYPE_CHECKING

from jdanalyzer.audit.findings import SEVERITIES
from jdanalyzer.audit.norms import load_norms, outer_range
from jdanalyzer.types import LABEL_TITLES
from jdanalyzer.types import SIDE_TITLES as SIDE_NAMES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from jdanalyzer.audit.run import AdAudit, AuditResult

__all__ = ["SEVERITY_COLORS", "length_chart", "role_mix_chart", "severity_chart", "skills_chart"]

SEVERITY_COLORS = {"high": "#c0392b", "medium": "#e67e22", "low": "#d4ac0d", "info": "#5d8aa8"}
SIDE_COLORS = {"ai_engineer": "#8e44ad", "data_scientist": "#16a085", "software": "#34495e",
               "data_engineering": "#b9770e", "analytics": "#c2185b", "shared": "#95a5a6"}
LABEL_COLORS = {"ai_engineer": SIDE_COLORS["ai_engineer"], "data_scientist": SIDE_COLORS["data_scientist"],
                "hybrid": "#2e86c1", "other": "#bdc3c7"}
SIDE_TITLES = {side: SIDE_NAMES[side][:1].upper() + SIDE_NAMES[side][1:] for side in SIDE_COLORS}
_MAX_LABEL = 28
#: Charts with one bar per ad show at most this many ads.
MAX_BARS = 30


def _short(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _svg(figure: Figure) -> str:
    """``figure`` as SVG markup, every text drawn as written (no mathtext, no TeX).

    A ``$`` in an ad id stays a dollar sign whatever a matplotlibrc says: an id such as
    ``x$\\b$`` would otherwise be parsed as a formula and stop the report.
    """
    import matplotlib
    from matplotlib.text import Text

    for text in figure.findobj(Text):  # titles, tick labels, legend entries made so far
        text.set_parse_math(False)
        text.set_usetex(False)
    buffer = io.StringIO()
    # ... and the tick labels matplotlib only makes while drawing
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "jdanalyzer",
                                "text.parse_math": False, "text.usetex": False}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)


def severity_chart(result: AuditResult) -> str:
    """Findings per ad, stacked by severity (the :data:`MAX_BARS` ads with most findings)."""
    ads = list(result.ads)
    title = "Findings per ad, by severity"
    if len(ads) > MAX_BARS:
        def weight(ad: AdAudit) -> tuple[int, ...]:
            counts = ad.severity_counts()
            return tuple(-counts[s] for s in SEVERITIES)

        ads = sorted(ads, key=weight)[:MAX_BARS]
        title += f" ({MAX_BARS} of {len(result.ads)} ads, most serious first)"
    figure = _figure(7.5, 0.45 * len(ads) + 1.4)
    axes = figure.add_subplot()
    left = [0] * len(ads)
    names = [_short(ad.ad_id) for ad in ads]
    for severity in SEVERITIES:
        counts = [ad.severity_counts()[severity] for ad in ads]
        axes.barh(names, counts, left=left, color=SEVERITY_COLORS[severity], label=severity)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel("findings")
    axes.set_title(title)
    _legend_below(figure, axes)
    return _svg(figure)


def _legend_below(figure: Figure, axes: Axes) -> None:
    """The legend in a row under the plot, where it can cover no bar and no label."""
    handles, labels = axes.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize="small",
                  frameon=False)
    axes.spines[["top", "right"]].set_visible(False)


def role_mix_chart(result: AuditResult) -> str:
    """How many ads read as each role (content label from the role model)."""
    from matplotlib.ticker import MaxNLocator

    mix = result.role_mix()
    figure = _figure(4.5, 2.6)
    axes = figure.add_subplot()
    labels = list(mix)
    names = [textwrap.fill(LABEL_TITLES.get(k, k), 12) for k in labels]
    axes.bar(names, [mix[k] for k in labels], color=[LABEL_COLORS.get(k, "#999") for k in labels])
    axes.set_ylabel("ads")
    axes.set_title("Role mix (by content, not title)")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def skills_chart(result: AuditResult, n: int = 8) -> str:
    """The skills named by the most ads, one panel per side that has any (three to a row)."""
    from matplotlib.ticker import MaxNLocator

    tops = {side: result.top_skills(side, n) for side in SIDE_TITLES}
    sides = [side for side, top in tops.items() if top] or list(SIDE_TITLES)[:1]
    rows = -(-len(sides) // 3)
    figure = _figure(10, rows * (0.32 * n + 1.0) + 0.3)
    for i, side in enumerate(sides, start=1):
        axes = figure.add_subplot(rows, min(3, len(sides)), i)
        top = tops[side]
        axes.barh([_short(name) for name, _ in top], [c for _, c in top],
                  color=SIDE_COLORS[side])
        axes.invert_yaxis()
        axes.set_title(SIDE_TITLES[side], fontsize="medium")
        axes.set_xlabel("ads")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.tick_params(axis="y", labelsize="small")
        axes.spines[["top", "right"]].set_visible(False)
        if not top:
            axes.text(0.5, 0.5, "none found", ha="center", va="center", transform=axes.transAxes)
    figure.suptitle("Top skills per side across all ads")
    return _svg(figure)


def length_chart(result: AuditResult) -> str:
    """Words per ad against the corpus: middle half shaded, the ``unusual-length`` bounds dashed."""
    norms = load_norms()["word_count"]
    percentile, low, high = outer_range(norms)
    ads = list(result.ads)
    many = len(ads) > MAX_BARS
    figure = _figure(7.5, 3.2 if many else 0.45 * len(ads) + 1.4)
    axes = figure.add_subplot()
    axes.axvspan(norms["p25"], norms["p75"], color="#d5e8d4", label="middle half of corpus ads")
    for bound in (low, high):
        axes.axvline(bound, color="#7f8c8d", linestyle="--", linewidth=1)
    words = [ad.readability.words for ad in ads]
    if many:  # one bar per ad would not fit: a histogram of the company's ads
        axes.hist(words, bins=20, color="#34495e", label="this company's ads")
        axes.set_ylabel("ads")
    else:
        axes.barh([_short(ad.ad_id) for ad in ads], words, color="#34495e", height=0.5,
                  label="this ad")
        axes.invert_yaxis()
    axes.set_xlabel(f"words (dashed: {percentile}th and {100 - percentile}th percentile of the corpus)")
    axes.set_title("Length against typical ads")
    _legend_below(figure, axes)
    return _svg(figure)
