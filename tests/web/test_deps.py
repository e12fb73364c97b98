"""What the routers share: the ``Web`` dependency, id and path checks, the video listing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.testclient import TestClient

from facs.web._deps import ID_PATTERN, Web, WebState, _video_id, check_id, inside, message
from facs.web.app import create_app


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebState]:
    app = create_app(tmp_path / "ws")
    yield app.state.web
    app.state.engine.dispose()


def test_the_web_dependency_reads_the_requests_own_app(tmp_path: Path) -> None:
    router = APIRouter()

    @router.get("/root")
    def root(web: Web) -> str:
        return str(web.root)

    apps = [create_app(tmp_path / name) for name in ("a", "b")]
    for app, name in zip(apps, ("a", "b"), strict=True):
        app.include_router(router)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            assert client.get("/root").json() == str((tmp_path / name).resolve())
        app.state.engine.dispose()


def test_the_dependency_adds_nothing_to_the_api(tmp_path: Path) -> None:
    app = FastAPI()
    router = APIRouter()

    @router.get("/x")
    def x(web: Web, n: int = 1) -> int:
        return n

    app.include_router(router)
    params = app.openapi()["paths"]["/x"]["get"]["parameters"]
    assert [p["name"] for p in params] == ["n"]


@pytest.mark.parametrize("value", ["take1", "a_b-C", "x" * 64])
def test_check_id_keeps_good_ids(value: str) -> None:
    assert check_id(value, "video") == value and ID_PATTERN.fullmatch(value)


@pytest.mark.parametrize("value", ["", "a.b", "../x", "a b", "x" * 65, "é", "a/b", "a\\b"])
def test_check_id_refuses_others_with_a_400(value: str) -> None:
    with pytest.raises(HTTPException) as err:
        check_id(value, "coder")
    assert err.value.status_code == 400 and "invalid coder id" in str(err.value.detail)


def test_inside_keeps_paths_in_the_folder(tmp_path: Path) -> None:
    assert inside(tmp_path, "a", "b.csv") == (tmp_path / "a" / "b.csv").resolve()
    for parts in (("..", "x"), ("/etc/passwd",), ("a", "..", "..", "x")):
        with pytest.raises(HTTPException) as err:
            inside(tmp_path, *parts)
        assert err.value.status_code == 400


def test_video_ids_of_file_names() -> None:
    assert _video_id("take1.mp4") == "take1"
    odd = _video_id("my take (2).mp4")
    assert odd.startswith("my_take_2-") and ID_PATTERN.fullmatch(odd)
    assert _video_id("my take (2).mp4") == odd != _video_id("my take (3).mp4")
    assert _video_id("(((.mp4").startswith("video-")


def test_message_joins_validation_errors() -> None:
    errors = [{"loc": ("body", "events", 0, "code"), "msg": "Value error, not a valid FACS code"},
              {"loc": ("query",), "msg": "missing"}]  # fmt: skip
    assert message(errors) == "events.0.code: not a valid FACS code; missing"
    assert message([]) == "invalid request"


def test_videos_are_listed_again_only_when_the_folder_changes(web: WebState) -> None:
    assert web.videos() == {}
    (web.videos_dir / "b.mp4").write_bytes(b"")
    (web.videos_dir / "a.MOV").write_bytes(b"")
    for skipped in (".hidden.mp4", "notes.txt"):
        (web.videos_dir / skipped).write_bytes(b"")
    (web.videos_dir / "folder.mp4").mkdir()
    listed = web.videos()
    assert list(listed) == ["a", "b"]
    assert web.videos() is listed  # unchanged folder: the same listing
    os.utime(web.videos_dir, ns=(0, 0))  # e.g. a rename that kept the count
    assert web.videos() is not listed


def test_video_lookup_checks_the_id_and_the_folder(web: WebState, tmp_path: Path) -> None:
    (web.videos_dir / "take.mp4").write_bytes(b"")
    assert web.video("take") == ("take", (web.videos_dir / "take.mp4").resolve())
    outside = tmp_path / "outside.mp4"
    outside.write_bytes(b"")
    (web.videos_dir / "link.mp4").symlink_to(outside)
    for video_id, status in (("link", 404), ("nothing", 404), ("../take", 400)):
        with pytest.raises(HTTPException) as err:
            web.video(video_id)
        assert err.value.status_code == status, video_id
    assert web.coding_dir("take") == (web.codings_dir / "take").resolve()
    with pytest.raises(HTTPException):
        web.coding_dir("..")
