"""The fast path finds what the plain spaCy reference path finds, and the lemma table is required."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import spacy

from jdanalyzer import extract
from jdanalyzer.errors import JDAnalyzerError
from jdanalyzer.extraction.components import LemmaTableMissingError, lemma_lookup_table
from jdanalyzer.extraction.extract import doc_to_extraction, extract_many, prepare_text
from jdanalyzer.extraction.pipeline import TAXONOMY_PIPE, build_pipeline, get_pipeline
from jdanalyzer.types import Extraction

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"


@pytest.fixture(scope="module")
def reference_nlp() -> spacy.language.Language:
    """spaCy's own sentencizer, the lemmatizer, and the taxonomy matcher's reference path."""
    return build_pipeline(reference=True)


def _reference(nlp: spacy.language.Language, text: str) -> Extraction:
    clean, truncated = prepare_text(text)
    return doc_to_extraction(nlp(clean), truncated=truncated, text=clean)


def _key(result: Extraction) -> tuple[list[tuple[str, str, int, int]], ...]:
    return tuple(
        [(m.id, m.kind, m.start, m.end) for m in matches] for matches in (result.skills, result.tasks)
    )


def _assert_same(texts: list[str], nlp: spacy.language.Language) -> int:
    """Both paths give the same matches for every text; return how many matches there were."""
    n = 0
    for text, fast in zip(texts, extract_many(texts), strict=True):
        reference = _reference(nlp, text)
        assert _key(fast) == _key(reference), text[:80]
        assert fast == reference  # every field of every Match, and the text
        n += len(fast.skills) + len(fast.tasks)
    return n


def _audit_ads() -> list[str]:
    files = sorted((DATA / "audit_ads").iterdir())
    with (DATA / "audit_ads.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row["description"] for row in csv.DictReader(handle)]
    return [path.read_text(encoding="utf-8") for path in files] + rows


_EDGE_TEXTS = [
    "", "   \n ", "Deploy", "models to production.", "Deploy.\nModels in production.",
    "You will design, build and deploy\nmachine learning models; fine-tune LLMs. R is a plus.",
    "Experience with R, Go and Spark.\nGo deeper. Excel at work; Excel and SQL.",
    "Java, Node.js, or Go.\nWord, PowerPoint and Excel.",
    "Our R&D team. Plan B is fine. R is not a tool here",
    "Apache Spark and Spark", "fine-tuning, fine tuning and finetuning LLMs; Fine - tune models",
    "Supervised, unsupervised, and reinforcement learning; unit and integration tests; data quality and\n"
    "consistency, cleaning and validation. AI and software engineering. Python or R.",
]
# Names that count only in a supporting context (tests/extraction/test_ambiguous_names.py):
# the context rules must give the same matches on both paths.
_AMBIGUOUS_TEXTS = [
    "We build cutting-edge AI products. Partner to create cutting- edge AI models. Edge AI on edge devices.",
    "You will build core ML models.\nCore ML: 8+ years in data science.",
    "Build iOS apps in Swift with Core ML and ARKit; CoreML on iPhone.",
    "Backend\nPython, Postgres.\nBackend development and back-end services in Go.",
    "Estimate price elasticity; own demand planning and marketing analytics.",
    "Our R&D team. Five years in R & D. Grow the R and D budget. Analyses in R.",
    "Own Go To-Market planning. Go/No-Go decisions. Go beyond theory. Pay-As-You-Go. Python, Go, or Rust.",
    "Our mission: Spark joy. Backed by Spark Capital. Tools: Spark, PySpark, Spark SQL and Hive.",
    "Amazon Elastic MapReduce (EMR) on AWS. EHR/EMR systems. ANSYS, Altair or COMSOL. Altair, d3js, Bokeh.",
]
# A verb and its object at most ``reach`` tokens apart: "Deploy" keeps "models" up to five
# coordinated verbs between them and loses it from six on, on both paths.
_VERBS = ["build", "clean", "write", "design", "analyze", "mentor", "present", "automate", "research"]
_CHAINS = ["Deploy, " + ", ".join(_VERBS[:k]) + " and test models" for k in range(3, 10)]


def test_samples_audit_ads_and_edge_cases_match_on_both_paths(
    samples: dict[str, str], reference_nlp: spacy.language.Language
) -> None:
    texts = list(samples.values()) + _audit_ads() + _EDGE_TEXTS + _AMBIGUOUS_TEXTS + _CHAINS
    assert len(texts) > 30
    assert _assert_same(texts, reference_nlp) > 300


def test_long_chains_of_verbs_stop_at_the_reach(reference_nlp: spacy.language.Language) -> None:
    deploys = [
        [m.matched for m in _reference(reference_nlp, text).tasks if m.id == "deploy_models"]
        for text in _CHAINS
    ]
    assert [len(found) for found in deploys] == [1, 1, 1, 0, 0, 0, 0]
    assert deploys[0] == ["Deploy, build, clean, write and test models"]


@pytest.mark.slow
def test_corpus_postings_match_on_both_paths(corpus_postings, reference_nlp: spacy.language.Language) -> None:
    texts = corpus_postings.sample(300, random_state=11)["description"].tolist()
    assert _assert_same(texts, reference_nlp) > 10_000


def test_the_component_finds_the_reference_spans(samples: dict[str, str]) -> None:
    """A pipeline's taxonomy matcher sets the spans of its reference_matches on doc.spans."""
    nlp = get_pipeline()
    matcher = nlp.get_pipe(TAXONOMY_PIPE)
    for text in [*samples.values(), *_EDGE_TEXTS, *_AMBIGUOUS_TEXTS]:
        doc = nlp(prepare_text(text)[0])
        skills, tasks = matcher.reference_matches(doc)
        # The skills that name a job title or team member go to doc.spans["roles"].
        roles = [s for s in skills if matcher.term_of[s.id].names_role(s.text)]
        skills = [s for s in skills if s not in roles]
        for key, spans in (("skills", skills), ("tasks", tasks), ("roles", roles)):
            assert [(s.start, s.end, s.id, s.label) for s in doc.spans[key]] == [
                (s.start, s.end, s.id, s.label) for s in spans
            ]


