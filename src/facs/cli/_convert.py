"""``facs convert``: rig curves and other tools' files to and from FACS."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from facs._validate import check_positive
from facs.cli._common import (
    console,
    err_console,
    input_path,
    print_json,
    same_place,
    user_errors,
)

__all__ = ["convert_cmd"]


class FromName(StrEnum):
    livelink = "livelink"
    arkit = "arkit"
    meta = "meta"
    metahuman = "metahuman"
    openface = "openface"
    pyfeat = "pyfeat"
    facet = "facet"
    affectiva = "affectiva"
    elan = "elan"
    facs = "facs"
    code = "code"


class ToName(StrEnum):
    facs = "facs"
    csv = "csv"
    eaf = "eaf"
    arkit = "arkit"
    meta = "meta"
    metahuman = "metahuman"
    livelink = "livelink"


def convert_cmd(
    source: Annotated[
        str,  # as typed: a trailing "/" says a folder, not a code
        typer.Argument(
            help="Input: Live Link / rig CSV, OpenFace, py-feat, FACET, Affectiva, "
            ".eaf, a facs frames/events table or output folder, or a FACS code "
            "('6+12D') or timed list ('0 -> 6+12D@1.5 -> 0')."
        ),
    ],
    to: Annotated[ToName, typer.Option("--to", help="Output format.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Output file (a folder for --to facs).")
    ],
    from_: Annotated[
        FromName | None,
        typer.Option("--from", help="Input format (default: told from the file)."),
    ] = None,
    fps: Annotated[
        float | None,
        typer.Option(help="Frame rate: for timecodes, frame-only inputs and events → curves."),
    ] = None,
    media: Annotated[
        Path | None, typer.Option(help="Video to link in an ELAN file (--to eaf).")
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print what was written and every note as JSON.")
    ] = False,
) -> None:
    """Convert curves and codings between facs, rigs and other tools, both ways.

    Weights become AU intensities (0–5, left and right kept) and back; what
    could not be mapped is listed on stderr.
    """
    from facs._errors import InputError
    from facs.convert import MAX_CONVERT_FPS, read_any, write_any

    with user_errors(as_json=json_out):
        input_path(source, "SOURCE")  # "" would read as ".", the current folder
        if fps is not None:
            check_positive("fps", fps, most=MAX_CONVERT_FPS)
        if media is not None and to.value != "eaf":
            raise InputError(f"--media links a video in an ELAN file: it needs --to eaf, not "
                             f"--to {to.value}")  # fmt: skip
        if Path(source).exists() and same_place(Path(source), output):
            raise InputError(f"{output} is the input: write the conversion elsewhere (the input "
                             "would be lost if the conversion went wrong)")  # fmt: skip
        data = read_any(source, from_.value if from_ else None, fps=fps)
        written, notes = write_any(data, output, to.value, fps=fps, media=media)
        notes = [*data.notes, *notes]
        if json_out:
            print_json({
                "input": str(source), "from": data.kind, "to": to.value,
                "written": [str(p) for p in written],
                "frames": 0 if data.frames is None else len(data.frames),
                "events": len(data.events), "notes": notes,
            })  # fmt: skip
            return
        for note in notes:
            err_console.print(f"[yellow]note:[/] {escape(note)}", markup=True, highlight=False)
        frames = "" if data.frames is None else f"{len(data.frames)} frame rows, "
        console.print(
            escape(f"{source} ({data.kind}) → {to.value}: {frames}{len(data.events)} events")
        )
        for path in written:
            console.print(f"→ {escape(str(path))}")
