"""Routes of the workspace's videos and their coding jobs: list, upload, play, code, review.

A video's id is its file's stem in ``videos/`` (or a safe one made from it);
its coding goes to ``codings/<id>/``. One coding job runs at a time
(:class:`facs.web._jobs.Jobs`); the page polls its state.
"""

from __future__ import annotations

import math
import mimetypes
import os
import re
import uuid
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from facs._errors import FACSError
from facs._validate import MAX_TAKE_S
from facs.web import _db
from facs.web._deps import VIDEO_SUFFIXES, Web, WebState, check_id, inside
from facs.web._jobs import ACTIVE, Job, JobBusy
from facs.web._playback import PLAYBACK_NAME

__all__ = ["router"]

#: Bytes read from an upload at a time.
_CHUNK = 1024 * 1024

router = APIRouter()


def _describe(web: WebState, video_id: str, path: Path) -> dict[str, Any]:
    job = web.jobs.latest(video_id)
    return {
        "id": video_id,
        "name": path.name,
        "size": path.stat().st_size,
        "coded": (web.coding_dir(video_id) / "events.csv").is_file(),
        "playback_copy": (web.coding_dir(video_id) / PLAYBACK_NAME).is_file(),
        "job": None if job is None else job.to_dict(),
    }


@router.get("/api/videos")
def list_videos(web: Web) -> list[dict[str, Any]]:
    return [_describe(web, i, p) for i, p in web.videos().items()]


def _image_demuxer(path: Path) -> bool:
    """Whether FFmpeg reads ``path`` as a still image (a photo renamed ``.mp4`` opens as a
    one-frame "video" through an image demuxer such as ``png_pipe``); a recording without
    a duration in its header (a browser's WebM) is a video."""
    import av

    try:
        with av.open(str(path)) as container:
            name = container.format.name
    except (av.FFmpegError, OSError):
        return False
    return name == "image2" or name.endswith("_pipe")


@router.post("/api/videos", status_code=201)
async def upload(file: Annotated[UploadFile, File()], web: Web) -> dict[str, Any]:
    from facs.face import probe

    name = Path(file.filename or "video").name
    suffix = Path(name).suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise HTTPException(
            415, f"{name!r}: not a video file; use one of {', '.join(VIDEO_SUFFIXES)}"
        )
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(name).stem).strip("_")[:40] or "video"
    video_id = f"{stem}-{uuid.uuid4().hex[:8]}"
    target = inside(web.videos_dir, video_id + suffix)
    part = inside(web.videos_dir, f".{video_id}-part{suffix}")
    size = 0
    try:
        with part.open("wb") as handle:
            while chunk := await file.read(_CHUNK):
                size += len(chunk)
                if size > web.max_upload:
                    raise HTTPException(
                        413, f"{name!r} is larger than the limit of {web.max_upload} bytes"
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
        if (info.n_frames is not None and info.n_frames < 2) or _image_demuxer(part):
            # a photo renamed .mp4 opens as a one-frame "video" with no length
            raise HTTPException(415, f"{name!r} holds a single image, not a video")
        try:
            probe(part, whole=True)  # a cut-off upload is named now, not when coding fails
        except FACSError as err:
            reason = str(err).removeprefix(f"{part}: ")
            raise HTTPException(415, f"{name!r}: {reason}") from None
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    out = _describe(web, video_id, target)
    out.update(duration_s=info.duration_s, width=info.width, height=info.height, fps=info.fps)
    return out


@router.get("/api/videos/{video_id}")
def video_info(video_id: str, web: Web) -> dict[str, Any]:
    vid, path = web.video(video_id)
    out = _describe(web, vid, path)
    out["coders"] = _db.coders(web.sessions, vid)
    return out


@router.get("/api/videos/{video_id}/media")
def media(video_id: str, web: Web, original: bool = False) -> FileResponse:
    vid, path = web.video(video_id)
    copy = web.coding_dir(vid) / PLAYBACK_NAME
    if copy.is_file() and not original:
        path = copy  # the browser cannot play the original (see facs.web._playback)
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=kind)


