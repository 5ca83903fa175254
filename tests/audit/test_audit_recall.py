"""Findings the audit missed on the audit gold set (``benchmarks/bench_audit.py --verbose``).

Each test is written for the project in the style of an ad whose finding the reviewers
expected and the audit did not raise, and fails on the code before the fix: duties lists
that hold only abilities, catch-all duty phrases, ads whose only "duty" is an ability asked
for, locations read into empty form fields, perks and organisation names, pay read into
days of holiday, funding rounds and other jobs' pay, "hustle" rated as a mild cliché, and a
unicorn's duties read as company blurb; and the guards that keep those fixes from flagging
ads that do describe their work, their place or their pay.
"""

from __future__ import annotations

import pytest

from jdanalyzer.audit.checks import (
    no_location,
    no_responsibilities,
    no_salary,
    unicorn_ad,
    vague_duties,
)
from jdanalyzer.audit.findings import Finding
from jdanalyzer.audit.rules import AdContext
from jdanalyzer.audit.wording import phrase_findings
from jdanalyzer.extraction.extract import extract
from jdanalyzer.text.sections import section_at, split_sections
from jdanalyzer.types import Prediction


def context(text: str, *, title: str = "") -> AdContext:
    found = extract(text)
    return AdContext("ad", title, found.text, tuple(split_sections(found.text)), found)


def rules(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in findings]


# ----------------------------------------------------------------------------- vague-duties

# "Key Responsibilities" that list experience and attitudes, and nice-to-haves that ask for
# experience building and training models: no duty anywhere.
ATTITUDES = """Research Engineer

About Corvane Bio
Corvane Bio is a young biotech company. It is developing foundation models for protein
design and works from offices in Cambridge and Basel.

Key Responsibilities
- Industry experience as a research engineer in a machine-learning company.
- Excited to learn and teach within a collaborative team working on hard problems.

Desirable
- A PhD in a machine-learning field.
- Experience building and training neural networks.
- Experience profiling and optimising large-scale AI models.

The role is based in our Cambridge office, three days a week.
"""

# A "Responsibilities and Duties" list of abilities, and requirements in the same key.
ABILITIES = """Senior Security Data Scientist

Responsibilities and Duties:
- Deep understanding of network security, data science techniques and machine learning.
- Ability to articulate technical concepts clearly to technical and non-technical audiences.
- Strong problem-solving skills to handle security incidents.
- Ability to work effectively with other IT teams and outside partners.

Requirements and Skills
- A degree in computer science, information security or data science.
- At least 7 years of experience in security analytics.
- Experience in leading a team, managing projects and mentoring junior analysts.
"""


@pytest.mark.parametrize("text", [ATTITUDES, ABILITIES], ids=["attitudes", "abilities"])
def test_a_duties_list_of_abilities_and_attitudes_is_vague(text: str) -> None:
    findings = list(vague_duties(context(text)))
    assert rules(findings) == [("vague-duties", "medium")]
    assert findings[0].message.startswith("the responsibilities name no concrete task")


@pytest.mark.parametrize(("line", "found"), [
    ("Perform related duties & responsibilities as assigned.",
     "related duties & responsibilities as assigned"),
    ("Perform other related duties as required.", "related duties as required"),
    ("Perform any other job-related duties as requested.", "job-related duties as requested"),
    ("Additional duties as assigned by the manager.", "Additional duties as assigned"),
    ("Other duties and responsibilities as assigned.",
     "Other duties and responsibilities as assigned"),
    ("Build utility code and handle miscellaneous support tasks.", "miscellaneous support tasks"),
    ("Miscellaneous duties for the finance office.", "Miscellaneous duties"),
])
def test_catch_all_duties_are_flagged(line: str, found: str) -> None:
    text = ("Data Analyst\n\nResponsibilities\n- Build forecasting models for capital spending.\n"
            "- Analyze A/B test results with the finance team.\n- " + line + "\n")
    (finding,) = vague_duties(context(text))
    assert (finding.rule, finding.severity) == ("vague-duties", "medium")
    assert [s.text for s in finding.spans] == [found]


