"""The built wheel, installed (not editable) into a fresh venv, finds its package data."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; dependencies come from the dev venv via a .pth."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = dist.glob("jdanalyzer-*.whl")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # Only a path: .pth files inside it (like the dev venv's editable install) are not run.
    Path(site, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True, text=True,
    )
    return env_dir


def run(env_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(env_dir / "bin" / "jdanalyzer"), *args], capture_output=True, text=True, cwd=env_dir
    )


def test_installed_package_is_the_wheel(installed: Path) -> None:
    out = subprocess.run(
        [str(installed / "bin" / "python"), "-c",
         "import jdanalyzer, jdanalyzer.models as m; print(jdanalyzer.__file__); print(m.__file__)"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    assert all(str(installed) in path and "site-packages" in path for path in out)


def test_wheel_ships_taxonomy_model_and_samples(installed: Path) -> None:
    sample = str(REPO / "src" / "jdanalyzer" / "samples" / "data_scientist.txt")
    extracted = run(installed, "extract", sample, "--format", "json")
    assert extracted.returncode == 0, extracted.stderr
    assert '"id": "tableau"' in extracted.stdout
    classified = run(installed, "classify", sample, "--format", "json")
    assert classified.returncode == 0, classified.stderr
    assert '"label": "data_scientist"' in classified.stdout
