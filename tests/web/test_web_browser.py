"""End to end in real headless Chromium: the page classifies a posting and escapes its text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("playwright.sync_api")

from browser_support import chromium_browser, served_app  # tests/web/browser_support.py

pytestmark = pytest.mark.slow

PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


@pytest.fixture(scope="module")
def server(role_model: Any) -> Iterator[str]:
    """The app on a free loopback port (role_model has loaded the model create_app() reads)."""
    with served_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    with chromium_browser(chromium) as launched:
        yield launched


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page on the app that records console errors and every URL it requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = SimpleNamespace(errors=[], requested=[])
    page.on("pageerror", lambda exc: seen.errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and seen.errors.append(msg.text))
    page.on("request", lambda request: seen.requested.append(request.url))
    page.seen = seen  # read by the tests below
    page.goto(server + "/")
    yield page
    context.close()


def _submit(page: Any, text: str, title: str = "") -> None:
    page.fill("#title", title)
    page.fill("#text", text)
    page.click("#submit")
    page.wait_for_selector("#result:not([hidden])", timeout=30_000)


def test_page_classifies_a_posting_and_highlights_evidence(
    page: Any, server: str, samples: dict[str, str], tmp_path: Path
) -> None:
    _submit(page, samples["ai_engineer"], "Senior AI Engineer, LLM Applications")

    assert page.get_attribute("#label", "data-label") == "ai_engineer"
    assert page.text_content("#label") == "AI engineer"
    assert page.locator("#bars .bar-row").count() == 4
    marks = page.locator("#posting mark.ev")
    assert marks.count() >= 1
    posting = page.text_content("#posting")
    assert posting is not None and "LangGraph" in posting
    highlighted = marks.all_text_contents()
    assert all(term and term in posting for term in highlighted)
    assert page.locator("#posting mark.side-ai_engineer").count() >= 1
    assert page.locator("#terms .chip").count() >= 5
    title = page.text_content("#posting-title")
    assert title == "Title as given: Senior AI Engineer, LLM Applications"

    shot = tmp_path / "classified.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert page.seen.errors == []
    # No CDN: everything the page loads comes from the app itself.
    assert page.seen.requested and all(url.startswith(server) for url in page.seen.requested)


def test_job_titles_are_shown_as_roles_not_skills(page: Any, samples: dict[str, str]) -> None:
    text = samples["data_scientist"] + "\n\nYou will work beside our software engineers."
    _submit(page, text)
    roles = page.locator("#terms h4:text-is('Roles named') + ul .chip").all_text_contents()
    skills = page.locator("#terms h4:text-is('Skills') + ul .chip").all_text_contents()
    assert any(chip.startswith("software development") for chip in roles), roles
    assert not any(chip.startswith("software development") for chip in skills), skills
    assert page.seen.errors == []


def test_posting_markup_renders_inert(page: Any, samples: dict[str, str]) -> None:
    text = samples["data_scientist"] + "\n\nApply here: " + PAYLOAD
    _submit(page, text, title=PAYLOAD)

    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert PAYLOAD in (page.text_content("#posting") or "")
    assert PAYLOAD in (page.text_content("#posting-title") or "")
    assert page.locator("#result script, #result img").count() == 0
    assert page.seen.errors == []


def test_empty_posting_shows_a_message_without_calling_the_api(page: Any) -> None:
    page.click("#submit")  # the textarea is `required`: the browser blocks the submit
    page.fill("#text", "   ")
    page.click("#submit")
    assert "Paste the text" in (page.text_content("#status") or "")
    assert page.is_hidden("#result")
    assert not any("/api/" in url for url in page.seen.requested)


def test_server_errors_are_shown_as_text(page: Any) -> None:
    page.fill("#text", "<p></p>")  # only markup: empty once normalized, so the API says 400
    page.click("#submit")
    page.wait_for_selector("#status.error", timeout=30_000)
    assert page.text_content("#status") == (
        "Could not classify: the posting is empty; give the text of a job ad"
    )
    assert page.is_hidden("#result")
