"""``create_app``: state on ``app.state``, three routers, and apps that share nothing."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from facs.web._deps import WebState
from facs.web.app import create_app

from ._helpers import FakeCoder, wait_job, write_clip

LOCAL = "http://127.0.0.1"
EVENT = {"code": "12", "onset_s": 0, "apex_s": 1, "offset_s": 2}


def _close(*apps: FastAPI) -> None:
    for app in apps:
        app.state.engine.dispose()


def test_the_state_is_one_dataclass_on_app_state(tmp_path: Path) -> None:
    coder = FakeCoder()
    app = create_app(tmp_path / "ws", max_upload=1234, coder=coder, allowed_hosts=["[::1]", "Lab"])
    web = app.state.web
    assert isinstance(web, WebState)
    assert web.root == (tmp_path / "ws").resolve() and web.max_upload == 1234
    assert web.hosts == {"::1", "lab"}
    assert web.jobs._coder is coder
    # the names tests and tools used before the routers stay
    assert app.state.workspace == web.root
    assert app.state.jobs is web.jobs and app.state.engine is web.engine
    for sub in ("videos", "codings", "renders"):
        assert (web.root / sub).is_dir() and getattr(web, f"{sub}_dir") == web.root / sub
    _close(app)


def test_every_route_is_served_by_one_of_three_routers(tmp_path: Path) -> None:
    from facs.web import _routes_annotations, _routes_lexicon, _routes_videos

    app = create_app(tmp_path)
    with TestClient(app, base_url=LOCAL) as client:
        schema = client.get("/api/openapi.json").json()
    documented = {(path, method.upper()) for path, ops in schema["paths"].items() for method in ops}
    routed = {
        (route.path, method)
        for module in (_routes_lexicon, _routes_videos, _routes_annotations)
        for route in module.router.routes
        for method in getattr(route, "methods", ())
    }
    hidden = {("/", "GET"), ("/au/{code}", "GET"), ("/static/{name}", "GET")}
    assert documented | hidden == routed
    assert len(documented) == 23  # /api/faces: the synthesiser's faces (2026-12-05)
    _close(app)


def test_two_apps_in_one_process_share_nothing(tmp_path: Path) -> None:
    coder_a, coder_b = FakeCoder(), FakeCoder()
    app_a = create_app(tmp_path / "a", max_upload=2_000_000, coder=coder_a)
    app_b = create_app(tmp_path / "b", max_upload=3_000_000, coder=coder_b,
                       allowed_hosts=["lab-pc"])  # fmt: skip
    assert app_a.state.web is not app_b.state.web
    assert app_a.state.web.jobs is not app_b.state.web.jobs
    write_clip(tmp_path / "a" / "videos" / "take.mp4")
    with (
        TestClient(app_a, base_url=LOCAL) as a,
        TestClient(app_b, base_url="http://lab-pc:8765") as b,
    ):
        assert a.get("/api/info").json()["max_upload"] == 2_000_000
        assert b.get("/api/info").json()["max_upload"] == 3_000_000
        assert a.get("/api/info").json()["workspace"] == str((tmp_path / "a").resolve())
        assert b.get("/api/info").json()["workspace"] == str((tmp_path / "b").resolve())
        # each answers to its own hosts only
        assert a.get("http://lab-pc:8765/api/info").status_code == 403
        assert b.get(f"{LOCAL}/api/info").status_code == 403
        # videos, jobs and annotations stay in their own workspace
        assert [v["id"] for v in a.get("/api/videos").json()] == ["take"]
        assert b.get("/api/videos").json() == []
        assert b.get("/api/videos/take").status_code == 404
        job = a.post("/api/videos/take/code").json()
        assert wait_job(a, job["id"])["state"] == "done"
        assert b.get(f"/api/jobs/{job['id']}").status_code == 404
        assert len(coder_a.calls) == 1 and coder_b.calls == []
        saved = a.put("/api/videos/take/annotations/kim", json={"revision": 0, "events": [EVENT]})
        assert saved.status_code == 200, saved.text
        write_clip(tmp_path / "b" / "videos" / "take.mp4")
        assert b.get("/api/videos/take/annotations/kim").json()["saved"] is False
        assert a.get("/api/videos/take/annotations/kim").json()["revision"] == 1
    assert (tmp_path / "a" / "codings" / "take" / "events.csv").is_file()
    assert not (tmp_path / "b" / "codings" / "take").exists()
    _close(app_a, app_b)


def test_the_lifespan_stops_the_apps_own_jobs(tmp_path: Path) -> None:
    coder = FakeCoder()
    coder.gate.clear()  # the job waits until it is cancelled by the shutdown
    app = create_app(tmp_path / "a", coder=coder)
    other = create_app(tmp_path / "b")
    write_clip(tmp_path / "a" / "videos" / "take.mp4")
    with TestClient(app, base_url=LOCAL) as client:
        job = client.post("/api/videos/take/code").json()
        assert job["state"] in ("queued", "running")
    state = app.state.web.jobs.get(job["id"]).state
    assert state not in ("queued", "running"), state
    with TestClient(other, base_url=LOCAL) as client:  # the other app's jobs are its own
        assert client.get(f"/api/jobs/{job['id']}").status_code == 404
    _close(app, other)
