"""The middleware: host names, origins, and which requests are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facs.web._guards import LOCAL_HOSTS, host_name, origin_authority
from facs.web.app import create_app


@pytest.mark.parametrize(
    ("header", "name"),
    [("127.0.0.1:8765", "127.0.0.1"), ("LOCALHOST", "localhost"), ("[::1]:8765", "::1"),
     ("[::1]", "::1"), ("::1", "::1"), ("lab-pc:80", "lab-pc"), ("", "")],
)  # fmt: skip
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(
    ("origin", "authority"),
    [("http://127.0.0.1:8765", "127.0.0.1:8765"), ("HTTP://Lab-PC", "lab-pc"), ("null", ""),
     ("", ""), ("http://[::1", "")],
)  # fmt: skip
def test_origin_authority(origin: str, authority: str) -> None:
    assert origin_authority(origin) == authority


def test_local_hosts_are_the_default_of_create_app() -> None:
    import inspect

    from facs.web import app

    assert app.LOCAL_HOSTS is LOCAL_HOSTS
    default = inspect.signature(create_app).parameters["allowed_hosts"].default
    assert default == ("127.0.0.1", "localhost", "::1")


def test_hosts_and_origins_are_checked_per_app(tmp_path: Path) -> None:
    app = create_app(tmp_path, allowed_hosts=["[::1]"])
    with TestClient(app, base_url="http://[::1]:8765") as client:
        assert client.get("/api/info").status_code == 200
        refused = client.get("http://127.0.0.1:8765/api/info")
        assert refused.status_code == 403 and "'127.0.0.1' is not served" in refused.text
        write = client.post("/api/jobs/x/cancel", headers={"Origin": "http://evil.example"})
        assert write.status_code == 403 and "another site" in write.json()["detail"]
        cross = client.post("/api/jobs/x/cancel", headers={"Sec-Fetch-Site": "cross-site"})
        assert cross.status_code == 403
        same = client.post("/api/jobs/x/cancel", headers={"Origin": "http://[::1]:8765"})
        assert same.status_code == 404  # passed the checks: there is no job x
        assert client.get("/api/info", headers={"Origin": "http://evil.example"}).is_success
    app.state.engine.dispose()
