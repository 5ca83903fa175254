"""The result of evaluating the role model: out-of-fold figures of the model and baselines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["EvalReport"]


@dataclass
class EvalReport:
    """Out-of-fold results of the model and the baselines on the same grouped folds."""

    labels: list[str]
    n_splits: int
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    per_source: dict[str, dict[str, float]] = field(default_factory=dict)
    #: The model's macro-F1 on each test fold: the spread shows what is noise.
    fold_macro_f1: list[float] = field(default_factory=list)
    #: Rows of :func:`learning_curve` (companies kept, labels, macro-F1), when computed.
    learning_curve: list[dict[str, float]] = field(default_factory=list)
    #: :func:`label_agreement` with a second, blind annotation, when one is given.
    agreement: dict[str, Any] = field(default_factory=dict)
    #: :func:`seed_spread`: mean and spread of the figures over fold seeds, when computed.
    seed_spread: dict[str, Any] = field(default_factory=dict)
    oof: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"labels": self.labels, "n_splits": self.n_splits, "results": self.results,
                "per_source": self.per_source, "fold_macro_f1": self.fold_macro_f1,
                "learning_curve": self.learning_curve, "agreement": self.agreement,
                "seed_spread": self.seed_spread}
