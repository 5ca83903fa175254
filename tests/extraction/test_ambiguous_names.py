"""One entry, one thing: names that mean something else in context, and aliases that were
other technologies (issue 15, item 2).

Each case is a sentence as job ads write it. The context rules are data on the taxonomy
entries (``not_preceded_by``, ``not_followed_by``, ``only_with``); the reference components
and the fast path must agree on them (tests/extraction/test_parity.py checks the same
sentences on both paths).
"""

from __future__ import annotations

import pytest

from jdanalyzer import extract
from jdanalyzer.extraction.extract import extract_many
from jdanalyzer.extraction.taxonomy import load_taxonomy


def ids(text: str) -> list[str]:
    return [m.id for m in extract(text).matches]


def found(text: str) -> list[tuple[str, str]]:
    return [(m.matched, m.id) for m in extract(text).matches]


# (text, ids that must not be found, (matched text, id) pairs that must be found)
CASES = [
    # "cutting-edge AI" is new AI, not AI on edge devices.
    ("We build cutting-edge AI products for retailers.", {"edge_ai"}, []),
    ("Partner with engineers to create cutting- edge AI models.", {"edge_ai"}, []),
    ("You will work on cutting edge AI research and leading-edge AI tooling.", {"edge_ai"}, []),
    ("Bring cutting-edge computing to our labs.", {"edge_computing"}, []),
    ("Experience deploying edge AI models on embedded hardware.", set(), [("edge AI", "edge_ai")]),
    ("You will run AI on edge devices such as cameras and drones.", set(), [("edge devices", "edge_ai")]),
    # "core ML" is core machine learning; Apple's Core ML counts in a posting about Apple's platforms.
    ("You will build core ML models and the features they need.", {"core_ml", "edge_ai"}, []),
    ("Core ML: 8+ years in data science or machine learning engineering.", {"core_ml", "edge_ai"}, []),
    ("We own the core ML infrastructure (feature stores, model registries).", {"core_ml", "edge_ai"}, []),
    (
        "Build iOS apps in Swift and SwiftUI, with models in Core ML and ARKit.",
        {"edge_ai"},
        [("Swift", "swift"), ("Core ML", "core_ml")],
    ),
    ("Experience shipping CoreML models on iPhone and iPad.", {"edge_ai"}, [("CoreML", "core_ml")]),
    # "Backend" as a heading names no skill; in running text it is backend development, not full stack.
    ("Backend\nPython, Postgres and Redis on AWS.", {"full_stack", "backend_development"}, []),
    ("Backend: Python, FastAPI.", {"full_stack", "backend_development"}, []),
    (
        "Design and build backend microservices in Java 21.",
        {"full_stack"},
        [("backend", "backend_development"), ("microservices", "microservices")],
    ),
    (
        "Experience in backend development with Java and Spring Boot.",
        {"full_stack"},
        [("backend development", "backend_development"), ("Spring Boot", "spring_boot")],
    ),
    (
        "Work with our back-end engineers on APIs.",
        {"full_stack"},
        [("back-end", "backend_development")],
    ),
    ("You are a full-stack engineer at heart.", set(), [("full-stack", "full_stack")]),
    # Price elasticity is pricing (econometrics), not marketing measurement.
    (
        "Estimate price elasticity and build pricing models for 4,000 stores.",
        {"marketing_analytics"},
        [("price elasticity", "pricing"), ("pricing models", "pricing")],
    ),
    (
        "Own demand planning for the supply chain.",
        {"marketing_analytics"},
        [("demand planning", "operations_analytics")],
    ),
    # "R&D" is research and development, not the R language (the taxonomy has no entry for it).
    ("Our R&D team ships new models every quarter.", {"r"}, []),
    ("Five years in R & D environments, ideally in pharma.", {"r"}, []),
    ("Grow the R and D budget responsibly.", {"r"}, []),
    ("Analyses in R and Python; dashboards in Tableau.", set(), [("R", "r"), ("Python", "python")]),
    # "Go to market", "Go beyond", "Go/No-Go" are not the Go language.
    ("Own Go To-Market planning with Sales and Marketing.", {"go"}, []),
    ("Help define our Go to market strategy.", {"go"}, [("Go to market", "product_management")]),
    ("Set milestone criteria (e.g. Go/No-Go decisions) for each study.", {"go"}, []),
    ("Tackle real-world AI challenges: Go beyond theory to solve practical problems.", {"go"}, []),
    ("Grow a Pay-As-You-Go distribution business.", {"go"}, []),
    ("Strong coding skills in Python, Go, or Rust.", set(), [("Go", "go"), ("Rust", "rust")]),
    # "Spark joy" and "Spark Capital" are not Apache Spark; Spark in a tech list is.
    ("Our mission: Spark joy in every home.", {"spark"}, []),
    ("Backed by Spark Capital, Matrix Partners and others.", {"spark"}, []),
    (
        "Tools: Spark, PySpark, Spark SQL and Hive.",
        set(),
        [("Spark", "spark"), ("PySpark", "spark"), ("Spark SQL", "spark"), ("Hive", "hive")],
    ),
    ("Experience with stream processing (Spark Structured Streaming, Flink).", set(), [("Flink", "flink")]),
    # Amazon's EMR, not electronic medical records (and the other way round).
    (
        "Experience with Amazon Elastic MapReduce (EMR) and SageMaker.",
        {"clinical_data"},
        [("EMR", "emr")],
    ),
    ("Ensure interoperability with EHR/EMR systems; we run on AWS.", {"emr"}, [("EHR", "clinical_data")]),
    # Altair the plotting library, not Altair the simulation-software company.
    ("Simulation tools such as ANSYS, Altair or COMSOL.", {"altair", "plotly"}, []),
    (
        "Interactive visualization frameworks (Altair, d3js, Vega-Lite, Bokeh).",
        {"plotly"},
        [("Altair", "altair"), ("Bokeh", "bokeh")],
    ),
    # Word the Office program in a list of Office programs, not a resume's file format.
    ("Proficient in Microsoft Office: Word, Excel and PowerPoint.", set(), [("Word", "ms_office")]),
    ("Please email your resume in Word format.", {"ms_office"}, []),
    ("Upload your resume (PDF or Word doc) and a cover letter.", {"ms_office"}, []),
    ("Build NLP features from Word embeddings and Word tokenization.", {"ms_office"}, []),
    # Ownership of one's work, not of shares or of costs.
    ("Strong ownership of deliverables from design to production.", set(), [("ownership", "ownership")]),
    ("Benefits include an Employee Stock Ownership Plan.", {"ownership"}, []),
    ("The lowest total cost of ownership for your AI stack.", {"ownership"}, []),
    # Coding is programming, not medical coding.
    ("Hands-on coding in Python and SQL.", set(), [("coding", "programming")]),
    ("Experience with medical coding and billing audits.", {"programming"}, []),
    # Communication skills, not a company's Communications department.
    ("Clear communication with stakeholders.", set(), [("communication", "communication")]),
    ("Join our Corporate Communications team in Chicago.", {"communication"}, []),
    # npm the package manager, not programme managers; REST Assured the library, not the idiom.
    ("Front-end tooling: npm, Yarn and Webpack.", set(), [("npm", "npm")]),
    ("Report to the National Program Managers (NPMs).", {"npm"}, []),
    ("API tests with REST Assured and Postman.", {"rest_api"}, [("REST Assured", "rest_assured")]),
    ("Rest assured, we read every application.", {"rest_assured", "rest_api"}, []),
    # CAD software, not Canadian dollars; networking as in TCP/IP, not networking events.
    ("The range for this role is $140,000 CAD - $175,000 CAD.", {"cad_software"}, []),
    ("Great networking opportunities with industry leaders.", {"computer_networking"}, []),
    # Apache Iceberg, not the tip of the iceberg.
    ("Tables in Iceberg and Delta Lake on S3.", set(), [("Iceberg", "iceberg")]),
    ("Metrics are only the tip of the Iceberg.", {"iceberg"}, []),
    # Google's Dataflow (Apache Beam), not a system's data flow.
    ("Batch jobs on Dataflow and Dataproc, loaded into BigQuery.", set(), [("Dataflow", "apache_beam")]),
    ("Document the dataflow between the billing systems.", {"apache_beam"}, []),
    # R ending a sentence is one token with its period; the initial of a name is no R.
    ("Fluent in Python or R. We also use SQL.", set(), [("R.", "r")]),
    ("John R. Smith will lead the team.", {"r"}, []),
    ("Brands of R. J. Reynolds Tobacco Company.", {"r"}, []),
]


