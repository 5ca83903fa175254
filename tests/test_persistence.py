from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jdanalyzer.classify import RoleModel
from jdanalyzer.cli import app
from jdanalyzer.errors import ModelError
from jdanalyzer.persistence import default_model_path, load_pipeline, save_pipeline, sha256_of


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    source = default_model_path()
    for suffix in (".joblib", ".json"):
        shutil.copy(source.with_suffix(suffix), tmp_path / f"role_model{suffix}")
    return tmp_path / "role_model.joblib"


def test_packaged_model_loads_and_matches_its_manifest() -> None:
    path = default_model_path()
    _, manifest = load_pipeline()
    assert manifest["model_sha256"] == sha256_of(path)
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


def test_changed_file_is_refused(model_copy: Path) -> None:
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match its manifest"):
        RoleModel.load(model_copy)


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


def test_other_library_version_is_refused(model_copy: Path) -> None:
    manifest_path = model_copy.with_suffix(".json")
    manifest = json.loads(manifest_path.read_text())
    manifest["libraries"]["scikit-learn"] = "0.24.2"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=r"built with scikit-learn 0\.24\.2"):
        RoleModel.load(model_copy)


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
        RoleModel.load(model_copy)


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


def test_lazy_feature_names_equal_the_column_transformers() -> None:
    from jdanalyzer.features import FeatureNames

    pipeline, _ = load_pipeline()
    columns = pipeline.named_steps["features"]
    expected = columns.get_feature_names_out()
    names = FeatureNames(columns)
    assert len(names) == len(expected)
    assert list(names) == [str(n) for n in expected]
    assert names[-1] == expected[-1] and names[:3] == [str(n) for n in expected[:3]]
    with pytest.raises(IndexError):
        names[len(expected)]
