"""Loading the model: checked files, a well-formed manifest, and never a pickle."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from jdanalyzer.cli.main import app
from jdanalyzer.errors import ModelError
from jdanalyzer.model import artifacts
from jdanalyzer.model.artifacts import SHIPPED_WEIGHTS_SHA256, default_model_path, load_weights, sha256_of
from jdanalyzer.model.export import load_pipeline, save_model
from jdanalyzer.model.predict import RoleModel

REPO_MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    """A copy of the repo's model folder; returns the path of its array file."""
    for suffix in (".joblib", ".npz", ".json"):
        shutil.copy(REPO_MODELS / f"role_model{suffix}", tmp_path / f"role_model{suffix}")
    return tmp_path / "role_model.npz"


def _edit_manifest(model: Path, **changes: object) -> None:
    path = model.with_suffix(".json")
    manifest = json.loads(path.read_text())
    for key, value in changes.items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    path.write_text(json.dumps(manifest))


class _Boom:
    """Unpickling this writes a file: the test checks that it never happens."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "ran"))


def test_packaged_model_loads_and_matches_its_manifest() -> None:
    path = default_model_path()
    _, manifest = load_weights()
    assert manifest["weights_sha256"] == sha256_of(path) == SHIPPED_WEIGHTS_SHA256
    assert manifest["labels"] == sorted(["ai_engineer", "data_scientist", "hybrid", "other"])
    assert {"scikit-learn", "spacy", "numpy"} <= set(manifest["libraries"])
    assert manifest["training_data"]["labels_sha256"]
    assert "macro_f1" in manifest["metrics"]["model"]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    pipeline, manifest = load_pipeline(REPO_MODELS)
    path = save_model(pipeline, tmp_path / "out", manifest={"labels": manifest["labels"]})
    again, new_manifest = load_pipeline(tmp_path / "out")
    assert new_manifest["weights_sha256"] == sha256_of(path)
    assert list(again.classes_) == manifest["labels"]
    linear, _ = load_weights(tmp_path / "out")
    assert linear.classes == manifest["labels"]
    packaged, _ = load_weights()
    assert np.array_equal(linear.coef, packaged.coef) and linear.feature_names == packaged.feature_names


@pytest.mark.parametrize("named", ["role_model.npz", "role_model.json", "role_model.joblib", "."])
def test_a_changed_array_file_is_refused_however_the_model_is_named(model_copy: Path, named: str) -> None:
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=f"model file {model_copy} does not match its manifest"):
        RoleModel.load(model_copy.parent / named)


def test_the_array_file_alone_is_enough(model_copy: Path, samples: dict[str, str]) -> None:
    model_copy.with_suffix(".joblib").unlink()  # no pickle at all: the .npz and the manifest
    for named in (model_copy, model_copy.parent):
        assert RoleModel.load(named).classify(samples["ai_engineer"]).label == "ai_engineer"


def test_renamed_files_are_checked_against_their_own_digest(
    model_copy: Path, samples: dict[str, str]
) -> None:
    model_copy.rename(model_copy.with_name("mine.npz"))
    model_copy.with_suffix(".json").rename(model_copy.with_name("mine.json"))
    model_copy.with_suffix(".joblib").unlink()
    role = RoleModel.load(model_copy.with_name("mine.npz"))
    assert role.classify(samples["ai_engineer"]).label == "ai_engineer"


def test_missing_array_file_is_refused(model_copy: Path) -> None:
    model_copy.unlink()
    with pytest.raises(ModelError, match=r"role_model.npz is missing; rebuild it"):
        RoleModel.load(model_copy.parent)


def test_array_file_loads_without_pickles(model_copy: Path, tmp_path: Path) -> None:
    """An .npz holding a pickled object is refused, not unpickled."""
    marker = tmp_path / "ran.txt"
    np.savez(model_copy, header=np.array([_Boom(marker)], dtype=object))
    _edit_manifest(model_copy, weights_sha256=sha256_of(model_copy))
    with pytest.raises(ModelError, match=r"cannot load model .*role_model.npz \(ValueError"):
        RoleModel.load(model_copy)
    assert not marker.exists()


def test_a_pickle_named_npz_that_vouches_for_itself_runs_no_code(tmp_path: Path) -> None:
    """The attack of the hardening issue: a pickle renamed .npz, its manifest listing no
    weights file and its own hashes. It is refused and never unpickled."""
    marker = tmp_path / "ran.txt"
    evil = tmp_path / "evil.npz"
    evil.write_bytes(pickle.dumps(_Boom(marker)))
    digest = sha256_of(evil)
    manifest = json.loads((REPO_MODELS / "role_model.json").read_text())
    manifest.update(model_file="evil.npz", model_sha256=digest, weights_sha256=digest)
    for weights_file in (None, "evil.npz"):
        if weights_file is None:
            manifest.pop("weights_file", None)
        else:
            manifest["weights_file"] = weights_file
        evil.with_suffix(".json").write_text(json.dumps(manifest))
        with pytest.raises(ModelError):
            RoleModel.load(evil)
    assert not marker.exists()


@pytest.mark.parametrize("weights_file", ["../role_model.npz", "/etc/passwd", "sub/role_model.npz", ".."])
def test_a_weights_file_outside_the_model_folder_is_refused(model_copy: Path, weights_file: str) -> None:
    _edit_manifest(model_copy, weights_file=weights_file)
    with pytest.raises(ModelError, match="outside the model's folder"):
        RoleModel.load(model_copy.parent)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weights_file": None}, "names no array file"),
        ({"weights_sha256": "abc"}, "no valid weights_sha256"),
        ({"labels": ["ai_engineer", "other"]}, "lists labels"),
        ({"format_version": 99}, "not a jdanalyzer model manifest"),
    ],
)
def test_a_malformed_manifest_is_refused(model_copy: Path, changes: dict[str, object], message: str) -> None:
    _edit_manifest(model_copy, **changes)
    with pytest.raises(ModelError, match=message):
        RoleModel.load(model_copy)


def test_the_packaged_model_is_held_to_its_pinned_digest(
    model_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changing the installed array file and fixing its manifest to match is still caught."""
    linear, _ = load_weights(model_copy)
    linear.coef[0, 0] += 1.0
    linear.save(model_copy)
    _edit_manifest(model_copy, weights_sha256=sha256_of(model_copy))
    RoleModel.load(model_copy)  # as a model the user names, it vouches for itself
    monkeypatch.setattr(artifacts, "default_model_path", lambda: model_copy)
    with pytest.raises(ModelError, match="does not match its manifest"):
        load_weights()