# A responsibilities list the task list cannot read (lab and product work), each line a
# work verb and a named skill or tool: concrete, not vague.
CONCRETE = """Product Engineer, Spatial Statistics

Responsibilities
- Research new methods for spatial statistics and spatial data science.
- Design, test and document analytical tools and their visualizations in Python.
- Create and ship quality software in an agile team.

Requirements
- A strong background in statistical theory and its application.
- Experience in data mining, machine learning or time-series analysis.
- Two years of experience developing models in R and Python.
- Ability to communicate complex concepts to customers.
"""


def test_duty_lines_that_name_their_tools_are_not_vague() -> None:
    assert list(vague_duties(context(CONCRETE))) == []


# ---------------------------------------------------------------------- no-responsibilities

# A staffing agency's ad: a list of tools, and two sentences that ask for abilities.
TOOLS_ONLY = """Data Scientist - Modeller

Corvane Staffing is seeking an experienced Data Scientist for one of our clients in
Atlanta, GA, for a six-month contract.

REQUIRED SKILLS
SAS Viya
SAS Visual Statistics
SAS Model Manager

OTHER SKILLS
Python
R
SQL
The candidate must have the ability writing SAS code and queries.
Experience building predictive models is essential.

DETAILS
Location: Atlanta, GA. Rate: DOE.
"""

# One paragraph about the company and what the ideal candidate is like.
PROSE = """Data Analytics Specialist

We are seeking energetic junior staff to support energy-efficiency and renewable-energy
projects. We are especially interested in candidates with an interest in data analytics.
Potential assignments include statistical analysis of market research results. Ideal
candidates have a strong statistical foundation, clear writing and the ability to work in
a team environment. Experience with Excel, R, Python or SQL is a plus. The position is in
our Walnut Creek office.
"""


@pytest.mark.parametrize("text", [TOOLS_ONLY, PROSE], ids=["tools-only", "prose"])
def test_an_ad_whose_only_tasks_are_abilities_has_no_responsibilities(text: str) -> None:
    (finding,) = no_responsibilities(context(text))
    assert (finding.rule, finding.severity) == ("no-responsibilities", "high")


# Scraped text that ran the duties heading into the first duty, and the bullets together.
GLUED = """Data Quality Analyst
Essential Functions:
Correct data quality errors and produce revisions as the audit procedures define.Run
weekly reports in Tableau for the catalogue team.
"""
RESPONSIBILITIES_GLUED = ("Senior Scientist\nWe are seeking a scientist to lead one of our cell "
                          "therapy teams.ResponsibilitiesOptimize receptor designs for safety "
                          "and efficacy. Plan and run in vitro assays with flow cytometry.")


@pytest.mark.parametrize("text", [GLUED, RESPONSIBILITIES_GLUED], ids=["functions", "glued"])
def test_a_duties_heading_in_scraped_text_counts(text: str) -> None:
    assert list(no_responsibilities(context(text))) == []


# ------------------------------------------------------------------------------ no-location

NO_PLACE = ("Data Analyst\n\nResponsibilities\n- Build forecasting models for store demand.\n"
            "- Analyze A/B test results with the product team.\n")


@pytest.mark.parametrize("tail", [
    "Travel required:Telecommute:Contact information:",  # a form left empty
    "Title:Location:Duration: six months",
    "You will report to the Office of Budget and Planning.",  # an organisation, not a place
    "We offer medical, dental and commuter benefits.",  # a perk, not a place
])
def test_empty_fields_perks_and_organisations_are_no_location(tail: str) -> None:
    (finding,) = no_location(context(NO_PLACE + tail))
    assert (finding.rule, finding.severity) == ("no-location", "medium")


