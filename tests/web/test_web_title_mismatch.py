"""The web API and page say when the text contradicts the title given.

The API returns ``title_mismatch`` (null, or {message, severity, title_family, label}) from
the audit's role-mismatch rule; the page shows it as a ``Title: ...`` warning (browser test,
marked slow).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

LLM_AD = (Path(__file__).resolve().parents[1] / "data" / "titles" / "llm-engineering-ad.txt").read_text(
    encoding="utf-8"
)  # a pure LLM-engineering ad, shared with the other title-mismatch tests

MESSAGE = ("the title 'Data Scientist' advertises data science, but the duties and skills read "
           "as AI engineering")


def test_api_gives_the_title_mismatch(client: TestClient) -> None:
    data = client.post("/api/classify", json={"text": LLM_AD, "title": "Data Scientist"}).json()
    assert data["label"] == "ai_engineer"
    mismatch = data["title_mismatch"]
    assert (mismatch["severity"], mismatch["title_family"], mismatch["label"]) == (
        "high", "data_scientist", "ai_engineer")
    assert mismatch["message"].startswith(MESSAGE)


def test_api_gives_null_without_a_contradicted_title(client: TestClient) -> None:
    for body in ({"text": LLM_AD}, {"text": LLM_AD, "title": "AI Engineer"}):
        assert client.post("/api/classify", json=body).json()["title_mismatch"] is None


@pytest.mark.slow
def test_page_shows_the_title_mismatch(role_model: Any, chromium: str) -> None:
    pytest.importorskip("uvicorn")
    pytest.importorskip("playwright.sync_api")
    from browser_support import chromium_browser, served_app  # tests/web/browser_support.py

    with served_app() as url, chromium_browser(chromium) as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url + "/")
        for title, shown in (("Data Scientist", True), ("AI Engineer", False)):
            page.fill("#title", title)
            page.fill("#text", LLM_AD)
            page.click("#submit")
            page.wait_for_selector("#result:not([hidden])", timeout=30_000)
            # Locators, not wait_for_function: the page's CSP forbids evaluating strings.
            page.locator("#label[data-label='ai_engineer']").wait_for(timeout=30_000)
            if shown:
                item = page.locator("#warnings #title-mismatch")
                item.wait_for(timeout=30_000)
                assert (item.text_content() or "").startswith("Title: " + MESSAGE)
                assert item.get_attribute("data-severity") == "high"
            else:
                page.locator("#warnings #title-mismatch").wait_for(state="detached", timeout=30_000)
        assert errors == []
