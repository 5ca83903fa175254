from __future__ import annotations

import random
import time

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from jdanalyzer import extract
from jdanalyzer.extraction.extract import MAX_CHARS, extract_many


def ids(text: str) -> list[str]:
    return [m.id for m in extract(text).matches]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Experience with Java and JavaScript", ["java", "javascript"]),
        ("We use LLMs and large language models", ["llm", "llm"]),
        ("fine-tuning, fine tuning and finetuning", ["fine_tuning"] * 3),
        ("scikit-learn, scikit learn or sklearn", ["scikit_learn"] * 3),
        ("A/B testing and A/B tests", ["ab_testing", "ab_testing"]),
        ("PYTORCH and pytorch", ["pytorch", "pytorch"]),
        ("vector databases such as Pinecone", ["vector_databases", "pinecone"]),
        ("Python, R, SQL", ["python", "r", "sql"]),
        ("Go, Rust and C++", ["go", "rust", "cpp"]),
        ("Apache Spark and Spark", ["spark", "spark"]),
        ("Tableau, Power BI, Looker", ["tableau", "power_bi", "looker"]),
        # A short name may end its sentence: "... and Excel." lists it as much as "... and Excel".
        (
            "Java, Node.js, or Go.\nWord, PowerPoint and Excel.",
            ["java", "nodejs", "go", "ms_office", "ms_office", "excel"],
        ),
        ("Ideally Spark. Models served with Ray.", ["spark", "ray"]),
    ],
)
def test_skill_forms(text: str, expected: list[str]) -> None:
    assert [m.id for m in extract(text).skills] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Go beyond the obvious.",
        "Excel at what you do.",
        "Our R&D team is growing.",
        "Plan B is fine. R is not a tool here",
        "Spark joy in the team.",
        "a rag doll",
        "Series C funding",
        "We raised our Series C.",
    ],
)
def test_ambiguous_short_names_need_context(text: str) -> None:
    assert extract(text).skills == ()


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("Deploy machine learning models to production", "deploy_models"),
        ("- Deployed our new models", "deploy_models"),
        ("Build dashboards in Tableau", "build_dashboards"),
        ("clean and wrangle messy data", "clean_data"),
        ("Fine-tune LLMs for our domain", "fine_tune_models"),
        ("design experiments for pricing", "design_experiments"),
    ],
)
def test_task_patterns(text: str, task: str) -> None:
    assert task in [m.id for m in extract(text).tasks]


def test_tasks_do_not_cross_sentences_or_lines() -> None:
    assert extract("We deploy. Models are great").tasks == ()
    assert extract("- deploy\n- models").tasks == ()


def test_overlaps_keep_the_longest_span() -> None:
    result = extract("Apache Spark")
    assert [(m.matched, m.id) for m in result.skills] == [("Apache Spark", "spark")]


def test_offsets_point_into_the_normalized_text() -> None:
    result = extract("<ul><li>Build&nbsp;RAG pipelines with <b>LangChain</b></li></ul>")
    assert result.text == "- Build RAG pipelines with LangChain"
    for match in result.matches:
        assert result.text[match.start : match.end] == match.matched


def test_match_carries_taxonomy_fields() -> None:
    (match,) = extract("Experience with Kubernetes.").skills
    fields = (match.id, match.name, match.kind, match.side)
    assert fields == ("kubernetes", "Kubernetes", "skill", "software")
    assert match.to_dict()["category"] == match.category


def test_match_to_dict_has_every_field_in_order() -> None:
    import dataclasses

    for match in extract("Deploy LLMs on Kubernetes and build dashboards in Tableau.").matches:
        assert list(match.to_dict().items()) == list(dataclasses.asdict(match).items())


def test_samples_find_both_sides(samples: dict[str, str]) -> None:
    ai = extract(samples["ai_engineer"])
    ds = extract(samples["data_scientist"])
    side_count = lambda r, side: sum(m.side == side for m in r.matches)  # noqa: E731
    assert side_count(ai, "ai_engineer") > 3 * side_count(ai, "data_scientist")
    assert side_count(ds, "data_scientist") > 3 * side_count(ds, "ai_engineer")


