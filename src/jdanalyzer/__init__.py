"""jdanalyzer: tell what job a job posting really describes.

Extract skills and tasks with spaCy matchers over a curated taxonomy, and classify a
posting as ``ai_engineer``, ``data_scientist``, ``hybrid`` or ``other`` with the evidence.

The package is layered, each layer importing only those below it:
``text`` (normalizing, reading files, sections) < ``extraction`` (taxonomy, spaCy
components) < ``model`` (features, prediction, training) < ``batch`` / ``audit`` /
``web`` < ``cli``. The public names below are imported on first use, so ``import
jdanalyzer`` loads neither spaCy nor scikit-learn.

Example:
    >>> import jdanalyzer
    >>> [m.name for m in jdanalyzer.extract("Build RAG pipelines with LangChain").skills]
    ['retrieval-augmented generation', 'LangChain']
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jdanalyzer.errors import JDAnalyzerError
    from jdanalyzer.extraction.extract import extract
    from jdanalyzer.model.predict import RoleModel, classify, load_model
    from jdanalyzer.text.normalize import normalize
    from jdanalyzer.types import Evidence, Extraction, Match, Prediction

__version__ = "0.1.0"

_PUBLIC = {
    "Evidence": "jdanalyzer.types",
    "Extraction": "jdanalyzer.types",
    "JDAnalyzerError": "jdanalyzer.errors",
    "Match": "jdanalyzer.types",
    "Prediction": "jdanalyzer.types",
    "RoleModel": "jdanalyzer.model.predict",
    "classify": "jdanalyzer.model.predict",
    "extract": "jdanalyzer.extraction.extract",
    "load_model": "jdanalyzer.model.predict",
    "normalize": "jdanalyzer.text.normalize",
}
__all__ = [
    "Evidence",
    "Extraction",
    "JDAnalyzerError",
    "Match",
    "Prediction",
    "RoleModel",
    "__version__",
    "classify",
    "extract",
    "load_model",
    "normalize",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'jdanalyzer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))


logging.getLogger(__name__).addHandler(logging.NullHandler())
