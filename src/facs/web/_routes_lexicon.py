"""Routes of the page itself, its assets, the lexicon, face renders and the explainer.

The page's files are served from the package under names listed in
:data:`STATIC` only (any other name is a 404, so no path can leave the folder);
its scripts are ES modules, served as ``text/javascript``.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse, Response

from facs._errors import CodeError, FACSError
from facs.web._deps import VIDEO_SUFFIXES, Web, inside

__all__ = ["MAX_RENDERS", "RENDER_SIZE", "SCRIPTS", "STATIC", "VIEWS", "router", "trim_cache"]

VIEWS = ("front", "three-quarter", "profile")
RENDER_SIZE = (360, 420)
#: Most face renders kept in the workspace's cache (~60 KB each); the oldest go first.
MAX_RENDERS = 2_000
#: The page's scripts: ES modules, loaded by ``app.js`` (the entry module) with no build step.
SCRIPTS = (
    "app", "dom", "api", "lexicon", "explainer", "state", "events", "timeline", "annotations",
    "editor", "videos", "coding",
)  # fmt: skip
#: The files under ``static/`` that are served, and their media types.
STATIC = {
    "index.html": "text/html; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
    **{f"{name}.js": "text/javascript; charset=utf-8" for name in SCRIPTS},
}

router = APIRouter()


@cache
def _renderer_fingerprint() -> str:
    """A digest of the synthesiser's code and data: old cached renders are not served."""
    digest = hashlib.sha1()
    for item in sorted(resources.files("facs.synth").iterdir(), key=lambda i: i.name):
        if item.is_file() and item.name.endswith((".py", ".npz", ".toml", ".json")):
            digest.update(item.name.encode())
            digest.update(item.read_bytes())
    return digest.hexdigest()[:12]


def trim_cache(folder: Path, *, keep: int) -> None:
    """Delete the least recently written PNGs beyond ``keep``."""
    files = list(folder.glob("*.png"))
    if len(files) <= keep:
        return
    files.sort(key=lambda f: f.stat().st_mtime_ns)
    for old in files[: len(files) - keep]:
        old.unlink(missing_ok=True)


def _static(name: str) -> bytes:
    return resources.files("facs.web").joinpath("static", name).read_bytes()


# ---------------------------------------------------------------------- page


def _page() -> Response:
    return Response(_static("index.html"), media_type=STATIC["index.html"])


@router.get("/", include_in_schema=False)
def index() -> Response:
    return _page()


@router.get("/au/{code}", include_in_schema=False)
def deep_link(code: str) -> Response:
    return _page()


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    if name not in STATIC:
        raise HTTPException(404, f"no static file {name!r}")
    return Response(_static(name), media_type=STATIC[name])


@router.get("/api/info")
def info(web: Web) -> dict[str, Any]:
    from facs import __version__

    return {"version": __version__, "max_upload": web.max_upload,
            "video_suffixes": list(VIDEO_SUFFIXES), "workspace": str(web.root),
            "actors": web.actors()}  # fmt: skip


# ---------------------------------------------------------------------- lexicon


@router.get("/api/codes")
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


@router.get("/api/codes/{code}")
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


@router.get("/api/faces")
def faces() -> list[str]:
    """Who each face the synthesiser draws is (``identity`` of ``/api/render``)."""
    from facs.synth import identities

    return list(identities())


@router.get("/api/render/{code}.png")
def render(code: str, web: Web, view: str = "front", identity: int = 0) -> Response:
    from facs.notation import Code
    from facs.synth import identities

    if view not in VIEWS:
        raise HTTPException(422, f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    if not 0 <= identity < len(identities()):
        raise HTTPException(422, f"identity must be 0-{len(identities()) - 1}, got {identity}")
    parsed = Code.parse(code)
    key = hashlib.sha1(
        f"{parsed}|{view}|{identity}|{_renderer_fingerprint()}".encode()
    ).hexdigest()[:20]
    renders_dir = web.renders_dir
    target = inside(renders_dir, f"{key}.png")
    if not target.exists():
        from PIL import Image

        from facs.synth import render_image

        image = render_image(parsed, view=view, size=RENDER_SIZE, label=False, identity=identity)
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG")
        fd, tmp = tempfile.mkstemp(dir=renders_dir, suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, target)
        trim_cache(renders_dir, keep=MAX_RENDERS)
    return FileResponse(target, media_type="image/png",
                        headers={"Cache-Control": "max-age=86400"})  # fmt: skip


# ---------------------------------------------------------------------- explainer


@router.get("/api/explain")
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
