"""Delimited text with true line numbers: the rows a reader sees and the lines they start on.

Every CSV/TSV reader in facs names a bad row by the line a text editor shows:
blank lines and quoted fields that span lines are counted as the file has
them (``csv.reader``'s ``line_num``), not as the row's position.
"""

from __future__ import annotations

import csv
import io

__all__ = ["bom_encoding", "data_row_line", "records"]


def records(
    text: str, *, sep: str = ",", skipinitialspace: bool = False
) -> list[tuple[int, list[str]]]:
    """Each non-blank record with the (1-based) line it starts on; the header is the first.

    >>> records("a,b\\n\\n1,2\\n\\n\\n3,\\"x\\ny\\"\\n")
    [(1, ['a', 'b']), (3, ['1', '2']), (6, ['3', 'x\\ny'])]
    """
    reader = csv.reader(io.StringIO(text), delimiter=sep, skipinitialspace=skipinitialspace)
    out: list[tuple[int, list[str]]] = []
    start = 1
    for row in reader:
        if any(cell.strip() for cell in row):
            out.append((start, row))
        start = reader.line_num + 1
    return out


def data_row_line(text: str, position: int, *, sep: str = ",") -> int | None:
    """The line data row ``position`` (0-based, after the header) starts on, or None.

    >>> data_row_line("a\\n\\n1\\n2\\n", 1)
    4
    """
    found = records(text, sep=sep)
    return found[position + 1][0] if 0 <= position < len(found) - 1 else None


def bom_encoding(start: bytes) -> str:
    """The encoding a text file's first bytes announce: UTF-16 by its byte-order mark, else
    UTF-8 with any byte-order mark dropped.

    >>> bom_encoding(b"\\xff\\xfeA"), bom_encoding(b"frame,")
    ('utf-16', 'utf-8-sig')
    """
    return "utf-16" if start.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
