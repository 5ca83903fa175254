"""The one section splitter, used by the audit and by the model's duty reader."""

from __future__ import annotations

import pytest

from jdanalyzer.text.sections import split_sections, split_units

AD = """Acme Analytics
Acme makes maps for cities. We ship every day.
What you'll do
- Build demand forecasts for each district
- Run A/B tests, e.g. on pricing. Report results to the team.
Nice to have
- Experience with R
Benefits
Free lunch and a bike."""


def test_units_cover_sentences_and_bullets_with_their_section() -> None:
    units = split_units(AD)
    got = [(u.kind, AD[u.start:u.end]) for u in units]
    assert got == [
        ("intro", "Acme Analytics"),
        ("intro", "Acme makes maps for cities."),
        ("intro", "We ship every day."),
        ("responsibilities", "- Build demand forecasts for each district"),
        ("responsibilities", "- Run A/B tests, e.g. on pricing."),
        ("responsibilities", "Report results to the team."),
        ("nice_to_have", "- Experience with R"),
        ("offer", "Free lunch and a bike."),
    ]


def test_headings_are_not_units_and_units_stay_inside_their_section() -> None:
    sections = split_sections(AD)
    for unit in split_units(AD, sections):
        section = next(s for s in sections if s.start <= unit.start < s.end)
        assert unit.end <= section.end and section.kind == unit.kind
        assert AD[unit.start:unit.end].strip() not in {s.heading for s in sections if s.heading}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Use tools (ex. Salesforce) daily.", ["Use tools (ex. Salesforce) daily."]),
        ("Report to J. Smith daily.", ["Report to J. Smith daily."]),
        # A capital before the mark reads as an initial: an acronym ending a sentence joins the next.
        ("Know GAAP. Lead audits.", ["Know GAAP. Lead audits."]),
        ("Python, SQL, etc. Also Spark.", ["Python, SQL, etc. Also Spark."]),
        ("Ship it! Then measure it? Yes.", ["Ship it!", "Then measure it?", "Yes."]),
        ("version 2.0 of the app.", ["version 2.0 of the app."]),
    ],
)
def test_sentence_breaks_skip_abbreviations_and_initials(line: str, expected: list[str]) -> None:
    assert [line[u.start:u.end] for u in split_units(line)] == expected


def test_splitting_is_linear_on_a_long_line_of_marks() -> None:
    import time

    text = "a. " * 50_000 + "!" * 50_000
    start = time.perf_counter()
    units = split_units(text)
    assert units and time.perf_counter() - start < 5


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("What You\u2019ll Do", "responsibilities"),
        ("Who are we looking for?", "requirements"),
        ("Position Overview", "responsibilities"),
        ("Job Summary", "responsibilities"),
        ("You'll get to:", "responsibilities"),
        # a heading glued to another stays a heading, though it looks like a field
        ("Job Description:Responsibilities", "responsibilities"),
        ("Preferred:AWS experience", "nice_to_have"),
        ("RESPONSIBILITIES:Summary:Key Responsibilities:", "responsibilities"),
    ],
)
def test_headings_the_splitter_used_to_miss(heading: str, kind: str) -> None:
    text = f"About Acme\nAcme builds maps.\n{heading}\n- Build forecasting models"
    assert [s.kind for s in split_sections(text)] == ["company", kind]


def test_sentences_joined_without_a_space_are_split() -> None:
    line = ("Tune hyperparameters.Support the team.Responsibilities:Design experiments. "
            "Node.js and e.g. Python.")
    assert [line[u.start:u.end] for u in split_units(line)] == [
        "Tune hyperparameters.", "Support the team.", "Responsibilities:", "Design experiments.",
        "Node.js and e.g. Python.",
    ]


def test_a_field_line_is_no_heading() -> None:
    """"Good to have :- GCP" names a part but is a line of its own: the requirement after it is
    not read as a nice-to-have, nor a duty after "Salary: ..." as the offer."""
    text = ("AI Engineer\nKey Skills :- Python, MLOps\nGood to have :- GCP\n"
            "At least 7 years of experience as a machine learning engineer.\n"
            "Salary: $120,000 - $140,000\nYou will deploy models to production.")
    assert [s.kind for s in split_sections(text)] == ["intro"]


def test_linkedin_footer_is_about_the_offer() -> None:
    text = ("Responsibilities\n- Build forecasting models\nSeniority level\nMid-Senior level\n"
            "Employment type\nFull-time\nIndustries\nSoftware Development")
    assert [s.kind for s in split_sections(text)] == ["responsibilities", "offer", "offer", "offer"]
    units = split_units(text)
    assert [u.kind for u in units if text[u.start:u.end] == "Full-time"] == ["offer"]
