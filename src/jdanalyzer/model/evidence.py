"""Evidence terms: which features pushed a linear model toward its label, and where they are.

For the two most likely labels ``c`` and ``r``, a feature ``j`` with value ``x_j`` adds
``x_j * (W[c, j] - W[r, j])`` to the log-odds of ``c`` over ``r``. The largest positive
contributions are the evidence for ``c``, the largest negative ones the evidence for ``r``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from jdanalyzer.extraction.taxonomy import Taxonomy
from jdanalyzer.model.duties import DutyLabel, DutyReading
from jdanalyzer.model.spec import BLOCKS, NEIGHBOUR_SIDES
from jdanalyzer.model.tfidf import FeatureRow, strip_accents_unicode
from jdanalyzer.types import SIDE_TITLES, Evidence, Extraction, Match

__all__ = ["Explainer", "is_filler", "ngram_spans"]

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # TfidfVectorizer's default token pattern
#: Words no reader calls evidence of a role: an n-gram made only of these is never shown.
_FILLER = frozenset((
    "able", "ability", "across", "also", "based", "can", "company", "could", "etc", "experience", "get",
    "good", "great", "help", "including", "join", "like", "looking", "make", "need", "new", "one",
    "opportunity", "plus", "related", "role", "should", "skills", "strong", "team", "two", "us", "use",
    "using", "view", "want", "well", "within", "work", "working", "would", "year", "years",
)) | STOP_WORDS
#: At most this many aggregate features (counts and shares) per label, shown after the words.
_AGGREGATES = 2
#: Examples named in an aggregate's sentence.
_EXAMPLES = 3
#: The duty sentences that speak for each label.
_DUTIES_FOR: dict[str, tuple[DutyLabel, ...]] = {
    "ai_engineer": ("ai_engineering",),
    "data_scientist": ("data_science",),
    "hybrid": ("ai_engineering", "data_science"),
    "other": ("other_work",),
}
_DUTY_SIDE = {"ai_engineering": "ai_engineer", "data_science": "data_scientist", "other_work": "shared"}
_DUTY_TITLES = {
    "ai_engineering": "AI engineering", "data_science": "data science", "other_work": "other work",
}
#: Duty sentences longer than this are shown cut (the span still covers the whole sentence).
_DUTY_CHARS = 140


def is_filler(gram: str) -> bool:
    """Whether a word n-gram is only function words and job-ad filler ("we", "need", "no")."""
    return all(word in _FILLER or word.isdigit() for word in gram.split())


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
        for_runner_up: bool = True,
    ) -> list[Evidence]:
        """Evidence for ``label`` then (with ``for_runner_up``) for ``runner_up``, from one feature row.

        Each label's group reads as a person would weigh it: first the duty sentences of the
        ad's ``reading`` that are the work the label stands for (``source="duty"``, weight:
        the duty reader's probability), then the ad's own words and taxonomy terms by their
        contribution to the log-odds, then at most two aggregate features (counts and
        shares), each told as a sentence with examples. Function words are never shown.
        """
        labels = list(self.classes)
        c, r = labels.index(label), labels.index(runner_up)
        contrib = row.values * (self.coef[c, row.indices] - self.coef[r, row.indices])
        groups = [(label, contrib)] + ([(runner_up, -contrib)] if for_runner_up else [])
        # The model read the terms of duty sentences only: their spans are the ones to show.
        keep = reading.in_duties if reading is not None and reading.is_duty().any() else None
        matches = [m for m in extraction.matches if keep is None or keep(m.start)]
        chosen = {toward: self._choose(row.indices, c, top) for toward, c in groups}
        grams = {f for terms, _ in chosen.values() for _, _, block, f in terms if BLOCKS[block] == "ngram"}
        gram_spans = ngram_spans(extraction.text, grams) if grams else {}
        by_id: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for m in matches:
            by_id[f"{m.kind}:{m.id}"].append((m.start, m.end))
        evidence = []
        for toward, (terms, aggregates) in chosen.items():
            if reading is not None:
                evidence += _duty_evidence(reading, extraction.text, toward)
            for j, weight, block, feature in terms:
                source, side, spans = BLOCKS[block], self._side_of(j), []
                term = feature
                if source == "ngram":
                    spans = gram_spans.get(feature, [])
                elif source == "taxonomy":
                    known = self.taxonomy.get(feature.partition(":")[2])
                    term, side = (known.name, known.side) if known else (term, side)
                    spans = by_id.get(feature, [])
                evidence.append(Evidence(term=term, label=toward, weight=weight, source=source, side=side,
                                         spans=tuple(sorted(set(spans)))))
            for _, weight, _, feature in aggregates:
                term, side, spans = _aggregate(feature, matches, reading, extraction.text)
                evidence.append(Evidence(term=term, label=toward, weight=weight, source="profile", side=side,
                                         spans=tuple(sorted(set(spans)))))
        return evidence

    def _choose(self, indices: np.ndarray, contrib: np.ndarray, top: int) -> tuple[list, list]:
        """The ``top`` strongest word and term features and the strongest aggregates pushing
        toward a label: ``(column, weight, block, feature)`` each."""
        terms: list[tuple[int, float, str, str]] = []
        aggregates: list[tuple[int, float, str, str]] = []
        for i in np.argsort(-contrib):
            if contrib[i] <= 0 or (len(terms) >= top and len(aggregates) >= _AGGREGATES):
                break
            j = int(indices[i])
            block, _, feature = self.feature_name(j).partition("__")
            pick = (j, float(contrib[i]), block, feature)
            if BLOCKS.get(block, "profile") == "profile":
                if len(aggregates) < _AGGREGATES:
                    aggregates.append(pick)
            elif len(terms) < top and not (BLOCKS[block] in ("ngram", "title") and is_filler(feature)):
                terms.append(pick)
        return terms, aggregates

    def _side_of(self, j: int) -> str:
        lean = self._lean[j]
        if lean > 0.25:
            return "ai_engineer"
        if lean < -0.25:
            return "data_scientist"
        return "shared"


def _adjective(side: str) -> str:
    """"data science" -> "data-science", as in "16 data-science skills"."""
    return SIDE_TITLES.get(side, side).replace(" ", "-")


#: Wordings that name a person rather than the work ("Data Scientist", "software engineers"):
#: job titles and team members are mentions of their field, but not examples of what an ad asks.
_PERSON = re.compile(r"(?i)\b(scientist|engineer|analyst|developer)s?$")


def _examples(matches: list[Match], k: int = _EXAMPLES) -> tuple[int, str]:
    """How many distinct terms, and the most frequent few in the ad's own words: "XGBoost, A/B tests".

    A skill is shown as the ad first wrote it, a task by its name (its words may be
    scattered), the most often asked first. Wordings that name a person ("Data Scientist")
    count toward the number of terms, but neither rank nor show a term.
    """
    shown_as: dict[str, str] = {}
    asked: Counter[str] = Counter()  # mentions of each term as work, not as a person
    for m in matches:
        wording = " ".join(m.matched.split())
        if m.kind == "task":
            shown_as.setdefault(m.id, m.name)
        elif _PERSON.search(wording):
            continue
        else:
            shown_as.setdefault(m.id, wording)
        asked[m.id] += 1
    shown = sorted(shown_as, key=lambda term: -asked[term])  # stable: first-seen order breaks ties
    return len({m.id for m in matches}), ", ".join(shown_as[term] for term in shown[:k])


def _eg(names: str) -> str:
    return f" (e.g. {names})" if names else ""


def _aggregate(
    feature: str, matches: list[Match], reading: DutyReading | None, text: str
) -> tuple[str, str, list[tuple[int, int]]]:
    """An aggregate feature told as a sentence with examples, its side and its spans.

    "16 data-science skills, e.g. XGBoost, A/B testing, causal inference" rather than
    "skills_data_scientist 2.83".
    """
    kind, _, side = feature.partition("_")
    if kind in ("skills", "tasks", "distinct"):
        found = [m for m in matches if m.side == side and (kind == "distinct" or f"{m.kind}s" == kind)]
        n, names = _examples(found)
        noun = "terms" if kind == "distinct" else kind
        term = f"{n} {_adjective(side)} {noun}" + (f", e.g. {names}" if names else "")
        return term, side, [(m.start, m.end) for m in found]
    if feature in ("ai_lean", "role_focus", "both_sides"):
        ai = [m for m in matches if m.side == "ai_engineer"]
        ds = [m for m in matches if m.side == "data_scientist"]
        (n_ai, ai_names), (n_ds, ds_names) = _examples(ai, 2), _examples(ds, 2)
        if feature == "both_sides":
            term = (f"asks for both: {n_ai} AI-engineering terms{_eg(ai_names)} "
                    f"and {n_ds} data-science terms{_eg(ds_names)}")
            return term, "shared", [(m.start, m.end) for m in ai + ds]
        if feature == "ai_lean":
            term = (f"{n_ai} of its {n_ai + n_ds} role terms are AI engineering{_eg(ai_names)}, "
                    f"{n_ds} data science{_eg(ds_names)}")
            return term, "ai_engineer" if n_ai >= n_ds else "data_scientist", [(m.start, m.end) for m in ai]
        others = [m for m in matches if m.side in NEIGHBOUR_SIDES]
        n_other, other_names = _examples(others, 3)
        term = (f"{n_ai + n_ds} AI-engineering or data-science terms beside {n_other} of software, "
                f"data engineering or analytics{_eg(other_names)}")
        return term, "shared", [(m.start, m.end) for m in ai + ds + others]
    if reading is None or not reading.units:
        return feature.replace("_", " "), "shared", []
    duty = reading.is_duty()
    kinds = list(_DUTY_TITLES)
    mass = reading.proba[duty, : len(kinds)].sum(axis=0) if duty.any() else np.zeros(len(kinds))
    shares = mass / mass.sum() if mass.sum() > 0 else mass
    best = reading.proba[:, : len(kinds)].argmax(axis=1)

    def spans_of(*names: str) -> list[tuple[int, int]]:
        wanted = [kinds.index(k) for k in names]
        units = zip(reading.units, duty, best, strict=True)
        return [(u.start, u.end) for u, d, b in units if d and b in wanted]

    if feature == "share_both":
        term = (f"the duties are split: {shares[0]:.0%} AI engineering, "
                f"{shares[1]:.0%} data science")
        return term, "shared", spans_of("ai_engineering", "data_science")
    what, _, duty_kind = feature.partition("_")
    if duty_kind not in _DUTY_TITLES:
        return feature.replace("_", " "), "shared", []
    k = kinds.index(duty_kind)
    if what == "duties":
        term = f"about {mass[k]:.0f} of its {int(duty.sum())} duties read as {_DUTY_TITLES[duty_kind]}"
    else:
        term = f"{shares[k]:.0%} of the duties read as {_DUTY_TITLES[duty_kind]}"
    return term, _DUTY_SIDE[duty_kind], spans_of(duty_kind)


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