@pytest.mark.parametrize(("text", "absent", "present"), CASES, ids=[c[0][:50] for c in CASES])
def test_ambiguous_names_match_only_in_a_supporting_context(
    text: str, absent: set[str], present: list[tuple[str, str]]
) -> None:
    matches = found(text)
    assert not absent & {term_id for _, term_id in matches}, matches
    for pair in present:
        assert pair in matches, (pair, matches)


# Aliases that were other technologies now name their own entries.
SPLITS = [
    ("Mobile: Kotlin for Android, Swift for iOS.", [("Kotlin", "kotlin"), ("Swift", "swift")]),
    (
        "We hire for iOS development and Android development.",
        [("iOS development", "ios_development"), ("Android development", "android_development")],
    ),
    (
        "Front end in React, Vue.js, Angular or Svelte; React Native and Redux a plus.",
        [("React", "react"), ("Vue.js", "vue"), ("Angular", "angular"), ("Svelte", "svelte"),
         ("React Native", "react_native"), ("Redux", "redux")],
    ),
    ("Edge computing and embedded systems experience.",
     [("Edge computing", "edge_computing"), ("embedded systems", "embedded_systems")]),
    ("CI with Jenkins or CircleCI; docs in Confluence, tickets in Jira.",
     [("Jenkins", "jenkins"), ("CircleCI", "circleci"), ("Confluence", "confluence"), ("Jira", "jira")]),
    ("Redis for caching; RabbitMQ or Kafka for messaging.",
     [("Redis", "redis"), ("caching", "caching"), ("RabbitMQ", "rabbitmq"), ("Kafka", "kafka")]),
    ("Spark Streaming, Apache Flink and Apache Beam on Dataproc or Amazon EMR.",
     [("Spark Streaming", "spark"), ("Apache Flink", "flink"), ("Apache Beam", "apache_beam"),
      ("Dataproc", "dataproc"), ("Amazon EMR", "emr")]),
    ("Marketing analytics, web analytics and product analytics.",
     [("Marketing analytics", "marketing_analytics"), ("web analytics", "web_analytics"),
      ("product analytics", "product_analytics")]),
    ("Statistical models (regression, classification models, clustering).",
     [("regression", "regression"), ("classification models", "classification"),
      ("clustering", "clustering")]),
]