@pytest.mark.parametrize("text", ["", "   \n\t ", "\x00\x01\x02", "日本語の求人票です。Python が必要です。"])
def test_odd_input_gives_a_result_not_an_error(text: str) -> None:
    result = extract(text)
    assert isinstance(result.skills, tuple)


def test_other_language_finds_only_tool_names() -> None:
    result = extract("Wir suchen einen Data Scientist mit Kenntnissen in Python und SQL.")
    assert {m.id for m in result.skills} <= {"python", "sql", "data_science"}


def test_very_long_posting_is_truncated_and_flagged() -> None:
    text = "We use PyTorch and SQL. " * 90_000  # about 2 MB
    result = extract(text)
    assert result.truncated and len(result.text) <= MAX_CHARS
    assert result.warnings


def test_extract_many_keeps_order(samples: dict[str, str]) -> None:
    texts = [samples["data_scientist"], "", samples["ai_engineer"]]
    results = list(extract_many(texts))
    assert [r.text for r in results] == [extract(t).text for t in texts]


def test_extract_many_gives_the_same_whatever_the_batch(postings_sample) -> None:
    # Docs are read end to end per batch; empty and whitespace-only ones fall out of it.
    texts = postings_sample.sample(min(40, len(postings_sample)), random_state=3)["description"].tolist()
    texts[5:5] = ["", "   \n ", "Deploy", "models to production."]
    one_by_one = [extract(t) for t in texts]
    for batch_size in (1, 7, 64):
        assert list(extract_many(texts, batch_size=batch_size)) == one_by_one, batch_size
    assert sum(len(e.tasks) for e in one_by_one) > 20


def test_extract_many_yields_the_rows_before_a_bad_one_then_raises() -> None:
    results = extract_many(["Deploy models with PyTorch.", "We use SQL.", None])  # type: ignore[list-item]
    assert [m.id for m in next(results).skills] == ["pytorch"]
    assert [m.id for m in next(results).skills] == ["sql"]
    with pytest.raises(TypeError, match="expected the posting as str"):
        next(results)
    with pytest.raises(ValueError, match="batch_size must be 1 or more"):
        next(extract_many(["SQL"], batch_size=0))

    def failing_source():
        yield "Experience with Tableau."
        raise OSError("the file went away")

    results = extract_many(failing_source())
    assert [m.id for m in next(results).skills] == ["tableau"]
    with pytest.raises(OSError, match="went away"):
        next(results)


def test_component_works_in_a_users_pipeline() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("jdanalyzer_lemmatizer")
    nlp.add_pipe("jdanalyzer_taxonomy")
    nlp.initialize()
    doc = nlp("You will deploy models and build dashboards in Tableau.")
    assert [(s.text, s.id_, s.label_) for s in doc.spans["skills"]] == [
        ("dashboards", "dashboards", "analytics"),
        ("Tableau", "tableau", "analytics"),
    ]
    assert [s.id_ for s in doc.spans["tasks"]] == ["deploy_models", "build_dashboards"]


def test_factories_are_registered_as_entry_points() -> None:
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="spacy_factories")}
    assert {"jdanalyzer_taxonomy", "jdanalyzer_lemmatizer", "jdanalyzer_sentencizer"} <= names


def test_factories_load_without_importing_jdanalyzer() -> None:
    """spaCy finds the components through the entry points alone, as in a user's project."""
    import subprocess
    import sys

    code = (
        "import spacy\n"
        "nlp = spacy.blank('en')\n"
        "for name in ('jdanalyzer_sentencizer', 'jdanalyzer_lemmatizer', 'jdanalyzer_taxonomy'):\n"
        "    nlp.add_pipe(name)\n"
        "nlp.initialize()\n"
        "doc = nlp('Deploy models with vLLM.')\n"
        "print([s.id_ for s in doc.spans['skills']])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['vllm']"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=400))
