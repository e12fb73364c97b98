"""``facs batch``: many videos coded on Dask (a local cluster or a running scheduler)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from facs.cli._code import OutFormat
from facs.cli._common import console, err_console, input_path, progress_bar, user_errors

__all__ = ["batch_cmd"]


def batch_cmd(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Videos, folders (searched recursively), glob patterns ('takes/*.mov') or a "
            "manifest CSV (path, and optional start, end, neutral, actor, name per row)."
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")] = Path(
        "facs-batch"
    ),
    scheduler: Annotated[
        str | None,
        typer.Option(help="A running Dask scheduler, e.g. tcp://host:8786 (default: a local one)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: one per core).")
    ] = None,
    max_faces: Annotated[
        int, typer.Option(help="Most faces reported per frame (the largest).")
    ] = 4,
    part_seconds: Annotated[
        float | None,
        typer.Option(help="Longest time range one task codes (default: even work per worker)."),
    ] = None,
    fmt: Annotated[
        OutFormat, typer.Option("--format", help="Also write Parquet per video.")
    ] = OutFormat.csv,
    plot: Annotated[bool, typer.Option(help="Write each video's timeline.png.")] = True,
    force: Annotated[bool, typer.Option(help="Recode finished videos.")] = False,
    hands: Annotated[
        bool,
        typer.Option(
            help="Look for hands in front of faces; --no-hands reaches local workers "
            "(on a cluster of your own, set FACS_NO_HANDS=1 in the workers' environment)."
        ),
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Code many videos: OUT/<name>/ per video, OUT/dataset/ (Parquet) and OUT/status.csv.

    A video that cannot be coded is a row of status.csv with its error; the
    others are coded and the command exits 1. Run it again to resume: finished
    videos are skipped and partial ones continue from their chunks.
    """
    from facs.batch import BatchState, code_many
    from facs.cli._code import skip_hands

    for text in inputs:
        input_path(text, "INPUTS")  # "" would be ".", the whole current folder
    if not hands:
        skip_hands()
    with user_errors():
        if workers is not None and scheduler is not None:
            from facs._errors import ParameterError

            raise ParameterError(
                "--workers starts local workers; with --scheduler, start them there"
            )
        with progress_bar("[bold]{task.description:>6}[/]", quiet=quiet) as bar:
            videos = bar.add_task("videos", total=None)
            frames = bar.add_task("frames", total=None)
            shown: dict[str, Any] = {"link": None}

            def progress(state: BatchState) -> None:
                bar.update(videos, completed=state.videos_done, total=state.videos_total)
                bar.update(frames, completed=state.frames_done, total=state.frames_total)
                if state.dashboard and shown["link"] != state.dashboard and not quiet:
                    shown["link"] = state.dashboard
                    bar.console.print(f"Dask dashboard: {state.dashboard}")

            result = code_many(
                inputs, output, scheduler=scheduler, workers=workers, max_faces=max_faces,
                part_s=part_seconds, formats=("csv", "parquet") if fmt == "parquet" else ("csv",),
                plot=plot, force=force, progress=progress,
            )  # fmt: skip
    status = result.status
    counts = status["status"].value_counts().to_dict()
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    console.print(
        f"[bold]{len(status)} video(s)[/]: {summary} in {result.elapsed_s:.1f} s "
        f"({result.workers} worker(s)); {output / 'status.csv'}"
        + (f", {output / 'dataset'}" if (output / "dataset").is_dir() else ""),
        soft_wrap=True,
    )
    for row in result.failed.itertuples():
        message = " ".join(str(row.error).split())
        err_console.print(f"[red]failed[/] {escape(f'{row.video}: {message}')}", soft_wrap=True)
    if len(result.failed):
        raise typer.Exit(1)
