"""Tests for facs.formats._atomic: temp file + rename, nothing left behind on failure."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from facs.formats._atomic import atomic_path, to_jsonable, write_json_atomic, write_text_atomic


class Boom(RuntimeError):
    pass


def test_success_replaces_target_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "frames.csv"
    target.write_text("old\n", encoding="utf-8")
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(".frames.csv.tmp-")
        assert not tmp.exists()
        tmp.write_text("new\n", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old\n"  # not yet replaced
    assert target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames.csv"]


@pytest.mark.parametrize("existing", [True, False])
def test_exception_mid_write_keeps_old_file_and_removes_temp(
    tmp_path: Path, existing: bool
) -> None:
    target = tmp_path / "frames.csv"
    if existing:
        target.write_text("old\n", encoding="utf-8")
    with pytest.raises(Boom), atomic_path(target) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("half a li")
        raise Boom("interrupted")
    if existing:
        assert target.read_text(encoding="utf-8") == "old\n"
        assert [p.name for p in tmp_path.iterdir()] == ["frames.csv"]
    else:
        assert list(tmp_path.iterdir()) == []


def test_nothing_written_is_an_error_and_no_target(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    with pytest.raises(FileNotFoundError, match="nothing was written"), atomic_path(target):
        pass
    assert list(tmp_path.iterdir()) == []


def test_temp_names_are_unique(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "a") as one, atomic_path(tmp_path / "a") as two:
        assert one != two
        one.write_text("1", encoding="utf-8")
        two.write_text("2", encoding="utf-8")
    assert (tmp_path / "a").read_text(encoding="utf-8") == "1"  # outer block ends last
    assert [p.name for p in tmp_path.iterdir()] == ["a"]


def test_parent_folders_are_created(tmp_path: Path) -> None:
    target = write_text_atomic(tmp_path / "out" / "deep" / "note.txt", "héllo\n")
    assert target.read_bytes() == "héllo\n".encode()


def test_json_nan_becomes_null_and_numpy_is_plain(tmp_path: Path) -> None:
    summary = {
        "mean": float("nan"),
        "max": np.float64(np.inf),
        "n": np.int64(3),
        "codes": ("12", "6"),
        "values": np.array([1.5, np.nan]),
        "path": tmp_path,
        "ok": np.bool_(True),
    }
    path = write_json_atomic(tmp_path / "summary.json", summary)
    text = path.read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    assert text.startswith('{\n  "mean": null,')
    data = json.loads(text)
    assert data == {
        "mean": None,
        "max": None,
        "n": 3,
        "codes": ["12", "6"],
        "values": [1.5, None],
        "path": str(tmp_path),
        "ok": True,
    }


def test_json_unserialisable_raises_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="object"):
        write_json_atomic(tmp_path / "s.json", {"x": object()})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (math.nan, None),
        (-math.inf, None),
        (np.float32(0.5), 0.5),
        ({1: {2}}, {"1": [2]}),
        ([np.int8(1), None, "a"], [1, None, "a"]),
    ],
)
def test_to_jsonable(value: object, expected: object) -> None:
    assert to_jsonable(value) == expected


def test_a_folder_or_a_refusing_file_system_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from facs import InputError

    (tmp_path / "out.png").mkdir()
    with pytest.raises(InputError, match=r"cannot write .*out.png: it is a folder"):
        write_text_atomic(tmp_path / "out.png", "x")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match=r"cannot write .*file/a.csv: .*file is a file, not a"):
        write_text_atomic(tmp_path / "file" / "a.csv", "x")  # a file where a folder goes

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError, match=r"cannot write .*b.csv: Permission denied"):
        write_text_atomic(tmp_path / "b.csv", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "out.png"]  # no temp left


def test_a_refusal_about_another_file_is_not_blamed_on_the_output(tmp_path: Path) -> None:
    import errno

    from facs import InputError

    # an input that cannot be read inside the block is that input's error, raised as it is
    with pytest.raises(PermissionError, match=r"input\.mp4"), atomic_path(tmp_path / "a.csv"):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "input.mp4"))
    # a full disk names no file: it is the write's
    with (
        pytest.raises(InputError, match=r"cannot write .*a.csv: No space"),
        atomic_path(tmp_path / "a.csv"),
    ):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert list(tmp_path.iterdir()) == []  # no temp left either time
