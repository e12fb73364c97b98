"""``facs agree``: agreement between coders, or coders and the machine (issue 6)."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from facs.cli._common import (
    console,
    err_console,
    print_json,
    refuse_writing_over_inputs,
    user_errors,
)

__all__ = ["agree_cmd"]


class AlignOpt(StrEnum):
    auto = "auto"
    frame = "frame"
    time = "time"


class WeightsOpt(StrEnum):
    linear = "linear"
    quadratic = "quadratic"


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",")]


def _span(text: str | None) -> tuple[float, float] | None:
    from facs._errors import InputError
    from facs._validate import parse_span

    if text is None:
        return None
    from facs._validate import MAX_TAKE_S

    try:
        span = parse_span(text)
    except InputError as err:
        raise InputError(f"--span: {err}") from None
    if span[1] > MAX_TAKE_S:
        raise InputError(
            f"--span: {text} ends after {MAX_TAKE_S / 86400:g} days, the longest a take may be"
        )
    return span


def _cell(value: float, *, good: float = 0.8, fair: float = 0.6) -> Text:
    if not math.isfinite(value):
        return Text("–", style="dim")
    style = "green" if value >= good else "yellow" if value >= fair else "red"
    return Text(f"{value:.2f}", style=style)


def _icc_cell(value: float, n: int) -> Text:
    """The ICC, with its n when it rests on few pairs (then it is dimmed, not coloured)."""
    from facs.reliability import MIN_ICC_PAIRS

    if math.isfinite(value) and n < MIN_ICC_PAIRS:
        return Text(f"{value:.2f} (n={n})", style="dim")
    return _cell(value)


def _table(result: Any) -> Table:
    kind = result.kind
    coders = ", ".join(escape(c) for c in result.coders)
    title = f"Agreement on {kind}: {coders} (reference {escape(result.coders[0])})"
    table = Table(title=title, title_justify="left")
    table.add_column("Code", style="bold cyan", no_wrap=True)
    for coder in result.coders:
        table.add_column(Text(f"n {coder}"), justify="right")
    for header in ("AI", "κ", "F1", "ICC", "κw"):
        table.add_column(header, justify="right")

    def row(label: str, stats: Any, counts: Any, *, end: bool = False, bold: bool = False) -> None:
        cells = [Text(label, style="bold" if bold else "")]
        cells += [Text(str(int(counts[c]))) for c in result.coders]
        cells += [_cell(float(stats[name])) for name in ("agreement_index", "kappa", "f1")]
        cells.append(_icc_cell(float(stats["icc"]), int(stats["n_intensity"])))
        cells.append(_cell(float(stats["weighted_kappa"])))
        table.add_row(*cells, end_section=end, style="bold" if bold else None)

    keys = list(result.per_code.index)
    for i, key in enumerate(keys):
        row(str(key), result.per_code.loc[key], result.counts.loc[key], end=i == len(keys) - 1)
    row("overall", result.overall, result.counts.sum(axis=0), bold=True)
    return table


def _settings_line(result: Any) -> str:
    s = result.settings
    kappa = "Fleiss" if len(result.coders) > 2 else "Cohen"
    legend = (
        f"AI Ekman–Friesen agreement index, κ {kappa}'s kappa, F1 against"
        f" {result.coders[0]}, ICC(3,1) and κw ({s['weights']} weighted kappa) on intensities"
    )
    if result.kind == "events":
        parts = [f"events matched within {s['tolerance_s']:g} s", f"κ on {s['bin_s']:g} s bins"]
        if s.get("span_s"):
            parts.append(f"span {s['span_s'][0]:g}–{s['span_s'][1]:g} s")
        if s.get("converted"):
            parts.append(f"events found in the frames of {', '.join(s['converted'])}")
        if result.per_code["kappa"].isna().any():
            # every bin holds the code (or none does): chance agreement is 1, κ undefined
            hint = "" if s.get("span_s") else "; --span START-END counts the time around them"
            parts.append(f"κ – where a code fills every bin of the span, or no bin{hint}")
    else:
        parts = [
            f"frames aligned by {s['alignment']}",
            f"occurrence = intensity > {s['threshold']:g}",
            "ICC and κw on frames anyone scores",
        ]
    if s.get("merge_sides"):
        parts.append("sides merged")
    if s.get("sides_paired"):
        parts.append(f"{s['sides_paired']} left+right pair(s) read as one bilateral event")
    return legend + ".\n" + "; ".join(parts) + "."


def _given(ctx: typer.Context, **options: Any) -> dict[str, Any]:
    """The options typed on the command line (not left at their default), by library name."""

    def typed(param: str) -> bool:
        source = ctx.get_parameter_source(param)  # click's ParameterSource (typer vendors click)
        return source is not None and source.name != "DEFAULT"

    return {option: value for option, (param, value) in options.items() if typed(param)}


def agree_cmd(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Two or more events or frames files (CSV or Parquet), ELAN .eaf files or"
            " folders from facs code; the first is the reference for F1.",
            show_default=False,
        ),
    ],
    tolerance: Annotated[
        float, typer.Option(help="Events: largest gap in seconds between matching events.")
    ] = 0.5,
    bin_s: Annotated[
        float | None,
        typer.Option("--bin", help="Events: time bin in seconds for kappa (default: tolerance)."),
    ] = None,
    span: Annotated[
        str | None,
        typer.Option(help="Events: coded span START-END in seconds for kappa (default: events)."),
    ] = None,
    names: Annotated[
        str | None, typer.Option(help="Coder names, comma-separated (default: file names).")
    ] = None,
    codes: Annotated[
        str | None, typer.Option(help="Only these codes, comma-separated: 1,2,12 or L12,AD19.")
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="Frames: a code occurs where its intensity is above this.")
    ] = 0.0,
    merge_sides: Annotated[
        bool, typer.Option("--merge-sides", help="Count L12 and R12 as 12.")
    ] = False,
    align: Annotated[
        AlignOpt, typer.Option(help="Frames: pair rows by frame number or by time.")
    ] = AlignOpt.auto,
    weights: Annotated[
        WeightsOpt, typer.Option(help="Weights of the weighted kappa on letters.")
    ] = WeightsOpt.linear,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document instead of the table.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also write the JSON report here.")
    ] = None,
) -> None:
    """Agreement between coders, or coders and the machine, per code and overall.

    Ekman–Friesen agreement index, Cohen's kappa (two coders) or Fleiss' kappa
    (more), F1 against the first file, ICC(3,1) and weighted kappa on
    intensities. Events are matched one to one when they overlap or lie within
    --tolerance seconds of each other. The events options (--tolerance, --bin,
    --span) are an error on frames files, the frames ones (--threshold, --align)
    on events files.
    """
    with user_errors(as_json=as_json):
        from facs._errors import InputError
        from facs.formats._atomic import write_json_atomic
        from facs.reliability import agree_files

        if len(files) < 2:
            raise InputError(f"agreement needs at least two files, got {len(files)}")
        if output is not None:
            refuse_writing_over_inputs(output, *files, what="the report")
        span_s = _span(span)
        # Only the kind-specific options typed: agree refuses those of the other kind.
        kind_options = _given(
            ctx,
            tolerance_s=("tolerance", tolerance),
            bin_s=("bin_s", bin_s),
            span_s=("span", span_s),
            threshold=("threshold", threshold),
            align=("align", align.value),
        )
        result = agree_files(
            files,
            names=_split(names),
            codes=_split(codes),
            merge_sides=merge_sides,
            weights=weights.value,
            **kind_options,
        )
        report = result.to_json()
        report["files"] = [str(f) for f in files]
        if output is not None:
            try:
                write_json_atomic(output, report)
            except OSError as err:
                raise InputError(f"cannot write {output}: {err.strerror or err}") from None
        if as_json:
            print_json(report)
            return
        console.print(_table(result))
        console.print(f"[dim]{escape(_settings_line(result))}[/]")
        for warning in result.warnings:
            err_console.print(f"[yellow]warning:[/] {escape(warning)}")
        if output is not None:
            err_console.print(f"wrote {escape(str(output))}")
