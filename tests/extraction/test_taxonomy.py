from __future__ import annotations

import csv
import json
import re
from importlib.resources import files
from pathlib import Path

import pytest

from jdanalyzer import extract
from jdanalyzer.errors import TaxonomyError
from jdanalyzer.extraction.taxonomy import KINDS, SIDES, SOURCES, Taxonomy, load_taxonomy, surface_variants

SEED_TERMS = Path(__file__).parents[1] / "data" / "seed_terms.tsv"


def _rows() -> list[dict[str, str]]:
    with SEED_TERMS.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_files_are_package_data_with_unique_ids() -> None:
    data = files("jdanalyzer") / "data"
    ids = []
    for name in ("skills.jsonl", "tasks.jsonl"):
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            ids.append(json.loads(line)["id"])
    assert len(ids) == len(set(ids))


def test_size_and_fields() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.skills) >= 300
    assert len(taxonomy.tasks) >= 60
    for term in taxonomy:
        assert term.kind in KINDS and term.side in SIDES and term.source in SOURCES
        assert term.name and term.category
        assert term.phrase_forms or term.cased_aliases or term.verb_object_groups, term.id
    for kind in KINDS:
        sides = {t.side for t in taxonomy if t.kind == kind}
        assert sides == set(SIDES)


def test_no_surface_form_is_claimed_by_two_entries() -> None:
    """Within a layer: a form may name a skill and a task ("data validation")."""
    owner: dict[tuple[str, str], str] = {}
    for term in load_taxonomy():
        forms = {f.lower() for f in term.phrase_forms} | {f.lower() for f in term.cased_aliases}
        for form in forms:
            key = (term.kind, form)
            assert owner.setdefault(key, term.id) == term.id, (form, owner[key], term.id)


def test_no_surface_form_names_another_entry() -> None:
    """One entry, one thing: an alias or cased alias (or a task phrase) is never another
    entry's name or id (case ignored, ``_`` read as a space)."""
    taxonomy = load_taxonomy()
    named: dict[str, set[str]] = {}
    for term in taxonomy:
        for key in (term.name, term.id, term.id.replace("_", " ")):
            named.setdefault(key.lower(), set()).add(term.id)
    clashes = [
        (term.id, form, sorted(named[form.lower()] - {term.id}))
        for term in taxonomy
        for form in term.aliases + term.cased_aliases + term.phrases
        if named.get(form.lower(), set()) - {term.id}
    ]
    assert clashes == []


#: Aliases that coordinate words which alone name another entry, but are one thing's name.
ONE_NAME = {"classification and regression trees"}  # CART, one method


def test_no_alias_coordinates_another_entry() -> None:
    """One entry, one thing: "analytical and problem-solving skills" names two skills, so no
    entry lists it; each part is matched by its own entry (ellipsis gives the shared head)."""
    taxonomy = load_taxonomy()
    owner = {form.lower(): term.id for term in taxonomy if term.kind == "skill" for form in term.phrase_forms}
    coordinated = [
        (term.id, alias, sorted({owner[part] for part in re.split(r" and | & |, ", alias.lower())
                                 if owner.get(part, term.id) != term.id}))
        for term in taxonomy if term.kind == "skill"
        for alias in term.aliases if alias.lower() not in ONE_NAME
    ]
    assert [row for row in coordinated if row[2]] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Good analytical and problem-solving skills.", {"analytical_thinking", "problem_solving"}),
    ("Run A/B tests and experimentation at scale.", {"ab_testing", "experimentation"}),
    ("Ability to work independently and as part of a team.", {"ownership", "collaboration"}),
    ("Experience with supervised and unsupervised learning.",
     {"supervised_learning", "unsupervised_learning"}),
])
def test_coordinated_skills_are_each_found(text: str, expected: set[str]) -> None:
    assert {m.id for m in extract(text).skills} == expected


def _entry(term_id: str, name: str, **fields: object) -> str:
    entry = {"id": term_id, "name": name, "kind": "skill", "side": "shared", "source": "curated", **fields}
    return json.dumps(entry) + "\n"


@pytest.mark.parametrize(
    ("form", "names"),
    [("Marketing Analytics", "marketing_analytics"), ("EMR", "emr"), ("Swift", "swift")],
)
def test_the_loader_refuses_an_alias_naming_another_entry(tmp_path: Path, form: str, names: str) -> None:
    path = tmp_path / "skills.jsonl"
    path.write_text(
        _entry("marketing_analytics", "marketing and customer analytics", aliases=["campaign analysis"])
        + _entry("emr", "Amazon EMR", aliases=["amazon emr"])
        + _entry("swift", "Swift", cased_aliases=["Swift"])
        + _entry("grab_bag", "grab bag", aliases=["grab bag"], cased_aliases=[form])
    )
    with pytest.raises(TaxonomyError, match=rf"entry 'grab_bag' lists '{form}', which names entry '{names}'"):
        Taxonomy.from_jsonl([path])


