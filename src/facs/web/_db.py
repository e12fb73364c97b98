"""The workspace database: named coders' annotations in SQLite through SQLAlchemy.

Every write is one transaction that starts with ``BEGIN IMMEDIATE``, so two
writers (two browser tabs, two server threads) serialise on the database lock
instead of interleaving; the journal is in WAL mode so readers never block and
a killed server leaves the last committed state. A coder's event list carries a
``revision`` number that a whole-list save must quote (optimistic concurrency).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

__all__ = [
    "EVENT_FIELDS",
    "AnnotationSet",
    "Base",
    "Conflict",
    "EventRow",
    "JobRow",
    "Snapshot",
    "StaleRevision",
    "add_event",
    "apply_changes",
    "coders",
    "delete_event",
    "get_event",
    "load",
    "load_jobs",
    "make_engine",
    "make_sessions",
    "replace",
    "save_job",
    "update_event",
]

#: Event fields stored per row, in the order of :data:`facs.formats.EVENT_COLUMNS`.
EVENT_FIELDS = ("face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter")


class Base(DeclarativeBase):
    """Declarative base of the workspace tables."""


class AnnotationSet(Base):
    """One coder's annotations of one video, with its revision number."""

    __tablename__ = "annotation_sets"
    __table_args__ = (UniqueConstraint("video", "coder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    video: Mapped[str] = mapped_column(String(64), index=True)
    coder: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=0)


#: Why an edit of an event id is refused when the coder has no such event: it may have
#: been deleted by another tab's save, or never have been this coder's.
_NOT_FOUND = "not found (deleted by another save, or never an event of this coder)"


class EventRow(Base):
    """One annotated event: a code with onset, apex and offset in seconds."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("annotation_sets.id"), index=True)
    face: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(4), default="")
    onset_s: Mapped[float] = mapped_column(Float)
    apex_s: Mapped[float] = mapped_column(Float)
    offset_s: Mapped[float] = mapped_column(Float)
    peak: Mapped[float] = mapped_column(Float, default=0.0)
    letter: Mapped[str] = mapped_column(String(1), default="")
    #: The set's revision at which this row was last added or changed.
    changed: Mapped[int] = mapped_column(Integer, default=0)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``id`` and the event fields."""
        out: dict[str, Any] = {"id": self.id}
        out.update({name: getattr(self, name) for name in EVENT_FIELDS})
        return out


class JobRow(Base):
    """A coding job as the page last saw it (so a restarted server still knows it)."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    video: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    step: Mapped[str] = mapped_column(String(32), default="")
    error: Mapped[str | None] = mapped_column(String, nullable=True)
    created: Mapped[float] = mapped_column(Float, default=0.0)


class Conflict(Exception):
    """A save changes events that another save changed or deleted since it was loaded."""

    def __init__(self, current: int, conflicts: list[dict[str, Any]]) -> None:
        self.current = current
        self.conflicts = conflicts
        ids = ", ".join(str(c["id"]) for c in conflicts)
        super().__init__(f"events {ids} were changed or deleted by another save")


class StaleRevision(Exception):
    """A save quoted a revision that is no longer the current one."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(f"stale revision: the annotations are now at revision {current}")


def make_engine(path: Path) -> Engine:
    """An engine on the SQLite file ``path``: WAL journal, ``BEGIN IMMEDIATE`` transactions.

    Parameters
    ----------
    path : pathlib.Path
        The database file (created with its tables when missing).

    Returns
    -------
    sqlalchemy.Engine

    Examples
    --------
    >>> import tempfile
    >>> engine = make_engine(Path(tempfile.mkdtemp()) / "facs.sqlite")
    >>> with engine.connect() as c:
    ...     c.exec_driver_sql("PRAGMA journal_mode").scalar()
    'wal'
    >>> engine.dispose()
    """
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 30.0},
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the sqlite3 module) decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    Base.metadata.create_all(engine)
    with engine.begin() as conn:  # workspaces made before the ``changed`` column
        columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(events)")}
        if "changed" not in columns:
            conn.exec_driver_sql("ALTER TABLE events ADD COLUMN changed INTEGER DEFAULT 0")
    return engine


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory that keeps objects readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@dataclass(frozen=True)
class Snapshot:
    """A coder's annotations as stored: revision and events (dicts)."""

    exists: bool
    revision: int
    events: list[dict[str, Any]]


