"""Save and load the role model with a provenance manifest, refusing files that don't check out.

A model is three files: ``role_model.joblib`` (the fitted scikit-learn pipeline, for training
and research), ``role_model.npz`` (the same model as arrays, :mod:`jdanalyzer.linear`: what
prediction reads) and ``role_model.json`` (the manifest: versions, data hashes, metrics and
the SHA-256 of both files). A joblib file runs code when it is loaded, so jdanalyzer only
loads the model shipped in the package or a file the user names, and only after every file
the manifest lists matches its SHA-256. The ``.npz`` holds no pickled objects.
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
    "WEIGHTS_FILE",
    "default_model_path",
    "library_versions",
    "load_pipeline",
    "load_weights",
    "save_pipeline",
    "sha256_of",
    "taxonomy_digest",
]

MODEL_FILE = "role_model.joblib"
WEIGHTS_FILE = "role_model.npz"
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
    """Write ``role_model.joblib``, ``role_model.npz`` and the manifest into ``out_dir``.

    Returns the path of the joblib file.
    """
    import joblib

    from .linear import LinearRoleModel

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / MODEL_FILE
    weights = out_dir / WEIGHTS_FILE
    linear = LinearRoleModel.from_pipeline(pipeline)
    for target, write in ((path, lambda p: joblib.dump(pipeline, p, compress=3)), (weights, linear.save)):
        tmp = target.with_name(target.name + ".tmp")
        write(tmp)
        tmp.replace(target)
    full = {
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "libraries": library_versions(),
        "taxonomy_sha256": taxonomy_digest(),
        **manifest,
        "model_file": MODEL_FILE,
        "model_sha256": sha256_of(path),
        "weights_file": WEIGHTS_FILE,
        "weights_sha256": sha256_of(weights),
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


def check_files(path: Path, manifest: Mapping[str, Any], *, needed: tuple[str, ...] = ()) -> None:
    """Refuse a model whose files differ from their SHA-256 in the manifest, or whose taxonomy
    is not the installed one.

    ``path`` (the file the user named) and the files named in ``needed`` (manifest keys such
    as ``"weights_file"``) must exist; any other file the manifest lists is checked if present.
    """
    listed = {
        path.with_name(str(manifest[key])): (manifest.get(digest), key in needed)
        for key, digest in (("model_file", "model_sha256"), ("weights_file", "weights_sha256"))
        if manifest.get(key)
    }
    # The named file may have been renamed: its suffix tells which digest it should have.
    digest = "weights_sha256" if path.suffix == ".npz" else "model_sha256"
    listed[path] = (manifest.get(digest), True)
    for file, (expected, required) in listed.items():
        if not file.is_file():
            if not required:
                continue
            raise ModelError(f"model file {file} is missing; {REBUILD_HINT}")
        actual = sha256_of(file)
        if actual != expected:
            raise ModelError(
                f"model file {file} does not match its manifest (SHA-256 {actual[:12]}… expected "
                f"{str(expected)[:12]}…): it was changed or truncated; {REBUILD_HINT}"
            )
    if manifest.get("taxonomy_sha256") != taxonomy_digest():
        raise ModelError(
            f"model {path} was trained with another version of the taxonomy; {REBUILD_HINT}"
        )


def check(path: Path, manifest: Mapping[str, Any]) -> None:
    """Refuse a pipeline whose files, scikit-learn version or taxonomy differ from its manifest."""
    check_files(path, manifest, needed=("model_file",))
    built = manifest.get("libraries", {})
    now = library_versions()
    for lib in ("scikit-learn",):
        if _minor(built.get(lib, "")) != _minor(now[lib]):
            raise ModelError(
                f"model {path} was built with {lib} {built.get(lib)} but {now[lib]} is installed; "
                f"install {lib}=={built.get(lib)} or {REBUILD_HINT}"
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


def load_weights(path: Path | None = None) -> tuple[Any, dict[str, Any]]:
    """Load a checked :class:`~jdanalyzer.linear.LinearRoleModel` and its manifest.

    ``path`` is the model's joblib or npz file (the manifest beside it lists both); the
    packaged model when ``None``. Reads no pickle and imports no scikit-learn, unless the
    manifest predates the array file: then the pipeline is loaded and converted.
    """
    from .linear import LinearRoleModel

    path = Path(path) if path is not None else default_model_path()
    manifest = read_manifest(path)
    if not manifest.get("weights_file"):
        pipeline, manifest = load_pipeline(path)
        return LinearRoleModel.from_pipeline(pipeline), manifest
    named = path.suffix == ".npz"
    check_files(path, manifest, needed=() if named else ("weights_file",))
    weights = path if named else path.with_name(str(manifest["weights_file"]))
    try:
        linear = LinearRoleModel.load(weights)
    except Exception as exc:  # a corrupt archive can raise almost anything
        reason = f"{type(exc).__name__}: {exc}"
        raise ModelError(f"cannot load model {weights} ({reason}); {REBUILD_HINT}") from None
    if linear.classes != list(manifest.get("labels", [])):
        raise ModelError(f"model {weights} does not predict the labels its manifest lists; {REBUILD_HINT}")
    return linear, manifest