def test_context_rules_are_read_from_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "skills.jsonl"
    path.write_text(_entry("spark", "Apache Spark", cased_aliases=["Spark"], not_followed_by=["joy"]))
    [term] = Taxonomy.from_jsonl([path])
    assert term.not_followed_by == ("joy",) and term.has_context_rules
    path.write_text(_entry("spark", "Apache Spark", cased_aliases=["Spark"], only_with="python"))
    with pytest.raises(TaxonomyError, match="only_with must be a list of strings"):
        Taxonomy.from_jsonl([path])


def test_only_with_takes_single_words() -> None:
    import spacy

    from jdanalyzer.extraction.components import ContextRule
    from jdanalyzer.extraction.taxonomy import Term

    term = Term("core_ml", "Apple Core ML", "skill", "shared", "curated", only_with=("ios", "apple silicon"))
    with pytest.raises(TaxonomyError, match=r"'core_ml': only_with takes single words; 'apple silicon'"):
        ContextRule.of(term, spacy.blank("en").make_doc)


def test_generated_variants_do_not_collide_with_other_entries() -> None:
    explicit = {(t.kind, f.lower()): t.id for t in load_taxonomy() for f in t.phrase_forms}
    for term in load_taxonomy():
        for form in term.phrase_forms:
            for variant in surface_variants(form.lower()):
                assert explicit.get((term.kind, variant), term.id) == term.id, (variant, term.id)


def test_current_ai_and_ds_terms_are_covered() -> None:
    text = (
        "LLMs, RAG, vector databases, embeddings, LangChain, LlamaIndex, fine-tuning, LoRA, PEFT, "
        "prompt engineering, AI agents, guardrails, model serving, vLLM, Triton, MLOps, MLflow, "
        "Kubeflow, SageMaker, Vertex AI, Bedrock, Docker, Kubernetes, Terraform, CI/CD. "
        "Statistics, hypothesis testing, A/B testing, causal inference, regression, forecasting, "
        "clustering, segmentation, EDA, feature engineering, cross-validation, SQL, pandas, R, "
        "Tableau, Power BI, Looker, SAS, Stata, SPSS."
    )
    found = {m.matched.lower() for m in extract(text).skills}
    for name in [part.strip(" .").lower() for part in text.replace(". ", ", ").split(",")]:
        assert any(name in f or f in name for f in found), name


def test_seed_table_covers_both_documents_and_sides() -> None:
    rows = _rows()
    assert {r["document"] for r in rows} == {"article", "talk"}
    assert {r["side"] for r in rows} == {"ai_engineer", "data_scientist", "both"}
    assert len(rows) >= 100


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["term"])
def test_every_seed_term_is_found(row: dict[str, str]) -> None:
    result = extract(row["term"])
    assert row["id"] in {m.id for m in result.matches}, row


def test_seed_entries_are_marked_by_source() -> None:
    taxonomy = load_taxonomy()
    for row in _rows():
        term = taxonomy[row["id"]]
        if row["side"] != "both" and term.source != "curated":
            assert term.source == f"seed-{row['document']}" or term.source.startswith("seed-")


def test_bad_files_are_refused_with_the_place(tmp_path: Path) -> None:
    path = tmp_path / "skills.jsonl"
    path.write_text('{"id": "x", "name": "X", "kind": "skill", "side": "sideways", "source": "curated"}\n')
    with pytest.raises(TaxonomyError, match=r"skills.jsonl:1: entry 'x' has side='sideways'"):
        Taxonomy.from_jsonl([path])
    path.write_text("{not json\n")
    with pytest.raises(TaxonomyError, match="not valid JSON"):
        Taxonomy.from_jsonl([path])
    path.write_text(
        '{"id": "x", "name": "X", "kind": "skill", "side": "shared", "source": "curated"}\n' * 2
    )
    with pytest.raises(TaxonomyError, match="used twice"):
        Taxonomy.from_jsonl([path])


def test_surface_variants() -> None:
    assert surface_variants("fine-tuning")[:3] == ["fine-tuning", "fine tuning", "finetuning"]
    assert "vector databases" in surface_variants("vector database")
    assert "ontologies" in surface_variants("ontology")
    assert surface_variants("c++") == ["c++"]
    # A name of two or three plain words is also written hyphenated, as a modifier.
    assert "multiple-testing" in surface_variants("multiple testing")
    assert not [v for v in surface_variants("tables, figures and listings") if "-" in v]


def test_hyphenated_names_are_found() -> None:
    text = "Apply multiple-testing corrections to machine-learning experiments; strong time-management."
    assert [(m.matched, m.id) for m in extract(text).skills] == [
        ("multiple-testing", "hypothesis_testing"),
        ("machine-learning", "machine_learning"),
        ("experiments", "experimentation"),
        ("time-management", "organization_skills"),
    ]


