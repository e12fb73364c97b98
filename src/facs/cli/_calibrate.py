"""``facs calibrate``: fit the estimator to one actor from a range-of-motion take."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from facs._errors import InputError
from facs.cli._common import (
    console,
    err_console,
    input_path,
    quiet_native_logs,
    refuse_writing_over_inputs,
    user_errors,
)

__all__ = ["calibrate_cmd"]


def calibrate_cmd(
    rom_arg: Annotated[
        str, typer.Argument(metavar="ROM", help="The actor's range-of-motion video.")
    ],
    script: Annotated[
        Path, typer.Option("--script", "-s", help="CSV: start, end, code (seconds; 0 = neutral).")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Actor file to write.")] = Path(
        "actor.json"
    ),
    name: Annotated[
        str | None, typer.Option(help="Actor name (default: the video's name).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Perception processes.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Calibrate an actor: own neutral face plus a correction fitted on the scripted ROM."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from facs.au import fit_actor, load_estimator, read_script, write_actor
    from facs.coding import face_track
    from facs.face import probe

    with user_errors(), quiet_native_logs():
        rom = input_path(rom_arg, "ROM")  # "" would read as ".", the current folder
        refuse_writing_over_inputs(output, rom, script, what="the actor file")
        rows = read_script(script)
        probe(rom)
        with Progress(
            TextColumn("[bold]calibrating[/]"), BarColumn(), MofNCompleteColumn(),
            console=err_console, disable=quiet,
        ) as bar:  # fmt: skip
            task = bar.add_task("rom", total=None)
            track = face_track(
                rom, workers=workers, progress=lambda d, t: bar.update(task, completed=d, total=t)
            )
        try:
            actor = fit_actor(
                estimator=load_estimator(),
                rows=rows,
                name=name or rom.stem,
                aligned=track["aligned"],
                blendshapes=track["blendshapes"],
                pose=track["pose"],
                size=track["size"],
                time_s=track["time_s"],
            )
        except InputError as err:  # about the take ("fewer than 10 frames with a face"): name it
            raise InputError(f"{rom}: {err}") from None
        write_actor(actor, output)
        info = actor.info
        console.print(
            f"[bold]{escape(actor.name)}[/]: {info['scripted_frames']} scripted frames of "
            f"{info['frames']}, neutral from {info['neutral_from']} ({info['neutral_frames']} "
            f"frames) → {escape(str(output))}"
        )
        for note in info["notes"]:
            err_console.print(f"[yellow]note:[/] {escape(note)}")
