"""Paths from the client never reach outside the workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    "path",
    [
        "/api/videos/..%2F..%2Fetc%2Fpasswd/media",
        "/api/videos/%2Fetc%2Fpasswd/media",
        "/api/videos/../../etc/passwd/media",
        "/api/videos/..%252F..%252Fsecret/media",
        "/api/videos/.secret/media",
        "/api/videos/a.b/media",
        "/api/videos/%00/media",
        "/api/videos/" + "x" * 65 + "/media",
        "/api/videos/..%5C..%5Csecret/media",
        "/static/..%2F__init__.py",
        "/static/../app.py",
        "/api/videos/VID/annotations/..%2F..%2Fx",
        "/api/videos/VID/annotations/..%2F..%2Fx.csv",
        "/api/videos/VID/annotations/a.b.eaf",
        "/api/videos/VID/annotations/%2Fetc%2Fpasswd",
    ],
)
def test_traversal_attempts_are_refused(
    client: TestClient, video_id: str, workspace: Path, path: str
) -> None:
    secret = workspace.parent / "secret"
    secret.write_text("top secret")
    (workspace / "videos" / ".secret").write_text("hidden")
    resp = client.get(path.replace("VID", video_id))
    assert resp.status_code in (400, 404, 405), (path, resp.status_code)
    assert b"top secret" not in resp.content and b"root:" not in resp.content
    assert b"hidden" not in resp.content


def test_invalid_ids_get_a_clear_400(client: TestClient, video_id: str) -> None:
    resp = client.get("/api/videos/a.b/media")
    assert resp.status_code == 400 and "invalid video id" in resp.json()["detail"]
    coder = client.get(f"/api/videos/{video_id}/annotations/bad.name")
    assert coder.status_code == 400 and "invalid coder id" in coder.json()["detail"]
    put = client.put(f"/api/videos/{video_id}/annotations/a%20b", json={"revision": 0,
                                                                     "events": []})  # fmt: skip
    assert put.status_code == 400


def test_symlink_out_of_the_workspace_is_not_served(
    client: TestClient, workspace: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.mp4"
    outside.write_bytes(b"outside the workspace")
    (workspace / "videos" / "link.mp4").symlink_to(outside)
    resp = client.get("/api/videos/link/media")
    assert resp.status_code == 404
    assert b"outside" not in resp.content


def test_upload_filename_cannot_escape(client: TestClient, clip: Path, workspace: Path) -> None:
    data = clip.read_bytes()
    for name in ("../../evil.mp4", "/tmp/evil.mp4", "..\\..\\evil.mp4"):
        resp = client.post("/api/videos", files={"file": (name, data, "video/mp4")})
        assert resp.status_code == 201, resp.text
        assert ".." not in resp.json()["id"] and "/" not in resp.json()["id"]
    stored = sorted(p.parent for p in workspace.rglob("*.mp4"))
    assert stored == [workspace / "videos"] * 3
    assert not (workspace.parent / "evil.mp4").exists()
