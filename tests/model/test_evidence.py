"""Evidence a person can read: the ad's own words first, aggregates told as sentences, no
function words, and groups only for labels that are likely at all."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from jdanalyzer.model.evidence import is_filler
from jdanalyzer.model.predict import EVIDENCE_MIN_PROBABILITY, RoleModel


@pytest.fixture(scope="module")
def predictions(role_model: RoleModel, fixture_postings: pd.DataFrame) -> list:
    return role_model.classify_many(list(fixture_postings["description"]), list(fixture_postings["title"]))


def _groups(prediction) -> dict[str, list]:
    groups: dict[str, list] = {}
    for ev in prediction.evidence:
        groups.setdefault(ev.label, []).append(ev)
    return groups


@pytest.mark.parametrize("gram", ["we", "need", "no", "view", "we need", "you will", "2024"])
def test_function_words_and_filler_are_filler(gram: str) -> None:
    assert is_filler(gram)


@pytest.mark.parametrize("gram", ["statistical", "llm", "deploy", "we deploy", "a b testing"])
def test_words_a_reader_calls_evidence_are_not_filler(gram: str) -> None:
    assert not is_filler(gram)


def test_no_function_word_is_ever_shown(predictions: list) -> None:
    shown = [ev.term for p in predictions for ev in p.evidence if ev.source in ("ngram", "title")]
    assert shown, "the fixture postings show some word evidence"
    assert not [term for term in shown if is_filler(term)]


def test_count_examples_name_the_work_not_the_job_title(role_model: RoleModel) -> None:
    """A title names its field ("Full-Stack Data Scientist" is a data-science mention), but
    the examples of a count are what the ad asks for: the field's other wordings or its name."""
    from importlib.resources import files

    text = files("jdanalyzer.samples").joinpath("hybrid.txt").read_text(encoding="utf-8")
    assert text.startswith("Full-Stack Data Scientist")
    prediction = role_model.classify(text)
    counts = [ev.term for ev in prediction.evidence if ev.source == "profile" and " e.g. " in ev.term]
    examples = [name.strip() for term in counts for name in term.split("e.g. ", 1)[1].split(",")]
    assert examples, [ev.term for ev in prediction.evidence]
    assert not [name for name in examples if re.search(r"(?i)scientists?\b", name)], counts


def test_count_examples_rank_and_show_only_the_work() -> None:
    """Wordings that name a person count toward the number of terms but neither show nor
    rank a term; the rest rank by how often the ad asks for them, first seen first on ties."""
    from jdanalyzer.model.evidence import _examples
    from jdanalyzer.types import Match

    def skill(term: str, said: str) -> Match:
        return Match(term, term.replace("_", " "), said, 0, len(said), "skill", "data_scientist", "technique")

    matches = [
        skill("data_science", "Data Scientist"),
        skill("statistics", "statistics"),
        *[skill("data_science", said) for said in ("data scientists", "Data Analyst", "data science")],
        skill("ab_testing", "A/B tests"),
        skill("ab_testing", "A/B testing"),
        skill("software_engineering", "software engineers"),  # named only as a person
        skill("causal_inference", "causal inference"),
        Match("analyze_data", "analyze and interpret data", "analyze the results", 0, 9, "task",
              "analytics", "task"),
    ]
    n, names = _examples(matches, k=4)
    assert n == 6
    assert names == "A/B tests, statistics, data science, causal inference"


def test_aggregates_come_after_the_ads_own_words(predictions: list) -> None:
    """In every label's group an aggregate (a count or share) is never the first reason."""
    seen = 0
    for prediction in predictions:
        for label, group in _groups(prediction).items():
            assert group[0].source != "profile", (prediction.title, label, group[0].term)
            kinds = [ev.source == "profile" for ev in group]
            assert kinds == sorted(kinds), "aggregates close the group, after every word and duty"
            seen += sum(kinds)
    assert seen, "some aggregates are shown"


def test_aggregates_read_as_sentences_with_examples(predictions: list) -> None:
    """"16 data-science skills, e.g. XGBoost, A/B testing", never a feature name."""
    aggregates = [ev for p in predictions for ev in p.evidence if ev.source == "profile"]
    assert aggregates
    for ev in aggregates:
        assert "_" not in ev.term, ev.term
        assert any(ch.isdigit() for ch in ev.term), ev.term
        count = re.match(r"(\d+) [\w-]+ (skills|tasks|terms)\b", ev.term)
        if count and int(count.group(1)) > 0:  # "16 data-science skills, e.g. XGBoost, ..."
            assert "e.g. " in ev.term and ev.spans, ev.term
    counted = [ev for ev in aggregates if ev.term.split()[0].isdigit() and " e.g. " in ev.term]
    assert counted
    for ev in counted:
        assert int(ev.term.split()[0]) >= 1 and ev.term.split("e.g. ", 1)[1].strip(), ev.term


def test_only_likely_labels_get_an_evidence_group(predictions: list) -> None:
    for prediction in predictions:
        if prediction.label is None:
            continue
        groups = _groups(prediction)
        assert prediction.label in groups
        likely = prediction.probabilities[prediction.runner_up] >= EVIDENCE_MIN_PROBABILITY
        assert (prediction.runner_up in groups) == likely, (prediction.title, prediction.probabilities)
        assert set(groups) <= {prediction.label, prediction.runner_up}


def test_taxonomy_evidence_points_at_the_duty_sentences_the_model_read(role_model: RoleModel) -> None:
    """A term the model read in the duties is highlighted there, not in the company blurb."""
    text = (
        "About us\nWe are an AI-first company building large language models for retailers, "
        "and our LLM products reach millions of shoppers every week across Europe.\n\n"
        "What you will do\n"
        "- Analyse customer data with statistical models and run A/B tests on promotions.\n"
        "- Build churn models with logistic regression and present the findings to leadership.\n"
        "- Define metrics and dashboards with the marketing team, and estimate price elasticity.\n"
    )
    prediction = role_model.classify(text)
    blurb_end = text.index("What you will do")
    shown = [ev for ev in prediction.evidence if ev.source == "taxonomy" and ev.spans]
    assert shown
    assert all(start >= blurb_end for ev in shown for start, _ in ev.spans), [
        (ev.term, ev.spans) for ev in shown
    ]
