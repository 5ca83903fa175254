"""Texts under MIN_WORDS words get no label: probabilities, a warning and nothing else."""

from __future__ import annotations

import json

import pytest

from jdanalyzer.model.predict import MIN_WORDS, SHORT_TEXT_WORDS, RoleModel

LABELS = {"ai_engineer", "data_scientist", "hybrid", "other"}


def first_words(text: str, n: int) -> str:
    return " ".join(text.split()[:n])


def test_a_one_line_ad_gets_no_label(role_model: RoleModel) -> None:
    prediction = role_model.classify("We need a python person.")
    assert prediction.label is None and prediction.runner_up is None
    assert prediction.low_confidence
    assert prediction.evidence == ()
    assert prediction.warnings == (
        "too short (5 words) to tell the role: no label; paste the whole ad",
    )
    assert set(prediction.probabilities) == LABELS
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-6)
    # No label, but a confidence to format (the audit prints it): the top probability.
    assert prediction.confidence == max(prediction.probabilities.values())
    assert prediction.words == 5


@pytest.mark.parametrize("words", [1, 2, 10, MIN_WORDS - 1])
def test_under_min_words_no_label(role_model: RoleModel, samples: dict[str, str], words: int) -> None:
    prediction = role_model.classify(first_words(samples["ai_engineer"], words))
    assert prediction.words == words
    assert prediction.label is None and prediction.runner_up is None
    assert prediction.low_confidence and prediction.evidence == ()
    counted = "1 word" if words == 1 else f"{words} words"  # never "1 words"
    assert prediction.warnings[-1].startswith(f"too short ({counted})")


@pytest.mark.parametrize("words", [MIN_WORDS, SHORT_TEXT_WORDS - 1])
def test_from_min_words_a_label_with_a_warning(
    role_model: RoleModel, samples: dict[str, str], words: int
) -> None:
    prediction = role_model.classify(first_words(samples["ai_engineer"], words))
    assert prediction.words == words
    assert prediction.label in LABELS and prediction.runner_up in LABELS
    assert prediction.low_confidence  # still short: pulled toward the prior and flagged
    assert prediction.evidence_for(prediction.label)
    assert prediction.warnings == (
        f"only {words} words: too short to tell the role reliably; paste the whole ad",
    )


def test_whole_ads_are_untouched(role_model: RoleModel, samples: dict[str, str]) -> None:
    prediction = role_model.classify(samples["data_scientist"])
    assert prediction.label == "data_scientist"
    assert not any("too short" in w for w in prediction.warnings)


def test_shrinkage_still_applies_under_min_words(
    role_model: RoleModel, samples: dict[str, str]
) -> None:
    """A short prefix of a clear ad is far less sure than the whole ad."""
    whole = role_model.classify(samples["ai_engineer"])
    short = role_model.classify(first_words(samples["ai_engineer"], 12))
    assert short.probabilities["ai_engineer"] < whole.probabilities["ai_engineer"] - 0.2


def test_json_has_null_label(role_model: RoleModel) -> None:
    data = json.loads(json.dumps(role_model.classify("We need a python person.").to_dict()))
    assert data["label"] is None and data["runner_up"] is None and data["confidence"] is None
    assert data["low_confidence"] is True
    assert data["evidence"] == []
    assert set(data["probabilities"]) == LABELS
    assert data["warnings"] == ["too short (5 words) to tell the role: no label; paste the whole ad"]


def test_a_batch_mixes_labeled_and_unlabeled(role_model: RoleModel, samples: dict[str, str]) -> None:
    found = role_model.classify_many(["Python developer wanted.", samples["ai_engineer"]])
    assert [p.label for p in found] == [None, "ai_engineer"]