def _set(session: Session, video: str, coder: str, *, create: bool) -> AnnotationSet | None:
    found = session.scalars(
        select(AnnotationSet).where(AnnotationSet.video == video, AnnotationSet.coder == coder)
    ).first()
    if found is None and create:
        found = AnnotationSet(video=video, coder=coder, revision=0)
        session.add(found)
        session.flush()
    return found


def _events(session: Session, set_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(EventRow).where(EventRow.set_id == set_id).order_by(EventRow.onset_s, EventRow.id)
    )
    return [r.to_dict() for r in rows]


def load(sessions: sessionmaker[Session], video: str, coder: str) -> Snapshot:
    """Read a coder's annotations of a video (revision 0 and no events if none)."""
    with sessions() as session, session.begin():
        found = _set(session, video, coder, create=False)
        if found is None:
            return Snapshot(False, 0, [])
        return Snapshot(True, found.revision, _events(session, found.id))


def replace(
    sessions: sessionmaker[Session],
    video: str,
    coder: str,
    events: list[dict[str, Any]],
    revision: int,
) -> Snapshot:
    """Replace a coder's whole event list in one transaction.

    Raises
    ------
    StaleRevision
        ``revision`` is not the stored revision (another save came first).
    """
    with sessions() as session, session.begin():
        found = _set(session, video, coder, create=True)
        assert found is not None
        if found.revision != revision:
            raise StaleRevision(found.revision)
        session.execute(delete(EventRow).where(EventRow.set_id == found.id))
        found.revision += 1
        session.add_all(EventRow(set_id=found.id, changed=found.revision, **e) for e in events)
        session.flush()
        return Snapshot(True, found.revision, _events(session, found.id))


def add_event(
    sessions: sessionmaker[Session], video: str, coder: str, values: dict[str, Any]
) -> tuple[dict[str, Any], int]:
    """Add one event (its own transaction); return it and the new revision."""
    with sessions() as session, session.begin():
        found = _set(session, video, coder, create=True)
        assert found is not None
        found.revision += 1
        row = EventRow(set_id=found.id, changed=found.revision, **values)
        session.add(row)
        session.flush()
        return row.to_dict(), found.revision


def get_event(
    sessions: sessionmaker[Session], video: str, coder: str, event_id: int
) -> dict[str, Any] | None:
    """One stored event, or ``None``."""
    with sessions() as session, session.begin():
        found = _row(session, video, coder, event_id)
        return None if found is None else found[0].to_dict()


def _row(
    session: Session, video: str, coder: str, event_id: int
) -> tuple[EventRow, AnnotationSet] | None:
    """A coder's event and its set, or ``None`` if the event is not theirs."""
    found = _set(session, video, coder, create=False)
    row = None if found is None else session.get(EventRow, event_id)
    if found is None or row is None or row.set_id != found.id:
        return None
    return row, found


def _edit(
    session: Session, video: str, coder: str, event_id: int, base: int | None
) -> tuple[EventRow, AnnotationSet] | None:
    """The event to change and its set with the revision bumped; ``None`` if it is not there.

    Raises :class:`Conflict` when ``base`` is given and the event changed after it,
    :class:`StaleRevision` when ``base`` is newer than the stored revision.
    """
    found = _row(session, video, coder, event_id)
    if found is not None:
        row, owner = found
        if base is not None and base > owner.revision:
            raise StaleRevision(owner.revision)  # a revision this store never had
        if base is not None and row.changed > base:
            raise Conflict(owner.revision, [{"id": row.id, "reason": "changed by another save"}])
        owner.revision += 1
    return found