# Terms the extraction gold marked as missing, and forms it showed the taxonomy lacked: each
# is found in a sentence as job ads write it.
GOLD_GAPS = [
    ("Automate UI tests with Playwright, Cypress or Appium; unit tests in Jest.",
     [("Playwright", "playwright"), ("Cypress", "cypress"), ("Appium", "appium"), ("Jest", "jest")]),
    ("Test REST APIs with Postman and REST Assured; specs in RSpec.",
     [("Postman", "postman"), ("REST Assured", "rest_assured"), ("RSpec", "rspec")]),
    ("Build ServiceNow workflows; front end in Sass with npm.",
     [("ServiceNow", "servicenow"), ("Sass", "sass"), ("npm", "npm")]),
    ("Backend in Elixir; persistence with JPA/Hibernate or SQLAlchemy.",
     [("Elixir", "elixir"), ("JPA", "orm"), ("Hibernate", "orm"), ("SQLAlchemy", "orm")]),
    ("Single-page apps (SPA) with solid state management, WCAG-compliant and easy to refactor.",
     [("Single-page apps", "single_page_applications"), ("SPA", "single_page_applications"),
      ("state management", "state_management"), ("WCAG", "accessibility"), ("refactor", "refactoring")]),
    ("Own backups, disaster recovery and streaming replication; logs in Grafana Loki; TCP/IP basics.",
     [("backups", "disaster_recovery"), ("disaster recovery", "disaster_recovery"),
      ("streaming replication", "database_replication"), ("Grafana Loki", "prometheus_grafana"),
      ("TCP/IP", "computer_networking")]),
    ("Transfer learning with Deeplearning4j, Weka or Apache Mahout for predictive maintenance.",
     [("Transfer learning", "transfer_learning"), ("Deeplearning4j", "deeplearning4j"), ("Weka", "weka"),
      ("Apache Mahout", "mahout"), ("predictive maintenance", "predictive_maintenance")]),
    ("Background in health economics (HEOR); surrogate models and reduced-order modeling.",
     [("health economics", "health_economics"), ("HEOR", "health_economics"),
      ("surrogate models", "surrogate_modeling"), ("reduced-order modeling", "reduced_order_modeling")]),
    ("Maintain the semantic layer over Apache Iceberg tables.",
     [("semantic layer", "semantic_layer"), ("Apache Iceberg", "iceberg")]),
    ("FEA and CFD in ANSYS or COMSOL; CAD software such as SolidWorks or Creo.",
     [("FEA", "fea"), ("CFD", "cfd"), ("ANSYS", "cae_software"), ("COMSOL", "cae_software"),
      ("CAD software", "cad_software"), ("SolidWorks", "cad_software"), ("Creo", "cad_software")]),
    ("3+ years in QA automation: end-to-end tests, contract testing and performance testing.",
     [("QA automation", "testing"), ("end-to-end tests", "testing"), ("contract testing", "testing"),
      ("performance testing", "testing")]),
    ("Clear communication with non-technical colleagues; a strong collaborator with an eye for detail.",
     [("communication", "communication"), ("non-technical colleagues", "stakeholder_management"),
      ("strong collaborator", "collaboration"), ("eye for detail", "attention_to_detail")]),
    ("Keep latency low, find performance bottlenecks, and ship models into production.",
     [("latency", "latency_optimization"), ("performance bottlenecks", "latency_optimization"),
      ("into production", "production_systems")]),
    ("Secure APIs with OAuth2 under PCI DSS; plans in MS Project and notes in OneNote.",
     [("OAuth2", "security"), ("PCI DSS", "security"), ("MS Project", "ms_office"),
      ("OneNote", "ms_office")]),
    ("Excited to learn and quick at learning new technologies.",
     [("Excited to learn", "adaptability"), ("learning new technologies", "adaptability")]),
    ("Degree in Math; two years of analytics engineering as an Analytics Engineer.",
     [("Math", "mathematics"), ("analytics engineering", "analytics_engineering")]),
    ("Fine-tune open models where they beat prompting, and own the ingestion and graph analysis.",
     [("Fine-tune", "fine_tuning"), ("open models", "pretrained_models"), ("prompting", "prompt_engineering"),
      ("ingestion", "data_pipelines"), ("graph analysis", "graph_analytics")]),
]


@pytest.mark.parametrize(("text", "expected"), GOLD_GAPS, ids=[g[0][:50] for g in GOLD_GAPS])
def test_terms_the_gold_found_missing_are_matched(text: str, expected: list[tuple[str, str]]) -> None:
    matches = [(m.matched, m.id) for m in extract(text).skills]
    for pair in expected:
        assert pair in matches, (pair, matches)
