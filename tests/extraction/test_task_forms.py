"""Duties written in forms that postings use for them: further verbs of a task, and objects
listed with commas before the one a verb reaches."""

from __future__ import annotations

import pytest

from jdanalyzer import extract
from jdanalyzer.extraction.extract import doc_to_extraction, extract_many
from jdanalyzer.extraction.pipeline import build_pipeline


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("Provide ongoing reports to the finance team", "write_reports"),
        ("Provide reporting of data for the program", "write_reports"),
        ("Interpret data, analyze results and provide reports to management", "write_reports"),
        ("Lead end-to-end development of dashboards for the sales team", "build_dashboards"),
    ],
)
def test_further_forms_of_a_duty(text: str, task: str) -> None:
    assert task in [m.id for m in extract(text).tasks]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Articulate methodologies, experiments, and findings clearly",
         ("Articulate methodologies, experiments, and findings", "present_findings")),
        ("Write unit, integration and contract tests",
         ("Write unit, integration and contract tests", "write_tests")),
        ("Develop tools, techniques, metrics and dashboards for insights",
         ("Develop tools, techniques, metrics and dashboards", "build_dashboards")),
        ("Write maintainable, scalable, and performant code",
         ("Write maintainable, scalable, and performant code", "write_production_code")),
        # Words joined by slashes are a list too.
        ("You'll be productionizing your pipelines/models",
         ("productionizing your pipelines/models", "deploy_models")),
        ("Lead development of reports/dashboards", ("development of reports/dashboards", "build_dashboards")),
    ],
)
def test_an_object_that_ends_a_list_with_commas(text: str, expected: tuple[str, str]) -> None:
    """The verb reaches the last noun of a list ("a, b, and c"), as it reaches "c" in "a and c"."""
    assert expected in [(m.matched, m.id) for m in extract(text).tasks]


@pytest.mark.parametrize(
    ("text", "task"),
    [
        # A verb in the list starts a clause of its own: "deploy" takes the pipelines.
        ("Build models, deploy pipelines and monitor dashboards", "build_dashboards"),
        ("Build models, deploy pipelines and monitor dashboards", "build_data_pipelines"),
        # A list without "and" or "or" before the object is no list of objects.
        ("Design the data science programs, machine learning models", "build_predictive_models"),
        # A noun that is also a task verb, followed by a comma, heads no list: no verb here.
        ("Charts, graphs, statistical reports, and data", "visualize_data"),
        ("Reports, trends, insights and recommendations", "present_findings"),
    ],
)
def test_lists_that_name_no_such_duty(text: str, task: str) -> None:
    assert task not in [m.id for m in extract(text).tasks]


def test_lists_of_objects_are_found_alike_on_both_paths() -> None:
    texts = [
        "Design, develop, and maintain modular, extensible, and reusable test automation frameworks.",
        "Build models, deploy pipelines and monitor dashboards.",
        "Articulate methods, experiments, and findings",
        "Productionize your pipelines/models and integrate AI/ML.",
        "Create repeatable, interpretable, dynamic and scalable models, dashboards, or reports",
    ]
    reference = build_pipeline(reference=True)
    fast = list(extract_many(texts))
    assert [doc_to_extraction(reference(text), truncated=False, text=text) for text in texts] == fast
    assert all(result.tasks for result in fast)
