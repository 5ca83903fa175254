"""The fitted role model as plain arrays: the same probabilities without scikit-learn.

Training builds a scikit-learn ``Pipeline`` (:mod:`jdanalyzer.model.estimator`). Prediction
needs only what it learned: each TF-IDF block's vocabulary and IDF weights, the names of the
dense profiles, the duty reader's arrays, and the logistic regression's coefficients.
:func:`jdanalyzer.model.export.arrays_from_pipeline` copies those out,
:meth:`~LinearRoleModel.save` writes them to one ``.npz`` file (arrays and a JSON header, no
pickle: loading it cannot run code), and :meth:`~LinearRoleModel.predict_proba` recomputes
the pipeline's features and probabilities with numpy alone.

Why: importing scikit-learn (with the SciPy and pandas modules it pulls in) takes longer
than everything else a pasted posting needs. The tests check that both paths give the same
probabilities on real postings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from jdanalyzer.extraction.taxonomy import Taxonomy, load_taxonomy
from jdanalyzer.model.duties import DUTY_LABELS, DUTY_PROFILE_NAMES, DutyReader, DutyReading
from jdanalyzer.model.spec import SIDE_PROFILE_NAMES, side_profile
from jdanalyzer.model.tfidf import FeatureRow, TfidfBlock

__all__ = ["FeatureRow", "LinearRoleModel", "TfidfBlock"]

FORMAT = "jdanalyzer-linear/2"
#: The dense blocks a model may have, with their column names.
DENSE = {"sides": SIDE_PROFILE_NAMES, "duties": DUTY_PROFILE_NAMES}


class LinearRoleModel:
    """Features and calibrated probabilities of a fitted role pipeline, with numpy alone.

    The blocks are those of the pipeline's ``ColumnTransformer`` in column order: TF-IDF of
    the ``text`` (or ``duty_text``), ``title`` and ``terms`` columns, the side profile of
    ``terms`` and, with a duty reader, the duty profile.
    """

    def __init__(
        self,
        blocks: Sequence[TfidfBlock],
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: Sequence[str],
        *,
        dense: dict[str, int] | None = None,
        duties: DutyReader | None = None,
        taxonomy: Taxonomy | None = None,
    ) -> None:
        self.blocks = list(blocks)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.classes = [str(c) for c in classes]
        #: Column offset of each dense block the model has (``sides``, ``duties``).
        self.dense = dict(dense or {})
        unknown = set(self.dense) - set(DENSE)
        if unknown:
            raise ValueError(f"unknown dense block(s) {sorted(unknown)}")
        if ("duties" in self.dense) != (duties is not None):
            raise ValueError("a duty profile needs a duty reader, and a duty reader a duty profile")
        #: The duty reader, when the model reads duties (:mod:`jdanalyzer.model.duties`).
        self.duties = duties
        self.taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        if self.coef.shape != (len(self.classes), self.n_features):
            raise ValueError(f"coefficients of shape {self.coef.shape} do not fit {self.n_features} features")

    @property
    def n_features(self) -> int:
        ends = [b.offset + b.size for b in self.blocks]
        ends += [offset + len(DENSE[name]) for name, offset in self.dense.items()]
        return max(ends, default=0)

    @cached_property
    def feature_names(self) -> list[str]:
        """``block__feature`` for every column, as ``get_feature_names_out()`` names them."""
        names = [""] * self.n_features
        for block in self.blocks:
            names[block.offset : block.offset + block.size] = [f"{block.name}__{t}" for t in block.terms]
        for name, offset in self.dense.items():
            names[offset : offset + len(DENSE[name])] = [f"{name}__{n}" for n in DENSE[name]]
        return names

    def feature_name(self, j: int) -> str:
        """The name of column ``j`` (without building the whole list)."""
        for block in self.blocks:
            if block.offset <= j < block.offset + block.size:
                return f"{block.name}__{block.terms[j - block.offset]}"
        for name, offset in self.dense.items():
            if 0 <= j - offset < len(DENSE[name]):
                return f"{name}__{DENSE[name][j - offset]}"
        raise IndexError(f"feature {j} out of range ({self.n_features} features)")

    def read_duties(self, text: str) -> DutyReading | None:
        """The duty reading of ``text``, or None for a model without a duty reader."""
        return self.duties.read(text) if self.duties is not None else None

    def features(
        self, text: str, title: str = "", terms: str = "", reading: DutyReading | None = None
    ) -> FeatureRow:
        """The pipeline's feature row for one posting (normalized text, title, taxonomy terms).

        ``reading``: the posting's duty reading, if already made (:meth:`read_duties`).
        """
        if self.duties is not None and reading is None:
            reading = self.duties.read(text)
        columns = {"text": text, "title": title or "", "terms": terms}
        if reading is not None:
            columns["duty_text"] = reading.duty_text(text)
        parts = [block.transform(columns[block.column]) for block in self.blocks]
        for name, offset in self.dense.items():
            if name == "sides":
                values = np.asarray(side_profile(terms, self.taxonomy), dtype=np.float64)
            else:
                assert reading is not None
                values = np.asarray(reading.profile(), dtype=np.float64)
            nonzero = np.flatnonzero(values)
            parts.append(FeatureRow(nonzero + offset, values[nonzero]))
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
        header: dict[str, Any] = {
            "format": FORMAT, "classes": self.classes, "n_features": self.n_features,
            "blocks": [b.header() for b in self.blocks],
            "dense": [{"name": name, "offset": offset, "names": list(DENSE[name])}
                      for name, offset in self.dense.items()],
            "duty_reader": self.duties.vectorizer.header() if self.duties is not None else None,
        }
        arrays: dict[str, np.ndarray] = {
            "header": _bytes(json.dumps(header)), "coef": self.coef, "intercept": self.intercept,
        }
        readers = [*self.blocks, *([self.duties.vectorizer] if self.duties is not None else [])]
        for block in readers:
            if any("\n" in t for t in block.terms):
                raise ValueError(f"block {block.name!r} has a term with a line break")
        for block in self.blocks:
            arrays[f"{block.name}.terms"] = _bytes("\n".join(block.terms))
            arrays[f"{block.name}.idf"] = block.idf
        if self.duties is not None:
            arrays.update(self.duties.arrays("duty_reader"))
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
            blocks = [_block(spec, data, spec["name"]) for spec in header["blocks"]]
            dense = {}
            for spec in header["dense"]:
                if spec["name"] not in DENSE or tuple(spec["names"]) != DENSE[spec["name"]]:
                    raise ValueError(f"the {spec['name']!r} features differ from this version's")
                dense[spec["name"]] = int(spec["offset"])
            duties = None
            if header.get("duty_reader"):
                vectorizer = _block(header["duty_reader"], data, "duty_reader")
                duties = DutyReader(vectorizer, data["duty_reader.coef"], data["duty_reader.intercept"],
                                    DUTY_LABELS)
            return cls(blocks, data["coef"], data["intercept"], header["classes"], dense=dense, duties=duties)


def _block(spec: dict[str, Any], data: Any, prefix: str) -> TfidfBlock:
    joined = bytes(data[f"{prefix}.terms"]).decode("utf-8")
    return TfidfBlock(
        name=spec["name"], column=spec["column"], terms=joined.split("\n") if joined else [],
        idf=np.asarray(data[f"{prefix}.idf"]), offset=spec["offset"],
        lowercase=spec["lowercase"], strip_accents=spec["strip_accents"],
        token_pattern=spec["token_pattern"], ngram_range=tuple(spec["ngram_range"]),
        sublinear_tf=spec["sublinear_tf"], norm=spec["norm"], dtype=spec["dtype"],
    )


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
