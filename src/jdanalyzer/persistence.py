"""Save and load the role model with a provenance manifest, refusing files that don't check out.

A joblib file runs code when it is loaded, so jdanalyzer only loads the model shipped in the
package or a file the user names, and only after its SHA-256 matches the manifest beside it.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping
from datetime import datetime, timezone
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from .errors import ModelError

__all__ = [
    "MODEL_FILE",
    "default_model_path",
    "library_versions",
    "load_pipeline",
    "save_pipeline",
    "sha256_of",
    "taxonomy_digest",
]

MODEL_FILE = "role_model.joblib"
FORMAT_VERSION = 1
REBUILD_HINT = "rebuild it with `make model` (or `jdanalyzer train`)"


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


def library_versions() -> dict[str, str]:
    import joblib
    import numpy
    import scipy
    import sklearn
    import spacy

    from . import __version__

    return {
        "jdanalyzer": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "spacy": spacy.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


class PackedVocabulary(dict):
    """A fitted vectorizer's ``vocabulary_`` (term -> column) that pickles as one string.

    joblib unpickles in pure Python, one dict item at a time: a 50,000-term vocabulary
    took most of a model's loading time. Packed, the terms load as a single string and
    the dict is rebuilt in a few milliseconds. It is a plain dict to scikit-learn.
    """

    def __reduce__(self) -> tuple[Any, tuple[str, ...]]:
        terms = sorted(self, key=self.__getitem__)
        if [self[t] for t in terms] != list(range(len(terms))) or any("\n" in t for t in terms):
            return (PackedVocabulary, (dict(self),))  # type: ignore[return-value]
        return (_unpack_vocabulary, ("\n".join(terms),))


def _unpack_vocabulary(joined: str) -> PackedVocabulary:
    terms = joined.split("\n") if joined else []
    return PackedVocabulary(zip(terms, range(len(terms)), strict=True))


def manifest_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def default_model_path() -> Path:
    """Where the packaged model lives (inside the installed package)."""
    resource = files("jdanalyzer.models") / MODEL_FILE
    with as_file(resource) as path:
        return Path(path)


def save_pipeline(pipeline: Any, out_dir: Path, *, manifest: Mapping[str, Any]) -> Path:
    """Write ``role_model.joblib`` and its manifest into ``out_dir``; return the model path."""
    import joblib

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / MODEL_FILE
    tmp = path.with_suffix(".joblib.tmp")
    joblib.dump(pipeline, tmp, compress=3)
    tmp.replace(path)
    full = {
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "libraries": library_versions(),
        "taxonomy_sha256": taxonomy_digest(),
        **manifest,
        "model_file": MODEL_FILE,
        "model_sha256": sha256_of(path),
    }
    manifest_path(path).write_text(json.dumps(full, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_manifest(path: Path) -> dict[str, Any]:
    side = manifest_path(path)
    if not path.is_file():
        raise ModelError(f"model file {path} is missing; {REBUILD_HINT}")
    if not side.is_file():
        raise ModelError(f"model manifest {side} is missing; refusing to load {path} unchecked")
    try:
        manifest = json.loads(side.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError(f"model manifest {side} is not valid JSON; {REBUILD_HINT}") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{side} is not a jdanalyzer model manifest (format {FORMAT_VERSION})")
    return manifest


def check(path: Path, manifest: Mapping[str, Any]) -> None:
    """Refuse a model whose hash, library versions or taxonomy differ from its manifest."""
    actual = sha256_of(path)
    if actual != manifest.get("model_sha256"):
        raise ModelError(
            f"model file {path} does not match its manifest (SHA-256 {actual[:12]}… expected "
            f"{str(manifest.get('model_sha256'))[:12]}…): it was changed or truncated; {REBUILD_HINT}"
        )
    built = manifest.get("libraries", {})
    now = library_versions()
    for lib in ("scikit-learn",):
        if _minor(built.get(lib, "")) != _minor(now[lib]):
            raise ModelError(
                f"model {path} was built with {lib} {built.get(lib)} but {now[lib]} is installed; "
                f"install {lib}=={built.get(lib)} or {REBUILD_HINT}"
            )
    if manifest.get("taxonomy_sha256") != taxonomy_digest():
        raise ModelError(
            f"model {path} was trained with another version of the taxonomy; {REBUILD_HINT}"
        )


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def load_pipeline(path: Path | None = None) -> tuple[Any, dict[str, Any]]:
    """Load a checked model and its manifest: the packaged one, or the file at ``path``."""
    import joblib

    path = Path(path) if path is not None else default_model_path()
    manifest = read_manifest(path)
    check(path, manifest)
    try:
        pipeline = joblib.load(path)
    except Exception as exc:  # a corrupt pickle can raise almost anything
        raise ModelError(f"cannot load model {path} ({type(exc).__name__}); {REBUILD_HINT}") from None
    if list(getattr(pipeline, "classes_", [])) != list(manifest.get("labels", [])):
        raise ModelError(f"model {path} does not predict the labels its manifest lists; {REBUILD_HINT}")
    return pipeline, manifest
