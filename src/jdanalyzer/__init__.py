"""jdanalyzer: tell what job a job posting really describes.

Extract skills and tasks with spaCy matchers over a curated taxonomy, and classify a
posting as ``ai_engineer``, ``data_scientist``, ``hybrid`` or ``other`` with the evidence.

Example:
    >>> import jdanalyzer
    >>> [m.name for m in jdanalyzer.extract("Build RAG pipelines with LangChain").skills]
    ['retrieval-augmented generation', 'LangChain']
"""

from __future__ import annotations

import logging

# These modules import spaCy and scikit-learn only inside functions, so importing the
# package (and running `jdanalyzer --help`) stays fast. The functions are bound after the
# modules of the same name, so `jdanalyzer.extract` is the function.
from .classify import RoleModel, classify, load_model
from .errors import JDAnalyzerError
from .extract import extract
from .normalize import normalize
from .types import Evidence, Extraction, Match, Prediction

__version__ = "0.1.0"
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

logging.getLogger(__name__).addHandler(logging.NullHandler())
