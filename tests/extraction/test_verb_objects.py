"""Tasks matched as a verb followed closely by an object: multi-word verbs, further (verbs,
objects) pairs, objects of several words, and the matches that do not count."""

from __future__ import annotations

import pytest

from jdanalyzer import extract
from jdanalyzer.errors import TaxonomyError
from jdanalyzer.extraction.components import TaxonomyMatcher
from jdanalyzer.extraction.fastpath import find_match_ids
from jdanalyzer.extraction.pipeline import get_pipeline
from jdanalyzer.extraction.taxonomy import Taxonomy, Term


def _task(term_id: str, verbs: tuple[str, ...], objects: tuple[str, ...], **fields: object) -> Term:
    return Term(term_id, term_id.replace("_", " "), "task", "shared", "curated", verbs=verbs, objects=objects,
                **fields)  # type: ignore[arg-type]


# Made-up tasks, so that the rules are tested apart from the shipped word lists.
_TASKS = [
    _task("meet_people", ("work with", "work closely with", "set up"), ("designer", "meeting")),
    _task("query_stuff", ("query", "pull"), ("database", "table"),
          verb_objects=((("write", "tune"), ("sql", "query")),)),
    _task("build_models", ("build", "document"), ("model", "scorecard")),
    _task("design_warehouses", ("build", "design"), ("warehouse", "data model", "dbt model")),
    _task("document_things", ("document",), ("code", "data model", "model")),
    _task("ship_features", ("ship", "re-write"), ("llm", "feature")),
    _task("write_tests", ("write",), ("test", "testing")),
    _task("build_rag", ("build",), ("retrieval", "retrieval-augmented generation")),
]


@pytest.fixture(scope="module")
def matcher() -> TaxonomyMatcher:
    """A taxonomy matcher over the made-up tasks."""
    return TaxonomyMatcher(get_pipeline(), taxonomy=Taxonomy(_TASKS))


def _tasks(matcher: TaxonomyMatcher, text: str) -> list[tuple[str, str]]:
    """(matched text, task id) on the reference path, checked against the fast path."""
    doc = get_pipeline()(text)
    _, spans = matcher.reference_matches(doc)
    [fast] = find_match_ids(matcher, [doc])
    assert [(span.start, span.end, span.id) for span in spans] == fast.tasks
    return [(span.text, span.id_) for span in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Each word of a multi-word verb is matched by its lemma.
        ("You will be working closely with our designers.",
         [("working closely with our designers", "meet_people")]),
        ("Works with designers", [("Works with designers", "meet_people")]),
        ("Setting up the weekly meetings", [("Setting up the weekly meetings", "meet_people")]),
        # "work" alone is no verb of the task: "work in a team of designers" says nothing of
        # working with them.
        ("Ability to work in a team of designers", []),
        # A further (verbs, objects) pair: "write" takes "SQL", not "database"; "query" takes "database".
        ("Write and tune SQL queries", [("Write and tune SQL", "query_stuff")]),
        ("Query the database", [("Query the database", "query_stuff")]),
        ("Write the database documentation", []),
        # An object of several words claims its last word from the tasks that do not list it.
        ("Build data models in dbt", [("Build data models", "design_warehouses")]),
        ("Build models and scorecards", [("Build models", "build_models")]),
        ("Document the data model", [("Document the data model", "document_things")]),
        # A verb takes its nearest object: once another task's object, it takes no farther one.
        ("Build data models and scorecards", [("Build data models", "design_warehouses")]),
        # A verb joined to the word before it is an adjective; a re- verb is a verb.
        ("Well-documented code", []),
        ("Re-write features", [("Re-write features", "ship_features")]),
        # A word joined to the word after it modifies that word and is no object; an object
        # of several words may hold the hyphen.
        ("Ship LLM-powered features", []),
        ("Build retrieval-augmented generation systems",
         [("Build retrieval-augmented generation", "build_rag")]),
        ("Ship LLM features", [("Ship LLM", "ship_features")]),
        # The -ing form of an object is no object, unless it is listed.
        ("We build modeling tools", []),
        ("Write testing guides", [("Write testing", "write_tests")]),
    ],
)
def test_verb_object_rules(matcher: TaxonomyMatcher, text: str, expected: list[tuple[str, str]]) -> None:
    assert _tasks(matcher, text) == expected


