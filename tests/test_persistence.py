from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from jdanalyzer.classify import RoleModel
from jdanalyzer.cli import app
from jdanalyzer.errors import ModelError
from jdanalyzer.persistence import (
    default_model_path,
    load_pipeline,
    load_weights,
    save_pipeline,
    sha256_of,
)


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    source = default_model_path()
    for suffix in (".joblib", ".npz", ".json"):
        shutil.copy(source.with_suffix(suffix), tmp_path / f"role_model{suffix}")
    return tmp_path / "role_model.joblib"


def test_packaged_model_loads_and_matches_its_manifest() -> None:
    path = default_model_path()
    _, manifest = load_pipeline()
    assert manifest["model_sha256"] == sha256_of(path)
    assert manifest["weights_sha256"] == sha256_of(path.with_name(manifest["weights_file"]))
    assert manifest["labels"] == sorted(["ai_engineer", "data_scientist", "hybrid", "other"])
    assert {"scikit-learn", "spacy", "numpy"} <= set(manifest["libraries"])
    assert manifest["training_data"]["labels_sha256"]
    assert "macro_f1" in manifest["metrics"]["model"]


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    pipeline, manifest = load_pipeline()
    path = save_pipeline(pipeline, tmp_path / "out", manifest={"labels": manifest["labels"]})
    again, new_manifest = load_pipeline(path)
    assert new_manifest["model_sha256"] == sha256_of(path)
    assert list(again.classes_) == manifest["labels"]
    linear, _ = load_weights(path)
    assert linear.classes == manifest["labels"]
    packaged, _ = load_weights()
    assert np.array_equal(linear.coef, packaged.coef) and linear.feature_names == packaged.feature_names


@pytest.mark.parametrize("name", ["role_model.joblib", "role_model.npz"])
def test_a_changed_file_is_refused_whichever_is_named(model_copy: Path, name: str) -> None:
    """Prediction reads the .npz; the .joblib is checked too, since the user may name it."""
    target = model_copy.with_name(name)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    for named in (model_copy, model_copy.with_suffix(".npz")):
        with pytest.raises(ModelError, match=f"model file {target} does not match its manifest"):
            RoleModel.load(named)


def test_the_array_file_alone_is_enough(model_copy: Path, samples: dict[str, str]) -> None:
    model_copy.unlink()  # no pickle at all: the .npz and the manifest
    role = RoleModel.load(model_copy.with_suffix(".npz"))
    assert role.classify(samples["ai_engineer"]).label == "ai_engineer"
    with pytest.raises(ModelError, match=r"role_model.joblib is missing"):
        RoleModel.load(model_copy)


def test_renamed_files_are_checked_against_their_own_digest(
    model_copy: Path, samples: dict[str, str]
) -> None:
    model_copy.with_suffix(".npz").rename(model_copy.with_name("mine.npz"))
    model_copy.with_suffix(".json").rename(model_copy.with_name("mine.json"))
    model_copy.unlink()
    role = RoleModel.load(model_copy.with_name("mine.npz"))
    assert role.classify(samples["ai_engineer"]).label == "ai_engineer"


def test_missing_array_file_is_refused(model_copy: Path) -> None:
    model_copy.with_suffix(".npz").unlink()
    with pytest.raises(ModelError, match=r"role_model.npz is missing; rebuild it"):
        RoleModel.load(model_copy)


def test_array_file_loads_without_pickles(model_copy: Path) -> None:
    """An .npz holding a pickled object is refused, not unpickled."""
    weights = model_copy.with_suffix(".npz")
    np.savez(weights, header=np.array([{"format": "jdanalyzer-linear/1"}], dtype=object))
    manifest_path = model_copy.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["weights_sha256"] = sha256_of(weights)
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=r"cannot load model .*role_model.npz \(ValueError"):
        RoleModel.load(model_copy)