#: An unknown field is refused (422 naming it), not ignored: a typo would lose data.
_STRICT = ConfigDict(extra="forbid")


class CodeOptions(BaseModel):
    """What ``facs code`` would take as options: a range, a neutral span, an actor."""

    model_config = _STRICT

    start: float | None = Field(None, ge=0, le=MAX_TAKE_S)
    end: float | None = Field(None, gt=0, le=MAX_TAKE_S)
    neutral: str | None = Field(None, max_length=40)
    actor: str | None = Field(None, max_length=64)

    @model_validator(mode="after")
    def _check(self) -> CodeOptions:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"end {self.end:g} is not after start {self.start:g}")
        if self.neutral:
            from facs._validate import parse_span

            parse_span(self.neutral)  # an InputError says what is wrong (a ValueError)
        return self


@router.post("/api/videos/{video_id}/code", status_code=202)
def start_coding(video_id: str, web: Web, body: CodeOptions | None = None) -> dict[str, Any]:
    vid, path = web.video(video_id)
    options: dict[str, Any] = {}
    if body is not None:
        from facs._validate import parse_span

        options = {k: v for k, v in body.model_dump().items() if v not in (None, "")}
        if "neutral" in options:
            options["neutral"] = parse_span(options["neutral"])
        if "actor" in options:
            if options["actor"] not in web.actors():
                raise HTTPException(400, f"no actor {options['actor']!r} in {web.actors_dir}")
            options["actor"] = web.actors_dir / f"{options['actor']}.json"
    try:
        job = web.jobs.start(vid, path, web.coding_dir(vid), options)
    except JobBusy as err:
        raise HTTPException(409, str(err)) from None
    return job.to_dict()


# ---------------------------------------------------------------------- jobs


def _job(job_id: str, action: Callable[[str], Job | None]) -> dict[str, Any]:
    job = action(check_id(job_id, "job"))
    if job is None:
        raise HTTPException(404, f"no job {job_id!r}")
    return job.to_dict()


@router.get("/api/jobs/{job_id}")
def job_state(job_id: str, web: Web) -> dict[str, Any]:
    return _job(job_id, web.jobs.get)


@router.post("/api/jobs/{job_id}/cancel", status_code=202)
def cancel_job(job_id: str, web: Web) -> dict[str, Any]:
    """Ask a queued or running job to stop; a job that has ended gets 409, naming its state."""
    job = _job(job_id, web.jobs.cancel)
    if job["state"] not in ACTIVE:
        raise HTTPException(409, f"job {job_id!r} has already ended: {job['state']}")
    return job


# ---------------------------------------------------------------------- a coding


def _coded(web: WebState, video_id: str, name: str) -> Path:
    web.video(video_id)
    path = inside(web.coding_dir(video_id), name)
    if not path.is_file():
        raise HTTPException(404, f"video {video_id!r} is not coded yet")
    return path


@router.get("/api/videos/{video_id}/frames")
def frames(
    video_id: str, web: Web, face: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None
) -> dict[str, Any]:
    from facs.formats import read_frames
    from facs.series import CODE_COLUMNS

    table = read_frames(_coded(web, video_id, "frames.csv"))
    faces = sorted(int(f) for f in table["face"].unique() if f >= 0)
    if face is not None and faces and face not in faces:  # no face at all: the page's face 0
        seen = ", ".join(map(str, faces)) or "none"
        raise HTTPException(404, f"no face {face} in video {video_id!r} (faces: {seen})")
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


@router.get("/api/videos/{video_id}/events")
def events(video_id: str, web: Web) -> list[dict[str, Any]]:
    from facs.formats import read_events

    table = read_events(_coded(web, video_id, "events.csv"))
    return [_event_dict(r) for r in table.to_dict("records")]


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
