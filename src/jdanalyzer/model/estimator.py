"""The role classifier: one scikit-learn Pipeline from posting table to calibrated labels.

``annotate`` (spaCy taxonomy matches) -> ``features`` (text n-grams, title words, taxonomy
terms, side profile) -> ``classify`` (class-weighted logistic regression, calibrated).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from jdanalyzer.model.duties import DUTY_LABELS, DutyReader
from jdanalyzer.model.features import DutyAnnotator, TaxonomyAnnotator, make_features
from jdanalyzer.model.tfidf import TfidfBlock
from jdanalyzer.types import LABELS

__all__ = ["LABELS", "SEED", "fit_duty_reader", "linear_model", "make_role_pipeline"]

SEED = 0
DEFAULT_PARAMS = {"C": 10.0, "use_title": True, "use_taxonomy": True, "calibrate": True}


def make_role_pipeline(
    *,
    C: float = 10.0,
    use_title: bool = True,
    use_taxonomy: bool = True,
    calibrate: bool = True,
    duties: DutyReader | None = None,
    cv: Any = None,
) -> Pipeline:
    """Build the untrained classifier pipeline (deterministic: every random step is seeded).

    Args:
        C: inverse regularisation strength of the logistic regression.
        use_title: add the title's words as features (an empty title adds nothing).
        use_taxonomy: add the taxonomy-term and side-profile features.
        calibrate: scale the logits by one temperature fitted on inner folds (keeps the
            ranking of labels; per-class sigmoids were worse on Brier, ECE and F1).
        duties: a trained duty reader: the words are then read from the duty sentences
            only, and the duty profile is added (:mod:`jdanalyzer.model.duties`).
        cv: inner folds for calibration (an int, a splitter or a list of splits).

    Example:
        >>> pipe = make_role_pipeline()
        >>> [name for name, _ in pipe.steps]
        ['annotate', 'duties', 'features', 'classify']
    """
    # newton-cg: the same convex optimum as lbfgs in ~10x less time on these features
    # (lbfgs needs 150+ iterations with the dense side-profile columns beside TF-IDF).
    model: Any = LogisticRegression(C=C, class_weight="balanced", solver="newton-cg", max_iter=500)
    if calibrate:
        folds = cv if cv is not None else StratifiedKFold(5, shuffle=True, random_state=SEED)
        model = CalibratedClassifierCV(model, method="temperature", cv=folds, ensemble=False)
    return Pipeline(
        [
            ("annotate", TaxonomyAnnotator()),
            ("duties", DutyAnnotator(duties)),
            ("features", make_features(use_title=use_title, use_taxonomy=use_taxonomy,
                                       use_duties=duties is not None)),
            ("classify", model),
        ]
    )


def fit_duty_reader(inputs: Sequence[str], labels: Sequence[str], *, C: float = 4.0) -> DutyReader:
    """Train the duty reader's sentence model on :func:`~jdanalyzer.model.duties.unit_input`
    strings and their labels, and return it as arrays."""

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, strip_accents="unicode")
    features = vectorizer.fit_transform(list(inputs))
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
    model.fit(features, list(labels))
    order = [list(model.classes_).index(label) for label in DUTY_LABELS]
    block = TfidfBlock.from_vectorizer("duties", "unit", vectorizer, 0)
    return DutyReader(block, model.coef_[order], model.intercept_[order], DUTY_LABELS)


def linear_model(pipeline: Pipeline) -> LogisticRegression:
    """The fitted linear model inside ``pipeline`` (under calibration, if any)."""
    model = pipeline.named_steps["classify"]
    if isinstance(model, CalibratedClassifierCV):
        model = model.calibrated_classifiers_[0].estimator
    if not hasattr(model, "coef_"):
        raise TypeError(f"{type(model).__name__} has no coef_; evidence needs a linear model")
    return model


def class_index(pipeline: Pipeline, label: str) -> int:
    return int(np.flatnonzero(pipeline.classes_ == label)[0])
