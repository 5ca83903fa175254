"""The README and the CLI reference stay true."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_cli_reference_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "cli_reference.py"), "--check"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(readme.splitlines()[:25])
    assert "make run" in first_screen and "make test" in first_screen
    assert first_screen.index("make run") < first_screen.index("make test")


def test_readme_mentions_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in ("extract", "classify", "score", "audit", "serve", "train", "evaluate"):
        assert f"jdanalyzer {command}" in readme, command


def test_readme_figures_match_the_model_manifest() -> None:
    import json

    manifest = json.loads((REPO / "models" / "role_model.json").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    macro = manifest["metrics"]["model"]["macro_f1"]
    assert f"{macro:.3f}".rstrip("0") in readme or f"{macro}" in readme


def test_docstring_examples_run() -> None:
    """Every ``Example:`` in the package's docstrings gives the output it shows."""
    import doctest
    import importlib
    import pkgutil

    import jdanalyzer

    failed = {}
    for info in pkgutil.iter_modules(jdanalyzer.__path__, "jdanalyzer."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
        if result.failed:
            failed[info.name] = result.failed
    assert not failed, f"docstring examples that fail: {failed} (run pytest --doctest-modules src)"
