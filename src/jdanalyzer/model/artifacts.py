"""Load the role model's arrays, checked against their manifest, without running any code.

What is verified when a model loads:

- the manifest (``role_model.json``) is a JSON object of this format, whose ``labels`` are
  the four known labels and whose ``weights_file`` is a plain file name in the model's own
  folder (no ``..``, no folder, no absolute path);
- the array file's SHA-256 is the one the manifest lists, and the taxonomy the model was
  trained with is the installed one;
- for the packaged model, the array file's SHA-256 is also the one pinned in this module
  (:data:`SHIPPED_WEIGHTS_SHA256`), so editing both the file and its manifest is caught;
- the array file is read with ``numpy.load(allow_pickle=False)`` and must be a real ``.npz``
  of the array-model format: no pickle is ever opened, so a model file cannot run code.

What is not verified: who made a model you name with ``--model``. Its manifest vouches only
for its own files, so load models you trust; the checks keep a damaged or foreign file from
being read as a model, and keep any file from running code.
"""

from __future__ import annotations

import hashlib
import json
import re
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from jdanalyzer.errors import ModelError
from jdanalyzer.model.arrays import LinearRoleModel
from jdanalyzer.types import LABELS

__all__ = [
    "MODEL_FILE",
    "SHIPPED_WEIGHTS_SHA256",
    "WEIGHTS_FILE",
    "default_model_path",
    "load_weights",
    "read_manifest",
    "sha256_of",
    "taxonomy_digest",
]

MODEL_FILE = "role_model.joblib"
WEIGHTS_FILE = "role_model.npz"
FORMAT_VERSION = 1
REBUILD_HINT = "rebuild it with `make model` (or `jdanalyzer train`)"
#: SHA-256 of the packaged ``role_model.npz``. `make model` changes the file: set this to the
#: digest it prints (a test compares the two).
SHIPPED_WEIGHTS_SHA256 = "7c51c58edc3df55f053c2d42d9815f8c672873ad5f437502ebcd109143e96390"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def taxonomy_digest() -> str:
    """SHA-256 over the packaged taxonomy files: the model's features depend on them."""
    digest = hashlib.sha256()
    data = files("jdanalyzer") / "data"
    for name in ("skills.jsonl", "tasks.jsonl"):
        digest.update((data / name).read_bytes())
    return digest.hexdigest()


def manifest_path(model_path: Path) -> Path:
    """The manifest beside a model file: ``role_model.json``."""
    return model_path.with_suffix(".json")


def default_model_path() -> Path:
    """Where the packaged model's array file lives (inside the installed package)."""
    with as_file(files("jdanalyzer.models") / WEIGHTS_FILE) as path:
        return Path(path)


def _model_files(path: Path) -> tuple[Path, Path]:
    """(array file, manifest) for what the user named: a model folder, its manifest, or a
    model file (the ``.npz``, possibly renamed, or the ``.joblib`` beside it)."""
    if path.is_dir():
        return path / WEIGHTS_FILE, path / "role_model.json"
    if path.suffix == ".json":
        return path.with_name(WEIGHTS_FILE), path
    if path.suffix == ".npz":
        return path, manifest_path(path)
    return path.with_name(WEIGHTS_FILE), manifest_path(path)


def read_manifest(path: Path) -> dict[str, Any]:
    """The checked manifest of the model at ``path`` (a file of the model, or its folder).

    Raises:
        ModelError: the manifest is missing, is not JSON, or is not well formed.
    """
    _, side = _model_files(Path(path))
    if not side.is_file():
        raise ModelError(f"model manifest {side} is missing; refusing to load {path} unchecked")
    try:
        manifest = json.loads(side.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError(f"model manifest {side} is not valid JSON; {REBUILD_HINT}") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{side} is not a jdanalyzer model manifest (format {FORMAT_VERSION})")
    weights = manifest.get("weights_file")
    if not isinstance(weights, str) or not weights:
        raise ModelError(f"{side} names no array file (weights_file); {REBUILD_HINT}")
    if Path(weights).name != weights or weights in (".", "..") or "\\" in weights:
        raise ModelError(
            f"{side} names weights_file {weights!r}, outside the model's folder: refusing it"
        )
    digest = manifest.get("weights_sha256")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise ModelError(f"{side} has no valid weights_sha256; {REBUILD_HINT}")
    labels = manifest.get("labels")
    if not isinstance(labels, list) or sorted(map(str, labels)) != sorted(LABELS):
        raise ModelError(f"{side} lists labels {labels!r}, not {list(LABELS)}; {REBUILD_HINT}")
    return manifest


def load_weights(path: str | Path | None = None) -> tuple[LinearRoleModel, dict[str, Any]]:
    """Load a checked :class:`~jdanalyzer.model.arrays.LinearRoleModel` and its manifest.

    ``path``: a model folder, its manifest, or its ``.npz`` (or the ``.joblib`` beside it);
    the packaged model when ``None``. Reads no pickle and imports no scikit-learn.

    Raises:
        ModelError: a file is missing, damaged or changed, or the manifest is not well formed.
    """
    packaged = path is None
    named = default_model_path() if path is None else Path(path)
    manifest = read_manifest(named)
    folder = named if named.is_dir() else named.parent
    weights = named if named.suffix == ".npz" else folder / manifest["weights_file"]
    if not weights.is_file():
        raise ModelError(f"model file {weights} is missing; {REBUILD_HINT}")
    actual = sha256_of(weights)
    expected = SHIPPED_WEIGHTS_SHA256 if packaged else manifest["weights_sha256"]
    if actual != expected or actual != manifest["weights_sha256"]:
        raise ModelError(
            f"model file {weights} does not match its manifest (SHA-256 {actual[:12]}… expected "
            f"{expected[:12]}…): it was changed or truncated; {REBUILD_HINT}"
        )
    if manifest.get("taxonomy_sha256") != taxonomy_digest():
        raise ModelError(f"model {weights} was trained with another version of the taxonomy; {REBUILD_HINT}")
    try:
        linear = LinearRoleModel.load(weights)
    except Exception as exc:  # a corrupt archive can raise almost anything
        raise ModelError(
            f"cannot load model {weights} ({type(exc).__name__}: {exc}); {REBUILD_HINT}"
        ) from None
    if linear.classes != list(manifest["labels"]):
        raise ModelError(f"model {weights} does not predict the labels its manifest lists; {REBUILD_HINT}")
    return linear, manifest
