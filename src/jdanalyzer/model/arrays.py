"""The fitted role model as plain arrays: the same probabilities without scikit-learn.

Training builds a scikit-learn ``Pipeline`` (:mod:`jdanalyzer.model.estimator`). Prediction needs only
what it learned: each TF-IDF block's vocabulary and IDF weights, the side-profile names, and
the logistic regression's coefficients. :func:`jdanalyzer.model.export.arrays_from_pipeline` copies those
out, :meth:`~LinearRoleModel.save` writes them to one ``.npz`` file (arrays and a JSON
header, no pickle: loading it cannot run code), and :meth:`~LinearRoleModel.predict_proba`
recomputes the pipeline's features and probabilities with numpy alone.

Why: importing scikit-learn (with the SciPy and pandas modules it pulls in) takes longer
than everything else a pasted posting needs. The tests check that both paths give the same
probabilities on real postings.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from jdanalyzer.extraction.taxonomy import Taxonomy, load_taxonomy
from jdanalyzer.types import SIDES, Extraction

__all__ = [
    "SIDE_PROFILE_NAMES",
    "FeatureRow",
    "LinearRoleModel",
    "TfidfBlock",
    "side_profile",
    "strip_accents_unicode",
    "terms_of",
    "title_of",
]

FORMAT = "jdanalyzer-linear/1"

#: The dense side-profile features, in column order.
SIDE_PROFILE_NAMES = (
    *(f"{kind}s_{side}" for kind in ("skill", "task") for side in SIDES),
    "distinct_ai_engineer",
    "distinct_data_scientist",
    "both_sides",
)


def side_profile(terms: str, taxonomy: Taxonomy) -> list[float]:
    """log1p counts of taxonomy matches per side and kind, and how balanced the sides are.

    ``terms`` is the space-joined taxonomy tokens of a posting (``"skill:llm task:eda"``).
    ``both_sides`` is the smaller of the distinct AI-engineering and data-science term
    counts: high only when a posting asks for both.

    Example:
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
    return [math.log1p(counts[name]) for name in SIDE_PROFILE_NAMES]


def terms_of(extraction: Extraction) -> str:
    """The taxonomy tokens of an extraction, space-joined: ``"skill:llm task:deploy_models"``."""
    return " ".join(f"{m.kind}:{m.id}" for m in extraction.matches)


def title_of(title: object) -> str:
    """A title cell as the model reads it: None or NaN is no title, anything else is text."""
    if title is None or (isinstance(title, float) and math.isnan(title)):
        return ""
    return str(title)


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


