"""The FastAPI app of ``facs serve``: lexicon, explainer, coding and annotations.

Everything is served from the package and the workspace folder; nothing is
fetched from elsewhere. Ids that come from the client (videos, coders) are
checked against :data:`ID_PATTERN` and every path built from them is checked to
stay inside the workspace.

>>> import tempfile
>>> from fastapi.testclient import TestClient
>>> app = create_app(Path(tempfile.mkdtemp()))
>>> with TestClient(app, base_url="http://127.0.0.1") as client:
...     client.get("/api/explain", params={"code": "6+12"}).json()["code"]
'6+12'
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import math
import mimetypes
import os
import re
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from facs._errors import CodeError, FACSError, InputError
from facs.web import _db
from facs.web._jobs import Coder, Job, JobBusy, Jobs, default_coder
from facs.web._playback import PLAYBACK_NAME

__all__ = ["ID_PATTERN", "MAX_UPLOAD_BYTES", "VIDEO_SUFFIXES", "EventIn", "create_app"]

#: Ids of videos and coders: letters, digits, ``_`` and ``-``, at most 64.
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Default upload limit (bytes).
MAX_UPLOAD_BYTES = 500 * 1024 * 1024
#: Video suffixes accepted for upload and listed from ``videos/``.
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")
VIEWS = ("front", "three-quarter", "profile")
RENDER_SIZE = (360, 420)
_STATIC = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
#: Room for the multipart envelope around an upload, on top of the file itself.
_ENVELOPE = 64 * 1024
_CHUNK = 1024 * 1024
#: Whole numbers from the client (ids, revisions, faces) must fit SQLite's INTEGER.
_MAX_INT = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=_MAX_INT)]
#: An event's code is one item ("R12", "AD19"): a few characters; a long one is refused
#: before it is parsed.
_MAX_CODE = 32
#: Latest time an event may have (seconds; 10 days): one at 1e308 s was stored, then
#: could be exported neither to ELAN (a 500) nor sensibly to CSV (inf).
MAX_EVENT_S = 864_000.0
#: Most events one request may carry (a 20-minute take coded densely has a few thousand).
_MAX_EVENTS = 100_000
Revision = Annotated[int, Field(ge=0, le=_MAX_INT)]


class EventIn(BaseModel):
    """One event as the client sends it; checked like an events table row."""

    face: int = Field(0, ge=0, le=2**31 - 1)
    code: str = Field(max_length=_MAX_CODE)
    side: str = Field("", max_length=1)
    onset_s: float = Field(ge=0, le=MAX_EVENT_S, allow_inf_nan=False)
    apex_s: float = Field(ge=0, le=MAX_EVENT_S, allow_inf_nan=False)
    offset_s: float = Field(ge=0, le=MAX_EVENT_S, allow_inf_nan=False)
    peak: float = Field(0.0, ge=0, le=5, allow_inf_nan=False)
    letter: str = Field("", max_length=1)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        from facs.notation import Code

        try:
            parsed = Code.parse(value)
        except CodeError as err:
            raise ValueError(f"not a valid FACS code: {err}") from None
        if len(parsed) != 1:
            raise ValueError(f"an event has exactly one code, got {value!r}")
        return str(next(iter(parsed)))

    @field_validator("side")
    @classmethod
    def _side(cls, value: str) -> str:
        if value not in ("", "L", "R", "T", "B", "U"):
            raise ValueError(f"side must be empty, L, R, T, B or U, got {value!r}")
        return value

    @field_validator("letter")
    @classmethod
    def _letter(cls, value: str) -> str:
        if value not in ("", "A", "B", "C", "D", "E"):
            raise ValueError(f"letter must be empty or one of A–E, got {value!r}")
        return value

    @model_validator(mode="after")
    def _times(self) -> EventIn:
        from facs.notation import Action

        action = Action.parse(self.code)
        if action.intensity is not None:
            # events tables keep the letter apart from the code: "12" + "C", not "12C"
            if self.letter and self.letter != action.intensity:
                raise ValueError(
                    f"code {self.code!r} has intensity {action.intensity} but letter is "
                    f"{self.letter!r}"
                )
            self.letter = action.intensity
            self.code = str(dataclasses.replace(action, intensity=None))
        if not self.onset_s <= self.apex_s <= self.offset_s:
            raise ValueError(
                "times must satisfy onset_s ≤ apex_s ≤ offset_s, got "
                f"{self.onset_s:g}, {self.apex_s:g}, {self.offset_s:g}"
            )
        return self


class EventPatch(BaseModel):
    """Fields of an event to change; the merged event is checked as :class:`EventIn`."""

    face: int | None = Field(None, ge=0, le=2**31 - 1)
    code: str | None = Field(None, max_length=_MAX_CODE)
    side: str | None = Field(None, max_length=1)
    onset_s: float | None = None
    apex_s: float | None = None
    offset_s: float | None = None
    peak: float | None = None
    letter: str | None = Field(None, max_length=1)


class AnnotationsIn(BaseModel):
    """A whole event list and the revision it was edited from."""

    revision: Revision
    events: list[EventIn] = Field(max_length=_MAX_EVENTS)


class EventUpdate(BaseModel):
    """A stored event (by id) and its new values."""

    id: RowId
    event: EventIn


class ChangesIn(BaseModel):
    """One editor's changes since it loaded ``revision``: added, changed and deleted events."""

    revision: Revision
    add: list[EventIn] = Field([], max_length=_MAX_EVENTS)
    update: list[EventUpdate] = Field([], max_length=_MAX_EVENTS)
    delete: list[RowId] = Field([], max_length=_MAX_EVENTS)


