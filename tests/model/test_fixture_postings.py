"""The packaged model on the 40 postings written for the project (tests/data/postings/).

These run with or without the shared corpus. The floors are measured figures set a little
below: when the fixture was written the model got 20 of the 20 clear ai_engineer and
data_scientist postings and 37 of all 40 right (it missed two hybrids, read as ai_engineer,
and the particle-physics postdoc, read as data_scientist).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from jdanalyzer.model.predict import RoleModel

LABELS = ("ai_engineer", "data_scientist", "hybrid", "other")
CLEAR = ("ai_engineer", "data_scientist")
MIN_CLEAR_ACCURACY = 0.9  # measured 1.00 (20/20)
MIN_ACCURACY = 0.85  # measured 0.925 (37/40)
# Ads whose title or company blurb points the other way; the label follows the duties.
MISLEADING = {
    "data-scientist-title-ships-llm-features": "ai_engineer",
    "ds-under-ai-first-blurb": "data_scientist",
}


@pytest.fixture(scope="module")
def predicted(fixture_postings: pd.DataFrame, role_model: RoleModel) -> pd.Series:
    predictions = role_model.classify_many(
        fixture_postings["description"].tolist(), fixture_postings["title"].tolist()
    )
    return pd.Series([p.label for p in predictions], index=fixture_postings["posting_id"])


def test_every_fixture_posting_has_a_title_text_and_known_label(fixture_postings: pd.DataFrame) -> None:
    assert len(fixture_postings) == 40
    assert fixture_postings["posting_id"].is_unique
    assert set(fixture_postings["label"]) <= set(LABELS)
    mix = {"ai_engineer": 10, "data_scientist": 10, "hybrid": 6, "other": 14}
    assert Counter(fixture_postings["label"]) == mix
    assert all(fixture_postings["title"].str.len() > 3)
    assert all(fixture_postings["description"].str.split().str.len() > 60)


def test_the_clear_postings_get_their_label(fixture_postings: pd.DataFrame, predicted: pd.Series) -> None:
    clear = fixture_postings[fixture_postings["label"].isin(CLEAR)]
    right = (predicted[clear["posting_id"]].to_numpy() == clear["label"].to_numpy())
    wrong = dict(zip(clear["posting_id"][~right], predicted[clear["posting_id"]][~right], strict=True))
    assert right.mean() >= MIN_CLEAR_ACCURACY, wrong


def test_accuracy_over_all_fixture_postings(fixture_postings: pd.DataFrame, predicted: pd.Series) -> None:
    ids, labels = fixture_postings["posting_id"], fixture_postings["label"]
    right = predicted[ids].to_numpy() == labels.to_numpy()
    wrong = {pid: (lab, predicted[pid]) for pid, lab, ok in zip(ids, labels, right, strict=True) if not ok}
    assert right.mean() >= MIN_ACCURACY, wrong
    # Every label is predicted at least once: the model is not collapsing onto one class.
    assert set(predicted) == set(LABELS)


@pytest.mark.parametrize(("posting_id", "label"), sorted(MISLEADING.items()))
def test_a_misleading_title_or_blurb_does_not_decide(
    predicted: pd.Series, posting_id: str, label: str
) -> None:
    assert predicted[posting_id] == label
