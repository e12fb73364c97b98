"""``facs serve``: help and argument checks (no server is started)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from facs.cli import app

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
    result = runner.invoke(app, ["serve", "--workspace", str(workspace)])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": 8765, "log_level": "warning"}]
    assert (workspace / "videos").is_dir() and (workspace / "facs.sqlite").is_file()
