"""The duty reader: which side each sentence of an ad works for, and what share each side takes.

A reader labeling a posting weighs its duties, not its company blurb: "each side makes up at
least roughly a third of what the posting asks for" (LABELING.md). The duty reader does the
same in two steps:

1. :func:`~jdanalyzer.text.sections.split_units` cuts the ad into sentences and bullets, and
   a small linear model (TF-IDF of the unit's words and its section's kind) gives each one
   the probability of being AI-engineering work, data-science work, other work, or no duty
   at all (the company, the benefits). It was trained on sentences labeled blind
   (``corpora/sentence-labels.csv``, guide ``corpora/SENTENCES.md``).
2. :meth:`DutyReading.profile` sums those probabilities into the posting's duty profile: how
   many duties go to each side and what share of all duties each side takes.

The role model reads the profile beside the words, and reads the words of the duties only,
so that a paragraph about an "AI-first company" cannot make a posting ``ai_engineer``.
This module needs numpy only; :func:`jdanalyzer.model.estimator.fit_duty_reader` trains it.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, get_args

import numpy as np

from jdanalyzer.model.tfidf import TfidfBlock
from jdanalyzer.text.sections import Unit, split_units

__all__ = [
    "DUTY_LABELS",
    "DUTY_PROFILE_NAMES",
    "DutyLabel",
    "DutyReader",
    "DutyReading",
    "unit_input",
]

DutyLabel = Literal["ai_engineering", "data_science", "other_work", "not_duty"]
DUTY_LABELS: tuple[DutyLabel, ...] = get_args(DutyLabel)
#: The posting-level duty features, in column order.
DUTY_PROFILE_NAMES = (
    "duties_ai_engineering",
    "duties_data_science",
    "duties_other_work",
    "share_ai_engineering",
    "share_data_science",
    "share_other_work",
    "share_both",
)
#: A unit counts as a duty (its words reach the role model) below this not-a-duty probability.
DUTY_THRESHOLD = 0.5
#: Sections whose units are never duties.
NOT_DUTY_SECTIONS = frozenset({"company", "offer"})


def unit_input(text: str, kind: str) -> str:
    """What the sentence model reads of a unit: its words and its section's kind."""
    return f"{text} __section_{kind}__"


@dataclass(frozen=True)
class DutyReading:
    """The units of one ad and, for each, the probabilities of :data:`DUTY_LABELS`."""

    units: tuple[Unit, ...]
    proba: np.ndarray  # (n_units, 4), columns in DUTY_LABELS order

    def is_duty(self) -> np.ndarray:
        """Which units are duties (not the company, benefits or boilerplate)."""
        if not self.units:
            return np.zeros(0, dtype=bool)
        return self.proba[:, DUTY_LABELS.index("not_duty")] < DUTY_THRESHOLD

    def in_duties(self, offset: int) -> bool:
        """Whether character ``offset`` of the text lies in a duty unit."""
        spans = self._duty_spans
        i = bisect_right(spans[0], offset) - 1
        return i >= 0 and offset < spans[1][i]

    @cached_property
    def _duty_spans(self) -> tuple[list[int], list[int]]:
        duties = [u for u, duty in zip(self.units, self.is_duty(), strict=True) if duty]
        return [u.start for u in duties], [u.end for u in duties]

    def duty_text(self, text: str) -> str:
        """The text of the duty units, one per line: what the role model reads as words."""
        return "\n".join(text[u.start:u.end] for u, duty in zip(self.units, self.is_duty(), strict=True)
                         if duty)

    def profile(self) -> list[float]:
        """:data:`DUTY_PROFILE_NAMES`: log1p of the expected number of duties per side, each
        side's share of all duties, and the smaller of the two role shares."""
        if not self.units:
            return [0.0] * len(DUTY_PROFILE_NAMES)
        mass = self.proba[:, :3].sum(axis=0)  # expected duties of each kind
        total = float(mass.sum())
        shares = mass / total if total > 0 else np.zeros(3)
        return [
            *(math.log1p(float(m)) for m in mass),
            *(float(s) for s in shares),
            float(min(shares[0], shares[1])),
        ]

    def strongest(self, label: DutyLabel, *, top: int = 3, least: float = 0.5) -> list[tuple[Unit, float]]:
        """The units most likely to be ``label`` work (at least ``least``), best first."""
        if not self.units:
            return []
        column = self.proba[:, DUTY_LABELS.index(label)]
        order = np.argsort(-column, kind="stable")[:top]
        return [(self.units[i], float(column[i])) for i in order if column[i] >= least]


