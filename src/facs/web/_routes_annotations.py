"""Routes of named coders' annotations: load, save, merge, edit one event, export.

Each coder's event list of a video is stored in the workspace database
(:mod:`facs.web._db`) with a revision number: a whole-list save quotes the
revision it was edited from, and a list of changes is merged unless it touches
an event another save changed too (409, with the conflicting events).
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from facs._errors import CodeError
from facs._validate import MAX_TAKE_S
from facs.web import _db
from facs.web._deps import Web, WebState, check_id, message

__all__ = [
    "MAX_EVENT_S",
    "AnnotationsIn",
    "ChangesIn",
    "EventIn",
    "EventPatch",
    "EventUpdate",
    "router",
]

#: Whole numbers from the client (ids, revisions, faces) must fit SQLite's INTEGER.
_MAX_INT = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=_MAX_INT)]
Revision = Annotated[int, Field(ge=0, le=_MAX_INT, strict=True)]  # true is no revision
#: An event's code is one item ("R12", "AD19"): a few characters; a long one is refused
#: before it is parsed.
_MAX_CODE = 32
#: Latest time an event may have (seconds; 10 days): one at 1e308 s was stored, then
#: could be exported neither to ELAN (a 500) nor sensibly to CSV (inf).
MAX_EVENT_S = MAX_TAKE_S
#: Sides an event may have (the events table's ``side``); a code's own prefix among them
#: must agree with it.
_SIDES = ("L", "R", "T", "B", "U")
#: Most events one request may carry (a 20-minute take coded densely has a few thousand).
_MAX_EVENTS = 100_000


#: An unknown field is refused (422 naming it), not ignored: a typo would lose data.
_STRICT = ConfigDict(extra="forbid")


class EventIn(BaseModel):
    """One event as the client sends it; checked like an events table row."""

    model_config = _STRICT

    face: int = Field(0, ge=0, le=2**31 - 1)
    code: str = Field(max_length=_MAX_CODE)
    side: str = Field("", max_length=1)
    onset_s: float = Field(ge=0, le=MAX_EVENT_S, allow_inf_nan=False)
    apex_s: float = Field(ge=0, le=MAX_EVENT_S, allow_inf_nan=False)
    offset_s: float = Field(ge=0, le=MAX_EVENT_S, allow_inf_nan=False)
    #: The intensity at the apex, 0–5; left out, the letter's own (C: 3, none: 0).
    peak: float | None = Field(None, ge=0, le=5, allow_inf_nan=False)
    letter: str = Field("", max_length=1)

    @model_validator(mode="before")
    @classmethod
    def _drop_id(cls, value: Any) -> Any:
        # an event as GET returns it carries its "id": sent back unchanged (a PUT of the
        # list just read) it is not an unknown field; the id is the store's, not the client's
        if isinstance(value, dict) and "id" in value:
            return {k: v for k, v in value.items() if k != "id"}
        return value

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        from facs.notation import Code

        try:
            parsed = Code.parse(value)
        except CodeError as err:
            raise ValueError(f"not a valid FACS code: {err}") from None
        if len(parsed) == 0:
            raise ValueError(f"{value!r} is no action (the neutral face): an event has one code")
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
            action = dataclasses.replace(action, intensity=None)
            self.code = str(action)
        # the side and the code's prefix say one thing ("L12" with side L, as facs writes
        # them); a side given to a bare code becomes its prefix, if FACS allows it there
        if action.side is not None and action.side in _SIDES:
            if self.side and self.side != action.side:
                raise ValueError(f"code {self.code!r} is side {action.side} but side is "
                                 f"{self.side!r}")  # fmt: skip
            self.side = action.side
        elif self.side:
            if action.movement:
                raise ValueError(f"code {self.code!r} is a movement (M prefix) and takes no "
                                 f"side, got side {self.side!r}")  # fmt: skip
            if action.side is not None:
                raise ValueError(f"code {self.code!r} has its own prefix; side must be empty, "
                                 f"got {self.side!r}")  # fmt: skip
            self.code = self._item(f"{self.side}{self.code}")
        if self.letter:
            self._item(f"{self.code}{self.letter}")  # e.g. 70 takes no letter
        self.peak = _peak_for(self.peak, self.letter)
        if not self.onset_s <= self.apex_s <= self.offset_s:
            raise ValueError(
                "times must satisfy onset_s ≤ apex_s ≤ offset_s, got "
                f"{self.onset_s:g}, {self.apex_s:g}, {self.offset_s:g}"
            )
        return self

    @staticmethod
    def _item(text: str) -> str:
        """``text`` parsed as one FACS item, or the notation's reason it is not one."""
        from facs.notation import Code

        try:
            return str(next(iter(Code.parse(text))))
        except CodeError as err:
            raise ValueError(str(err)) from None


