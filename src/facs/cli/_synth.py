"""Synthesis commands: ``facs render``, ``facs animate``, ``facs sheet``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from facs._errors import InputError
from facs.cli._common import console, err_console, user_errors

__all__ = ["animate_cmd", "render_cmd", "sheet_cmd"]


class ViewName(StrEnum):
    front = "front"
    three_quarter = "three-quarter"
    profile = "profile"


ViewOpt = Annotated[ViewName, typer.Option("--view", help="Camera: front, three-quarter, profile.")]
SizeOpt = Annotated[str | None, typer.Option("--size", help="WIDTHxHEIGHT in pixels.")]
RenderSizeOpt = Annotated[
    str | None,
    typer.Option(
        "--size", help="WIDTHxHEIGHT in pixels (600x700; with --compare, per panel 420x520)."
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
IdentityOpt = Annotated[
    int,
    typer.Option(
        "--identity",
        help="Whose face: 0 the mean face, 1-10 other people (README, 'Other faces').",
    ),
]


def _size(text: str | None, default: tuple[int, int]) -> tuple[int, int]:
    if text is None:
        return default
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise InputError(f"bad --size {text!r}: use WIDTHxHEIGHT, e.g. 600x700") from None
    if not (16 <= width <= 4096 and 16 <= height <= 4096):
        raise InputError(f"bad --size {text!r}: each side must be 16–4096 pixels")
    return width, height


#: Notation warnings that make a drawing ill-defined (the rest, such as "45 needs timing",
#: are about scoring, not drawing).
_DRAWING_WARNINGS = ("mutually exclusive", "wink", "cannot be seen")


def _note(note: str) -> None:
    err_console.print(f"[yellow]note:[/] {escape(note)}")


def _notes(codes: list[str]) -> None:
    """Say which requested items the face model cannot show, and which combinations FACS
    forbids (the face then shows both anyway)."""
    from facs.notation import Code
    from facs.synth import missing_shapes

    seen: set[str] = set()
    for code in codes:
        for warning in Code.parse(code).warnings:
            if any(w in warning for w in _DRAWING_WARNINGS) and warning not in seen:
                seen.add(warning)
                err_console.print(f"[yellow]warning:[/] {warning}")
        for note in missing_shapes(code):
            if note not in seen:
                seen.add(note)
                _note(note)


@contextmanager
def _bar(label: str, quiet: bool) -> Iterator[Callable[[int, int | None], None]]:
    """A progress callback; the bar appears with the first frame (not before an error)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn(f"[bold]{label}[/]"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())  # fmt: skip
    bar = Progress(*columns, console=err_console, disable=quiet, transient=False)
    task = bar.add_task(label, total=None)
    started = False

    def update(done: int, total: int | None) -> None:
        nonlocal started
        if not started:
            bar.start()
            started = True
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if started:
            bar.stop()


def render_cmd(
    codes: Annotated[
        list[str],
        typer.Argument(help="FACS code, e.g. 6+12C (0 = neutral); more codes with --compare."),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Image: .png or .svg.")] = Path(
        "face.png"
    ),
    view: ViewOpt = ViewName.front,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            "--compare",
            help="Draw these codes beside CODE (repeat, list them after CODE, or split "
            "them with commas: --compare 1,2,4).",
        ),
    ] = None,
    muscles: Annotated[
        bool, typer.Option("--muscles", help="Overlay the muscles of the active actions.")
    ] = False,
    size: RenderSizeOpt = None,
    identity: IdentityOpt = 0,
) -> None:
    """Draw the face of a FACS code: `facs render 6+12C -o smile.png`."""
    from facs.notation import Code

    with user_errors():
        if len(codes) > 1 and not compare:
            raise InputError(
                f"{len(codes)} codes given ({' '.join(codes)}): join items with + "
                f"({'+'.join(codes)}) or draw them side by side with --compare"
            )
        # "--compare 1,2,4": three panels (a comma is no FACS notation; + joins items)
        extra = [c for item in compare or [] for c in item.split(",") if c.strip()]
        panels = [codes[0], *extra, *codes[1:]]
        parsed = [Code.parse(c) for c in panels]
        from facs.synth import compare as compare_faces
        from facs.synth import render

        if len(parsed) == 1:
            written = render(parsed[0], output, view=view.value, muscles=muscles,
                             size=_size(size, (600, 700)), identity=identity)  # fmt: skip
        else:
            written = compare_faces(parsed, output, view=view.value, muscles=muscles,
                                    size=_size(size, (420, 520)), identity=identity)  # fmt: skip
        _notes([str(c) for c in parsed])
        console.print(f"{' | '.join(str(c) for c in parsed)} → {escape(str(written))}")


def animate_cmd(
    timeline: Annotated[
        str | None,
        typer.Argument(help='Codes joined by ->, e.g. "0 -> 6+12C@1.5 -> 0" (@ = hold, s).'),
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Clip: .mp4 or .gif.")] = Path(
        "clip.mp4"
    ),
    source: Annotated[
        Path | None,
        typer.Option("--from", help="Replay a coded frames table (OUTDIR/frames.csv or OUTDIR)."),
    ] = None,
    face: Annotated[int, typer.Option("--face", help="Face id to replay (with --from).")] = 0,
    fps: Annotated[
        float | None, typer.Option("--fps", help="Frames per second (default 25; replay: own).")
    ] = None,
    transition: Annotated[
        float, typer.Option("--transition", help="Seconds from one step to the next.")
    ] = 0.6,
    hold: Annotated[float, typer.Option("--hold", help="Seconds each step is held.")] = 0.5,
    view: ViewOpt = ViewName.front,
    size: SizeOpt = None,
    identity: IdentityOpt = 0,
    quiet: QuietOpt = False,
) -> None:
    """Animate codes (`facs animate "0 -> 6+12C -> 0" -o clip.mp4`) or replay a coding."""
    with user_errors():
        from facs.synth import animate, parse_timeline, replay

        dims = _size(size, (480, 560))
        if timeline is not None and source is not None:
            raise InputError("give a timeline or --from, not both (one animates codes, the "
                             "other replays a coding)")  # fmt: skip
        if timeline is None and source is None:
            raise InputError('give a timeline such as "0 -> 6+12C -> 0", or --from frames.csv')
        if source is not None:
            table = source / "frames.csv" if source.is_dir() else source
            if not table.exists():
                raise InputError(f"{table}: no such file (run `facs code` first)")
            with _bar("replaying", quiet) as progress:
                written = replay(table, output, face=face, fps=fps, view=view.value, size=dims,
                                 progress=progress, identity=identity, on_note=_note)  # fmt: skip
        else:
            assert timeline is not None
            steps = parse_timeline(timeline, transition=transition, hold=hold)
            _notes([str(s.code) for s in steps])
            with _bar("animating", quiet) as progress:
                written = animate(steps, output, fps=25.0 if fps is None else fps,
                                  view=view.value, size=dims, transition=transition,
                                  progress=progress, identity=identity)  # fmt: skip
        console.print(f"→ {escape(str(written))}")


def sheet_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", help="PDF to write.")] = Path(
        "facs.pdf"
    ),
    identity: IdentityOpt = 0,
    quiet: QuietOpt = False,
) -> None:
    """Print-ready reference sheet: every code at C beside neutral, then emotion prototypes."""
    with user_errors():
        from facs.synth import sheet

        if output.suffix.lower() != ".pdf":
            raise InputError(f"{output}: the reference sheet is a PDF: use a .pdf name")
        with _bar("drawing", quiet) as progress:
            written = sheet(output, progress=progress, identity=identity)
        console.print(f"→ {escape(str(written))}")
