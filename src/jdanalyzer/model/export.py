"""Write a fitted role pipeline as the model's artifacts, and read the pipeline back for research.

Training writes three files into the model folder:

- ``role_model.npz``: what prediction needs, as arrays (:class:`~jdanalyzer.model.arrays.LinearRoleModel`);
- ``role_model.json``: the manifest (versions, labels, metrics, SHA-256 of the files);
- ``role_model.joblib``: the fitted scikit-learn pipeline, for notebooks and research. It is
  a pickle: prediction never opens it, and the wheel does not ship it.

This module imports scikit-learn; :mod:`jdanalyzer.model.artifacts` (loading) does not.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import joblib
import numpy
import scipy
import sklearn
import spacy
from sklearn.linear_model import LogisticRegression

from jdanalyzer import __version__
from jdanalyzer.errors import ModelError
from jdanalyzer.model.arrays import LinearRoleModel
from jdanalyzer.model.artifacts import (
    FORMAT_VERSION,
    MODEL_FILE,
    REBUILD_HINT,
    WEIGHTS_FILE,
    default_model_path,
    manifest_path,
    read_manifest,
    sha256_of,
    taxonomy_digest,
)
from jdanalyzer.model.features import DutyProfile, SideProfile
from jdanalyzer.model.tfidf import TfidfBlock

__all__ = ["arrays_from_pipeline", "library_versions", "load_pipeline", "save_model"]


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model depends on, for its manifest."""
    return {
        "python": platform.python_version(),
        "jdanalyzer": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "spacy": spacy.__version__,
        "joblib": joblib.__version__,
    }


def arrays_from_pipeline(pipeline: Any) -> LinearRoleModel:
    """Copy what prediction needs out of a fitted role pipeline (:func:`make_role_pipeline`)."""
    columns = pipeline.named_steps["features"]
    model = pipeline.named_steps["classify"]
    if not isinstance(model, LogisticRegression):
        raise ValueError(
            f"expected a slimmed pipeline ending in LogisticRegression, got {type(model).__name__}"
        )
    if len(model.classes_) < 3:
        raise ValueError("the array model reproduces multinomial (3+ class) logistic regression only")
    blocks: list[TfidfBlock] = []
    dense: dict[str, int] = {}
    for name, transformer, column in columns.transformers_:
        part = columns.output_indices_[name]
        if part.stop == part.start:
            continue
        if isinstance(transformer, SideProfile | DutyProfile):
            expected = "sides" if isinstance(transformer, SideProfile) else "duties"
            if name != expected:
                raise ValueError(f"the {type(transformer).__name__} block must be named {expected!r}")
            dense[name] = part.start
        elif hasattr(transformer, "idf_") and isinstance(column, str):
            blocks.append(TfidfBlock.from_vectorizer(name, column, transformer, part.start))
        else:
            raise ValueError(f"feature block {name!r} ({type(transformer).__name__}) is not supported")
    if not columns.verbose_feature_names_out:
        raise ValueError("feature names must be prefixed by their block (verbose_feature_names_out)")
    duties = pipeline.named_steps["duties"].reader if "duties" in pipeline.named_steps else None
    return LinearRoleModel(blocks, model.coef_, model.intercept_, model.classes_, dense=dense,
                           duties=duties if "duties" in dense else None)


def save_model(pipeline: Any, out_dir: Path, *, manifest: Mapping[str, Any]) -> Path:
    """Write ``role_model.npz``, ``role_model.joblib`` and the manifest into ``out_dir``.

    Returns the path of the array file, the one prediction loads.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    research = out_dir / MODEL_FILE
    weights = out_dir / WEIGHTS_FILE
    linear = arrays_from_pipeline(pipeline)
    for target, write in ((research, lambda p: joblib.dump(pipeline, p, compress=3)), (weights, linear.save)):
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
        "model_sha256": sha256_of(research),
        "weights_file": WEIGHTS_FILE,
        "weights_sha256": sha256_of(weights),
    }
    manifest_path(weights).write_text(json.dumps(full, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return weights


def load_pipeline(folder: Path | None = None) -> tuple[Any, dict[str, Any]]:
    """The fitted scikit-learn pipeline of the model in ``folder`` (default: the repo's
    ``models/``), for notebooks and research. Unpickles it: open only models you built.
    """
    weights = default_model_path() if folder is None else Path(folder) / WEIGHTS_FILE
    manifest = read_manifest(weights)
    path = weights.with_name(MODEL_FILE)
    if not path.is_file():
        raise ModelError(f"{path} is missing (the wheel does not ship it); {REBUILD_HINT}")
    if sha256_of(path) != manifest.get("model_sha256"):
        raise ModelError(f"model file {path} does not match its manifest; {REBUILD_HINT}")
    built = manifest.get("libraries", {}).get("scikit-learn", "")
    now = library_versions()["scikit-learn"]
    if built.split(".")[:2] != now.split(".")[:2]:
        raise ModelError(
            f"model {path} was built with scikit-learn {built} but {now} is installed; "
            f"install scikit-learn=={built} or {REBUILD_HINT}"
        )
    return joblib.load(path), manifest