@pytest.mark.parametrize(
    ("group", "message"),
    [
        ([{"verbs": ["write"]}], "verb_objects must be a list of"),
        ([{"verbs": ["write"], "objects": []}], "verb_objects must be a list of"),
        ("write sql", "verb_objects must be a list of"),
    ],
)
def test_verb_objects_must_be_pairs_of_lists(group: object, message: str) -> None:
    data = {"id": "t", "name": "t", "kind": "task", "side": "shared", "source": "curated",
            "verb_objects": group}
    with pytest.raises(TaxonomyError, match=message):
        Term.from_dict(data, where="tasks.jsonl:1")


@pytest.mark.parametrize(
    ("task", "message"),
    [
        (_task("t", ("work hand in hand with",), ("designer",)), "has more than three words"),
        (_task("t", ("build",), ("very big data model thing",)), "an object has at most 4"),
    ],
)
def test_verbs_and_objects_too_long_for_the_window_are_refused(task: Term, message: str) -> None:
    with pytest.raises(TaxonomyError, match=message):
        TaxonomyMatcher(get_pipeline(), taxonomy=Taxonomy([task]))


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("Work closely with data engineers and analysts", "collaborate_cross_functionally"),
        ("Partner with Engineering to ship the feature", "collaborate_cross_functionally"),
        ("Partners with CSMs to ensure successful delivery", "collaborate_cross_functionally"),
        ("Serve as liaison between IT and the business", "collaborate_cross_functionally"),
        ("Write and optimize complex SQL queries", "query_data"),
        ("Build and maintain dbt models in BigQuery", "build_data_warehouse"),
        ("Automate the ML pipelines that retrain our models", "build_ml_pipelines"),
        ("Ensure the accuracy and completeness of reports", "validate_data_quality"),
        ("Analyze model performance in production", "evaluate_models"),
        ("Develop and maintain Power BI reports", "write_reports"),
        ("Drive projects to completion", "manage_projects"),
        ("Set up evaluation for every release", "build_evaluation_frameworks"),
        ("Maintain documentation of data models", "document_work"),
        ("Integrate large language models into the product", "integrate_ai"),
        ("Track model performance after release", "monitor_models"),
        ("Write technical specifications and user guides", "document_work"),
        ("Develop AI-based applications for our customers", "build_ai_applications"),
        ("Create dashboards and reporting for the sales team", "build_dashboards"),
    ],
)
def test_duties_in_other_words(text: str, task: str) -> None:
    assert task in [m.id for m in extract(text).tasks]


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("Ability to work in a team environment", "collaborate_cross_functionally"),
        ("Working knowledge of engineering principles", "collaborate_cross_functionally"),
        ("Build and maintain dbt models in BigQuery", "build_predictive_models"),
        ("Automate the ML pipelines that retrain our models", "build_data_pipelines"),
        ("Write clean, well-documented code", "document_work"),
        ("Build and ship LLM-powered features", "deploy_models"),
        ("Designing, modeling and optimizing graph structures", "build_predictive_models"),
        ("Experience with graph data models", "visualize_data"),
        ("We are building forecasting tools", "build_predictive_models"),
        ("Support AI-driven initiatives across the company", "manage_projects"),
        ("Translate business requirements into technical requirements", "gather_requirements"),
        ("Analyzing model performance with the right metrics", "analyze_data"),
    ],
)
def test_words_that_name_no_such_duty(text: str, task: str) -> None:
    assert task not in [m.id for m in extract(text).tasks]


@pytest.mark.parametrize(
    ("text", "skill", "task"),
    [
        ("Perform data validation on every load.", "data_quality", "validate_data_quality"),
        ("Proactively perform data exploration.", "eda", "explore_data"),
        ("Lead periodic data cleansing activities.", "data_cleaning", "clean_data"),
    ],
)
def test_a_form_names_a_skill_and_a_task(text: str, skill: str, task: str) -> None:
    """Skills and tasks are separate layers: the skill's alias is the task's noun phrase too."""
    result = extract(text)
    assert skill in [m.id for m in result.skills]
    assert task in [m.id for m in result.tasks]


def test_matches_of_one_task_that_touch_are_one_mention() -> None:
    """'Collaborate with' (a phrase) and 'cross-functional teams' (a phrase) name one duty."""
    tasks = extract("Collaborate with cross-functional teams to ship features.").tasks
    assert [(m.matched, m.id) for m in tasks] == [
        ("Collaborate with cross-functional teams", "collaborate_cross_functionally")
    ]


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("We offer pre-built data models to our customers.", "build_data_warehouse"),
        ("Fine-tune pre-trained models on our data.", "train_validate_models"),
        ("Evolve the design system, ensuring consistency and usability.", "validate_data_quality"),
    ],
)
def test_adjectives_and_generic_objects_are_no_duty(text: str, task: str) -> None:
    assert task not in [m.id for m in extract(text).tasks]
