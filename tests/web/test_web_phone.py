"""The page on a 390 px phone screen, in real headless Chromium: nothing is wider than the screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("playwright.sync_api")

from browser_support import chromium_browser, served_app  # tests/web/browser_support.py

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(role_model: Any) -> Iterator[str]:
    """The app on a free loopback port (role_model has loaded the model create_app() reads)."""
    with served_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    with chromium_browser(chromium) as launched:
        yield launched


PHONE = {"width": 390, "height": 844}
# A title and a line with no place to break: they must wrap inside their boxes too.
LONG_TITLE = "Senior Machine Learning Engineer / Data Scientist (m/f/d) — LLM-Applications_and_Forecasting"
LONG_URL = "Apply: https://careers.example.com/jobs/" + "machine-learning-engineer" * 6


@pytest.fixture
def phone(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server + "/")
    yield page
    context.close()


def _page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def _wider_than_screen(page: Any) -> list[str]:
    """Elements whose right edge is past the screen's (what makes the page scroll sideways)."""
    return list(page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > width + 0.5)
            .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                        + (e.className && typeof e.className === 'string' ? '.' + e.className : ''))""",
        PHONE["width"],
    ))


def test_page_fits_a_390px_phone_before_and_after_classifying(phone: Any, samples: dict[str, str]) -> None:
    assert _page_width(phone) <= PHONE["width"], _wider_than_screen(phone)
    for field in ("#title", "#text"):  # inputs take the card's full width
        box = phone.locator(field).bounding_box()
        card = phone.locator("#classify-form").bounding_box()
        assert box is not None and card is not None
        assert box["width"] > card["width"] - 40

    phone.fill("#title", LONG_TITLE)
    phone.fill("#text", samples["hybrid"] + "\n\n" + LONG_URL)
    phone.click("#submit")
    phone.wait_for_selector("#result:not([hidden])", timeout=30_000)

    assert phone.get_attribute("#label", "data-label") == "hybrid"
    # The duty sentences are evidence chips: they wrap instead of running off the screen.
    duty_chip = phone.locator("#evidence .chip").first
    assert len(duty_chip.text_content() or "") > 60
    chip_box = duty_chip.bounding_box()
    assert chip_box is not None and chip_box["height"] > 40  # more than one line
    assert _page_width(phone) <= PHONE["width"], _wider_than_screen(phone)
    assert _wider_than_screen(phone) == []


def test_labels_page_fits_a_390px_phone(phone: Any, server: str) -> None:
    phone.goto(server + "/labels")
    assert _page_width(phone) <= PHONE["width"], _wider_than_screen(phone)
