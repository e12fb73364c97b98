"""The FastAPI app of ``facs serve``: lexicon, explainer, coding and annotations.

Everything is served from the package and the workspace folder; nothing is
fetched from elsewhere. Ids that come from the client (videos, coders) are
checked against :data:`ID_PATTERN` and every path built from them is checked to
stay inside the workspace.

:func:`create_app` keeps one :class:`~facs.web._deps.WebState` on ``app.state``
and includes three routers: the page and lexicon (``_routes_lexicon``), the
videos and their coding jobs (``_routes_videos``) and the annotations
(``_routes_annotations``); the host, origin and size checks are middleware
(``_guards``).

>>> import tempfile
>>> from fastapi.testclient import TestClient
>>> app = create_app(Path(tempfile.mkdtemp()))
>>> with TestClient(app, base_url="http://127.0.0.1") as client:
...     client.get("/api/explain", params={"code": "6+12"}).json()["code"]
'6+12'
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

from facs._errors import FACSError, InputError
from facs.web import _db, _routes_annotations, _routes_lexicon, _routes_videos
from facs.web._deps import ID_PATTERN, VIDEO_SUFFIXES, WebState, message
from facs.web._guards import LOCAL_HOSTS as LOCAL_HOSTS
from facs.web._guards import BodyLimit, same_site
from facs.web._jobs import Coder, Job, Jobs, default_coder
from facs.web._routes_annotations import EventIn

__all__ = ["ID_PATTERN", "MAX_UPLOAD_BYTES", "VIDEO_SUFFIXES", "EventIn", "create_app"]

#: Default upload limit (bytes).
MAX_UPLOAD_BYTES = 500 * 1024 * 1024


def create_app(
    workspace: Path,
    *,
    max_upload: int = MAX_UPLOAD_BYTES,
    coder: Coder | None = None,
    allowed_hosts: Sequence[str] = LOCAL_HOSTS,
) -> FastAPI:
    """Build the web app over a workspace folder.

    Parameters
    ----------
    workspace : pathlib.Path
        The folder that holds ``videos/``, ``codings/``, ``renders/`` and
        ``facs.sqlite``; created when missing.
    max_upload : int
        Largest accepted upload, in bytes.
    coder : callable, optional
        ``coder(video, outdir, progress)``; default runs :func:`facs.code`.
    allowed_hosts : sequence of str
        Host names the page answers to (the ``Host`` header, port aside);
        ``"*"`` answers any. Other hosts get 403: a web page the user visits
        could otherwise point its own name at 127.0.0.1 (DNS rebinding) and
        read and write everything. A request that changes something must also
        come from the page itself: an ``Origin`` header, when sent, must name
        the same host and port (browsers send it on every cross-site write).

    Returns
    -------
    fastapi.FastAPI
    """
    web = _open(Path(workspace).resolve(), coder or default_coder, max_upload, allowed_hosts)
    app = FastAPI(
        title="facs", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
        lifespan=_lifespan,
        exception_handlers={RequestValidationError: _invalid, FACSError: _facs_error},
    )  # fmt: skip
    app.state.web = web
    app.state.workspace, app.state.jobs, app.state.engine = web.root, web.jobs, web.engine
    app.add_middleware(BodyLimit, upload=max_upload)
    app.add_middleware(BaseHTTPMiddleware, dispatch=same_site)  # outermost: runs first
    for module in (_routes_lexicon, _routes_videos, _routes_annotations):
        app.include_router(module.router)
    return app


def _open(root: Path, coder: Coder, max_upload: int, allowed_hosts: Sequence[str]) -> WebState:
    """The workspace's folders, database and job history, made ready for one app."""
    for folder in (root, root / "videos", root / "codings", root / "renders"):
        folder.mkdir(parents=True, exist_ok=True)
    from sqlalchemy.exc import DatabaseError

    database = root / "facs.sqlite"
    try:
        engine = _db.make_engine(database)
        sessions = _db.make_sessions(engine)
        history = _db.load_jobs(sessions)
    except DatabaseError as err:
        raise InputError(
            f"{database}: the workspace database is damaged ({err.orig}); move it aside to "
            "start with an empty one (annotations in it are then not shown)"
        ) from None

    def finished(job: Job) -> bool:
        """Did a job cut off by a stopped server write its whole coding anyway?"""
        out = root / "codings" / str(job.video)
        names = ("frames.csv", "events.csv", "summary.json")
        return all((out / n).is_file() and (out / n).stat().st_mtime >= job.created for n in names)

    jobs = Jobs(
        coder,
        persist=lambda job: _db.save_job(sessions, job),
        history=history,
        finished=finished,
    )
    hosts = frozenset(h.strip("[]").lower() for h in allowed_hosts)
    return WebState(root, engine, sessions, jobs, max_upload, hosts)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.web.jobs.shutdown()


async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({"detail": message(exc.errors())}, status_code=422)


async def _facs_error(_request: Request, exc: FACSError) -> JSONResponse:
    return JSONResponse({"detail": " ".join(str(exc).split())}, status_code=422)
