"""Readers and writers: frames and events tables (CSV, Parquet), JSON summaries,
other AU tools' outputs (OpenFace, py-feat, iMotions FACET, Affectiva) and ELAN.

Every writer is atomic (temp file + rename): an interrupted run leaves the
previous file or none, never half a file. Every reader checks what it reads
and raises :class:`~facs.InputError` naming the file (and line, row, column
or value) when something is wrong.

>>> from facs.formats import EVENT_COLUMNS
>>> EVENT_COLUMNS[:3]
('face', 'code', 'side')
"""

from facs.formats._elan import TierLayout, read_eaf, write_eaf
from facs.formats._peers import (
    PEER_TOOLS,
    PeerData,
    PeerTool,
    detect_peer,
    facet_intensity,
    read_peer,
)
from facs.formats._tables import (
    EVENT_COLUMNS,
    TableFormat,
    TableKind,
    empty_events,
    read_coding,
    read_events,
    read_frames,
    write_events,
    write_frames,
    write_summary,
)

__all__ = [
    "EVENT_COLUMNS",
    "PEER_TOOLS",
    "PeerData",
    "PeerTool",
    "TableFormat",
    "TableKind",
    "TierLayout",
    "detect_peer",
    "empty_events",
    "facet_intensity",
    "read_coding",
    "read_eaf",
    "read_events",
    "read_frames",
    "read_peer",
    "write_eaf",
    "write_events",
    "write_frames",
    "write_summary",
]
