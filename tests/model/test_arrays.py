"""The array model (jdanalyzer.model.arrays) must predict exactly what the scikit-learn pipeline does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer, strip_accents_unicode

from jdanalyzer.extraction.extract import extract_many
from jdanalyzer.extraction.taxonomy import load_taxonomy
from jdanalyzer.model.arrays import LinearRoleModel
from jdanalyzer.model.export import arrays_from_pipeline, load_pipeline
from jdanalyzer.model.features import to_frame
from jdanalyzer.model.spec import SIDE_PROFILE_NAMES, side_profile, terms_of
from jdanalyzer.model.tfidf import TfidfBlock
from jdanalyzer.model.tfidf import strip_accents_unicode as our_strip

TRICKY = [
    "Café naïve résumé: Ångström-level ﬁne-tuning • “RAG” – 10x",
    "e\u0301\u0327 combining marks, x\u0301y and Ελληνικά, 中文 text, emoji 🤖 too",
    "A/B testing; CI/CD; C++ and C#; R, Go; k8s; LLMs' fine_tuning",
    "ALL CAPS and MiXeD case, 2024-2026, $185,000 - $225,000",
    "",
    "a",
]


@pytest.fixture(scope="module")
def pipeline():
    return load_pipeline()[0]


@pytest.fixture(scope="module")
def linear(pipeline) -> LinearRoleModel:
    return arrays_from_pipeline(pipeline)


@pytest.mark.parametrize("text", TRICKY)
def test_accent_stripping_equals_scikit_learns(text: str) -> None:
    assert our_strip(text) == strip_accents_unicode(text)


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize(
    "params",
    [
        {"ngram_range": (1, 2), "strip_accents": "unicode"},
        {"ngram_range": (1, 3), "lowercase": False},
        {"token_pattern": r"\S+", "lowercase": False},
    ],
)
def test_analyzer_equals_scikit_learns(text: str, params: dict) -> None:
    vectorizer = TfidfVectorizer(**params).fit([*TRICKY, "seed text so the vocabulary is not empty"])
    block = TfidfBlock.from_vectorizer("words", "text", vectorizer, 0)
    assert block.analyze(text) == vectorizer.build_analyzer()(text)
    expected = vectorizer.transform([text]).tocsr()
    row = block.transform(text)
    assert row.indices.tolist() == expected.indices.tolist()
    assert np.allclose(row.values, expected.data, rtol=0, atol=1e-7)


def test_unsupported_vectorizer_settings_are_refused() -> None:
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3)).fit(TRICKY)
    with pytest.raises(ValueError, match="cannot reproduce"):
        TfidfBlock.from_vectorizer("chars", "text", vectorizer, 0)


def test_side_profile_counts_sides() -> None:
    taxonomy = load_taxonomy()
    ai = next(t.id for t in taxonomy.skills if t.side == "ai_engineer")
    ds = next(t.id for t in taxonomy.skills if t.side == "data_scientist")
    profile = dict(zip(
        SIDE_PROFILE_NAMES,
        side_profile(f"skill:{ai} skill:{ai} skill:{ds} skill:not_a_term", taxonomy),
        strict=True,
    ))
    assert profile["skills_ai_engineer"] == pytest.approx(np.log1p(2))
    assert profile["skills_data_scientist"] == pytest.approx(np.log1p(1))
    assert profile["distinct_ai_engineer"] == pytest.approx(np.log1p(1))
    assert profile["both_sides"] == pytest.approx(np.log1p(1))
    assert profile["skills_shared"] == profile["tasks_ai_engineer"] == profile["skills_software"] == 0.0
    assert profile["ai_lean"] == pytest.approx(np.log1p(0.5))  # one AI term of two role terms
    assert profile["role_focus"] == pytest.approx(np.log1p(1.0))  # no software/analytics terms


def test_probabilities_equal_the_pipelines_on_real_postings(pipeline, linear, postings_sample) -> None:
    rows = postings_sample.sample(min(150, len(postings_sample)), random_state=7)
    extractions = list(extract_many(rows["description"].tolist()))
    frame = to_frame([e.text for e in extractions], rows["title"].tolist())
    frame["terms"] = [terms_of(e) for e in extractions]
    X = pipeline[:-1].transform(frame).tocsr()
    expected = pipeline[-1].predict_proba(X)
    titles = frame["title"].tolist()
    features = [linear.features(e.text, t, terms_of(e)) for e, t in zip(extractions, titles, strict=True)]
    got = linear.predict_proba(features)
    assert np.abs(got - expected).max() < 1e-7
    assert (got.argmax(1) == expected.argmax(1)).all()
    for i in (0, 1, 2):  # the same non-zero features, so evidence names the same terms
        assert features[i].indices.tolist() == X[i].indices.tolist()
        assert np.allclose(features[i].values, X[i].data, atol=1e-7)


def test_save_and_load_give_the_same_model(linear: LinearRoleModel, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    linear.save(path)
    again = LinearRoleModel.load(path)
    assert again.classes == linear.classes and np.array_equal(again.coef, linear.coef)
    row = linear.features("Deploy LLM agents with LangChain and run A/B tests in SQL", "AI Engineer",
                          "skill:llm skill:langchain skill:ab_testing")
    assert np.array_equal(again.predict_proba([row]), linear.predict_proba([row]))


def test_classifying_does_not_import_scikit_learn(sample_paths: dict[str, Path]) -> None:
    """What keeps a pasted posting fast: prediction reads the arrays only."""
    code = (
        "import sys, jdanalyzer; "
        f"r = jdanalyzer.classify(open({str(sample_paths['hybrid'])!r}).read()); "
        "heavy = sorted(m for m in ('sklearn', 'scipy', 'pandas', 'joblib') if m in sys.modules); "
        "print(r.label, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split(" ", 1)[1].strip() == "[]", out