def test_reference_is_a_config_setting_of_the_component() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("jdanalyzer_lemmatizer")
    nlp.add_pipe("jdanalyzer_taxonomy", config={"reference": True})
    nlp.initialize()
    assert nlp.get_pipe("jdanalyzer_taxonomy").reference
    doc = nlp("You will deploy models and build dashboards in Tableau.")
    assert [s.id_ for s in doc.spans["skills"]] == ["dashboards", "tableau"]
    assert [s.id_ for s in doc.spans["tasks"]] == ["deploy_models", "build_dashboards"]


class _NoLookups:
    """spaCy's lookups registry without spacy-lookups-data installed."""

    def __contains__(self, name: str) -> bool:
        return False


class _LookupsWithoutLemmas:
    """spacy-lookups-data that has English tables, but no lemma_lookup."""

    def __contains__(self, name: str) -> bool:
        return name == "en"

    def get(self, name: str) -> dict[str, str]:
        return {}


@pytest.fixture
def fresh_lemma_table():
    lemma_lookup_table.cache_clear()
    yield
    lemma_lookup_table.cache_clear()


@pytest.mark.parametrize(
    "lookups", [_NoLookups(), _LookupsWithoutLemmas()], ids=["not installed", "no lemmas"]
)
@pytest.mark.parametrize("pipe", ["jdanalyzer_taxonomy", "jdanalyzer_lemmatizer"])
def test_a_missing_lemma_table_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, fresh_lemma_table: None, lookups: object, pipe: str
) -> None:
    """No silent fallback to matching surface forms: the matcher and the lemmatizer say
    what to install."""
    from spacy.util import registry

    monkeypatch.setattr(registry, "lookups", lookups)
    nlp = spacy.blank("en")
    with pytest.raises(LemmaTableMissingError, match=r"pip install spacy-lookups-data") as raised:
        nlp.add_pipe(pipe)
        nlp.initialize()
    assert isinstance(raised.value, JDAnalyzerError)


def test_the_lemma_table_is_read_again_once_installed(fresh_lemma_table: None) -> None:
    assert lemma_lookup_table()["deployed"] == "deploy"
    assert [m.id for m in extract("Deployed models with PyTorch.").matches] == ["deploy_models", "pytorch"]