def _peak_for(peak: float | None, letter: str) -> float:
    """The event's peak: the letter's own when not given; refused when it reads another
    letter (an events table then refuses it too). A letter with peak 0 is a letter with
    no peak measured, as in a hand-made events table."""
    from facs.formats._tables import peak_letter
    from facs.notation import letter_to_intensity

    if peak is None:
        return float(letter_to_intensity(letter or None))
    if peak_letter(peak) != letter and not (peak == 0 and letter):
        raise ValueError(
            f"letter {letter!r} does not match peak {peak:g}, which reads {peak_letter(peak)!r};"
            " send one of them, or both agreeing"
        )
    return peak


class EventPatch(BaseModel):
    """Fields of an event to change; the merged event is checked as :class:`EventIn`."""

    model_config = _STRICT

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

    model_config = _STRICT

    revision: Revision
    events: list[EventIn] = Field(max_length=_MAX_EVENTS)


class EventUpdate(BaseModel):
    """A stored event (by id) and its new values."""

    model_config = _STRICT

    id: RowId
    event: EventIn


class ChangesIn(BaseModel):
    """One editor's changes since it loaded ``revision``: added, changed and deleted events."""

    model_config = _STRICT

    revision: Revision
    add: list[EventIn] = Field([], max_length=_MAX_EVENTS)
    update: list[EventUpdate] = Field([], max_length=_MAX_EVENTS)
    delete: list[RowId] = Field([], max_length=_MAX_EVENTS)

    @model_validator(mode="after")
    def _one_change_per_event(self) -> ChangesIn:
        # a dict keyed by id kept only the last of two updates, and a delete dropped an
        # update of the same event: both lost an edit without a word
        ids = [u.id for u in self.update]
        twice = sorted(i for i, n in Counter(ids).items() if n > 1)
        if twice:
            raise ValueError(f"events {', '.join(map(str, twice))} are updated twice")
        both = sorted(set(ids) & set(self.delete))
        if both:
            raise ValueError(f"events {', '.join(map(str, both))} are both updated and deleted")
        return self


def _without_side(code: str) -> str:
    """``code`` with its side prefix taken off ("L12" -> "12"); as it was if it does not parse."""
    from facs.notation import Action

    try:
        action = Action.parse(code)
    except CodeError:
        return code
    return str(dataclasses.replace(action, side=None))


router = APIRouter()
EventId = Annotated[int, PathParam(ge=1, le=_MAX_INT)]
BaseRevision = Annotated[int | None, Query(ge=0, le=_MAX_INT)]


def _ids(web: WebState, video_id: str, coder_id: str) -> str:
    vid, _ = web.video(video_id)
    check_id(coder_id, "coder")
    return vid


def _annotation_table(web: WebState, video_id: str, coder_id: str) -> Any:
    import pandas as pd

    from facs.formats import EVENT_COLUMNS

    vid = _ids(web, video_id, coder_id)
    snapshot = _db.load(web.sessions, vid, coder_id)
    if not snapshot.exists:
        raise HTTPException(404, f"coder {coder_id!r} has no annotations of {vid!r}")
    table = pd.DataFrame(snapshot.events, columns=list(EVENT_COLUMNS))
    # saved before peaks had to agree with letters (an API event sent with a letter and
    # no peak kept 0, or another): the letter is what the coder chose, the peak follows it
    from facs.formats._tables import peak_letter
    from facs.notation import letter_to_intensity

    for i, (peak, letter) in enumerate(zip(table["peak"], table["letter"], strict=True)):
        if letter and peak != 0 and peak_letter(float(peak)) != letter:
            table.loc[i, "peak"] = float(letter_to_intensity(str(letter)))
    return table


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


def _newer(revision: int, err: _db.StaleRevision) -> HTTPException:
    return HTTPException(409, f"revision {revision} is newer than the stored {err.current}")


def _download(data: bytes, media_type: str, name: str) -> Response:
    disposition = f'attachment; filename="{name}"'
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


# the exports come first: "{coder_id}" alone would match "alice.csv" too


@router.get("/api/videos/{video_id}/annotations/{coder_id}.csv")
def export_csv(video_id: str, coder_id: str, web: Web) -> Response:
    from facs.formats import write_events

    table = _annotation_table(web, video_id, coder_id)
    with tempfile.TemporaryDirectory() as tmp:
        data = write_events(table, Path(tmp) / "events.csv").read_bytes()
    return _download(data, "text/csv", f"{video_id}-{coder_id}.csv")


@router.get("/api/videos/{video_id}/annotations/{coder_id}.eaf")
def export_eaf(video_id: str, coder_id: str, web: Web) -> Response:
    from facs.formats import write_eaf

    table = _annotation_table(web, video_id, coder_id)
    _, media_path = web.video(video_id)
    with tempfile.TemporaryDirectory() as tmp:
        out = write_eaf(table, Path(tmp) / "events.eaf", media=media_path, author=coder_id)
        data = out.read_bytes()
    return _download(data, "application/xml", f"{video_id}-{coder_id}.eaf")


