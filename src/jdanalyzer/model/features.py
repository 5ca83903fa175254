"""Features for the role classifier: posting text, title and taxonomy matches.

The model's input is a table (a pandas DataFrame) with a ``text`` column (normalized
posting text) and an optional ``title`` column. :class:`TaxonomyAnnotator` adds a
``terms`` column of taxonomy tokens (``skill:llm``, ``task:deploy_models``) from the spaCy
matches; when the column is already there (precomputed once for cross-validation) it is
kept as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer

from jdanalyzer.extraction.extract import extract_many
from jdanalyzer.extraction.taxonomy import load_taxonomy
from jdanalyzer.model.duties import DUTY_PROFILE_NAMES, DutyReader
from jdanalyzer.model.spec import (
    SIDE_PROFILE_NAMES,
    keep_terms,
    side_profile,
    term_starts_of,
    terms_of,
    title_of,
)

__all__ = [
    "DutyAnnotator",
    "DutyProfile",
    "SideProfile",
    "TaxonomyAnnotator",
    "make_features",
    "terms_of",
    "to_frame",
]


def to_frame(texts: Any, titles: Any = None) -> pd.DataFrame:
    """Build the model's input table from texts and optional titles (None or NaN = no title)."""
    texts = list(texts)
    if titles is None:
        titles = [""] * len(texts)
    titles = [title_of(t) for t in titles]
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
        out = X.copy()
        texts = X["text"].astype(str).tolist()
        extractions = list(extract_many(texts, batch_size=self.batch_size))
        out["terms"] = [terms_of(e) for e in extractions]
        out["term_starts"] = [term_starts_of(e) for e in extractions]
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(["text", "title", "terms"], dtype=object)


class DutyAnnotator(TransformerMixin, BaseEstimator):
    """Add ``duty_text`` (the duty sentences) and ``duty_profile`` columns with a trained
    :class:`~jdanalyzer.model.duties.DutyReader` (stateless: the reader is trained apart),
    and keep in ``terms`` only the taxonomy terms found in duty sentences.
    Without a reader, or when the columns are there (precomputed once for cross-validation),
    the table passes through."""

    def __init__(self, reader: DutyReader | None = None) -> None:
        self.reader = reader

    def fit(self, X: pd.DataFrame, y: Any = None) -> DutyAnnotator:
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        if self.reader is None or "duty_text" in X.columns:
            return X
        out = X.copy()
        readings = [self.reader.read(t) for t in X["text"].astype(str)]
        out["duty_text"] = [r.duty_text(t) for r, t in zip(readings, X["text"].astype(str), strict=True)]
        out["duty_profile"] = [r.profile() for r in readings]
        if "term_starts" in out.columns:
            out["terms"] = [keep_terms(t, s, r.in_duties)
                            for t, s, r in zip(out["terms"], out["term_starts"], readings, strict=True)]
        return out


class DutyProfile(TransformerMixin, BaseEstimator):
    """The ``duty_profile`` column as dense features (:data:`~jdanalyzer.model.duties.DUTY_PROFILE_NAMES`)."""

    def fit(self, X: Any, y: Any = None) -> DutyProfile:
        self.n_features_in_ = 1
        return self

    def transform(self, X: Any) -> sparse.csr_matrix:
        column = X.iloc[:, 0] if isinstance(X, pd.DataFrame) else pd.Series(list(X))
        rows = np.asarray([list(r) for r in column], dtype=float)
        return sparse.csr_matrix(rows.reshape(len(column), len(DUTY_PROFILE_NAMES)))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(DUTY_PROFILE_NAMES, dtype=object)


class SideProfile(TransformerMixin, BaseEstimator):
    """Dense counts of taxonomy matches per side and kind, and how balanced the two sides are.

    Features (log1p of counts, :func:`jdanalyzer.model.arrays.side_profile`): skills and tasks per
    side, and ``both_sides``: the smaller of the AI-engineer and data-scientist counts, high
    only when a posting asks for both.
    """

    def fit(self, X: Any, y: Any = None) -> SideProfile:
        self.n_features_in_ = 1
        return self

    def transform(self, X: Any) -> sparse.csr_matrix:
        taxonomy = load_taxonomy()
        column = X.iloc[:, 0] if isinstance(X, pd.DataFrame) else pd.Series(np.ravel(X))
        rows = [side_profile(terms, taxonomy) for terms in column.astype(str)]
        return sparse.csr_matrix(np.asarray(rows, dtype=float).reshape(len(rows), len(SIDE_PROFILE_NAMES)))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(SIDE_PROFILE_NAMES, dtype=object)


def make_features(
    *, use_title: bool = True, use_taxonomy: bool = True, use_duties: bool = False, min_df: int = 2
) -> ColumnTransformer:
    """The feature union: word n-grams of the text (of its duty sentences with ``use_duties``),
    title words, taxonomy terms, side profile, and the duty profile."""
    transformers: list[tuple[str, Any, Any]] = [
        (
            "words",
            TfidfVectorizer(
                ngram_range=(1, 2), min_df=min_df, max_df=0.9, sublinear_tf=True,
                max_features=50_000, strip_accents="unicode", dtype=np.float32,
            ),
            "duty_text" if use_duties else "text",
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
    if use_duties:
        transformers.append(("duties", DutyProfile(), ["duty_profile"]))
    return ColumnTransformer(transformers, sparse_threshold=1.0)