@pytest.mark.parametrize(("text", "expected"), SPLITS, ids=[s[0][:50] for s in SPLITS])
def test_distinct_technologies_are_distinct_entries(text: str, expected: list[tuple[str, str]]) -> None:
    matches = found(text)
    for pair in expected:
        assert pair in matches, (pair, matches)


def test_the_split_entries_name_one_thing() -> None:
    """The entries the issue named lost the other things they listed."""
    taxonomy = load_taxonomy()

    def forms(term_id: str) -> set[str]:
        return {f.lower() for f in taxonomy[term_id].surface_forms}

    assert not forms("kotlin") & {"swift", "ios development", "android development"}
    assert not forms("react") & {"vue", "vue.js", "angular", "svelte", "react native", "redux"}
    assert not forms("edge_ai") & {"core ml", "coreml", "edge computing", "embedded systems"}
    assert not forms("full_stack") & {"backend", "back-end", "backend development", "server-side"}
    assert not forms("marketing_analytics") & {"price elasticity", "price optimization", "demand planning"}


def test_cutting_edge_is_never_edge_ai_in_the_postings(postings_sample) -> None:
    """Over real postings (the non-held-out corpus, or the fixture postings): no edge AI or
    edge computing match right after 'cutting-' / 'leading-' / 'bleeding-'."""
    texts = postings_sample["description"].tolist()
    for result in extract_many(texts):
        for m in result.matches:
            if m.id in ("edge_ai", "edge_computing"):
                before = result.text[max(0, m.start - 9) : m.start].lower().replace("-", " ")
                assert not before.rstrip().endswith(("cutting", "leading", "bleeding")), result.text[
                    max(0, m.start - 40) : m.end + 20
                ]