@router.get("/api/videos/{video_id}/annotations/{coder_id}")
def get_annotations(video_id: str, coder_id: str, web: Web) -> dict[str, Any]:
    vid = _ids(web, video_id, coder_id)
    snapshot = _db.load(web.sessions, vid, coder_id)
    return {
        "video": vid,
        "coder": coder_id,
        "saved": snapshot.exists,
        "revision": snapshot.revision,
        "events": snapshot.events,
    }


@router.put("/api/videos/{video_id}/annotations/{coder_id}")
def put_annotations(video_id: str, coder_id: str, body: AnnotationsIn, web: Web) -> dict[str, Any]:
    vid = _ids(web, video_id, coder_id)
    try:
        snapshot = _db.replace(
            web.sessions, vid, coder_id, [e.model_dump() for e in body.events], body.revision
        )
    except _db.StaleRevision as err:
        raise HTTPException(
            409,
            f"these annotations were saved elsewhere (now revision {err.current}, "
            f"you edited revision {body.revision}); reload before saving",
        ) from None
    return {"video": vid, "coder": coder_id, "saved": True,
            "revision": snapshot.revision, "events": snapshot.events}  # fmt: skip


@router.post("/api/videos/{video_id}/annotations/{coder_id}/changes")
def post_changes(video_id: str, coder_id: str, body: ChangesIn, web: Web) -> dict[str, Any]:
    vid = _ids(web, video_id, coder_id)
    try:
        snapshot = _db.apply_changes(
            web.sessions, vid, coder_id, body.revision,
            add=[e.model_dump() for e in body.add],
            update={u.id: u.event.model_dump() for u in body.update},
            remove=list(body.delete),
        )  # fmt: skip
    except _db.Conflict as err:
        raise _conflict(err) from None
    except _db.StaleRevision as err:
        raise _newer(body.revision, err) from None
    return {"video": vid, "coder": coder_id, "saved": True,
            "revision": snapshot.revision, "events": snapshot.events}  # fmt: skip


@router.post("/api/videos/{video_id}/annotations/{coder_id}/events", status_code=201)
def add_event(video_id: str, coder_id: str, body: EventIn, web: Web) -> dict[str, Any]:
    vid = _ids(web, video_id, coder_id)
    row, revision = _db.add_event(web.sessions, vid, coder_id, body.model_dump())
    return {"event": row, "revision": revision}


@router.patch("/api/videos/{video_id}/annotations/{coder_id}/events/{event_id}")
def patch_event(
    video_id: str,
    coder_id: str,
    event_id: EventId,
    body: EventPatch,
    web: Web,
    base: BaseRevision = None,
) -> dict[str, Any]:
    vid = _ids(web, video_id, coder_id)
    current = _db.get_event(web.sessions, vid, coder_id, event_id)
    if current is None:
        raise HTTPException(404, f"no event {event_id} for coder {coder_id!r}")
    merged = {k: v for k, v in current.items() if k != "id"}
    patch = body.model_dump(exclude_none=True)
    if "side" in patch and "code" not in patch:
        # a new side for the stored "L12": the prefix goes with the old side
        merged["code"] = _without_side(str(merged["code"]))
    elif "code" in patch and "side" not in patch:
        merged["side"] = ""  # the new code's own prefix (if any) sets the side
    if "letter" in patch and "peak" not in patch:
        merged["peak"] = None  # the peak follows a new letter (as on the page)
    elif "peak" in patch and "letter" not in patch:
        from facs.formats._tables import peak_letter

        merged["letter"] = peak_letter(patch["peak"])  # and the letter a new peak
    merged.update(patch)
    try:
        values = EventIn.model_validate(merged).model_dump()
    except ValidationError as err:
        raise HTTPException(422, message(err.errors())) from None
    try:
        result = _db.update_event(web.sessions, vid, coder_id, event_id, values, base)
    except _db.Conflict as err:
        raise _conflict(err) from None
    except _db.StaleRevision as err:
        raise _newer(base or 0, err) from None
    if result is None:
        raise HTTPException(404, f"no event {event_id} for coder {coder_id!r}")
    return {"event": result[0], "revision": result[1]}


@router.delete("/api/videos/{video_id}/annotations/{coder_id}/events/{event_id}")
def remove_event(
    video_id: str, coder_id: str, event_id: EventId, web: Web, base: BaseRevision = None
) -> dict[str, Any]:
    vid = _ids(web, video_id, coder_id)
    try:
        revision = _db.delete_event(web.sessions, vid, coder_id, event_id, base)
    except _db.Conflict as err:
        raise _conflict(err) from None
    except _db.StaleRevision as err:
        raise _newer(base or 0, err) from None
    if revision is None:
        raise HTTPException(404, f"no event {event_id} for coder {coder_id!r}")
    return {"deleted": event_id, "revision": revision}