class LinearRoleModel:
    """Features and calibrated probabilities of a fitted role pipeline, with numpy alone.

    The blocks are those of the pipeline's ``ColumnTransformer`` in column order: TF-IDF of
    the ``text``, ``title`` and ``terms`` columns, and the side profile of ``terms``.
    """

    def __init__(
        self,
        blocks: Sequence[TfidfBlock],
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: Sequence[str],
        *,
        profile: tuple[str, int] | None = None,
        taxonomy: Taxonomy | None = None,
    ) -> None:
        self.blocks = list(blocks)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.classes = [str(c) for c in classes]
        #: (block name, column offset) of the side profile, if the model has one.
        self.profile = profile
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        if self.coef.shape != (len(self.classes), self.n_features):
            raise ValueError(f"coefficients of shape {self.coef.shape} do not fit {self.n_features} features")

    @property
    def n_features(self) -> int:
        ends = [b.offset + b.size for b in self.blocks]
        if self.profile:
            ends.append(self.profile[1] + len(SIDE_PROFILE_NAMES))
        return max(ends, default=0)

    @cached_property
    def feature_names(self) -> list[str]:
        """``block__feature`` for every column, as ``get_feature_names_out()`` names them."""
        names = [""] * self.n_features
        for block in self.blocks:
            names[block.offset : block.offset + block.size] = [f"{block.name}__{t}" for t in block.terms]
        if self.profile:
            name, offset = self.profile
            names[offset : offset + len(SIDE_PROFILE_NAMES)] = [f"{name}__{n}" for n in SIDE_PROFILE_NAMES]
        return names

    def feature_name(self, j: int) -> str:
        """The name of column ``j`` (without building the whole list)."""
        for block in self.blocks:
            if block.offset <= j < block.offset + block.size:
                return f"{block.name}__{block.terms[j - block.offset]}"
        if self.profile and 0 <= j - self.profile[1] < len(SIDE_PROFILE_NAMES):
            return f"{self.profile[0]}__{SIDE_PROFILE_NAMES[j - self.profile[1]]}"
        raise IndexError(f"feature {j} out of range ({self.n_features} features)")

    def features(self, text: str, title: str = "", terms: str = "") -> FeatureRow:
        """The pipeline's feature row for one posting (normalized text, title, taxonomy terms)."""
        columns = {"text": text, "title": title or "", "terms": terms}
        parts = [block.transform(columns[block.column]) for block in self.blocks]
        if self.profile:
            values = np.asarray(side_profile(terms, self.taxonomy), dtype=np.float64)
            nonzero = np.flatnonzero(values)
            parts.append(FeatureRow(nonzero + self.profile[1], values[nonzero]))
        indices = np.concatenate([p.indices for p in parts])
        values = np.concatenate([p.values.astype(np.float64) for p in parts])
        order = np.argsort(indices, kind="stable")
        return FeatureRow(indices[order], values[order])

    def decision(self, row: FeatureRow) -> np.ndarray:
        """Log-odds scores per class: ``W x + b``."""
        return self.coef[:, row.indices] @ row.values + self.intercept

    def predict_proba(self, rows: Sequence[FeatureRow]) -> np.ndarray:
        """Calibrated probabilities, one row per posting, columns in :attr:`classes` order."""
        if not rows:
            return np.zeros((0, len(self.classes)))
        scores = np.vstack([self.decision(row) for row in rows])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        """Write the arrays and a JSON header to ``path`` (``.npz``, no pickled objects)."""
        header = {
            "format": FORMAT, "classes": self.classes, "n_features": self.n_features,
            "blocks": [b.header() for b in self.blocks],
            "profile": {"name": self.profile[0], "offset": self.profile[1],
                        "names": list(SIDE_PROFILE_NAMES)} if self.profile else None,
        }
        arrays: dict[str, np.ndarray] = {
            "header": _bytes(json.dumps(header)), "coef": self.coef, "intercept": self.intercept,
        }
        for block in self.blocks:
            if any("\n" in t for t in block.terms):
                raise ValueError(f"block {block.name!r} has a term with a line break")
            arrays[f"{block.name}.terms"] = _bytes("\n".join(block.terms))
            arrays[f"{block.name}.idf"] = block.idf
        with Path(path).open("wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> LinearRoleModel:
        """Read a file written by :meth:`save`. Raises ``ValueError`` if it is not one."""
        loaded = np.load(Path(path), allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("not an .npz archive")
        with loaded as data:
            header = json.loads(bytes(data["header"]).decode("utf-8"))
            if header.get("format") != FORMAT:
                raise ValueError(f"not a {FORMAT} file (format {header.get('format')!r})")
            blocks = []
            for spec in header["blocks"]:
                name = spec["name"]
                joined = bytes(data[f"{name}.terms"]).decode("utf-8")
                blocks.append(TfidfBlock(
                    name=name, column=spec["column"], terms=joined.split("\n") if joined else [],
                    idf=np.asarray(data[f"{name}.idf"]), offset=spec["offset"],
                    lowercase=spec["lowercase"], strip_accents=spec["strip_accents"],
                    token_pattern=spec["token_pattern"], ngram_range=tuple(spec["ngram_range"]),
                    sublinear_tf=spec["sublinear_tf"], norm=spec["norm"], dtype=spec["dtype"],
                ))
            profile = header.get("profile")
            if profile and tuple(profile["names"]) != SIDE_PROFILE_NAMES:
                raise ValueError("the side-profile features differ from this version's")
            return cls(
                blocks, data["coef"], data["intercept"], header["classes"],
                profile=(profile["name"], profile["offset"]) if profile else None,
            )


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
