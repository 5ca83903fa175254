"""Evidence terms: which features pushed a linear model toward its label, and where they are.

For the two most likely labels ``c`` and ``r``, a feature ``j`` with value ``x_j`` adds
``x_j * (W[c, j] - W[r, j])`` to the log-odds of ``c`` over ``r``. The largest positive
contributions are the evidence for ``c``, the largest negative ones the evidence for ``r``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jdanalyzer.extraction.taxonomy import Taxonomy
from jdanalyzer.model.duties import DutyLabel, DutyReading
from jdanalyzer.model.spec import BLOCKS
from jdanalyzer.model.tfidf import FeatureRow, strip_accents_unicode
from jdanalyzer.types import Evidence, Extraction

__all__ = ["Explainer", "ngram_spans"]

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # TfidfVectorizer's default token pattern
_PROFILE_NAMES = {
    "skills_ai_engineer": "AI-engineering skills",
    "skills_data_scientist": "data-science skills",
    "skills_shared": "shared skills",
    "tasks_ai_engineer": "AI-engineering tasks",
    "tasks_data_scientist": "data-science tasks",
    "tasks_shared": "shared tasks",
    "distinct_ai_engineer": "distinct AI-engineering terms",
    "distinct_data_scientist": "distinct data-science terms",
    "both_sides": "asks for both sides",
    "duties_ai_engineering": "duties that are AI engineering",
    "duties_data_science": "duties that are data science",
    "duties_other_work": "duties that are other work",
    "share_ai_engineering": "share of the duties that is AI engineering",
    "share_data_science": "share of the duties that is data science",
    "share_other_work": "share of the duties that is other work",
    "share_both": "both sides take a share of the duties",
}
#: The duty sentences that speak for each label.
_DUTIES_FOR: dict[str, tuple[DutyLabel, ...]] = {
    "ai_engineer": ("ai_engineering",),
    "data_scientist": ("data_science",),
    "hybrid": ("ai_engineering", "data_science"),
    "other": ("other_work",),
}
_DUTY_SIDE = {"ai_engineering": "ai_engineer", "data_science": "data_scientist", "other_work": "shared"}
#: Duty sentences longer than this are shown cut (the span still covers the whole sentence).
_DUTY_CHARS = 140


def ngram_spans(text: str, ngrams: set[str]) -> dict[str, list[tuple[int, int]]]:
    """Character spans of each word n-gram as TfidfVectorizer would count it in ``text``."""
    tokens = [
        (strip_accents_unicode(m.group().lower()), m.start(), m.end())
        for m in _TOKEN.finditer(text)
    ]
    sizes = {len(g.split(" ")) for g in ngrams}
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for n in sizes:
        for i in range(len(tokens) - n + 1):
            gram = " ".join(t[0] for t in tokens[i : i + n])
            if gram in ngrams:
                out[gram].append((tokens[i][1], tokens[i + n - 1][2]))
    return out


@dataclass
class Explainer:
    """Turns a feature row of a fitted linear model into :class:`Evidence` terms."""

    feature_name: Callable[[int], str]  # the name of column j, "block__feature"
    coef: np.ndarray  # (n_classes, n_features)
    classes: np.ndarray
    taxonomy: Taxonomy

    def __post_init__(self) -> None:
        labels = list(self.classes)
        if "ai_engineer" in labels and "data_scientist" in labels:
            lean = self.coef[labels.index("ai_engineer")] - self.coef[labels.index("data_scientist")]
        else:
            lean = np.zeros(self.coef.shape[1])
        self._lean = lean

    def explain(
        self,
        row: FeatureRow,
        extraction: Extraction,
        label: str,
        runner_up: str,
        *,
        top: int = 8,
        reading: DutyReading | None = None,
    ) -> list[Evidence]:
        """Evidence for ``label`` then for ``runner_up``, strongest first, from one feature row.

        With the posting's duty ``reading``, the duty sentences that speak for each label
        come first (``source="duty"``, weight: the probability that the sentence is that
        work), then the features by their contribution to the log-odds.
        """
        labels = list(self.classes)
        c, r = labels.index(label), labels.index(runner_up)
        idx, values = row.indices, row.values
        contrib = values * (self.coef[c, idx] - self.coef[r, idx])
        order = np.argsort(-contrib)
        chosen = [(int(idx[i]), float(contrib[i]), label) for i in order[:top] if contrib[i] > 0]
        chosen += [
            (int(idx[i]), float(-contrib[i]), runner_up)
            for i in order[::-1][:top]
            if contrib[i] < 0
        ]
        names = [self.feature_name(j) for j, _, _ in chosen]
        grams = {n.split("__", 1)[1] for n in names if n.startswith("words__")}
        gram_spans = ngram_spans(extraction.text, grams) if grams else {}
        by_id: dict[str, list[tuple[int, int]]] = defaultdict(list)
        by_side: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for m in extraction.matches:
            by_id[f"{m.kind}:{m.id}"].append((m.start, m.end))
            by_side[f"{m.kind}s_{m.side}"].append((m.start, m.end))
        evidence = []
        if reading is not None:
            for toward in (label, runner_up):
                evidence += _duty_evidence(reading, extraction.text, toward)
        for (j, weight, toward), name in zip(chosen, names, strict=True):
            block, _, feature = name.partition("__")
            side = self._side_of(j)
            spans: list[tuple[int, int]] = []
            source = BLOCKS.get(block, "profile")
            if source == "ngram":
                term, spans = feature, gram_spans.get(feature, [])
            elif source == "title":
                term = feature
            elif source == "taxonomy":
                term_id = feature.partition(":")[2]
                known = self.taxonomy.get(term_id)
                term = known.name if known else term_id
                side = known.side if known else side
                spans = by_id.get(feature, [])
            else:
                term = _PROFILE_NAMES.get(feature, feature)
                spans = _profile_spans(feature, by_side)
                side = next((s for s in ("ai_engineer", "data_scientist") if feature.endswith(s)), "shared")
            evidence.append(
                Evidence(term=term, label=toward, weight=weight, source=source, side=side,
                         spans=tuple(sorted(set(spans))))
            )
        return evidence

    def _side_of(self, j: int) -> str:
        lean = self._lean[j]
        if lean > 0.25:
            return "ai_engineer"
        if lean < -0.25:
            return "data_scientist"
        return "shared"


def _profile_spans(feature: str, by_side: dict[str, list[tuple[int, int]]]) -> list[tuple[int, int]]:
    if feature.startswith(("skills_", "tasks_")):
        return by_side.get(feature, [])
    sides = {"distinct_ai_engineer": ("ai_engineer",), "distinct_data_scientist": ("data_scientist",),
             "both_sides": ("ai_engineer", "data_scientist")}.get(feature, ())
    return [s for side in sides for kind in ("skills", "tasks") for s in by_side.get(f"{kind}_{side}", [])]


def _duty_evidence(reading: DutyReading, text: str, label: str, *, top: int = 3) -> list[Evidence]:
    """The duty sentences that most surely are the work ``label`` stands for."""
    kinds = _DUTIES_FOR.get(label, ())
    found = [(unit, p, kind) for kind in kinds for unit, p in reading.strongest(kind, top=top)]
    found.sort(key=lambda item: -item[1])
    out = []
    for unit, p, kind in found[:top]:
        sentence = " ".join(text[unit.start:unit.end].lstrip("-•* ").split())
        if len(sentence) > _DUTY_CHARS:
            sentence = sentence[: _DUTY_CHARS - 1].rstrip() + "…"
        out.append(Evidence(term=sentence, label=label, weight=p, source="duty", side=_DUTY_SIDE[kind],
                            spans=((unit.start, unit.end),)))
    return out
