"""Duties written in forms that postings use for them: further verbs of a task, and objects
listed with commas before the one a verb reaches."""

from __future__ import annotations

import pytest

from jdanalyzer import extract


@pytest.mark.parametrize(
    ("text", "task"),
    [
        ("Provide ongoing reports to the finance team", "write_reports"),
        ("Provide reporting of data for the program", "write_reports"),
        ("Interpret data, analyze results and provide reports to management", "write_reports"),
    ],
)
def test_further_forms_of_a_duty(text: str, task: str) -> None:
    assert task in [m.id for m in extract(text).tasks]
