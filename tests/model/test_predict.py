from __future__ import annotations

import json

import pytest

import jdanalyzer
from jdanalyzer.errors import EmptyTextError
from jdanalyzer.model.predict import EVIDENCE_MIN_PROBABILITY, LOW_CONFIDENCE, NO_DUTIES_WARNING, RoleModel

LABELS = {"ai_engineer", "data_scientist", "hybrid", "other"}


@pytest.mark.parametrize("name", ["ai_engineer", "data_scientist"])
def test_clear_samples_get_their_label(role_model: RoleModel, samples: dict[str, str], name: str) -> None:
    prediction = role_model.classify(samples[name])
    assert prediction.label == name
    assert not prediction.low_confidence


def test_probabilities_cover_the_labels_and_sum_to_one(
    role_model: RoleModel, samples: dict[str, str]
) -> None:
    prediction = role_model.classify(samples["hybrid"])
    assert set(prediction.probabilities) == LABELS
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-6)
    assert prediction.confidence == max(prediction.probabilities.values())
    assert prediction.runner_up != prediction.label


def test_evidence_spans_point_at_the_terms(role_model: RoleModel, samples: dict[str, str]) -> None:
    prediction = role_model.classify(samples["ai_engineer"])
    own = prediction.evidence_for(prediction.label)
    assert own, "a confident prediction has evidence for its label"
    if prediction.probabilities[prediction.runner_up] >= EVIDENCE_MIN_PROBABILITY:
        assert any(e.label == prediction.runner_up for e in prediction.evidence)
    assert all(e.weight > 0 for e in prediction.evidence)
    for ev in prediction.evidence:
        for start, end in ev.spans:
            found = prediction.text[start:end]
            if ev.source == "ngram":
                assert " ".join(found.lower().split()).replace("-", " ").startswith(ev.term.split()[0])
            elif ev.source == "taxonomy":
                assert any(m.start == start and m.end == end for m in prediction.extraction.matches)
        if ev.source == "title":
            assert ev.spans == ()


def test_evidence_is_faithful(role_model: RoleModel, samples: dict[str, str]) -> None:
    """Blanking out the strongest evidence spans lowers the predicted label's probability
    and its log-odds over the runner-up."""
    import math

    for name in ("ai_engineer", "data_scientist", "hybrid"):
        before = role_model.classify(samples[name])
        spans = sorted({span for ev in before.evidence_for(before.label)[:8] for span in ev.spans})
        assert spans, name
        text = list(before.text)
        for start, end in spans:
            text[start:end] = " " * (end - start)
        after = role_model.classify("".join(text))

        def margin(probs: dict[str, float], label: str, other: str) -> float:
            return math.log(probs[label]) - math.log(probs[other])

        assert after.probabilities[before.label] < before.confidence, name
        labels = (before.label, before.runner_up)
        assert margin(after.probabilities, *labels) < margin(before.probabilities, *labels) - 1.0, name


def test_title_is_optional_and_used(role_model: RoleModel, samples: dict[str, str]) -> None:
    text = samples["hybrid"]
    without = role_model.classify(text)
    with_title = role_model.classify(text, title="Full-Stack Data Scientist")
    assert with_title.title == "Full-Stack Data Scientist"
    assert with_title.probabilities != without.probabilities


def test_short_text_is_low_confidence(role_model: RoleModel) -> None:
    prediction = role_model.classify("Python developer wanted.")
    assert prediction.low_confidence
    assert prediction.confidence < 0.9
    assert any("too short" in w for w in prediction.warnings)


#: An ad that names no work at all: the company, its benefits and an EEO statement only.
NO_DUTIES_AD = """About Lumenfold
Lumenfold builds the AI platform that thousands of retailers use to plan their stock, price
their goods and talk to their customers. Founded in 2019, we are backed by leading investors
and have offices in Berlin, Austin and Singapore. Our mission is to make artificial
intelligence useful for every shop on the high street, and our culture is built on
curiosity, ownership and kindness.
Benefits
Competitive salary and equity. Thirty days of paid holiday. A learning budget of 2,000 euros
a year. Flexible hours and remote work within Europe. Health insurance for you and your family.
Lumenfold is an equal opportunity employer. We welcome applicants of every background, gender
identity, sexual orientation, religion, disability and age."""


def test_an_ad_without_duties_is_said_to_be_too_vague(role_model: RoleModel, samples: dict[str, str]) -> None:
    vague = role_model.classify(NO_DUTIES_AD, title="Senior AI/ML Engineer")
    assert NO_DUTIES_WARNING in vague.warnings and vague.low_confidence
    assert vague.label is not None  # long enough for a label: it is flagged, not withheld
    assert json.loads(json.dumps(vague.to_dict()))["warnings"] == [NO_DUTIES_WARNING]
    for name in ("ai_engineer", "data_scientist", "hybrid"):
        assert NO_DUTIES_WARNING not in role_model.classify(samples[name]).warnings, name


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_refused(role_model: RoleModel, text: str) -> None:
    with pytest.raises(EmptyTextError, match="the posting is empty"):
        role_model.classify(text)


def test_html_input_is_normalized_and_offsets_hold(role_model: RoleModel, samples: dict[str, str]) -> None:
    html = "<div><p>" + samples["ai_engineer"].replace("\n", "</p><p>") + "</p></div>"
    prediction = role_model.classify(html)
    assert "<p>" not in prediction.text
    assert prediction.label == "ai_engineer"
    for match in prediction.skills:
        assert prediction.text[match.start : match.end] == match.matched


def test_json_schema_is_stable(role_model: RoleModel, samples: dict[str, str]) -> None:
    data = json.loads(json.dumps(role_model.classify(samples["data_scientist"]).to_dict()))
    assert {"label", "confidence", "probabilities", "low_confidence", "evidence", "skills",
            "tasks", "text", "runner_up", "title", "truncated", "warnings"} <= set(data)
    assert isinstance(data["confidence"], float) and set(data["probabilities"]) == LABELS
    for ev in data["evidence"]:
        assert set(ev) == {"term", "label", "weight", "source", "side", "spans"}
        assert all(set(s) == {"start", "end"} for s in ev["spans"])
    for skill in data["skills"]:
        assert data["text"][skill["start"] : skill["end"]] == skill["matched"]


def test_batch_equals_one_by_one(role_model: RoleModel, samples: dict[str, str]) -> None:
    texts = [samples["ai_engineer"], samples["data_engineer"]]
    batch = role_model.classify_many(texts, ["AI Engineer", None])
    single = [role_model.classify(texts[0], "AI Engineer"), role_model.classify(texts[1])]
    for a, b in zip(batch, single, strict=True):
        assert a.label == b.label
        assert a.probabilities == pytest.approx(b.probabilities)


def test_module_level_classify_reuses_the_model(samples: dict[str, str]) -> None:
    first = jdanalyzer.load_model()
    assert jdanalyzer.load_model() is first
    assert jdanalyzer.classify(samples["ai_engineer"]).label == "ai_engineer"


def test_low_confidence_threshold_is_documented() -> None:
    assert 0.25 < LOW_CONFIDENCE < 1
