"""Tests for facs.synth._sheet: the multi-page PDF reference sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facs import InputError
from facs.emotions import prototypes
from facs.synth import sheet


def test_sheet_is_a_multipage_pdf(tmp_path: Path) -> None:
    seen: list[int] = []
    path = sheet(tmp_path / "facs.pdf", codes=["1", "12", "46"],
                 progress=lambda d, t: seen.append(t))  # fmt: skip
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages == 2  # one page of codes, one of emotion prototypes
    protos = {(p.emotion, p.display()) for p in prototypes()
              if p.source == "fig2002" and p.type == "prototype"}  # fmt: skip
    assert seen and seen[0] == 1 + 3 + len(protos)  # neutral, 3 codes, each prototype once
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facs.pdf"]


def test_sheet_needs_pdf(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="PDF"):
        sheet(tmp_path / "facs.png")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_one_error_not_the_pdf_writers_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import zlib

    from matplotlib.backends.backend_pdf import PdfPages

    def full(self: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def broken(self: object) -> None:  # what closing a PDF whose write failed raised
        raise zlib.error("Error -2 while flushing: inconsistent stream state")

    monkeypatch.setattr(PdfPages, "savefig", full)
    monkeypatch.setattr(PdfPages, "close", broken)
    with pytest.raises(InputError, match=r"cannot write .*s\.pdf: No space left on device"):
        sheet(tmp_path / "s.pdf")
    assert list(tmp_path.iterdir()) == []