def test_never_raises_and_offsets_slice_back(text: str) -> None:
    result = extract(text)
    for match in result.matches:
        assert result.text[match.start : match.end] == match.matched


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(
    ["Python", "R", "SQL", "LLMs", "deploy", "models", ",", "and", "\n", "- ", "A/B", "testing",
     "fine-tune", "Spark", "dashboards", "build", "the", ".", "<b>", "</b>", "&amp;"]), max_size=60))
def test_offsets_hold_on_dense_term_soup(parts: list[str]) -> None:
    result = extract(" ".join(parts))
    for match in result.matches:
        assert result.text[match.start : match.end] == match.matched


def _mixed(pieces: str | list[str], length: int) -> str:
    """``length`` characters of ``pieces`` in a fixed random order, so that no two chunks are
    alike and spaCy's tokenizer cannot answer from its cache."""
    rng = random.Random(20261202)
    return "".join(rng.choice(pieces) for _ in range(length))[:length]


# Space-free runs that made spaCy's tokenizer take quadratic time (8,000 "(" took 11.5 s). Runs
# of one mark normalize to four of it; the mixed runs and chains of affixes leave 100,000
# characters to tokenize, which takes seconds.
LONG_RUNS = [
    pytest.param("(" * 100_000, id="open paren"),
    pytest.param("<" * 100_000, id="less than"),
    pytest.param("*" * 100_000, id="asterisk"),
    pytest.param("'" * 100_000, id="quote"),
    pytest.param("_" * 100_000, id="underscore"),
    pytest.param("\U0001f600" * 100_000, id="emoji"),
    pytest.param("a" * 100_000, id="one word"),
    pytest.param(_mixed("(<*'", 100_000), id="mixed marks", marks=pytest.mark.slow),
    pytest.param(_mixed("(<*'\"[{$#&!?.,;:", 100_000), id="mixed punctuation", marks=pytest.mark.slow),
    pytest.param(_mixed(["'s", "'S", "’s", "’S"], 50_000), id="chained 's", marks=pytest.mark.slow),
    pytest.param(_mixed(["US$", "C$", "A$"], 40_000), id="chained US$", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("run", LONG_RUNS)
def test_long_runs_are_extracted_and_classified_in_linear_time(run: str) -> None:
    from jdanalyzer import classify

    posting = (
        "We are hiring an AI engineer to build RAG pipelines with PyTorch and LangChain.\n"
        "You deploy LLMs with vLLM, evaluate prompts and fine-tune models for our support agents, "
        f"working in Python with Docker and Kubernetes. {run}"
    )
    start = time.perf_counter()
    prediction = classify(posting)
    assert time.perf_counter() - start < 10
    assert prediction.label == "ai_engineer"
    start = time.perf_counter()
    result = extract(posting)
    assert time.perf_counter() - start < 10
    assert [m.id for m in result.skills] == [
        "rag", "pytorch", "langchain", "llm", "vllm", "fine_tuning", "python", "docker", "kubernetes"
    ]
    assert {"build_rag_pipelines", "deploy_models", "fine_tune_models"} <= {m.id for m in result.tasks}


def test_urls_and_separators_leave_the_matches_as_they_were() -> None:
    url = "https://careers.example.com/jobs/4512-senior-machine-learning-engineer?src=linkedin&gh=1"
    plain = "Build RAG pipelines with LangChain.\nShip dashboards in Tableau."
    decorated = (
        "=============================\n"
        "Build RAG pipelines with LangChain. ✨🚀🔥🔥🔥🔥🔥🔥\n"
        "_______________________________________\n"
        f"Ship dashboards in Tableau. Apply at {url} or ml-jobs@example.co.uk"
    )
    assert [m.id for m in extract(decorated).matches] == [m.id for m in extract(plain).matches]
    assert url in extract(decorated).text
