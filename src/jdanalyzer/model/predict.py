"""Classify postings as ai_engineer, data_scientist, hybrid or other, with evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from jdanalyzer.errors import EmptyTextError
from jdanalyzer.extraction.extract import MAX_CHARS, extract_many
from jdanalyzer.extraction.taxonomy import load_taxonomy
from jdanalyzer.model.arrays import LinearRoleModel
from jdanalyzer.model.artifacts import load_weights
from jdanalyzer.model.evidence import Explainer
from jdanalyzer.model.spec import terms_of, title_of
from jdanalyzer.model.titles import title_mismatch
from jdanalyzer.types import Extraction, Prediction

__all__ = [
    "LOW_CONFIDENCE", "MIN_WORDS", "NO_DUTIES_WARNING", "SHORT_TEXT_WORDS", "RoleModel", "classify",
    "load_model",
]

#: Below this probability for the top label a prediction is flagged ``low_confidence``.
LOW_CONFIDENCE = 0.5
#: Postings with fewer words are flagged, and their probabilities pulled toward the
#: training label mix in proportion to how short they are: a line or two is not evidence.
SHORT_TEXT_WORDS = 50
#: Postings with fewer words get no label at all (``label`` and ``runner_up`` None, no
#: evidence), only their probabilities and a warning: "We need a python person." is no ad.
MIN_WORDS = 30
#: The runner-up gets an evidence group of its own only when at least this likely.
EVIDENCE_MIN_PROBABILITY = 0.15
#: Said of an ad in which the duty reader finds no duty at all (only the company, the offer
#: or boilerplate, about 1 ad in 150): the label then rests on the title and the company's
#: words, and LABELING.md calls an ad too vague to tell ``other``.
NO_DUTIES_WARNING = "no duty or requirement found in the text: too vague to tell the role reliably"


class RoleModel:
    """A trained role classifier with its manifest, ready to classify postings.

    Load it once (:meth:`load`) and reuse it: loading checks the files' SHA-256. Prediction
    runs on the model's arrays (:class:`~jdanalyzer.model.arrays.LinearRoleModel`), without
    importing scikit-learn.
    """

    def __init__(self, linear: LinearRoleModel, manifest: dict[str, Any] | None = None) -> None:
        self.linear = linear
        self.manifest = manifest or {}
        self.labels = list(linear.classes)
        counts = self.manifest.get("label_counts") or {}
        prior = np.array([float(counts.get(label, 1.0)) for label in self.labels])
        self.prior = prior / prior.sum()
        self.explainer = Explainer(
            feature_name=linear.feature_name,
            coef=linear.coef,
            classes=np.asarray(self.labels),
            taxonomy=load_taxonomy(),
        )

    @classmethod
    def load(cls, path: str | Path | None = None) -> RoleModel:
        """Load the packaged model, or the model file at ``path`` (checked against its manifest)."""
        linear, manifest = load_weights(Path(path) if path is not None else None)
        return cls(linear, manifest)

    def classify(self, text: str, title: str | None = None) -> Prediction:
        """Classify one posting. Raises :class:`EmptyTextError` for empty text."""
        if not isinstance(text, str) or not text.strip():
            raise EmptyTextError("the posting is empty; give the text of a job ad")
        return self.classify_many([text], [title])[0]

    def classify_many(
        self,
        texts: Sequence[str],
        titles: Sequence[str | None] | None = None,
        *,
        batch_size: int = 64,
    ) -> list[Prediction]:
        """Classify postings in one batch (spaCy ``nlp.pipe``); empty texts raise."""
        titles = list(titles) if titles is not None else [None] * len(texts)
        extractions = list(extract_many(texts, batch_size=batch_size, max_chars=MAX_CHARS))
        if any(not e.text.strip() for e in extractions):
            raise EmptyTextError("the posting is empty; give the text of a job ad")
        return self.predict_extractions(extractions, titles)

    def predict_extractions(
        self, extractions: Sequence[Extraction], titles: Iterable[str | None]
    ) -> list[Prediction]:
        """Classify postings already normalized and matched (used by batch scoring)."""
        names = [title_of(t) for t in titles]
        readings = [self.linear.read_duties(e.text) for e in extractions]
        features = [
            self.linear.features(e.text, title, terms_of(e, reading.in_duties if reading else None), reading)
            for e, title, reading in zip(extractions, names, readings, strict=True)
        ]
        proba = self.linear.predict_proba(features)
        results = []
        for i, extraction in enumerate(extractions):
            words = len(extraction.text.split())
            reading = readings[i]
            no_duties = reading is not None and not reading.is_duty().any()
            p = proba[i]
            warnings = list(extraction.warnings)
            if words < SHORT_TEXT_WORDS:
                weight = words / SHORT_TEXT_WORDS
                p = weight * p + (1 - weight) * self.prior
            order = np.argsort(-p)
            top, second = self.labels[order[0]], self.labels[order[1]]
            label: str | None = top
            runner_up: str | None = second
            evidence = []
            if words < MIN_WORDS:  # probabilities only: no label, so nothing to explain
                label = runner_up = None
                counted = "1 word" if words == 1 else f"{words} words"
                warnings.append(f"too short ({counted}) to tell the role: no label; paste the whole ad")
            else:
                if words < SHORT_TEXT_WORDS:
                    warnings.append(
                        f"only {words} words: too short to tell the role reliably; paste the whole ad"
                    )
                elif no_duties:
                    warnings.append(NO_DUTIES_WARNING)
                evidence = self.explainer.explain(
                    features[i], extraction, top, second, reading=reading,
                    for_runner_up=bool(p[order[1]] >= EVIDENCE_MIN_PROBABILITY),
                )
            prediction = Prediction(
                label=label,
                probabilities={lab: float(p[j]) for j, lab in enumerate(self.labels)},
                runner_up=runner_up,
                low_confidence=bool(words < SHORT_TEXT_WORDS or p[order[0]] < LOW_CONFIDENCE or no_duties),
                evidence=tuple(evidence),
                extraction=extraction,
                title=names[i],
                warnings=tuple(warnings),
            )
            # A title the text confidently contradicts is said, by the audit's rule.
            results.append(replace(prediction, title_mismatch=title_mismatch(names[i], prediction)))
        return results


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> RoleModel:
    """The model at ``path`` (default: the packaged model), loaded once per process."""
    return RoleModel.load(path)


def classify(text: str, title: str | None = None, *, model: RoleModel | None = None) -> Prediction:
    """Classify one posting with the packaged model (loaded once and reused).

    A posting under :data:`MIN_WORDS` words gets ``label`` None (see :class:`Prediction`).
    With a ``title``, ``title_mismatch`` says when the text confidently reads as another role
    (:func:`jdanalyzer.model.titles.title_mismatch`, the audit's ``role-mismatch`` rule).

    Example:
        >>> result = classify(open("ad.txt").read())  # doctest: +SKIP
        >>> result.label, sorted(result.probabilities)  # doctest: +SKIP
        ('ai_engineer', ['ai_engineer', 'data_scientist', 'hybrid', 'other'])
        >>> classify("We need a python person.").label is None  # doctest: +SKIP
        True
    """
    return (model or load_model()).classify(text, title)