def _message(errors: Any) -> str:
    parts = []
    for e in errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path"))
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts) or "invalid request"


#: Most face renders kept in the workspace's cache (~60 KB each); the oldest go first.
MAX_RENDERS = 2_000
#: Largest request body other than an upload (JSON: a whole event list is a few MB).
MAX_BODY_BYTES = 16 * 1024 * 1024


def _trim_cache(folder: Path, *, keep: int) -> None:
    """Delete the least recently written PNGs beyond ``keep``."""
    files = list(folder.glob("*.png"))
    if len(files) <= keep:
        return
    files.sort(key=lambda f: f.stat().st_mtime_ns)
    for old in files[: len(files) - keep]:
        old.unlink(missing_ok=True)


class _BodyLimit:
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


#: Host names the page answers to by default: this machine's loopback.
LOCAL_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")


def _host_name(host_header: str) -> str:
    """The name part of a Host header: ``127.0.0.1:8765`` → ``127.0.0.1``, ``[::1]:80`` → ``::1``.

    >>> _host_name("127.0.0.1:8765"), _host_name("[::1]:80"), _host_name("Evil.example")
    ('127.0.0.1', '::1', 'evil.example')
    """
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _origin_authority(origin: str) -> str:
    """``http://127.0.0.1:8765`` → ``127.0.0.1:8765`` (``null`` and junk give ``""``)."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(origin.strip()).netloc.lower()
    except ValueError:
        return ""


def _check_id(value: str, what: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise HTTPException(400, f"invalid {what} id {value!r}: use letters, digits, _ and -")
    return value


def _inside(base: Path, *parts: str) -> Path:
    path = base.joinpath(*parts).resolve()
    if not path.is_relative_to(base.resolve()):
        raise HTTPException(400, "path outside the workspace")
    return path


def _video_id(name: str) -> str:
    """The id of a file in ``videos/``: its stem if that is a valid id, else a safe one."""
    stem = Path(name).stem
    if ID_PATTERN.fullmatch(stem):
        return stem
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:48] or "video"
    return f"{safe}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def _static(name: str) -> bytes:
    return resources.files("facs.web").joinpath("static", name).read_bytes()


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
    root = Path(workspace).resolve()
    videos_dir, codings_dir, renders_dir = root / "videos", root / "codings", root / "renders"
    for folder in (root, videos_dir, codings_dir, renders_dir):
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

    def finished(job: Any) -> bool:
        """Did a job cut off by a stopped server write its whole coding anyway?"""
        out = codings_dir / str(job.video)
        names = ("frames.csv", "events.csv", "summary.json")
        return all((out / n).is_file() and (out / n).stat().st_mtime >= job.created for n in names)

    jobs = Jobs(
        coder or default_coder,
        persist=lambda job: _db.save_job(sessions, job),
        history=history,
        finished=finished,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(
        title="facs", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )  # fmt: skip
    app.state.workspace = root
    app.state.jobs = jobs
    app.state.engine = engine
    app.add_middleware(_BodyLimit, upload=max_upload)

    hosts = {h.strip("[]").lower() for h in allowed_hosts}

    @app.middleware("http")
    async def _same_site(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        host_header = request.headers.get("host", "")
        name = _host_name(host_header)
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
                origin is not None and _origin_authority(origin) != host_header.lower()
            )
            if foreign:
                return JSONResponse(
                    {"detail": f"refused: a change from another site ({origin or site}); "
                               "use the page itself"},
                    status_code=403,
                )  # fmt: skip
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _message(exc.errors())}, status_code=422)

    @app.exception_handler(FACSError)
    async def _facs_error(_request: Request, exc: FACSError) -> JSONResponse:
        return JSONResponse({"detail": " ".join(str(exc).split())}, status_code=422)

    # ------------------------------------------------------------------ page

    def _page() -> Response:
        return Response(_static("index.html"), media_type=_STATIC["index.html"])

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        return _page()

    @app.get("/au/{code}", include_in_schema=False)
    def deep_link(code: str) -> Response:
        return _page()

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in _STATIC:
            raise HTTPException(404, f"no static file {name!r}")
        return Response(_static(name), media_type=_STATIC[name])

    @app.get("/api/info")
    def info() -> dict[str, Any]:
        from facs import __version__

        return {"version": __version__, "max_upload": max_upload,
                "video_suffixes": list(VIDEO_SUFFIXES), "workspace": str(root)}  # fmt: skip

    # ------------------------------------------------------------------ lexicon

    @app.get("/api/codes")
    def codes() -> list[dict[str, Any]]:
        from facs.catalogue import catalogue

        out = []
        for key in catalogue:
            e = catalogue[key]
            out.append({
                "key": e.key, "label": e.label, "number": e.number, "name": e.name,
                "kind": e.kind, "region": e.region, "muscles": list(e.muscles),
                "legacy": e.legacy,
            })  # fmt: skip
        return out

    @app.get("/api/codes/{code}")
    def code_detail(code: str) -> dict[str, Any]:
        from facs.catalogue import catalogue
        from facs.emotions import explain_data
        from facs.notation import Code

        try:
            entry = catalogue[code]
        except (KeyError, FACSError) as err:
            raise HTTPException(404, f"no code {code!r} in the catalogue") from err
        parsed = Code.parse(entry.key)
        return {"entry": entry.to_dict(), **explain_data(parsed)}

    @app.get("/api/render/{code}.png")
    def render(code: str, view: str = "front") -> Response:
        from facs.notation import Code

        if view not in VIEWS:
            raise HTTPException(422, f"view must be one of {', '.join(VIEWS)}, got {view!r}")
        parsed = Code.parse(code)
        key = hashlib.sha1(f"{parsed}|{view}".encode()).hexdigest()[:20]
        target = _inside(renders_dir, f"{key}.png")
        if not target.exists():
            from PIL import Image

            from facs.synth import render_image

            image = render_image(parsed, view=view, size=RENDER_SIZE, label=False)
            buffer = io.BytesIO()
            Image.fromarray(image).save(buffer, format="PNG")
            fd, tmp = tempfile.mkstemp(dir=renders_dir, suffix=".part")
            with os.fdopen(fd, "wb") as handle:
                handle.write(buffer.getvalue())
            os.replace(tmp, target)
            _trim_cache(renders_dir, keep=MAX_RENDERS)
        return FileResponse(target, media_type="image/png",
                            headers={"Cache-Control": "max-age=86400"})  # fmt: skip

    # ------------------------------------------------------------------ explainer

    @app.get("/api/explain")
    def explain(code: Annotated[str, Query(max_length=500)]) -> dict[str, Any]:
        from facs.emotions import explain_data
        from facs.notation import Code

        try:
            parsed = Code.parse(code)
        except CodeError as err:
            raise HTTPException(
                422,
                {
                    "ok": False,
                    "message": " ".join(str(err).split()),
                    "token": err.token,
                    "position": err.position,
                    "text": err.text,
                },
            ) from None
        data = explain_data(parsed)
        return {"ok": True, **data, "explanation": data["actions"]}

    # ------------------------------------------------------------------ videos

    listing: list[tuple[int, dict[str, Path]]] = [(-1, {})]  # (videos/ mtime, videos by id)

    def _videos() -> dict[str, Path]:
        # Every video request looks its id up here (the player sends many range requests):
        # scan the folder again only when it changed (a file added, removed or renamed).
        mtime = videos_dir.stat().st_mtime_ns
        seen, found = listing[0]
        if seen != mtime:
            found = {}
            for path in sorted(videos_dir.iterdir()):
                if (
                    path.is_file()
                    and not path.name.startswith(".")
                    and path.suffix.lower() in VIDEO_SUFFIXES
                ):
                    found.setdefault(_video_id(path.name), path)
            listing[0] = (mtime, found)  # one assignment: threads see the old or the new
        return found

    def _video(video_id: str) -> tuple[str, Path]:
        _check_id(video_id, "video")
        path = _videos().get(video_id)
        if path is None:
            raise HTTPException(404, f"no video {video_id!r} in the workspace")
        resolved = path.resolve()
        if not resolved.is_relative_to(videos_dir):
            raise HTTPException(404, f"no video {video_id!r} in the workspace")
        return video_id, resolved

    def _coding_dir(video_id: str) -> Path:
        return _inside(codings_dir, _check_id(video_id, "video"))

    def _describe(video_id: str, path: Path) -> dict[str, Any]:
        job = jobs.latest(video_id)
        return {
            "id": video_id,
            "name": path.name,
            "size": path.stat().st_size,
            "coded": (_coding_dir(video_id) / "events.csv").is_file(),
            "playback_copy": (_coding_dir(video_id) / PLAYBACK_NAME).is_file(),
            "job": None if job is None else job.to_dict(),
        }

    @app.get("/api/videos")
    def list_videos() -> list[dict[str, Any]]:
        return [_describe(i, p) for i, p in _videos().items()]

    @app.post("/api/videos", status_code=201)
    async def upload(file: Annotated[UploadFile, File()]) -> dict[str, Any]:
        from facs.face import probe

        name = Path(file.filename or "video").name
        suffix = Path(name).suffix.lower()
        if suffix not in VIDEO_SUFFIXES:
            raise HTTPException(
                415, f"{name!r}: not a video file; use one of {', '.join(VIDEO_SUFFIXES)}"
            )
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(name).stem).strip("_")[:40] or "video"
        video_id = f"{stem}-{uuid.uuid4().hex[:8]}"
        target = _inside(videos_dir, video_id + suffix)
        part = _inside(videos_dir, f".{video_id}-part{suffix}")
        size = 0
        try:
            with part.open("wb") as handle:
                while chunk := await file.read(_CHUNK):
                    size += len(chunk)
                    if size > max_upload:
                        raise HTTPException(
                            413, f"{name!r} is larger than the limit of {max_upload} bytes"
                        )
                    handle.write(chunk)
            if size == 0:
                raise HTTPException(422, f"{name!r} is empty")
            try:
                info = probe(part)
            except FACSError:
                info = None
            if info is None or info.kind != "video":
                raise HTTPException(415, f"{name!r} is not a video that can be decoded")
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        out = _describe(video_id, target)
        out.update(duration_s=info.duration_s, width=info.width, height=info.height, fps=info.fps)
        return out

    @app.get("/api/videos/{video_id}")
    def video_info(video_id: str) -> dict[str, Any]:
        vid, path = _video(video_id)
        out = _describe(vid, path)
        out["coders"] = _db.coders(sessions, vid)
        return out

    @app.get("/api/videos/{video_id}/media")
    def media(video_id: str, original: bool = False) -> FileResponse:
        vid, path = _video(video_id)
        copy = _coding_dir(vid) / PLAYBACK_NAME
        if copy.is_file() and not original:
            path = copy  # the browser cannot play the original (see facs.web._playback)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=kind)

    @app.post("/api/videos/{video_id}/code", status_code=202)
    def start_coding(video_id: str) -> dict[str, Any]:
        vid, path = _video(video_id)
        try:
            job = jobs.start(vid, path, _coding_dir(vid))
        except JobBusy as err:
            raise HTTPException(409, str(err)) from None
        return job.to_dict()

    def _job(job_id: str, action: Callable[[str], Job | None]) -> dict[str, Any]:
        job = action(_check_id(job_id, "job"))
        if job is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return job.to_dict()

    @app.get("/api/jobs/{job_id}")
    def job_state(job_id: str) -> dict[str, Any]:
        return _job(job_id, jobs.get)

    @app.post("/api/jobs/{job_id}/cancel", status_code=202)
    def cancel_job(job_id: str) -> dict[str, Any]:
        return _job(job_id, jobs.cancel)

    def _coded(video_id: str, name: str) -> Path:
        _video(video_id)
        path = _inside(_coding_dir(video_id), name)
        if not path.is_file():
            raise HTTPException(404, f"video {video_id!r} is not coded yet")
        return path

    @app.get("/api/videos/{video_id}/frames")
    def frames(
        video_id: str, face: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None
    ) -> dict[str, Any]:
        from facs.formats import read_frames
        from facs.series import CODE_COLUMNS

        table = read_frames(_coded(video_id, "frames.csv"))
        faces = sorted(int(f) for f in table["face"].unique() if f >= 0)
        chosen = face if face is not None else (faces[0] if faces else 0)
        rows = table[(table["face"] == chosen) | (table["face"] < 0)].sort_values("time_s")
        active = [c for c in CODE_COLUMNS if c in rows and bool((rows[c] > 0.05).any())]
        return {
            "face": chosen,
            "faces": faces,
            "time_s": [round(float(t), 4) for t in rows["time_s"]],
            "success": [int(s) for s in rows["success"]],
            "code": [str(c) if isinstance(c, str) else "" for c in rows.get("code", [])],
            "columns": active,
            "values": {c: [round(float(v), 2) for v in rows[c]] for c in active},
        }

    @app.get("/api/videos/{video_id}/events")
    def events(video_id: str) -> list[dict[str, Any]]:
        from facs.formats import read_events

        table = read_events(_coded(video_id, "events.csv"))
        return [_event_dict(r) for r in table.to_dict("records")]

    # ------------------------------------------------------------------ annotations

    def _ids(video_id: str, coder_id: str) -> str:
        vid, _ = _video(video_id)
        _check_id(coder_id, "coder")
        return vid

    def _annotation_table(video_id: str, coder_id: str) -> Any:
        import pandas as pd

        from facs.formats import EVENT_COLUMNS

        vid = _ids(video_id, coder_id)
        snapshot = _db.load(sessions, vid, coder_id)
        if not snapshot.exists:
            raise HTTPException(404, f"coder {coder_id!r} has no annotations of {vid!r}")
        return pd.DataFrame(snapshot.events, columns=list(EVENT_COLUMNS))

    @app.get("/api/videos/{video_id}/annotations/{coder_id}.csv")
    def export_csv(video_id: str, coder_id: str) -> Response:
        from facs.formats import write_events

        table = _annotation_table(video_id, coder_id)
        with tempfile.TemporaryDirectory() as tmp:
            data = write_events(table, Path(tmp) / "events.csv").read_bytes()
        return _download(data, "text/csv", f"{video_id}-{coder_id}.csv")

    @app.get("/api/videos/{video_id}/annotations/{coder_id}.eaf")
    def export_eaf(video_id: str, coder_id: str) -> Response:
        from facs.formats import write_eaf

        table = _annotation_table(video_id, coder_id)
        _, media_path = _video(video_id)
        with tempfile.TemporaryDirectory() as tmp:
            out = write_eaf(table, Path(tmp) / "events.eaf", media=media_path, author=coder_id)
            data = out.read_bytes()
        return _download(data, "application/xml", f"{video_id}-{coder_id}.eaf")

    @app.get("/api/videos/{video_id}/annotations/{coder_id}")
    def get_annotations(video_id: str, coder_id: str) -> dict[str, Any]:
        vid = _ids(video_id, coder_id)
        snapshot = _db.load(sessions, vid, coder_id)
        return {
            "video": vid,
            "coder": coder_id,
            "saved": snapshot.exists,
            "revision": snapshot.revision,
            "events": snapshot.events,
        }

    @app.put("/api/videos/{video_id}/annotations/{coder_id}")
    def put_annotations(video_id: str, coder_id: str, body: AnnotationsIn) -> dict[str, Any]:
        vid = _ids(video_id, coder_id)
        try:
            snapshot = _db.replace(
                sessions, vid, coder_id, [e.model_dump() for e in body.events], body.revision
            )
        except _db.StaleRevision as err:
            raise HTTPException(
                409,
                f"these annotations were saved elsewhere (now revision {err.current}, "
                f"you edited revision {body.revision}); reload before saving",
            ) from None
        return {"video": vid, "coder": coder_id, "saved": True,
                "revision": snapshot.revision, "events": snapshot.events}  # fmt: skip

    @app.post("/api/videos/{video_id}/annotations/{coder_id}/changes")
    def post_changes(video_id: str, coder_id: str, body: ChangesIn) -> dict[str, Any]:
        vid = _ids(video_id, coder_id)
        try:
            snapshot = _db.apply_changes(
                sessions, vid, coder_id, body.revision,
                add=[e.model_dump() for e in body.add],
                update={u.id: u.event.model_dump() for u in body.update},
                remove=list(body.delete),
            )  # fmt: skip
        except _db.Conflict as err:
            raise _conflict(err) from None
        except _db.StaleRevision as err:
            raise HTTPException(
                409, f"revision {body.revision} is newer than the stored {err.current}"
            ) from None
        return {"video": vid, "coder": coder_id, "saved": True,
                "revision": snapshot.revision, "events": snapshot.events}  # fmt: skip

    @app.post("/api/videos/{video_id}/annotations/{coder_id}/events", status_code=201)
    def add_event(video_id: str, coder_id: str, body: EventIn) -> dict[str, Any]:
        vid = _ids(video_id, coder_id)
        row, revision = _db.add_event(sessions, vid, coder_id, body.model_dump())
        return {"event": row, "revision": revision}

    @app.patch("/api/videos/{video_id}/annotations/{coder_id}/events/{event_id}")
    def patch_event(
        video_id: str,
        coder_id: str,
        event_id: Annotated[int, PathParam(ge=1, le=_MAX_INT)],
        body: EventPatch,
        base: Annotated[int | None, Query(ge=0, le=_MAX_INT)] = None,
    ) -> dict[str, Any]:
        vid = _ids(video_id, coder_id)
        current = _db.get_event(sessions, vid, coder_id, event_id)
        if current is None:
            raise HTTPException(404, f"no event {event_id} for coder {coder_id!r}")
        merged = {k: v for k, v in current.items() if k != "id"}
        merged.update(body.model_dump(exclude_none=True))
        try:
            values = EventIn.model_validate(merged).model_dump()
        except ValidationError as err:
            raise HTTPException(422, _message(err.errors())) from None
        try:
            result = _db.update_event(sessions, vid, coder_id, event_id, values, base)
        except _db.Conflict as err:
            raise _conflict(err) from None
        if result is None:
            raise HTTPException(404, f"no event {event_id} for coder {coder_id!r}")
        return {"event": result[0], "revision": result[1]}

    @app.delete("/api/videos/{video_id}/annotations/{coder_id}/events/{event_id}")
    def remove_event(
        video_id: str,
        coder_id: str,
        event_id: Annotated[int, PathParam(ge=1, le=_MAX_INT)],
        base: Annotated[int | None, Query(ge=0, le=_MAX_INT)] = None,
    ) -> dict[str, Any]:
        vid = _ids(video_id, coder_id)
        try:
            revision = _db.delete_event(sessions, vid, coder_id, event_id, base)
        except _db.Conflict as err:
            raise _conflict(err) from None
        if revision is None:
            raise HTTPException(404, f"no event {event_id} for coder {coder_id!r}")
        return {"deleted": event_id, "revision": revision}

    return app


def _conflict(err: _db.Conflict) -> HTTPException:
    reasons = "; ".join(f"event {c['id']} {c['reason']}" for c in err.conflicts)
    return HTTPException(
        409,
        {
            "message": f"not saved: {reasons} (now revision {err.current}); reload to see them",
            "revision": err.current,
            "conflicts": err.conflicts,
        },
    )


def _download(data: bytes, media_type: str, name: str) -> Response:
    disposition = f'attachment; filename="{name}"'
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def _event_dict(record: Mapping[Hashable, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter"):
        value = record.get(key)
        if key == "face":
            out[key] = int(value) if value is not None else 0
        elif key in ("code", "side", "letter"):
            out[key] = "" if value is None or value != value else str(value)
        else:
            out[key] = round(float(value if value is not None else math.nan), 4)
    return out