@pytest.mark.parametrize("tail", [
    "Telecommute: yes, up to three days a week.", "Location:\n\nWalnut Creek, CA",
    "An easy commute from the station.", "You will join the team in our Ghent office.",
])
def test_filled_fields_and_commutes_still_give_a_location(tail: str) -> None:
    assert list(no_location(context(NO_PLACE + tail))) == []


# -------------------------------------------------------------------------------- no-salary

WITH_PLACE = NO_PLACE + "Hybrid, two days a week in our Leeds office.\n"


@pytest.mark.parametrize("tail", [
    "What we offer: a competitive salary and bonus, 6% pension and 28 days' holiday.",
    "We are changing the $650 billion freight market; we have raised $40 million.",
    "Our clients have entrusted more than EUR 30 billion to the platform.",
    "Competitive pay, 401(k) matching and medical cover.",
    # Other jobs' pay in a list a job board scraped along with the ad.
    "Similar jobs\nData Analyst\nLos Angeles, CA $95,000.00-$ 2 weeks ago\n"
    "Business Analyst II\nLos Angeles, CA $77,265.00-$ 3 weeks ago",
])
def test_figures_that_are_not_this_jobs_pay_are_no_salary(tail: str) -> None:
    (finding,) = no_salary(context(WITH_PLACE + tail))
    assert (finding.rule, finding.severity) == ("no-salary", "medium")


@pytest.mark.parametrize("tail", [
    "Salary: 55,000 - 65,000 a year.", "The salary range is 120k-150k.", "£55k–£65k.",
    "USD 140,000 - 165,000.", "Base salary 95000 plus bonus.", "Salary: 4,500 per month.",
    "Pay: 30-40 per hour.", "Compensation: 70.000 EUR.", "€60.000 – €70.000 gross.",
])
def test_stated_pay_is_still_pay(tail: str) -> None:
    assert list(no_salary(context(WITH_PLACE + tail))) == []


# ----------------------------------------------------------------------------------- jargon


@pytest.mark.parametrize(("text", "found"), [
    ("Our values: You hustle every day. You own your outcomes.", "hustle"),
    ("Hustle beats talent every single time.", "Hustle"),
    ("You are a hustler with a bias to action.", "hustler"),
])
def test_hustle_is_medium_jargon_like_work_hard_play_hard(text: str, found: str) -> None:
    (finding,) = phrase_findings("ad", text)
    assert (finding.rule, finding.severity) == ("jargon", "medium")
    assert [s.text for s in finding.spans] == [found]


# ------------------------------------------------------------------------------- unicorn-ad

# The duties list runs on under the company heading (its own heading was not recognised):
# its bullets are what the job asks for, not the company blurb.
UNDER_ABOUT = """AI/ML Engineer

About Northquay
Northquay makes dispatch software for regional bus operators. You will be our first AI hire.
- Build LLM features: a dispatch chatbot and agents that answer drivers' questions
- Retrieval-augmented generation over timetables and contracts
- Fine-tune open models and deploy them with model serving and monitoring
- Statistical analysis and A/B tests of every timetable change
- Forecast passenger demand; regression and causal inference studies
- Weekly Looker dashboards for the operations team

Must have
- Statistics, experimental design and causal inference
- Production LLM work and MLOps

Salary: USD 150,000 - 170,000. Remote (US).
"""


def test_bullets_under_the_company_heading_are_what_the_job_asks_for() -> None:
    found = extract(UNDER_ABOUT)
    sections = tuple(split_sections(found.text))
    others = {"ai_engineer": 0.45, "data_scientist": 0.1, "other": 0.05}
    prediction = Prediction("hybrid", {"hybrid": 0.4, **others}, "ai_engineer", True, (), found)
    ad = AdContext("ad", "AI/ML Engineer", found.text, sections, found, prediction)
    assert section_at(list(sections), found.text.index("Retrieval")).kind == "company"
    (finding,) = unicorn_ad(ad)
    # The terms it cites include the bullets under "About Northquay", not only "Must have".
    company_end = found.text.index("Must have")
    assert any(s.start < company_end for s in finding.spans), finding.spans
