"""``facs serve``: the local web page (lexicon, explainer, coding review)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from facs._errors import InputError
from facs.cli._common import console, user_errors

__all__ = ["check_listen", "parse_port", "serve_cmd"]


def parse_port(text: str) -> int:
    """A TCP port number from the command line.

    >>> parse_port("8765")
    8765
    >>> parse_port("99999")
    Traceback (most recent call last):
    ...
    facs._errors.InputError: --port must be a whole number from 1 to 65535, got '99999'
    """
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise InputError(f"--port must be a whole number from 1 to 65535, got {text!r}")
    return port


def check_listen(host: str, port: int) -> None:
    """Fail with a clear message if ``host:port`` cannot be listened on (in use, no such address).

    >>> check_listen("no such host.invalid", 8765)
    Traceback (most recent call last):
    ...
    facs._errors.InputError: --host 'no such host.invalid' is not an address of this machine
    """
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError):
        raise InputError(f"--host {host!r} is not an address of this machine") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            import errno

            hint = (
                "not an address of this machine; 127.0.0.1 keeps the page on it"
                if err.errno == errno.EADDRNOTAVAIL
                else "is another facs serve running? choose another --port"
                if err.errno == errno.EADDRINUSE
                else "choose another --host or --port"
            )
            why = err.strerror or err
            raise InputError(f"cannot listen on {host}:{port}: {why} ({hint})") from None


def serve_cmd(
    host: Annotated[
        str, typer.Option(help="Address to listen on (keep 127.0.0.1 to stay on this machine).")
    ] = "127.0.0.1",
    port: Annotated[str, typer.Option(help="TCP port, 1–65535.")] = "8765",
    workspace: Annotated[
        Path,
        typer.Option(
            help="Folder for uploaded videos, codings, renders and the annotations database."
        ),
    ] = Path("facs-workspace"),
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            help="Also answer to this host name (repeatable), e.g. the machine's name on the "
            "LAN; by default only loopback and --host are served."
        ),
    ] = None,
) -> None:
    """Start the local web page: browse codes, explain a code, code and review a video."""
    with user_errors():
        number = parse_port(port)
        if not host.strip():
            raise InputError("--host must not be empty")
        if workspace.exists() and not workspace.is_dir():
            raise InputError(f"--workspace {workspace} exists and is not a folder")
        check_listen(host, number)  # before the workspace is made: a refused address leaves none
        try:
            workspace.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(f"cannot create workspace {workspace}: {err.strerror}") from None
        import uvicorn

        from facs.web.app import LOCAL_HOSTS, create_app

        hosts = [*LOCAL_HOSTS, host, *(allow_host or [])]
        if host in ("0.0.0.0", "::"):  # every address: the page answers to any name
            hosts.append("*")
        app = create_app(workspace, allowed_hosts=hosts)
        if host not in ("127.0.0.1", "localhost", "::1"):
            console.print(
                f"[yellow]warning:[/] listening on {host}: other machines can open the page, "
                "upload videos and change annotations (there is no login)"
            )
        console.print(f"facs: serving http://{host}:{number}/ (workspace {workspace.resolve()}); "
                      "open it in a browser, Ctrl+C stops")  # fmt: skip
        uvicorn.run(app, host=host, port=number, log_level="warning")
