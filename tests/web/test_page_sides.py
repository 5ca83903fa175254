"""The page colours and names every side of the taxonomy, and only those."""

from __future__ import annotations

import re
from importlib.resources import files

from jdanalyzer.audit.charts import SIDE_COLORS
from jdanalyzer.types import SIDE_TITLES, SIDES

STATIC = files("jdanalyzer.web") / "static"


def test_the_page_names_each_side_as_the_package_does() -> None:
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    block = re.search(r"const SIDES = \{(.*?)\};", script, re.DOTALL)
    assert block
    names = dict(re.findall(r"(\w+): \"([^\"]+)\"", block.group(1)))
    assert set(names) == set(SIDE_TITLES)
    for side, title in SIDE_TITLES.items():
        assert names[side].lower() == title.lower()


def test_every_side_has_a_colour_on_the_page_and_in_the_report() -> None:
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    for side in SIDES:
        assert f".side-{side}.chip" in css, side
        assert f'class="swatch side-{side}"' in page, side
        assert side in SIDE_COLORS and side in SIDE_TITLES, side