def test_truncated_file_is_refused(model_copy: Path) -> None:
    model_copy.write_bytes(model_copy.read_bytes()[:1000])
    with pytest.raises(ModelError, match="changed or truncated"):
        RoleModel.load(model_copy)


def test_missing_manifest_is_refused(model_copy: Path) -> None:
    model_copy.with_suffix(".json").unlink()
    with pytest.raises(ModelError, match=r"manifest .* is missing"):
        RoleModel.load(model_copy)


def test_missing_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"manifest .* is missing"):
        RoleModel.load(tmp_path / "nothing.npz")


def test_other_library_version_is_refused_for_the_pipeline(model_copy: Path, samples: dict[str, str]) -> None:
    """The pickled pipeline needs the scikit-learn it was built with; the arrays do not."""
    manifest = json.loads(model_copy.with_suffix(".json").read_text())
    manifest["libraries"]["scikit-learn"] = "0.24.2"
    _edit_manifest(model_copy, libraries=manifest["libraries"])
    with pytest.raises(ModelError, match=r"built with scikit-learn 0\.24\.2"):
        load_pipeline(model_copy.parent)
    assert RoleModel.load(model_copy).classify(samples["hybrid"]).label == "hybrid"


def test_other_taxonomy_is_refused(model_copy: Path) -> None:
    manifest_path = model_copy.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["taxonomy_sha256"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="another version of the taxonomy"):
        RoleModel.load(model_copy)


def test_a_changed_research_pipeline_is_refused(model_copy: Path) -> None:
    model_copy.with_suffix(".joblib").write_bytes(b"garbage")
    with pytest.raises(ModelError, match="does not match its manifest"):
        load_pipeline(model_copy.parent)


def test_cli_reports_a_bad_model_on_one_line(model_copy: Path, sample_paths: dict[str, Path]) -> None:
    model_copy.write_bytes(b"garbage")
    sample = str(sample_paths["ai_engineer"])
    result = CliRunner().invoke(app, ["classify", sample, "--model", str(model_copy)])
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: model file {model_copy} does not match")


def test_array_feature_names_equal_the_column_transformers() -> None:
    pipeline, _ = load_pipeline(REPO_MODELS)
    expected = [str(n) for n in pipeline.named_steps["features"].get_feature_names_out()]
    linear, _ = load_weights()
    assert linear.feature_names == expected
    some = (0, 1, len(expected) - 1)
    assert [linear.feature_name(j) for j in some] == [expected[j] for j in some]
    with pytest.raises(IndexError):
        linear.feature_name(len(expected))
