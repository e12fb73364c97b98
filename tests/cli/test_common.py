"""The command line's shared consoles."""

from __future__ import annotations

import pytest

from facs.cli._common import console, err_console


def test_piped_output_is_not_cut_at_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    text = "use " + "word " * 40 + "--force to redo"
    console.print(text)
    err_console.print(text)
    out, err = capsys.readouterr()
    assert out.strip() == err.strip() == text.strip()
