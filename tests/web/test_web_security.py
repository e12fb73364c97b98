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


def test_foreign_sites_cannot_write_and_foreign_hosts_are_not_served(
    client: TestClient, video_id: str, clip: Path
) -> None:
    """A page on another site posting to 127.0.0.1, and DNS rebinding (a foreign Host)."""
    evil = {"Origin": "http://evil.example"}
    base = f"/api/videos/{video_id}/annotations/alice"
    event = {"code": "12", "onset_s": 0, "apex_s": 1, "offset_s": 2}
    with clip.open("rb") as fh:
        up = client.post("/api/videos", files={"file": ("x.mp4", fh, "video/mp4")}, headers=evil)
    attempts = [
        up,
        client.post(f"/api/videos/{video_id}/code", headers=evil),
        client.put(base, json={"revision": 0, "events": [event]}, headers=evil),
        client.put(
            base, json={"revision": 0, "events": [event]}, headers={"Sec-Fetch-Site": "cross-site"}
        ),
        client.put(
            base,
            json={"revision": 0, "events": [event]},
            headers={"Origin": "http://127.0.0.1:9999"},
        ),  # another port, another site
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts), [r.text for r in attempts]
    assert "another site" in attempts[0].json()["detail"]
    rebound = client.get("/api/videos", headers={"Host": "evil.example"})
    assert rebound.status_code == 403 and "not served here" in rebound.json()["detail"]
    # The page itself (same origin) and tools without an Origin still work.
    same = client.put(base, json={"revision": 0, "events": [event]},
                      headers={"Origin": "http://127.0.0.1"})  # fmt: skip
    assert same.status_code == 200, same.text
    assert client.get(base).json()["revision"] == 1


def test_serve_answers_to_hosts_it_was_asked_for(workspace: Path) -> None:
    from facs.web.app import LOCAL_HOSTS, create_app

    app = create_app(workspace, allowed_hosts=[*LOCAL_HOSTS, "lab-pc"])
    with TestClient(app, base_url="http://lab-pc:8765") as lan:
        assert lan.get("/api/videos").status_code == 200
    with TestClient(app, base_url="http://other:8765") as other:
        assert other.get("/api/videos").status_code == 403
    with TestClient(create_app(workspace, allowed_hosts=["*"]), base_url="http://any") as anyhost:
        assert anyhost.get("/api/videos").status_code == 200


def test_bodies_are_cut_off_at_the_limit_not_spooled(
    client: TestClient, video_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunked upload with no length, and a huge JSON body: 413 once past the limit."""
    from tests.web.conftest import UPLOAD_LIMIT

    from facs.web import _guards

    def chunks(total: int):  # type: ignore[no-untyped-def]
        for _ in range(total // 65536):
            yield b"x" * 65536

    boundary = "b0undary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.mp4\"\r\nContent-Type: video/mp4\r\n\r\n").encode()  # fmt: skip

    def upload():  # type: ignore[no-untyped-def]
        yield head
        yield from chunks(50 * UPLOAD_LIMIT)

    kind = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    resp = client.post("/api/videos", content=upload(), headers=kind)
    assert resp.status_code == 413 and "without a length" in resp.json()["detail"]
    monkeypatch.setattr(_guards, "MAX_BODY_BYTES", 100_000)
    base = f"/api/videos/{video_id}/annotations/alice"
    event = {"code": "12", "onset_s": 0, "apex_s": 1, "offset_s": 2}
    big = client.put(base, json={"revision": 0, "events": [event] * 5_000})
    assert big.status_code == 413 and "request body" in big.json()["detail"]
    assert client.get(base).json()["revision"] == 0


def test_the_render_cache_is_bounded(tmp_path: Path) -> None:
    from facs.web._routes_lexicon import trim_cache

    for i in range(30):
        (tmp_path / f"{i:02d}.png").write_bytes(b"png")
        import os

        os.utime(tmp_path / f"{i:02d}.png", ns=(i * 10**9, i * 10**9))
    trim_cache(tmp_path, keep=10)
    left = sorted(p.name for p in tmp_path.glob("*.png"))
    assert left == [f"{i:02d}.png" for i in range(20, 30)]  # the newest ten stay


def test_the_body_limit_stops_reading_past_the_limit() -> None:
    """At the ASGI level: a body with no length is read only up to the limit, then 413."""
    import asyncio

    from facs.web._guards import _ENVELOPE, BodyLimit

    pulled = 0
    sent: list[dict] = []

    async def endless() -> dict:  # a client that would send forever
        nonlocal pulled
        pulled += 65536
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 400, "headers": []})
        await send({"type": "http.response.body", "body": b"cut"})

    async def collect(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/videos", "headers": []}
    asyncio.run(BodyLimit(app, upload=1_000_000)(scope, endless, collect))
    assert sent[0]["status"] == 413 and len(sent) == 2
    assert pulled <= 1_000_000 + _ENVELOPE + 65536  # not one chunk more than needed


def test_far_event_times_are_refused_on_the_way_in(client: TestClient, video_id: str) -> None:
    """An event at 1e308 s was stored, then ELAN export was a 500 and CSV export wrote inf."""
    base = f"/api/videos/{video_id}/annotations/alice"
    far = {"code": "12", "onset_s": 0, "apex_s": 1, "offset_s": 1e308}
    resp = client.put(base, json={"revision": 0, "events": [far]})
    assert resp.status_code == 422 and "864000" in resp.json()["detail"]
    assert client.get(base).json()["revision"] == 0


def test_a_damaged_workspace_database_is_one_clear_error(tmp_path: Path) -> None:
    from facs import InputError
    from facs.web.app import create_app

    (tmp_path / "facs.sqlite").write_text("not a database")
    with pytest.raises(InputError, match="workspace database is damaged"):
        create_app(tmp_path)
