"""The web app's middleware: a body size limit, and the host and origin checks.

A page the user visits elsewhere could point its own name at 127.0.0.1 (DNS
rebinding) or post to the local server from its own site: :func:`same_site`
answers only the configured host names, and refuses a change (POST, PUT,
PATCH, DELETE) whose ``Origin`` names another host or port.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from facs.web._deps import get_web

__all__ = ["LOCAL_HOSTS", "MAX_BODY_BYTES", "BodyLimit", "same_site"]

#: Host names the page answers to by default: this machine's loopback.
LOCAL_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
#: Largest request body other than an upload (JSON: a whole event list is a few MB).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Room for the multipart envelope around an upload, on top of the file itself.
_ENVELOPE = 64 * 1024


class BodyLimit:
    """ASGI middleware: count each request's body as it arrives and stop at the limit.

    A declared ``Content-Length`` over the limit is refused before any byte
    is read; a chunked body with none is cut off as soon as it passes the
    limit, instead of being spooled whole first.
    """

    def __init__(self, app: Any, *, upload: int) -> None:
        self.app, self.upload = app, upload

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_upload = scope["method"] == "POST" and scope["path"] == "/api/videos"
        limit = self.upload + _ENVELOPE if is_upload else MAX_BODY_BYTES
        declared = dict(scope["headers"]).get(b"content-length", b"")

        async def refuse(size: str) -> None:
            what = "the upload" if is_upload else "the request body"
            body = json.dumps({"detail": f"{what} ({size}) is larger than the limit of "
                                         f"{limit} bytes"}).encode()  # fmt: skip
            await send({"type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})  # fmt: skip
            await send({"type": "http.response.body", "body": body})

        if declared.isdigit() and int(declared) > limit:
            await refuse(f"{int(declared)} bytes")
            return
        seen = 0
        over = False
        refused = False

        async def counted() -> Any:
            nonlocal seen, over
            if over:  # the app reads on: the body has ended for it
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # stop reading; the app sees a cut body, the client a 413
                    over = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def watched(message: Any) -> None:
            nonlocal refused
            if over:
                if not refused and message["type"] == "http.response.start":
                    refused = True
                    await refuse(f"over {limit} bytes, sent without a length")
                return
            await send(message)

        await self.app(scope, counted, watched)


def host_name(host_header: str) -> str:
    """The name part of a Host header: ``127.0.0.1:8765`` → ``127.0.0.1``, ``[::1]:80`` → ``::1``.

    >>> host_name("127.0.0.1:8765"), host_name("[::1]:80"), host_name("Evil.example")
    ('127.0.0.1', '::1', 'evil.example')
    """
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def origin_authority(origin: str) -> str:
    """``http://127.0.0.1:8765`` → ``127.0.0.1:8765`` (``null`` and junk give ``""``).

    >>> origin_authority("http://127.0.0.1:8765"), origin_authority("null")
    ('127.0.0.1:8765', '')
    """
    from urllib.parse import urlsplit

    try:
        return urlsplit(origin.strip()).netloc.lower()
    except ValueError:
        return ""


async def same_site(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """HTTP middleware: 403 for another host name, or for a change sent from another site."""
    host_header = request.headers.get("host", "")
    name = host_name(host_header)
    hosts = (await get_web(request)).hosts
    if "*" not in hosts and name not in hosts:
        return JSONResponse(
            {"detail": f"host {name!r} is not served here (start `facs serve --host "
                       f"{name}` to serve it)"},
            status_code=403,
        )  # fmt: skip
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        origin = request.headers.get("origin")
        site = request.headers.get("sec-fetch-site", "")
        foreign = site == "cross-site" or (
            origin is not None and origin_authority(origin) != host_header.lower()
        )
        if foreign:
            return JSONResponse(
                {"detail": f"refused: a change from another site ({origin or site}); "
                           "use the page itself"},
                status_code=403,
            )  # fmt: skip
    return await call_next(request)
