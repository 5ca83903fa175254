"""Features for the role classifier: posting text, title and taxonomy matches.

The model's input is a table (a pandas DataFrame) with a ``text`` column (normalized
posting text) and an optional ``title`` column. :class:`TaxonomyAnnotator` adds a
``terms`` column of taxonomy tokens (``skill:llm``, ``task:deploy_models``) from the spaCy
matches; when the column is already there (precomputed once for cross-validation) it is
kept as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer

from .taxonomy import load_taxonomy
from .types import Extraction

__all__ = [
    "FeatureNames",
    "SideProfile",
    "TaxonomyAnnotator",
    "make_features",
    "terms_of",
    "to_frame",
]

_SIDE_FEATURES = ("ai_engineer", "data_scientist", "shared")


def terms_of(extraction: Extraction) -> str:
    """The taxonomy tokens of an extraction, space-joined: ``"skill:llm task:deploy_models"``."""
    return " ".join(f"{m.kind}:{m.id}" for m in extraction.matches)


def to_frame(texts: Any, titles: Any = None) -> pd.DataFrame:
    """Build the model's input table from texts and optional titles (None or NaN = no title)."""
    texts = list(texts)
    if titles is None:
        titles = [""] * len(texts)
    titles = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in titles]
    return pd.DataFrame({"text": texts, "title": titles})


class TaxonomyAnnotator(TransformerMixin, BaseEstimator):
    """Add a ``terms`` column with the taxonomy matches of each ``text`` (stateless)."""

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    def fit(self, X: pd.DataFrame, y: Any = None) -> TaxonomyAnnotator:
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        if "terms" in X.columns:
            return X
        from .extract import extract_many

        out = X.copy()
        texts = X["text"].astype(str).tolist()
        out["terms"] = [terms_of(e) for e in extract_many(texts, batch_size=self.batch_size)]
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(["text", "title", "terms"], dtype=object)


class SideProfile(TransformerMixin, BaseEstimator):
    """Dense counts of taxonomy matches per side and kind, and how balanced the two sides are.

    Features (log1p of counts): skills and tasks per side, and ``both_sides``: the smaller
    of the AI-engineer and data-scientist counts, high only when a posting asks for both.
    """

    def fit(self, X: Any, y: Any = None) -> SideProfile:
        self.n_features_in_ = 1
        return self

    def transform(self, X: Any) -> sparse.csr_matrix:
        taxonomy = load_taxonomy()
        column = X.iloc[:, 0] if isinstance(X, pd.DataFrame) else pd.Series(np.ravel(X))
        rows = []
        for terms in column.astype(str):
            counts = dict.fromkeys(self._names(), 0.0)
            distinct: dict[str, set[str]] = {side: set() for side in _SIDE_FEATURES}
            for token in terms.split():
                kind, _, term_id = token.partition(":")
                if term_id not in taxonomy:
                    continue
                side = taxonomy[term_id].side
                counts[f"{kind}s_{side}"] += 1
                distinct[side].add(term_id)
            ai, ds = len(distinct["ai_engineer"]), len(distinct["data_scientist"])
            counts["distinct_ai_engineer"] = ai
            counts["distinct_data_scientist"] = ds
            counts["both_sides"] = min(ai, ds)
            rows.append([np.log1p(counts[name]) for name in self._names()])
        return sparse.csr_matrix(np.asarray(rows, dtype=float).reshape(len(rows), -1))

    @staticmethod
    def _names() -> list[str]:
        names = [f"{kind}s_{side}" for kind in ("skill", "task") for side in _SIDE_FEATURES]
        return [*names, "distinct_ai_engineer", "distinct_data_scientist", "both_sides"]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self._names(), dtype=object)


def make_features(*, use_title: bool = True, use_taxonomy: bool = True, min_df: int = 2) -> ColumnTransformer:
    """The feature union: word n-grams of the text, title words, taxonomy terms, side profile."""
    transformers: list[tuple[str, Any, Any]] = [
        (
            "words",
            TfidfVectorizer(
                ngram_range=(1, 2), min_df=min_df, max_df=0.9, sublinear_tf=True,
                max_features=50_000, strip_accents="unicode", dtype=np.float32,
            ),
            "text",
        )
    ]
    if use_title:
        transformers.append(
            ("title", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), "title")
        )
    if use_taxonomy:
        transformers.append(
            (
                "terms",
                TfidfVectorizer(
                    token_pattern=r"\S+", lowercase=False, sublinear_tf=True, min_df=1
                ),
                "terms",
            )
        )
        transformers.append(("sides", SideProfile(), ["terms"]))
    return ColumnTransformer(transformers, sparse_threshold=1.0)


class FeatureNames(Sequence[str]):
    """``get_feature_names_out()`` of a fitted ColumnTransformer, each block named on first use.

    Naming all 50,000 features cost a tenth of a second at every start, and evidence reads
    a dozen of them.
    """

    def __init__(self, columns: ColumnTransformer) -> None:
        self._columns = columns
        parts = columns.output_indices_.items()
        self._blocks = [(name, part) for name, part in parts if part.stop > part.start]
        self._length = max((part.stop for _, part in self._blocks), default=0)
        self._names: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(self._length)[index]]
        position = index + self._length if index < 0 else index
        for name, part in self._blocks:
            if part.start <= position < part.stop:
                if name not in self._names:
                    transformer = self._columns.named_transformers_[name]
                    self._names[name] = transformer.get_feature_names_out()
                names = self._names[name]
                feature = str(names[position - part.start])
                return f"{name}__{feature}" if self._columns.verbose_feature_names_out else feature
        raise IndexError(f"feature {index} out of range ({self._length} features)")