class DutyReader:
    """The sentence model as arrays: a TF-IDF block and a multinomial logistic regression."""

    def __init__(self, vectorizer: TfidfBlock, coef: np.ndarray, intercept: np.ndarray,
                 classes: Sequence[str]) -> None:
        if tuple(classes) != DUTY_LABELS:
            raise ValueError(f"a duty reader predicts {list(DUTY_LABELS)}, not {list(classes)}")
        self.vectorizer = vectorizer
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        if self.coef.shape != (len(DUTY_LABELS), vectorizer.size):
            raise ValueError(f"duty coefficients of shape {self.coef.shape} do not fit the vocabulary")

    def predict_proba(self, inputs: Sequence[str]) -> np.ndarray:
        """Probabilities of :data:`DUTY_LABELS` for each :func:`unit_input` string.

        All units of an ad are scored at once: their known n-grams are gathered into one
        (unit, column, count) list, weighted and normalized with numpy, and summed per unit.
        """
        n = len(inputs)
        if not n:
            return np.zeros((0, len(DUTY_LABELS)))
        block, vocabulary = self.vectorizer, self.vectorizer.vocabulary
        rows: list[int] = []
        columns: list[int] = []
        counts: list[int] = []
        for i, value in enumerate(inputs):
            found = Counter([vocabulary[g] for g in block.analyze(value) if g in vocabulary])
            rows += [i] * len(found)
            columns += found.keys()
            counts += found.values()
        scores = np.tile(self.intercept, (n, 1))
        if columns:
            row = np.asarray(rows)
            column = np.asarray(columns)
            values = np.asarray(counts, dtype=np.float64)
            if block.sublinear_tf:
                values = np.log(values) + 1.0
            values *= block.idf[column]
            if block.norm == "l2":
                values /= np.sqrt(np.bincount(row, values * values, minlength=n))[row]
            weighted = self.coef[:, column] * values
            for k in range(len(DUTY_LABELS)):
                scores[:, k] += np.bincount(row, weighted[k], minlength=n)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def read(self, text: str) -> DutyReading:
        """The duty reading of one normalized ad.

        Example:
            >>> from jdanalyzer.model.predict import load_model
            >>> reader = load_model().linear.duties
            >>> text = ("About us\\nWe are an AI-first company.\\nResponsibilities\\n"
            ...         "- Design A/B tests and analyze the results with statistical inference")
            >>> reading = reader.read(text)
            >>> [text[u.start:u.end] for u, _ in reading.strongest("data_science")]
            ['- Design A/B tests and analyze the results with statistical inference']
            >>> reading.is_duty().tolist()  # the company paragraph is never a duty
            [False, True]
        """
        units = tuple(split_units(text))
        # Under a company or offer heading ("About us", "Benefits") nothing is a duty,
        # however many AI words it has: those units (a fifth of a corpus's) are not read.
        proba = np.tile(np.eye(len(DUTY_LABELS))[DUTY_LABELS.index("not_duty")], (len(units), 1))
        inside = [i for i, u in enumerate(units) if u.kind not in NOT_DUTY_SECTIONS]
        if inside:
            proba[inside] = self.predict_proba(
                [unit_input(text[units[i].start:units[i].end], units[i].kind) for i in inside]
            )
        return DutyReading(units, proba)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The arrays to store in the model's ``.npz`` under ``prefix``."""
        return {
            f"{prefix}.terms": np.frombuffer(
                "\n".join(self.vectorizer.terms).encode("utf-8"), dtype=np.uint8
            ),
            f"{prefix}.idf": self.vectorizer.idf,
            f"{prefix}.coef": self.coef,
            f"{prefix}.intercept": self.intercept,
        }
