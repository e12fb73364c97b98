"""``facs serve``: argument checks, and a real server killed in the middle of saves."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from typer.testing import CliRunner

from facs.cli import app

from ._helpers import free_port, write_clip

runner = CliRunner()


def test_serve_help_lists_the_options() -> None:
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--host", "--port", "--workspace"):
        assert option in result.output
    assert "127.0.0.1" in result.output and "8765" in result.output


@pytest.mark.parametrize("port", ["0", "65536", "http", "-1", "80.5"])
def test_bad_port_is_one_error_line(port: str) -> None:
    result = runner.invoke(app, ["serve", "--port", port])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --port")


def test_workspace_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = runner.invoke(app, ["serve", "--workspace", str(target)])
    assert result.exit_code == 2
    assert "not a folder" in result.stderr


def test_serve_runs_uvicorn_on_localhost(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    workspace = tmp_path / "ws"
    port = free_port()
    result = runner.invoke(app, ["serve", "--workspace", str(workspace), "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": port, "log_level": "warning"}]
    assert (workspace / "videos").is_dir() and (workspace / "facs.sqlite").is_file()


def test_port_in_use_and_unknown_host_are_one_error_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port), "--workspace", str(tmp_path)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    result = runner.invoke(
        app, ["serve", "--host", "nowhere.invalid", "--workspace", str(tmp_path)]
    )
    assert result.exit_code == 2 and "not an address of this machine" in result.stderr


def _start(workspace: Path, port: int) -> subprocess.Popen[bytes]:
    facs = Path(sys.executable).with_name("facs")
    proc = subprocess.Popen(
        [str(facs), "serve", "--port", str(port), "--workspace", str(workspace)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=1).raise_for_status()
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("facs serve did not start")


def test_a_killed_server_keeps_every_committed_save_whole(tmp_path: Path) -> None:

    workspace = tmp_path / "ws"
    (workspace / "videos").mkdir(parents=True)
    write_clip(workspace / "videos" / "take.mp4")
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/videos/take/annotations/kim"
    proc = _start(workspace, port)
    # save after save, each a whole list of 40 events tagged by its number, until the kill
    acknowledged: list[int] = []

    def saver() -> None:
        revision = 0
        with httpx.Client(timeout=5) as client:
            for n in range(1, 10_000):
                events = [{"code": "12", "onset_s": n, "apex_s": n, "offset_s": n + i,
                           "peak": 1.0, "letter": "A"} for i in range(40)]  # fmt: skip
                try:
                    resp = client.put(base, json={"revision": revision, "events": events})
                except httpx.HTTPError:
                    return
                assert resp.status_code == 200, resp.text
                revision = resp.json()["revision"]
                acknowledged.append(n)

    thread = threading.Thread(target=saver)
    thread.start()
    while len(acknowledged) < 5:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    thread.join(10)
    last = acknowledged[-1]
    proc = _start(workspace, port)
    try:
        stored = httpx.get(base, timeout=5).json()
    finally:
        proc.terminate()
        proc.wait(10)
    onsets = {e["onset_s"] for e in stored["events"]}
    assert len(stored["events"]) == 40 and len(onsets) == 1  # one whole save, never a mix
    # the last acknowledged save is there (or the one in flight when the server died)
    assert onsets.pop() in (last, last + 1)
    assert stored["revision"] in (last, last + 1)


def test_listening_beyond_this_machine_warns(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    port = free_port()
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", str(port),
                                 "--workspace", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning" in result.output and "no login" in result.output
