"""TF-IDF with numpy alone: a fitted ``TfidfVectorizer`` reduced to what ``transform`` reads."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np

__all__ = ["FeatureRow", "TfidfBlock", "strip_accents_unicode"]


def strip_accents_unicode(text: str) -> str:
    """Remove accents the way scikit-learn's ``strip_accents="unicode"`` does (NFKD).

    Only the runs of non-ASCII characters are decomposed: ASCII characters are their own
    decomposition and start a new combining sequence, so the result is the same.
    """
    if text.isascii():
        return text
    return _NON_ASCII.sub(_strip_run, text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _strip_run(match: re.Match[str]) -> str:
    normalized = unicodedata.normalize("NFKD", match.group())
    return "".join([c for c in normalized if not unicodedata.combining(c)])


class FeatureRow(NamedTuple):
    """One posting's non-zero features: column indices (ascending) and their values."""

    indices: np.ndarray
    values: np.ndarray


@dataclass
class TfidfBlock:
    """A fitted ``TfidfVectorizer`` (word analyzer) reduced to what ``transform`` reads."""

    name: str
    column: str
    terms: list[str]
    idf: np.ndarray
    offset: int = 0
    lowercase: bool = True
    strip_accents: str | None = None
    token_pattern: str = r"(?u)\b\w\w+\b"
    ngram_range: tuple[int, int] = (1, 1)
    sublinear_tf: bool = False
    norm: str | None = "l2"
    dtype: str = "float64"
    _vocabulary: dict[str, int] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._token = re.compile(self.token_pattern)

    @property
    def size(self) -> int:
        return len(self.terms)

    @property
    def vocabulary(self) -> dict[str, int]:
        if not self._vocabulary:
            self._vocabulary = dict(zip(self.terms, range(len(self.terms)), strict=True))
        return self._vocabulary

    def analyze(self, text: str) -> list[str]:
        """The n-grams scikit-learn's word analyzer makes of ``text`` (before the vocabulary)."""
        if self.lowercase:
            text = text.lower()
        if self.strip_accents == "unicode":
            text = strip_accents_unicode(text)
        tokens = self._token.findall(text)
        low, high = self.ngram_range
        grams = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high, len(tokens)) + 1):
            if n == 2:
                grams += [a + " " + b for a, b in pairwise(tokens)]
            else:
                grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return grams

    def transform(self, text: str) -> FeatureRow:
        """TF-IDF values of ``text``'s known n-grams (sublinear TF, IDF, L2 norm)."""
        vocabulary = self.vocabulary
        counts = {vocabulary[g]: n for g, n in Counter(self.analyze(text)).items() if g in vocabulary}
        dtype = np.dtype(self.dtype)
        if not counts:
            return FeatureRow(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=dtype))
        indices = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = np.fromiter(counts.values(), dtype=dtype, count=len(counts))
        order = np.argsort(indices)
        indices, values = indices[order], values[order]
        if self.sublinear_tf:
            values = np.log(values) + dtype.type(1.0)
        values = (values * self.idf[indices]).astype(dtype, copy=False)
        if self.norm == "l2":
            norm = math.sqrt(float(np.sum((values * values).astype(np.float64))))
            if norm > 0:
                values = (values / norm).astype(dtype, copy=False)
        return FeatureRow(indices + self.offset, values)

    @classmethod
    def from_vectorizer(cls, name: str, column: str, vectorizer: Any, offset: int) -> TfidfBlock:
        """Copy a fitted ``TfidfVectorizer``; refuse settings :meth:`transform` does not redo."""
        supported = {
            "analyzer": "word", "preprocessor": None, "tokenizer": None, "stop_words": None,
            "binary": False, "use_idf": True, "input": "content", "vocabulary": None,
        }
        params = vectorizer.get_params()
        wrong = {k: params[k] for k, v in supported.items() if params[k] != v}
        if params["strip_accents"] not in (None, "unicode"):
            wrong["strip_accents"] = params["strip_accents"]
        if params["norm"] not in (None, "l2"):
            wrong["norm"] = params["norm"]
        if wrong:
            raise ValueError(f"vectorizer {name!r} has settings the array model cannot reproduce: {wrong}")
        vocabulary = vectorizer.vocabulary_
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
        if [vocabulary[t] for t in terms] != list(range(len(terms))):
            raise ValueError(f"vectorizer {name!r}: vocabulary columns are not 0..n-1")
        return cls(
            name=name, column=column, terms=terms, idf=np.asarray(vectorizer.idf_), offset=offset,
            lowercase=bool(params["lowercase"]), strip_accents=params["strip_accents"],
            token_pattern=str(params["token_pattern"]), ngram_range=tuple(params["ngram_range"]),
            sublinear_tf=bool(params["sublinear_tf"]), norm=params["norm"],
            dtype=np.dtype(params["dtype"]).name,
        )

    def header(self) -> dict[str, Any]:
        return {
            "kind": "tfidf", "name": self.name, "column": self.column, "offset": self.offset,
            "size": self.size, "lowercase": self.lowercase, "strip_accents": self.strip_accents,
            "token_pattern": self.token_pattern, "ngram_range": list(self.ngram_range),
            "sublinear_tf": self.sublinear_tf, "norm": self.norm, "dtype": self.dtype,
        }
