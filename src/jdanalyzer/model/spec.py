"""The feature spec: every block the role model reads, named once.

Both the scikit-learn pipeline (:mod:`jdanalyzer.model.features`) and the array model
(:mod:`jdanalyzer.model.arrays`) build their columns from these names, and the evidence
(:mod:`jdanalyzer.model.evidence`) reads them back through :data:`BLOCKS`.

- ``words``: TF-IDF of the word 1-2-grams of the duty sentences (the whole text for models
  without a duty reader);
- ``title``: TF-IDF of the title's words;
- ``terms``: TF-IDF of the taxonomy terms found (``skill:llm``, ``task:deploy_models``);
- ``sides``: the side profile (:func:`side_profile`);
- ``duties``: the duty profile (:data:`jdanalyzer.model.duties.DUTY_PROFILE_NAMES`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from jdanalyzer.extraction.taxonomy import Taxonomy
from jdanalyzer.types import SIDES, Extraction

__all__ = [
    "BLOCKS",
    "SIDE_PROFILE_NAMES",
    "Block",
    "EvidenceSource",
    "keep_terms",
    "side_profile",
    "term_starts_of",
    "terms_of",
    "title_of",
]

Block = Literal["words", "title", "terms", "sides", "duties"]
#: How a feature of each block is shown as evidence (``Evidence.source``).
EvidenceSource = Literal["ngram", "title", "taxonomy", "profile", "duty"]
BLOCKS: dict[str, EvidenceSource] = {  # keys: the Block names
    "words": "ngram",
    "title": "title",
    "terms": "taxonomy",
    "sides": "profile",
    "duties": "profile",
}

#: The dense side-profile features, in column order.
SIDE_PROFILE_NAMES = (
    *(f"{kind}s_{side}" for kind in ("skill", "task") for side in SIDES),
    "distinct_ai_engineer",
    "distinct_data_scientist",
    "both_sides",
    "ai_lean",
    "role_focus",
)
#: The sides of the work beside the two roles (a software or analyst ad names mostly these).
NEIGHBOUR_SIDES = ("software", "data_engineering", "analytics")


def side_profile(terms: str, taxonomy: Taxonomy) -> list[float]:
    """log1p counts of taxonomy matches per side and kind, and how balanced the sides are.

    ``terms`` is the space-joined taxonomy tokens of a posting (``"skill:llm task:eda"``).
    ``both_sides`` is the smaller of the distinct AI-engineering and data-science term
    counts: high only when a posting asks for both. ``ai_lean`` is the AI-engineering share
    of those role terms, and ``role_focus`` the share of the role terms among all the
    specialist ones (the roles' and those of :data:`NEIGHBOUR_SIDES`): low for a software or
    analyst ad that names a few AI words.

    Example:
        >>> from jdanalyzer.extraction.taxonomy import load_taxonomy
        >>> round(side_profile("skill:llm skill:llm skill:sql", load_taxonomy())[0], 4)  # log1p(2)
        1.0986
    """
    counts = dict.fromkeys(SIDE_PROFILE_NAMES, 0.0)
    distinct: dict[str, set[str]] = {side: set() for side in SIDES}
    for token in terms.split():
        kind, _, term_id = token.partition(":")
        term = taxonomy.get(term_id)
        if term is None:
            continue
        counts[f"{kind}s_{term.side}"] += 1
        distinct[term.side].add(term_id)
    ai, ds = len(distinct["ai_engineer"]), len(distinct["data_scientist"])
    counts["distinct_ai_engineer"] = ai
    counts["distinct_data_scientist"] = ds
    counts["both_sides"] = min(ai, ds)
    counts["ai_lean"] = ai / (ai + ds) if ai + ds else 0.0
    neighbours = sum(len(distinct[side]) for side in NEIGHBOUR_SIDES)
    counts["role_focus"] = (ai + ds) / (ai + ds + neighbours) if ai + ds else 0.0
    return [math.log1p(counts[name]) for name in SIDE_PROFILE_NAMES]


def terms_of(extraction: Extraction, keep: Callable[[int], bool] | None = None) -> str:
    """The taxonomy tokens of an extraction, space-joined: ``"skill:llm task:deploy_models"``.

    ``keep``: which match starts to keep (the duty reader keeps those in duty sentences).
    """
    return " ".join(f"{m.kind}:{m.id}" for m in extraction.matches if keep is None or keep(m.start))


def term_starts_of(extraction: Extraction) -> str:
    """Where each token of :func:`terms_of` starts in the text, space-joined."""
    return " ".join(str(m.start) for m in extraction.matches)


def keep_terms(terms: str, starts: str, keep: Callable[[int], bool]) -> str:
    """The tokens of ``terms`` whose start (in ``starts``, as :func:`term_starts_of`) ``keep`` keeps."""
    return " ".join(t for t, s in zip(terms.split(), starts.split(), strict=True) if keep(int(s)))


def title_of(title: object) -> str:
    """A title cell as the model reads it: None or NaN is no title, anything else is text."""
    if title is None or (isinstance(title, float) and math.isnan(title)):
        return ""
    return str(title)
