"""``facs code``: video, image or folder in; frames, events, summary and a plot out."""

from __future__ import annotations

import contextlib
import shutil
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from facs._errors import InputError
from facs._outputs import COMPLETE, WORK, finished, locked, mark_complete, output_settings
from facs.cli._common import (
    console,
    err_console,
    input_path,
    progress_bar,
    quiet_native_logs,
    user_errors,
)

__all__ = ["code_cmd"]


class OutFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


LOCK = ".facs-lock"


def _locked(outdir: Path) -> contextlib.AbstractContextManager[None]:
    """Hold the output folder for this run; a second `facs code` on it is refused."""
    return locked(outdir, lock=LOCK, who="`facs code`")


def code_cmd(
    input_text: Annotated[
        str,
        typer.Argument(metavar="INPUT", help="Video (mp4, mov, avi, mkv, webm), image or folder."),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")] = Path(
        "facs-out"
    ),
    start: Annotated[float | None, typer.Option(help="Start time in seconds.")] = None,
    end: Annotated[float | None, typer.Option(help="End time in seconds.")] = None,
    neutral: Annotated[
        str | None, typer.Option(help="Neutral span START-END in seconds (default: automatic).")
    ] = None,
    fmt: Annotated[OutFormat, typer.Option("--format", help="Also write Parquet.")] = OutFormat.csv,
    raw: Annotated[bool, typer.Option(help="Add the 52 blendshapes and 478 landmarks.")] = False,
    workers: Annotated[int, typer.Option(help="Perception processes (split the video).")] = 1,
    max_faces: Annotated[
        int, typer.Option(help="Most faces reported per frame (the largest).")
    ] = 4,
    fps: Annotated[float | None, typer.Option(help="Frame rate of an image folder.")] = None,
    actor: Annotated[
        Path | None,
        typer.Option(help="Actor file from `facs calibrate` (own neutral + correction)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Redo finished outputs.")] = False,
    plot: Annotated[bool, typer.Option(help="Write timeline.png.")] = True,
    hands: Annotated[
        bool,
        typer.Option(
            help="Look for hands in front of faces (MediaPipe Hands, 2.5-5 looks a second a "
            "face, about 13 ms each); --no-hands finds covers by colour only."
        ),
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Code the faces in a video or image: AU curves, events and FACS strings per frame."""
    from facs.coding import parse_span

    input = input_path(input_text, "INPUT")
    if not hands:
        skip_hands()
    with user_errors(), quiet_native_logs():
        from facs.face import probe

        try:
            span = parse_span(neutral) if neutral else None
        except InputError as err:
            raise InputError(f"--neutral: {err}") from None
        info = probe(input, fps=fps)
        if fps is not None and info.kind != "images":
            err_console.print(
                f"[yellow]warning:[/] --fps is for a folder of images; "
                f"{'a photo has no time' if info.kind == 'image' else 'the video keeps its own'}"
                f"{f' ({info.fps:g} fps)' if info.kind == 'video' and info.fps else ''}"
            )
        if actor is not None:
            from facs.au import read_actor

            actor_data = read_actor(actor)  # a missing or unreadable input fails before any work
        settings = output_settings(
            input, start=start, end=end, neutral=neutral, format=fmt.value, raw=raw,
            max_faces=max_faces, fps=fps, actor=actor, plot=plot, hands=hands,
        )  # fmt: skip
        held = actor_data if actor is not None else None
        with _locked(output):
            _code_locked(
                input, output, settings, force=force, span=span, quiet=quiet, workers=workers,
                actor_data=held,
            )  # fmt: skip


def skip_hands() -> None:
    """No hands for this process and the workers it starts (they inherit the environment)."""
    import os

    from facs.face import _hands

    os.environ[_hands.SKIP_ENV] = "1"
    _hands.hands_unavailable.cache_clear()


def _code_locked(
    input: Path,
    output: Path,
    settings: dict[str, Any],
    *,
    force: bool,
    span: tuple[float, float] | None,
    quiet: bool,
    workers: int,
    actor_data: Any,
) -> None:
    from facs.coding import code

    fmt, start, end, fps = settings["format"], settings["start"], settings["end"], settings["fps"]
    if not force and finished(output, settings):
        console.print(escape(f"{output}: already coded from {input} (use --force to redo)"))
        return
    (output / COMPLETE).unlink(missing_ok=True)  # outputs are about to change
    work = output / WORK
    with progress_bar("[bold]coding[/]", "{task.fields[fps]} fps", quiet=quiet) as bar:
        task = bar.add_task("code", total=None, fps="–")
        import time

        began = time.perf_counter()

        def progress(done: int, expected: int | None) -> None:
            rate = done / max(time.perf_counter() - began, 1e-6)
            bar.update(task, completed=done, total=expected, fps=f"{rate:.0f}")

        coding = code(
            input, start=start, end=end, neutral=span, max_faces=settings["max_faces"],
            workers=workers, raw=settings["raw"], fps=fps, workdir=work,
            progress=progress, actor=actor_data,
        )  # fmt: skip
        bar.update(task, total=bar.tasks[0].completed)
    formats = ("csv", "parquet") if fmt == "parquet" else ("csv",)
    written = coding.save(output, formats=formats, plot=bool(settings["plot"]))
    # Marked complete last: a run killed while saving leaves no mark and is redone.
    mark_complete(output, settings)
    shutil.rmtree(work, ignore_errors=True)
    s = coding.summary
    console.print(
        f"[bold]{input.name}[/]: {s.frames} frames, {s.faces} face(s), "
        f"{len(coding.events)} events, {s.fps_processed} fps"
    )
    if s.faces == 0:
        err_console.print("[yellow]warning:[/] no face found in any frame")
    if s.calibration.population_neutral_used:
        err_console.print(
            "[yellow]note:[/] no per-face baseline (still or short clip): "
            "compared with a population neutral"
        )
    for path in written:
        console.print(f"  {escape(str(path))}")
