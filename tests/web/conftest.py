"""Fixtures for the web API tests: a workspace app with a fake coder and a tiny video."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facs.web.app import create_app

from ._helpers import UPLOAD_LIMIT, FakeCoder, wait_job, write_clip


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "workspace"


@pytest.fixture
def fake_coder() -> FakeCoder:
    return FakeCoder()


@pytest.fixture
def client(workspace: Path, fake_coder: FakeCoder) -> Iterator[TestClient]:
    app = create_app(workspace, max_upload=UPLOAD_LIMIT, coder=fake_coder)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client
    app.state.engine.dispose()


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_clip(tmp_path / "take one.mp4")


@pytest.fixture
def video_id(client: TestClient, clip: Path) -> str:
    with clip.open("rb") as handle:
        resp = client.post("/api/videos", files={"file": (clip.name, handle, "video/mp4")})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


@pytest.fixture
def coded_id(client: TestClient, video_id: str) -> str:
    job = client.post(f"/api/videos/{video_id}/code").json()
    assert wait_job(client, job["id"])["state"] == "done"
    return video_id