def test_a_manifest_without_array_file_still_loads(model_copy: Path, samples: dict[str, str]) -> None:
    """Models saved before the .npz existed are converted from the pipeline when loaded."""
    manifest_path = model_copy.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    del manifest["weights_file"], manifest["weights_sha256"]
    manifest_path.write_text(json.dumps(manifest))
    model_copy.with_suffix(".npz").unlink()
    role = RoleModel.load(model_copy)
    assert role.classify(samples["data_scientist"]).label == "data_scientist"


def test_truncated_file_is_refused(model_copy: Path) -> None:
    model_copy.write_bytes(model_copy.read_bytes()[:1000])
    with pytest.raises(ModelError, match="changed or truncated"):
        RoleModel.load(model_copy)


def test_missing_manifest_is_refused(model_copy: Path) -> None:
    model_copy.with_suffix(".json").unlink()
    with pytest.raises(ModelError, match=r"manifest .* is missing"):
        RoleModel.load(model_copy)


def test_missing_model_says_how_to_rebuild(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"missing; rebuild it with `make model`"):
        RoleModel.load(tmp_path / "nothing.joblib")


def test_other_library_version_is_refused_for_the_pipeline(model_copy: Path, samples: dict[str, str]) -> None:
    """The pickled pipeline needs the scikit-learn it was built with; the arrays do not."""
    manifest_path = model_copy.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["libraries"]["scikit-learn"] = "0.24.2"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=r"built with scikit-learn 0\.24\.2"):
        load_pipeline(model_copy)
    assert RoleModel.load(model_copy).classify(samples["hybrid"]).label == "hybrid"


def test_other_taxonomy_is_refused(model_copy: Path) -> None:
    manifest_path = model_copy.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["taxonomy_sha256"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="another version of the taxonomy"):
        RoleModel.load(model_copy)


def test_foreign_joblib_is_refused(model_copy: Path) -> None:
    import joblib

    joblib.dump({"not": "a model"}, model_copy)
    manifest_path = model_copy.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["model_sha256"] = sha256_of(model_copy)
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="does not predict the labels"):
        load_pipeline(model_copy)


def test_cli_reports_a_bad_model_on_one_line(model_copy: Path, sample_paths: dict[str, Path]) -> None:
    model_copy.write_bytes(b"garbage")
    sample = str(sample_paths["ai_engineer"])
    result = CliRunner().invoke(app, ["classify", sample, "--model", str(model_copy)])
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: model file {model_copy} does not match")


def test_packed_vocabulary_pickles_as_one_string_and_loads_as_the_same_dict() -> None:
    import pickle

    from jdanalyzer.persistence import PackedVocabulary

    vocabulary = {"deploy models": 2, "llm": 0, "sql": 1}
    packed = PackedVocabulary(vocabulary)
    data = pickle.dumps(packed)
    assert b"llm\nsql\ndeploy models" in data  # the terms in column order, one string
    again = pickle.loads(data)
    assert again == vocabulary and isinstance(again, dict)
    # Not a 0..n-1 column map: pickled as a plain dict, still equal after loading.
    odd = PackedVocabulary({"a": 5, "b\nc": 0})
    assert pickle.loads(pickle.dumps(odd)) == {"a": 5, "b\nc": 0}


def test_shipped_model_packs_its_vocabularies() -> None:
    from jdanalyzer.persistence import PackedVocabulary

    pipeline, _ = load_pipeline()
    columns = pipeline.named_steps["features"].transformers_
    vectorizers = [t for _, t, _ in columns if hasattr(t, "vocabulary_")]
    assert vectorizers and all(isinstance(v.vocabulary_, PackedVocabulary) for v in vectorizers)


def test_array_feature_names_equal_the_column_transformers() -> None:
    pipeline, _ = load_pipeline()
    expected = [str(n) for n in pipeline.named_steps["features"].get_feature_names_out()]
    linear, _ = load_weights()
    assert linear.feature_names == expected
    some = (0, 1, len(expected) - 1)
    assert [linear.feature_name(j) for j in some] == [expected[j] for j in some]
    with pytest.raises(IndexError):
        linear.feature_name(len(expected))
