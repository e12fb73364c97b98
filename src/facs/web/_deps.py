"""What the web app's routers share: the workspace on ``app.state`` and the checks of ids.

:func:`facs.web.app.create_app` stores one :class:`WebState` as ``app.state.web``;
route handlers receive it through the :data:`Web` dependency, so two apps in one
process never share anything. Ids that come from the client (videos, coders,
jobs) are checked against :data:`ID_PATTERN`, and every path built from them is
checked to stay inside the workspace.

>>> _video_id("take one.mp4").startswith("take_one-"), _video_id("take1.mp4")
(True, 'take1')
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

from fastapi import Depends, HTTPException, Request

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from facs.web._jobs import Jobs

__all__ = [
    "ID_PATTERN",
    "VIDEO_SUFFIXES",
    "Web",
    "WebState",
    "check_id",
    "get_web",
    "inside",
    "message",
]

#: Ids of videos and coders: letters, digits, ``_`` and ``-``, at most 64.
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Video suffixes accepted for upload and listed from ``videos/``.
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")


def check_id(value: str, what: str) -> str:
    """``value`` if it is a valid id, else a 400 naming ``what`` (video, coder, job)."""
    if not ID_PATTERN.fullmatch(value):
        raise HTTPException(400, f"invalid {what} id {value!r}: use 1-64 letters, digits, _ and -")
    return value


def inside(base: Path, *parts: str) -> Path:
    """``base / parts`` resolved, or a 400 if that leaves ``base``."""
    path = base.joinpath(*parts).resolve()
    if not path.is_relative_to(base.resolve()):
        raise HTTPException(400, "path outside the workspace")
    return path


def message(errors: Any) -> str:
    """Pydantic's validation errors as one line: ``events.0.code: not a valid FACS code …``."""
    parts = []
    for e in errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path"))
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts) or "invalid request"


def _video_id(name: str) -> str:
    """The id of a file in ``videos/``: its stem if that is a valid id, else a safe one."""
    stem = Path(name).stem
    if ID_PATTERN.fullmatch(stem):
        return stem
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:48] or "video"
    return f"{safe}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


@dataclasses.dataclass(eq=False)
class WebState:
    """One app's workspace, database, jobs and settings (``app.state.web``)."""

    root: Path
    engine: Engine
    sessions: sessionmaker[Session]
    jobs: Jobs
    max_upload: int
    #: Host names the page answers to (lower case, no brackets); ``"*"`` answers any.
    hosts: frozenset[str]
    #: ``videos/``'s mtime when it was last listed, and its videos by id then.
    _listing: tuple[int, dict[str, Path]] = dataclasses.field(
        default_factory=lambda: (-1, {}), init=False, repr=False
    )

    @property
    def videos_dir(self) -> Path:
        """Where the videos are (uploaded or copied in)."""
        return self.root / "videos"

    @property
    def codings_dir(self) -> Path:
        """Where each video's coding is written, one folder per video id."""
        return self.root / "codings"

    @property
    def renders_dir(self) -> Path:
        """The cache of rendered faces."""
        return self.root / "renders"

    def videos(self) -> dict[str, Path]:
        """The workspace's videos by id."""
        # Every video request looks its id up here (the player sends many range requests):
        # scan the folder again only when it changed (a file added, removed or renamed).
        mtime = self.videos_dir.stat().st_mtime_ns
        seen, found = self._listing
        if seen != mtime:
            found = {}
            for path in sorted(self.videos_dir.iterdir()):
                if (
                    path.is_file()
                    and not path.name.startswith(".")
                    and path.suffix.lower() in VIDEO_SUFFIXES
                ):
                    found.setdefault(_video_id(path.name), path)
            self._listing = (mtime, found)  # one assignment: threads see the old or the new
        return found

    def video(self, video_id: str) -> tuple[str, Path]:
        """The checked id and resolved path of a video, or a 400 or 404."""
        check_id(video_id, "video")
        path = self.videos().get(video_id)
        if path is None:
            raise HTTPException(404, f"no video {video_id!r} in the workspace")
        resolved = path.resolve()
        if not resolved.is_relative_to(self.videos_dir):
            raise HTTPException(404, f"no video {video_id!r} in the workspace")
        return video_id, resolved

    @property
    def actors_dir(self) -> Path:
        """Actor files from ``facs calibrate`` that coding from the page may use."""
        return self.root / "actors"

    def actors(self) -> list[str]:
        """The names of the actor files in ``actors/`` (``NAME.json``)."""
        folder = self.actors_dir
        found = folder.glob("*.json") if folder.is_dir() else []
        return sorted(p.stem for p in found if ID_PATTERN.fullmatch(p.stem))

    def coding_dir(self, video_id: str) -> Path:
        """The folder of a video's coding (which may not exist yet)."""
        return inside(self.codings_dir, check_id(video_id, "video"))


async def get_web(request: Request) -> WebState:
    """The dependency behind :data:`Web`: the app's :class:`WebState`."""
    return cast(WebState, request.app.state.web)


#: A route handler's parameter ``web: Web`` receives its app's :class:`WebState`.
Web = Annotated[WebState, Depends(get_web)]
