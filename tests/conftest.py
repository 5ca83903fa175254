"""Shared fixtures.

Tests that need the shared corpus (``../shared/corpora``, or ``$JDANALYZER_CORPUS``) skip
with a reason when it is absent, unless ``JDANALYZER_REQUIRE_CORPUS=1`` (set by ``.ci/run``),
which turns that skip into a failure. Browser tests do the same with
``JDANALYZER_REQUIRE_BROWSER=1`` and ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import shutil
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SAMPLES = ("ai_engineer", "data_scientist", "hybrid", "data_engineer")


def _required(var: str) -> bool:
    return os.environ.get(var, "") not in ("", "0", "false", "no")


def corpus_path() -> Path:
    return Path(os.environ.get("JDANALYZER_CORPUS", REPO.parent / "shared" / "corpora"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus folder; skips (or fails in CI) when it is not there."""
    path = corpus_path()
    if not (path / "postings.csv.gz").is_file():
        message = f"the shared corpus is not at {path} (set JDANALYZER_CORPUS)"
        if _required("JDANALYZER_REQUIRE_CORPUS"):
            pytest.fail(message + " and JDANALYZER_REQUIRE_CORPUS is set")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def heldout_ids(corpus_dir: Path) -> set[str]:
    return set((corpus_dir / "heldout-ids.txt").read_text(encoding="utf-8").split())


@pytest.fixture(scope="session")
def corpus_postings(corpus_dir: Path, heldout_ids: set[str]):
    """Non-held-out postings as a DataFrame (held-out ones are never read by tests)."""
    import pandas as pd

    frame = pd.read_csv(corpus_dir / "postings.csv.gz", dtype=str, keep_default_na=False)
    return frame[~frame["posting_id"].isin(heldout_ids)].reset_index(drop=True)


FIXTURE_POSTINGS = REPO / "tests" / "data" / "postings"


@pytest.fixture(scope="session")
def fixture_postings() -> pd.DataFrame:
    """The 40 postings written for the project (tests/data/postings/README.md) as a DataFrame:
    ``posting_id`` (the file stem), ``title``, ``description`` and ``label``."""
    import pandas as pd

    labels = pd.read_csv(FIXTURE_POSTINGS / "labels.csv", dtype=str, keep_default_na=False)
    label_of = dict(zip(labels["file"], labels["label"], strict=True))
    rows = []
    for path in sorted(FIXTURE_POSTINGS.glob("*.txt")):
        first, _, description = path.read_text(encoding="utf-8").partition("\n")
        assert first.startswith("Title: "), f"{path.name} must start with a 'Title: ' line"
        rows.append({"posting_id": path.stem, "title": first.removeprefix("Title: ").strip(),
                     "description": description.strip("\n"), "label": label_of[path.name]})
    return pd.DataFrame(rows, columns=["posting_id", "title", "description", "label"])


@pytest.fixture(scope="session")
def postings_sample(request: pytest.FixtureRequest, fixture_postings: pd.DataFrame) -> pd.DataFrame:
    """Postings for parity and quality tests that must run with or without the corpus: the
    non-held-out corpus postings when the corpus is there, else the fixture postings. Never
    skips or fails for a missing corpus (tests about the corpus itself use ``corpus_postings``)."""
    if (corpus_path() / "postings.csv.gz").is_file():
        return request.getfixturevalue("corpus_postings")
    return fixture_postings


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a headless Chromium; skips (or fails in CI) when it is not installed."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path is None:
        message = "chromium is not installed (run `make browser`)"
        if _required("JDANALYZER_REQUIRE_BROWSER"):
            pytest.fail(message + " and JDANALYZER_REQUIRE_BROWSER is set")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def samples() -> dict[str, str]:
    """The sample postings shipped with the package, by name."""
    folder = files("jdanalyzer") / "samples"
    return {name: (folder / f"{name}.txt").read_text(encoding="utf-8") for name in SAMPLES}


@pytest.fixture(scope="session")
def sample_paths() -> dict[str, Path]:
    return {name: REPO / "src" / "jdanalyzer" / "samples" / f"{name}.txt" for name in SAMPLES}


@pytest.fixture(scope="session")
def role_model():
    """The packaged model, loaded once."""
    from jdanalyzer.model.predict import load_model

    return load_model()


#: The web server as a local browser reaches it (TestClient's default Host, testserver, gets 403).
LOCAL_URL = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def client(role_model):
    """The web app over the packaged model, one per test module (needs the ``web`` extra)."""
    pytest.importorskip("fastapi")
    pytest.importorskip("python_multipart")
    from fastapi.testclient import TestClient

    from jdanalyzer.web.app import create_app

    with TestClient(create_app(), base_url=LOCAL_URL) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep caches and config of libraries out of the home and working directories."""
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
