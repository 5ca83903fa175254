"""What a job title advertises, and whether the text of the ad says otherwise.

``classify --title`` and the audit's ``role-mismatch`` rule share this one reading, so a
title the page calls contradictory is the title the audit reports.

A title belongs to one family (:func:`title_family`), tried in this order:

* ``hybrid``: it names data science and an AI-engineering role ("Data Scientist / ML
  Engineer").
* ``data_scientist``: "data scientist", "data science ...", "statistician", also with an AI
  topic that names no engineering role ("Data Scientist, GenAI").
* ``ai_engineer``: AI words before an engineer, developer or architect ("ML Platform
  Engineer", "Senior LLM Developer", "Prompt Engineer"), or, when no analyst or scientist
  is named, "LLM" or "GenAI" alone ("GenAI Lead").
* ``analyst``: any analyst or analytics title ("Data Analyst – Operations", "BI Analyst",
  "Head of Analytics", "Analytics Engineer").
* ``other_scientist``: every other scientist ("Research Scientist", "Applied Scientist",
  "ML Scientist", "LLM Research Scientist"). These titles cover research, modelling and
  engineering alike, so the title alone does not say which of the two roles it is.
* ``engineer``: any other engineer, developer, architect or programmer ("Software Engineer",
  "Data Engineer").

:func:`title_mismatch` compares the family with the label the role model gave the text, and
speaks only when that label is confident (at least :data:`CONFIDENT`, not low confidence):

* **high**: the title names one of the two roles and the text reads as the other.
* **medium**: an analyst title over text that reads as AI engineering.
* **low**: the title names one of the two roles and the text reads as neither (``other``).

Everything else is no mismatch: a ``hybrid`` label, a hybrid title, a scientist or
engineer title of another kind, and an analyst title over data science or other work (an
analyst who does statistics, or operations reporting, has the right title).
"""

from __future__ import annotations

import re

from jdanalyzer.types import Prediction, TitleMismatch

__all__ = ["CONFIDENT", "FAMILIES", "ROLE_NAMES", "title_family", "title_mismatch"]

#: The families :func:`title_family` returns (None: the title names no role we know).
FAMILIES = ("hybrid", "data_scientist", "ai_engineer", "analyst", "other_scientist", "engineer")
#: The lowest probability of the content label at which a title is said to contradict it.
CONFIDENT = 0.7
#: How messages name what a title or a label stands for.
ROLE_NAMES = {"ai_engineer": "AI engineering", "data_scientist": "data science",
              "hybrid": "both AI engineering and data science", "other": "neither role",
              "analyst": "analysis"}

_ROLES = ("ai_engineer", "data_scientist")
_DS = re.compile(r"\bdata[\s-]*scien|\bstatistician", re.IGNORECASE)
_AI_ROLE = re.compile(
    r"\b(?:ai|a\.i\.|ml|mlops|llm|llmops|genai|gen ai|nlp|machine learning|deep learning|"
    r"generative ai|applied ai|ai/ml|ml/ai|prompt)\b[\w\s/&,-]{0,30}?"
    r"\b(?:engineer|developer|architect)",
    re.IGNORECASE,
)
_AI_WORD = re.compile(r"\bllm\b|\bgenai\b", re.IGNORECASE)
_ANALYST = re.compile(r"\banalyst|\banalytics\b", re.IGNORECASE)
_SCIENTIST = re.compile(r"\bscientist", re.IGNORECASE)
_ENGINEER = re.compile(r"\b(?:engineer|developer|architect|programmer)", re.IGNORECASE)


def title_family(title: str | None) -> str | None:
    """The family of a job title (see the module's docstring), or None.

    Example:
        >>> title_family("Senior Data Scientist"), title_family("Machine Learning Engineer")
        ('data_scientist', 'ai_engineer')
        >>> title_family("Data Analyst – Operations"), title_family("Applied Scientist")
        ('analyst', 'other_scientist')
    """
    if not title:
        return None
    ds, ai_role, ai_word = _DS.search(title), _AI_ROLE.search(title), _AI_WORD.search(title)
    if ds and ai_role:
        return "hybrid"
    if ds:
        return "data_scientist"
    if ai_role:
        return "ai_engineer"
    if _ANALYST.search(title):
        return "analyst"
    if _SCIENTIST.search(title):
        return "other_scientist"
    if ai_word:
        return "ai_engineer"
    return "engineer" if _ENGINEER.search(title) else None


def title_mismatch(title: str | None, prediction: Prediction) -> TitleMismatch | None:
    """How the title contradicts the label the text got, or None when it does not.

    Only a confident label counts: the label is set, not ``low_confidence`` and at least
    :data:`CONFIDENT` likely. The severities are in the module's docstring.

    Example:
        >>> from jdanalyzer.types import Extraction
        >>> p = Prediction("ai_engineer", {"ai_engineer": 0.96, "data_scientist": 0.04},
        ...                "data_scientist", False, (), Extraction("Build RAG pipelines."))
        >>> title_mismatch("Data Scientist", p).severity
        'high'
        >>> title_mismatch("AI Engineer", p) is None
        True
    """
    family, label = title_family(title), prediction.label
    if family is None or label is None or prediction.low_confidence \
            or prediction.confidence < CONFIDENT:
        return None
    shown = f"{prediction.confidence:.0%} by the role model"
    if family in _ROLES and label in _ROLES and label != family:
        severity = "high"
    elif family == "analyst" and label == "ai_engineer":
        severity = "medium"
    elif family in _ROLES and label == "other":
        return TitleMismatch(
            f"the title '{title}' advertises {ROLE_NAMES[family]}, but the text reads as "
            f"neither AI engineering nor data science ({shown})", "low", family, label)
    else:
        return None
    return TitleMismatch(
        f"the title '{title}' advertises {ROLE_NAMES[family]}, but the duties and skills read "
        f"as {ROLE_NAMES[label]} ({shown})", severity, family, label)