def update_event(
    sessions: sessionmaker[Session],
    video: str,
    coder: str,
    event_id: int,
    values: dict[str, Any],
    base: int | None = None,
) -> tuple[dict[str, Any], int] | None:
    """Overwrite one event's fields (its own transaction); ``None`` if it is not there.

    Raises
    ------
    Conflict
        ``base`` is given and the event changed after that revision.
    """
    with sessions() as session, session.begin():
        edit = _edit(session, video, coder, event_id, base)
        if edit is None:
            return None
        row, found = edit
        for name, value in values.items():
            setattr(row, name, value)
        row.changed = found.revision
        session.flush()
        return row.to_dict(), found.revision


def delete_event(
    sessions: sessionmaker[Session], video: str, coder: str, event_id: int, base: int | None = None
) -> int | None:
    """Delete one event (its own transaction); return the new revision or ``None``.

    Raises
    ------
    Conflict
        ``base`` is given and the event changed after that revision.
    """
    with sessions() as session, session.begin():
        edit = _edit(session, video, coder, event_id, base)
        if edit is None:
            return None
        row, found = edit
        session.delete(row)
        session.flush()
        return found.revision


def apply_changes(
    sessions: sessionmaker[Session],
    video: str,
    coder: str,
    base: int,
    *,
    add: list[dict[str, Any]],
    update: dict[int, dict[str, Any]],
    remove: list[int],
) -> Snapshot:
    """Merge one editor's changes into the stored list, in one transaction.

    The editor loaded revision ``base`` and then added, changed and deleted
    events. Events that others added or changed since are kept; the save is
    refused (nothing written) only when it changes or deletes an event that
    another save changed or deleted after ``base``. So two tabs that edit
    different events both keep their work.

    Raises
    ------
    Conflict
        Some of ``update`` or ``remove`` were changed or deleted since ``base``.
    StaleRevision
        ``base`` is newer than the stored revision.
    """
    with sessions() as session, session.begin():
        found = _set(session, video, coder, create=True)
        assert found is not None
        if base > found.revision:
            raise StaleRevision(found.revision)
        rows: dict[int, EventRow] = {}
        conflicts: list[dict[str, Any]] = []
        for event_id in dict.fromkeys([*update, *remove]):  # an id named twice is one conflict
            row = session.get(EventRow, event_id)
            if row is None or row.set_id != found.id:
                conflicts.append({"id": event_id, "reason": _NOT_FOUND})
            elif row.changed > base:
                conflicts.append({"id": event_id, "reason": "changed by another save"})
            else:
                rows[event_id] = row
        if conflicts:
            raise Conflict(found.revision, conflicts)
        found.revision += 1
        for event_id, values in update.items():
            row = rows[event_id]
            for name, value in values.items():
                setattr(row, name, value)
            row.changed = found.revision
        for event_id in remove:
            session.delete(rows[event_id])
        session.add_all(EventRow(set_id=found.id, changed=found.revision, **e) for e in add)
        session.flush()
        return Snapshot(True, found.revision, _events(session, found.id))


def save_job(sessions: sessionmaker[Session], job: dict[str, Any]) -> None:
    """Insert or update a coding job's row."""
    with sessions() as session, session.begin():
        fields = {k: job[k] for k in ("id", "video", "state", "done", "total", "step", "error",
                                      "created")}  # fmt: skip
        session.merge(JobRow(**fields))


def load_jobs(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    """Every stored coding job, oldest first."""
    with sessions() as session, session.begin():
        rows = session.scalars(select(JobRow).order_by(JobRow.created))
        return [{c: getattr(r, c) for c in ("id", "video", "state", "done", "total", "step",
                                            "error", "created")} for r in rows]  # fmt: skip


def coders(sessions: sessionmaker[Session], video: str) -> list[dict[str, Any]]:
    """The coders who annotated a video, with their revisions."""
    with sessions() as session, session.begin():
        rows = session.scalars(
            select(AnnotationSet).where(AnnotationSet.video == video).order_by(AnnotationSet.coder)
        )
        return [{"coder": r.coder, "revision": r.revision} for r in rows]
