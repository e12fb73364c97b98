"""Paths from the client never reach outside the workspace; no input makes a server error."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


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


HUGE = 10**30


def test_numbers_too_large_for_the_database_are_422_not_500(
    client: TestClient, video_id: str
) -> None:
    base = f"/api/videos/{video_id}/annotations/alice"
    event = {"code": "12", "onset_s": 0, "apex_s": 1, "offset_s": 2}
    assert client.put(base, json={"revision": 0, "events": [event]}).status_code == 200
    attempts = [
        client.post(base + "/changes", json={"revision": 1, "delete": [HUGE]}),
        client.post(base + "/changes", json={"revision": HUGE}),
        client.post(
            base + "/changes", json={"revision": 1, "update": [{"id": HUGE, "event": event}]}
        ),
        client.put(base, json={"revision": 1, "events": [{**event, "face": HUGE}]}),
        client.patch(f"{base}/events/{HUGE}", json={"letter": "A"}),
        client.patch(f"{base}/events/1", params={"base": HUGE}, json={"letter": "A"}),
        client.delete(f"{base}/events/{HUGE}"),
        client.get(f"/api/videos/{video_id}/frames", params={"face": HUGE}),
    ]
    assert [r.status_code for r in attempts] == [422] * len(attempts), [r.text for r in attempts]
    assert all(isinstance(r.json()["detail"], str) for r in attempts)
    assert client.get(base).json()["revision"] == 1  # nothing was written


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
)  # fmt: skip
_event = st.fixed_dictionaries(
    {},
    optional={
        k: _scalars
        for k in ("face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter")
    },
)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    revision=_scalars,
    add=st.lists(_event, max_size=3),
    update=st.lists(st.fixed_dictionaries({"id": _scalars, "event": _event}), max_size=2),
    delete=st.lists(_scalars, max_size=3),
    patch=_event,
    event_id=st.integers(-(10**20), 10**20),
)
def test_no_payload_makes_a_server_error(
    client: TestClient,
    video_id: str,
    revision: object,
    add: list[dict[str, object]],
    update: list[dict[str, object]],
    delete: list[object],
    patch: dict[str, object],
    event_id: int,
) -> None:
    base = f"/api/videos/{video_id}/annotations/fuzz"
    body = {"revision": revision, "add": add, "update": update, "delete": delete}
    responses = [
        client.post(base + "/changes", json=body),
        client.put(base, json={"revision": revision, "events": add}),
        client.post(base + "/events", json=patch),
        client.patch(f"{base}/events/{event_id}", json=patch),
        client.delete(f"{base}/events/{event_id}"),
    ]
    for resp in responses:
        assert resp.status_code < 500, resp.text
        assert "Traceback" not in resp.text


def test_long_codes_and_fields_are_refused_not_parsed(client: TestClient, video_id: str) -> None:
    """A 40 KB code in an event, a long render URL: a clear 4xx, and nothing stored."""
    base = f"/api/videos/{video_id}/annotations/alice"
    event = {"code": "L" + " " * 40_000 + "x", "onset_s": 0, "apex_s": 1, "offset_s": 2}
    resp = client.put(base, json={"revision": 0, "events": [event]})
    assert resp.status_code == 422 and "at most 32" in resp.json()["detail"]
    resp = client.put(base, json={"revision": 0, "events": [{**event, "code": "12", "side": "LR"}]})
    assert resp.status_code == 422
    resp = client.get("/api/render/" + "L" + "%20" * 5000 + "x.png")
    assert resp.status_code in (400, 414, 422), resp.status_code
    assert client.get(base).json()["revision"] == 0
