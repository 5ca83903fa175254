"""No page of the server loads anything from a CDN: no /docs or /redoc, the schema at /openapi.json."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_swagger_and_redoc_pages_are_off(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "cdn" not in response.text.lower()


def test_openapi_schema_is_served(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "jdanalyzer"
    assert {"/api/classify", "/api/score", "/healthz"} <= set(spec["paths"])


def test_page_points_to_the_schema_not_to_docs(client: TestClient) -> None:
    page = client.get("/").text
    footer = page[page.index("<footer"):]
    assert 'API: <a href="/openapi.json">/openapi.json</a>' in footer
    assert 'href="/docs"' not in page
