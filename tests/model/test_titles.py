"""What a title advertises, and when the text of the ad contradicts it (model/titles.py).

The cases are the reported ones: ``classify --title "Data Scientist"`` on a pure
LLM-engineering ad said ``ai_engineer 96%`` and nothing about the title, while the audit's
``role-mismatch`` fired on a Whisper + LLM ad at 52% ``other``, on "Data Analyst –
Operations" and on "Research Scientist" titles. Predictions are built by hand where the
case is about a probability, so the tests do not hang on the model's exact figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jdanalyzer.extraction.extract import extract
from jdanalyzer.model.titles import CONFIDENT, title_family, title_mismatch
from jdanalyzer.types import LABELS, Prediction

LLM_AD = (Path(__file__).resolve().parents[1] / "data" / "titles" / "llm-engineering-ad.txt").read_text(
    encoding="utf-8"
)  # a pure LLM-engineering ad, shared with the other title-mismatch tests

WHISPER_AD = """About the role
Our support team records 20,000 calls a week. You will turn them into searchable notes.

What you will do
- Transcribe calls with Whisper and clean the transcripts.
- Summarize each call with an LLM and file the summary in our CRM.
- Keep the pipeline running on our servers and answer questions from support agents.
"""

OPERATIONS_ANALYST_AD = """What you will do
- Build and maintain weekly operations dashboards in Tableau for the warehouse managers.
- Write SQL queries against our data warehouse to track picking times and late orders.
- Analyze staffing data and forecast next month's shifts with a simple regression.
- Present findings to the operations leadership every Monday.
"""

RESEARCH_AD = """What you will do
- Conduct research on representation learning and publish at NeurIPS, ICML and ICLR.
- Design experiments, train deep learning models in PyTorch and analyze the results.
- Prototype new algorithms with our product teams and write them up as papers.
"""


def prediction(text: str, label: str | None, p: float, *, low: bool | None = None) -> Prediction:
    """A prediction of ``text``: ``label`` at probability ``p``, the rest shared out."""
    found = extract(text)
    top = label or "other"
    others = [x for x in LABELS if x != top]
    probabilities = {top: p, **dict.fromkeys(others, (1 - p) / len(others))}
    return Prediction(label, probabilities, None if label is None else others[0],
                      p < 0.5 if low is None else low, (), found)


@pytest.mark.parametrize(("title", "family"), [
    ("Data Scientist", "data_scientist"), ("Senior Data Scientist, Pricing", "data_scientist"),
    ("Head of Data Science", "data_scientist"), ("Statistician", "data_scientist"),
    ("AI Engineer", "ai_engineer"), ("Machine Learning Engineer – Speech", "ai_engineer"),
    ("Senior LLM Developer", "ai_engineer"), ("Prompt Engineer", "ai_engineer"),
    ("GenAI Lead", "ai_engineer"), ("ML Engineer, Analytics Platform", "ai_engineer"),
    ("Data Scientist / ML Engineer", "hybrid"), ("LLM Engineer / Data Scientist", "hybrid"),
    ("Data Scientist, GenAI", "data_scientist"), ("LLM Data Scientist", "data_scientist"),
    ("Data Analyst – Operations", "analyst"), ("Business Analyst", "analyst"),
    ("BI Analyst", "analyst"), ("Product Analyst", "analyst"), ("Head of Analytics", "analyst"),
    ("Analytics Engineer", "analyst"), ("GenAI Analyst", "analyst"),
    ("Research Scientist", "other_scientist"), ("Applied Scientist", "other_scientist"),
    ("ML Scientist", "other_scientist"), ("Research Scientist, NLP", "other_scientist"),
    ("LLM Research Scientist", "other_scientist"), ("Environmental Scientist", "other_scientist"),
    ("Software Engineer", "engineer"), ("Data Engineer", "engineer"),
    ("Marketing Manager", None), ("", None), (None, None),
])
def test_title_family(title: str | None, family: str | None) -> None:
    assert title_family(title) == family


def test_a_data_scientist_title_over_llm_engineering_is_high() -> None:
    mismatch = title_mismatch("Data Scientist", prediction(LLM_AD, "ai_engineer", 0.96))
    assert mismatch is not None
    assert mismatch.to_dict() == {
        "message": "the title 'Data Scientist' advertises data science, but the duties and "
                   "skills read as AI engineering (96% by the role model)",
        "severity": "high", "title_family": "data_scientist", "label": "ai_engineer",
    }


def test_the_reverse_is_high_too() -> None:
    mismatch = title_mismatch("Machine Learning Engineer",
                              prediction(OPERATIONS_ANALYST_AD, "data_scientist", 0.9))
    assert mismatch is not None and mismatch.severity == "high"
    assert "advertises AI engineering" in mismatch.message and "read as data science" in mismatch.message


@pytest.mark.parametrize("p", [0.52, 0.69])
def test_the_whisper_and_llm_ad_at_an_unsure_other_is_no_mismatch(p: float) -> None:
    assert title_mismatch("Machine Learning Engineer – Speech",
                          prediction(WHISPER_AD, "other", p)) is None


def test_a_role_title_over_confidently_other_work_is_low() -> None:
    mismatch = title_mismatch("Machine Learning Engineer – Speech",
                              prediction(WHISPER_AD, "other", 0.9))
    assert mismatch is not None and mismatch.severity == "low"
    assert "neither AI engineering nor data science (90% by the role model)" in mismatch.message


@pytest.mark.parametrize("label", ["other", "data_scientist", "hybrid"])
def test_an_analyst_title_over_analyst_work_is_no_mismatch(label: str) -> None:
    assert title_mismatch("Data Analyst – Operations",
                          prediction(OPERATIONS_ANALYST_AD, label, 0.95)) is None


def test_an_analyst_title_over_llm_engineering_is_medium() -> None:
    mismatch = title_mismatch("Data Analyst", prediction(LLM_AD, "ai_engineer", 0.95))
    assert mismatch is not None
    assert (mismatch.severity, mismatch.title_family, mismatch.label) == (
        "medium", "analyst", "ai_engineer")
    assert "advertises analysis" in mismatch.message


@pytest.mark.parametrize("title", ["Research Scientist", "Applied Scientist", "ML Scientist"])
@pytest.mark.parametrize("label", ["ai_engineer", "data_scientist", "other"])
def test_other_scientist_titles_never_mismatch(title: str, label: str) -> None:
    assert title_mismatch(title, prediction(RESEARCH_AD, label, 0.95)) is None


@pytest.mark.parametrize(("label", "p", "low"), [
    ("ai_engineer", CONFIDENT - 0.01, False),  # under the bar
    ("ai_engineer", 0.95, True),  # confident figure, but flagged (e.g. a short text)
    ("ai_engineer", 0.45, True),
    (None, 0.95, True),  # too short to label
])
def test_only_a_confident_label_makes_a_mismatch(label: str | None, p: float, low: bool) -> None:
    assert title_mismatch("Data Scientist", prediction(LLM_AD, label, p, low=low)) is None


@pytest.mark.parametrize("title", [None, "", "AI Engineer", "Senior LLM Developer",
                                   "Data Scientist / ML Engineer", "Software Engineer"])
def test_a_title_that_fits_or_names_no_role_is_no_mismatch(title: str | None) -> None:
    assert title_mismatch(title, prediction(LLM_AD, "ai_engineer", 0.96)) is None


def test_classify_with_a_contradicted_title_says_so(role_model: Any) -> None:
    contradicted = role_model.classify(LLM_AD, "Data Scientist")
    assert contradicted.label == "ai_engineer" and contradicted.confidence >= CONFIDENT
    data = contradicted.to_dict()
    assert data["title_mismatch"]["severity"] == "high"
    assert data["title_mismatch"]["title_family"] == "data_scientist"
    assert data["title_mismatch"]["message"].startswith(
        "the title 'Data Scientist' advertises data science, but the duties and skills read "
        "as AI engineering")
    assert role_model.classify(LLM_AD, "AI Engineer").to_dict()["title_mismatch"] is None
    assert role_model.classify(LLM_AD).title_mismatch is None


def test_classify_of_a_text_too_short_to_label_has_no_title_mismatch(role_model: Any) -> None:
    short = role_model.classify("Build RAG pipelines with LangChain.", "Data Scientist")
    assert short.label is None and short.title_mismatch is None
