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
    "EventRow",
    "Snapshot",
    "StaleRevision",
    "add_event",
    "coders",
    "delete_event",
    "get_event",
    "load",
    "make_engine",
    "make_sessions",
    "replace",
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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``id`` and the event fields."""
        out: dict[str, Any] = {"id": self.id}
        out.update({name: getattr(self, name) for name in EVENT_FIELDS})
        return out


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
        session.add_all(EventRow(set_id=found.id, **e) for e in events)
        found.revision += 1
        session.flush()
        return Snapshot(True, found.revision, _events(session, found.id))


def add_event(
    sessions: sessionmaker[Session], video: str, coder: str, values: dict[str, Any]
) -> tuple[dict[str, Any], int]:
    """Add one event (its own transaction); return it and the new revision."""
    with sessions() as session, session.begin():
        found = _set(session, video, coder, create=True)
        assert found is not None
        row = EventRow(set_id=found.id, **values)
        session.add(row)
        found.revision += 1
        session.flush()
        return row.to_dict(), found.revision


def get_event(
    sessions: sessionmaker[Session], video: str, coder: str, event_id: int
) -> dict[str, Any] | None:
    """One stored event, or ``None``."""
    with sessions() as session, session.begin():
        row = _row(session, video, coder, event_id)
        return None if row is None else row.to_dict()


def _row(session: Session, video: str, coder: str, event_id: int) -> EventRow | None:
    found = _set(session, video, coder, create=False)
    if found is None:
        return None
    row = session.get(EventRow, event_id)
    return row if row is not None and row.set_id == found.id else None


def update_event(
    sessions: sessionmaker[Session],
    video: str,
    coder: str,
    event_id: int,
    values: dict[str, Any],
) -> tuple[dict[str, Any], int] | None:
    """Overwrite one event's fields (its own transaction); ``None`` if it is not there."""
    with sessions() as session, session.begin():
        row = _row(session, video, coder, event_id)
        if row is None:
            return None
        for name, value in values.items():
            setattr(row, name, value)
        found = session.get(AnnotationSet, row.set_id)
        assert found is not None
        found.revision += 1
        session.flush()
        return row.to_dict(), found.revision


def delete_event(
    sessions: sessionmaker[Session], video: str, coder: str, event_id: int
) -> int | None:
    """Delete one event (its own transaction); return the new revision or ``None``."""
    with sessions() as session, session.begin():
        row = _row(session, video, coder, event_id)
        if row is None:
            return None
        found = session.get(AnnotationSet, row.set_id)
        assert found is not None
        session.delete(row)
        found.revision += 1
        session.flush()
        return found.revision


def coders(sessions: sessionmaker[Session], video: str) -> list[dict[str, Any]]:
    """The coders who annotated a video, with their revisions."""
    with sessions() as session, session.begin():
        rows = session.scalars(
            select(AnnotationSet).where(AnnotationSet.video == video).order_by(AnnotationSet.coder)
        )
        return [{"coder": r.coder, "revision": r.revision} for r in rows]
