"""``facs rig audit`` and ``facs rig scanlist`` (issue 6)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from facs.cli._common import console, err_console, print_json, user_errors

__all__ = ["app", "audit_cmd", "scanlist_cmd"]

app = typer.Typer(help="Audit a facial rig's shapes; plan a FACS scan list.", no_args_is_help=True)

RigArg = Annotated[
    str,
    typer.Argument(
        help="A preset (arkit, livelink, meta, meta-v1, metahuman) or a file: shape names "
        "(.txt, .csv header, .json list) or a rig mapping (.toml).",
        show_default=False,
    ),
]


@app.command("audit")
def audit_cmd(
    rig: RigArg,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Which AUs and sides RIG can express, which it cannot, and which combinations
    (emotion prototypes, 1+2+4, 6+12+25, 12+15 …) need corrective shapes."""
    from facs.rigs import audit, load_rig  # scipy and pandas: only when a rig command runs

    with user_errors(as_json=json_out):
        result = audit(load_rig(rig))
    if json_out:
        print_json(result.to_dict())
        return
    r = result.rig
    counts = r.counts()
    console.print(
        f"[bold]{r.title}[/]: {len(r.shapes)} shapes, {counts['mapped']} mapped to FACS columns, "
        f"{counts['not-scored']} to FACS codes the coder does not score, "
        f"{counts['no-facs']} with no FACS equivalent"
    )
    if r.unknown:
        console.print(f"[yellow]unknown names (not used):[/] {', '.join(r.unknown)}")
    table = Table(title="Codes", title_justify="left")
    table.add_column("Code", style="bold cyan", no_wrap=True)
    table.add_column("Name")
    table.add_column("Status", no_wrap=True)
    table.add_column("Left / both")
    table.add_column("Right")
    for c in result.codes:
        style = {"full": "green", "no": "red"}.get(c.status, "yellow")
        left = c.shapes.get("L", c.shapes.get("", ()))
        right = c.shapes.get("R", ())
        table.add_row(
            c.label,
            c.name,
            Text(c.status, style=style),
            ", ".join(left) or "–",
            ", ".join(right) or ("–" if c.sided else ""),
        )
    console.print(table)
    if result.missing:
        console.print(f"[red]cannot express:[/] {', '.join(c.label for c in result.missing)}")
    if result.other:
        console.print(
            "FACS codes with shapes but no frames column: "
            + "; ".join(f"{code} ({', '.join(names)})" for code, names in result.other)
        )
    unmapped = [s for s in r.shapes if s.status == "no-facs"]
    if unmapped:
        console.print(
            f"no FACS equivalent ({len(unmapped)}): " + ", ".join(s.name for s in unmapped)
        )
    combos = Table(title="Combinations", title_justify="left")
    combos.add_column("Code", style="bold cyan", no_wrap=True)
    combos.add_column("What")
    combos.add_column("Expressible", no_wrap=True)
    combos.add_column("Corrective", no_wrap=True)
    combos.add_column("Why")
    for k in result.combinations:
        combos.add_row(
            k.code,
            f"{k.label} ({k.source})" if k.source != "curated" else k.label,
            Text("yes", style="green")
            if k.expressible
            else Text("no: " + "+".join(k.missing), style="red"),
            Text("needed", style="yellow") if k.corrective else Text("–"),
            "; ".join(k.reasons),
        )
    console.print(combos)
    need = sum(k.corrective for k in result.combinations)
    console.print(
        f"{need} of {len(result.combinations)} combinations need a corrective shape "
        "(one shape raising two codes, a known pair, or two codes in one facial region)"
    )


@app.command("scanlist")
def scanlist_cmd(
    rig: Annotated[
        str | None,
        typer.Option("--rig", help="Keep only poses this rig (preset or file) can express."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the CSV here (default: print it)."),
    ] = None,
    hold: Annotated[float, typer.Option(help="Seconds each pose is held.")] = 3.0,
    gap: Annotated[float, typer.Option(help="Unscripted seconds between poses.")] = 1.0,
    intensity: Annotated[
        str, typer.Option(help="Letter for actions without one (A–E), or 'none'.")
    ] = "E",
    emotions: Annotated[
        bool, typer.Option("--emotions/--no-emotions", help="Include emotion prototypes.")
    ] = True,
) -> None:
    """An ordered list of FACS poses for a scan or range-of-motion session, as the CSV
    that ``facs calibrate --script`` reads (start, end, code; group and label extra)."""
    from facs.rigs import load_rig, scanlist, write_scanlist

    with user_errors():
        letter = None if intensity.lower() == "none" else intensity.upper()
        poses = scanlist(
            load_rig(rig) if rig else None,
            hold=hold,
            gap=gap,
            intensity=letter,
            emotions=emotions,
        )
        if output is None:
            write_scanlist(poses, sys.stdout)
            sys.stdout.flush()
            return
        write_scanlist(poses, output)
    err_console.print(
        f"wrote {output}: {len(poses)} poses, {poses[-1].end:g} s "
        f"({sum(p.group in ('upper face', 'lower face') for p in poses)} single AUs, "
        f"{sum(p.group in ('combination', 'emotion') for p in poses)} combinations)"
    )
