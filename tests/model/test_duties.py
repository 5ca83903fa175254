"""The duty reader: sentence probabilities, the duty profile, and a blurb that cannot decide."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jdanalyzer.model.duties import (
    DUTY_LABELS,
    DUTY_PROFILE_NAMES,
    DutyReader,
    DutyReading,
    unit_input,
)
from jdanalyzer.model.estimator import fit_duty_reader
from jdanalyzer.model.predict import load_model
from jdanalyzer.text.sections import Unit, split_units

BLURB = Path(__file__).resolve().parents[1] / "data" / "blurb"

# A small, hand-made training set: enough for the reader to tell the four kinds apart.
SENTENCES = [
    ("Deploy LLM agents and RAG pipelines to production", "ai_engineering"),
    ("Build model serving APIs and monitor models in production", "ai_engineering"),
    ("Fine-tune foundation models and ship them in our app", "ai_engineering"),
    ("Build MLOps pipelines on Kubernetes for model deployment", "ai_engineering"),
    ("Run A/B tests and analyze the results with statistics", "data_science"),
    ("Build forecasting and regression models to predict demand", "data_science"),
    ("Present findings from exploratory analysis to stakeholders", "data_science"),
    ("Design experiments and apply causal inference", "data_science"),
    ("Build ETL pipelines and maintain the data warehouse", "other_work"),
    ("Five years of experience and strong communication skills", "other_work"),
    ("Write Java services and REST APIs for billing", "other_work"),
    ("Manage the team and plan the roadmap", "other_work"),
    ("We offer free lunch, a gym and stock options", "not_duty"),
    ("Our company was founded in 2010 and serves millions", "not_duty"),
    ("We are an equal opportunity employer", "not_duty"),
    ("Apply by sending your resume", "not_duty"),
]


@pytest.fixture(scope="module")
def reader() -> DutyReader:
    inputs = [unit_input(text, "responsibilities") for text, _ in SENTENCES] * 3
    return fit_duty_reader(inputs, [label for _, label in SENTENCES] * 3)


def test_the_reader_tells_the_kinds_of_sentence_apart(reader: DutyReader) -> None:
    probe = ["Deploy RAG agents to production", "Analyze A/B tests with statistics",
             "Maintain the ETL warehouse", "We offer a gym"]
    proba = reader.predict_proba([unit_input(t, "responsibilities") for t in probe])
    assert proba.shape == (4, 4) and np.allclose(proba.sum(axis=1), 1)
    assert [DUTY_LABELS[i] for i in proba.argmax(axis=1)] == list(DUTY_LABELS)


def test_batched_scores_equal_one_sentence_at_a_time(reader: DutyReader) -> None:
    inputs = [unit_input(t, k) for t, k in [("Deploy LLM agents", "intro"), ("", "offer"),
                                             ("Run A/B tests, run A/B tests", "responsibilities")]]
    batched = reader.predict_proba(inputs)
    for i, value in enumerate(inputs):
        row = reader.vectorizer.transform(value)
        scores = reader.coef[:, row.indices] @ row.values + reader.intercept
        expected = np.exp(scores - scores.max())
        np.testing.assert_allclose(batched[i], expected / expected.sum(), atol=1e-12)


def test_profile_counts_and_shares_the_duties() -> None:
    units = tuple(Unit("responsibilities", i * 10, i * 10 + 5) for i in range(4))
    proba = np.array([
        [1.0, 0.0, 0.0, 0.0],  # AI engineering
        [0.0, 1.0, 0.0, 0.0],  # data science
        [0.0, 0.5, 0.5, 0.0],
        [0.0, 0.0, 0.0, 1.0],  # not a duty: left out of the shares
    ])
    profile = dict(zip(DUTY_PROFILE_NAMES, DutyReading(units, proba).profile(), strict=True))
    assert profile["duties_ai_engineering"] == pytest.approx(np.log1p(1.0))
    assert profile["duties_data_science"] == pytest.approx(np.log1p(1.5))
    assert profile["share_ai_engineering"] == pytest.approx(1 / 3)
    assert profile["share_data_science"] == pytest.approx(0.5)
    assert profile["share_both"] == pytest.approx(1 / 3)
    assert DutyReading((), np.zeros((0, 4))).profile() == [0.0] * len(DUTY_PROFILE_NAMES)


def test_company_and_offer_sections_hold_no_duties(reader: DutyReader) -> None:
    text = ("About us\nWe deploy LLM agents and RAG pipelines to production.\n"
            "Responsibilities\n- Deploy LLM agents to production\nBenefits\n- Build model serving APIs")
    reading = reader.read(text)
    kinds = [u.kind for u in reading.units]
    assert kinds == ["company", "responsibilities", "offer"]
    assert reading.is_duty().tolist() == [False, True, False]
    assert reading.duty_text(text) == "- Deploy LLM agents to production"
    duty = reading.units[1]
    assert reading.in_duties(duty.start) and not reading.in_duties(reading.units[0].start)


def test_reading_skips_company_and_offer_units_but_scores_the_rest_as_before(fixture_postings) -> None:
    """Units under a company or offer heading are not scored (they are never duties); the
    others get what scoring every unit gives them."""
    from jdanalyzer.extraction.extract import prepare_text

    reader = load_model().linear.duties
    assert reader is not None
    skipped = 0
    for description in fixture_postings["description"]:
        text = prepare_text(description)[0]
        reading = reader.read(text)
        units = split_units(text)
        assert list(reading.units) == units
        every = reader.predict_proba([unit_input(text[u.start:u.end], u.kind) for u in units])
        outside = np.array([u.kind in ("company", "offer") for u in units], dtype=bool)
        np.testing.assert_allclose(reading.proba[~outside], every[~outside], atol=1e-12)
        assert (reading.proba[outside] == np.eye(4)[DUTY_LABELS.index("not_duty")]).all()
        skipped += int(outside.sum())
    assert skipped > 20  # the fixture has company and offer sections to skip


def test_the_shipped_model_reads_duties() -> None:
    model = load_model()
    assert model.linear.duties is not None and "duties" in model.linear.dense
    text = ("Responsibilities\n- Design A/B tests and analyze the results with statistical inference\n"
            "- Deploy LLM agents to production")
    reading = model.linear.read_duties(text)
    assert reading is not None
    [(ds_unit, _)] = reading.strongest("data_science", top=1)
    [(ai_unit, _)] = reading.strongest("ai_engineering", top=1)
    assert "A/B tests" in text[ds_unit.start:ds_unit.end] and "LLM" in text[ai_unit.start:ai_unit.end]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ds-under-ai-first-blurb", {"data_scientist"}), ("java-backend-at-llm-startup", {"other"})],
)
def test_a_company_blurb_alone_cannot_make_a_posting_ai_engineer(name: str, expected: set[str]) -> None:
    """Both ads sit under a paragraph full of AI words; their duties decide."""
    text = (BLURB / f"{name}.txt").read_text(encoding="utf-8")
    prediction = load_model().classify(text)
    assert prediction.label in expected, prediction.probabilities
    assert prediction.probabilities["ai_engineer"] < 0.2
    # The blurb is not evidence: no duty sentence shown comes from it.
    blurb_end = text.index("\n\n")
    duty_evidence = [e for e in prediction.evidence if e.source == "duty"]
    assert duty_evidence and all(e.spans[0][0] > blurb_end for e in duty_evidence)


def test_duty_sentences_come_first_in_the_evidence_with_their_spans(samples: dict[str, str]) -> None:
    prediction = load_model().classify(samples["data_scientist"])
    first = prediction.evidence[0]
    assert first.source == "duty" and first.label == prediction.label
    (start, end), = first.spans
    assert " ".join(prediction.text[start:end].lstrip("-•* ").split()).startswith(first.term.rstrip("…"))
    units = {(u.start, u.end) for u in split_units(prediction.text)}
    assert all(e.spans[0] in units for e in prediction.evidence if e.source == "duty")
