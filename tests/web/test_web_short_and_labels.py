"""The web API and page on a text too short to judge, and the /labels page."""

from __future__ import annotations

import io
import re

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("python_multipart")

from fastapi.testclient import TestClient

from jdanalyzer.types import LABELS


def test_classify_short_text_gives_null_label(client: TestClient) -> None:
    response = client.post("/api/classify", json={"text": "We need a python person."})
    assert response.status_code == 200
    data = response.json()
    assert data["label"] is None and data["runner_up"] is None and data["confidence"] is None
    assert data["low_confidence"] is True and data["evidence"] == []
    assert set(data["probabilities"]) == set(LABELS)
    assert data["warnings"] == ["too short (5 words) to tell the role: no label; paste the whole ad"]


def test_classify_whole_ad_keeps_its_label(client: TestClient, samples: dict[str, str]) -> None:
    data = client.post("/api/classify", json={"text": samples["ai_engineer"]}).json()
    assert data["label"] == "ai_engineer" and data["runner_up"] in LABELS


def test_score_csv_short_row_has_empty_label_and_note(
    client: TestClient, samples: dict[str, str]
) -> None:
    import pandas as pd

    body = pd.DataFrame({"description": ["We need a python person.", samples["data_scientist"]]})
    response = client.post("/api/score", files={"file": ("a.csv", body.to_csv(index=False), "text/csv")})
    assert response.status_code == 200
    out = pd.read_csv(io.StringIO(response.text), dtype=str, keep_default_na=False)
    assert out["label"].tolist() == ["", "data_scientist"]
    assert out.loc[0, "error"].startswith("warning: too short (5 words)")


def test_page_script_says_too_short_to_tell_for_a_null_label(client: TestClient) -> None:
    script = client.get("/static/app.js").text
    assert '"Too short to tell"' in script
    assert "r.label === null" in script


def test_page_links_to_the_label_definitions(client: TestClient) -> None:
    html = client.get("/").text
    assert '<a href="/labels">What the labels mean</a>' in html


def test_labels_page_defines_every_label(client: TestClient) -> None:
    response = client.get("/labels")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    defined = re.findall(r"<dt><code>([a-z_]+)</code></dt>\s*<dd>([^<]{40,})</dd>", page)
    assert [label for label, _ in defined] == list(LABELS)
    assert "The title is read but does not decide" in page
    assert '<a href="/">' in page
    for ref in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert ref.startswith(("/", "#", "data:")), ref
