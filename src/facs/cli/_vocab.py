"""Vocabulary commands: explain, lookup, list, suggest."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from facs._errors import FACSError
from facs.catalogue import KINDS, REGIONS, Entry, catalogue
from facs.cli._common import console, print_json, user_errors
from facs.emotions import (
    SOURCE_SHORT,
    SOURCES,
    EmotionMatch,
    explain_data,
    match_emotions,
    suggest,
)
from facs.notation import Code

__all__ = ["explain", "list_codes", "lookup", "suggest_cmd"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]


def _entry_table(entries: list[Entry], title: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column("Code", style="bold cyan", no_wrap=True)
    table.add_column("Name", style="bold")
    table.add_column("Kind", no_wrap=True)
    table.add_column("Region")
    table.add_column("Muscles")
    table.add_column("Sides", no_wrap=True)
    table.add_column("A–E", no_wrap=True)
    for e in entries:
        name = Text(e.name)
        if e.legacy:
            name.append(" (1978, legacy)", style="yellow")
        table.add_row(
            e.label,
            name,
            e.kind,
            e.region,
            ", ".join(e.muscles) or "–",
            "/".join(s for s in e.sides) or "–",
            "yes" if e.intensity else "no",
        )
    return table


def _emotion_table(matches: list[EmotionMatch], limit: int) -> Table:
    table = Table(title="Emotion prototypes", title_justify="left")
    table.add_column("Emotion", style="bold")
    table.add_column("Match")
    table.add_column("Type")
    table.add_column("Source")
    table.add_column("Prototype", style="cyan")
    table.add_column("Missing / extra")
    for m in matches[:limit]:
        diff = []
        if m.missing:
            diff.append("missing " + "+".join(m.missing))
        if m.extra:
            diff.append("extra " + "+".join(m.extra))
        style = "green" if m.match == "full" else "yellow"
        table.add_row(
            m.emotion,
            Text(m.match, style=style),
            m.type,
            m.source,
            m.prototype.display(),
            "; ".join(diff + list(m.remarks)) or "–",
        )
    return table


def explain(
    code: Annotated[str, typer.Argument(help="A FACS code, e.g. '1+2+4B+R12C+25+26'.")],
    as_json: JsonOpt = False,
    limit: Annotated[int, typer.Option(min=0, help="Emotion matches shown in the table.")] = 8,
) -> None:
    """Explain a FACS code: each item, the warnings and the emotion matches."""
    with user_errors(as_json=as_json):
        parsed = Code.parse(code)
        if as_json:
            print_json(explain_data(parsed))
            return
        console.print(f"[bold]{parsed}[/]")
        if not parsed:
            console.print("0: neutral face, no action scored.")
            return
        table = Table(title_justify="left")
        table.add_column("Item", style="bold cyan", no_wrap=True)
        table.add_column("Name", style="bold")
        table.add_column("Muscles")
        table.add_column("Intensity")
        table.add_column("Side")
        for a in parsed:
            e = a.entry
            intensity = f"{a.intensity} ({a.intensity_word})" if a.intensity else "not given"
            if not e.intensity:
                intensity = "not scored"
            side = a.side_word or ("both sides" if e.sides else "–")
            table.add_row(str(a), f"{e.name} [dim]({e.label})[/]", ", ".join(e.muscles) or "–",
                          intensity, side)  # fmt: skip
        console.print(table)
        for a in parsed:
            console.print(f"[bold cyan]{a}[/] {a.entry.appearance}")
        for warning in parsed.warnings:
            console.print(f"[yellow]warning:[/] {warning}")
        matches = match_emotions(parsed)
        if matches:
            console.print(_emotion_table(matches, limit))
        else:
            console.print("[dim]No emotion prototype shares these actions.[/]")


def _as_one_item(query: str) -> list[Any]:
    """The catalogue entry of a scored item (``R12``, ``12C``, ``AU4B``): its side and
    letter taken off, as ``facs explain`` reads them; nothing for anything else."""
    from facs.notation import Code

    try:
        parsed = Code.parse(query)
    except FACSError:
        return []
    return [parsed.actions[0].entry] if len(parsed) == 1 else []


def lookup(
    query: Annotated[
        str, typer.Argument(help="A number or label (12, AU12, AD19, M59) or a word.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Look up codes by number, name, muscle or region."""
    with user_errors(as_json=as_json):
        found = catalogue.search(query)
        if not found:
            found = _as_one_item(query)
        if not found:
            from facs._errors import CatalogueError
            from facs.emotions import normalise_emotion

            try:
                emotion = normalise_emotion(query)
            except FACSError:
                why = ""
                try:  # what the notation knows of it (a Baby FACS number, an old code …)
                    from facs.notation import Code

                    Code.parse(query)
                except FACSError as err:
                    reason = str(err).split(" (token ")[0]
                    if "(" in reason and not reason.startswith("bad"):
                        why = f": {reason}"
                raise CatalogueError(f"nothing in the catalogue matches {query!r}{why}") from None
            raise CatalogueError(
                f"nothing in the catalogue matches {query!r}; it is an emotion: "
                f"facs suggest {emotion} lists its codes"
            )
        if as_json:
            print_json([e.to_dict() for e in found])
            return
        console.print(_entry_table(found, f"{len(found)} match(es) for {query!r}"))
        if len(found) <= 3:
            for e in found:
                console.print(f"\n[bold cyan]{e.label}[/] [bold]{e.name}[/]")
                console.print(e.appearance)
                if e.notes:
                    console.print(f"[dim]{e.notes}[/]")
                if e.replaced_by:
                    console.print(f"[yellow]Replaced in 2002 by:[/] {e.replaced_by}")
                if e.unverified:
                    console.print(f"[dim]Unverified: {', '.join(e.unverified)}[/]")


def list_codes(
    kind: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(KINDS)}.", show_default=False)
    ] = None,
    region: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(REGIONS)}.", show_default=False)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List catalogue codes, optionally by kind and face region."""
    with user_errors(as_json=as_json):
        entries = catalogue.entries(kind=kind, region=region)
        if as_json:
            print_json([e.to_dict() for e in entries])
            return
        title = f"{len(entries)} codes" + (f", kind {kind}" if kind else "")
        title += f", region {region}" if region else ""
        console.print(_entry_table(entries, title))


def suggest_cmd(
    emotion: Annotated[str, typer.Argument(help="An emotion: happiness, sadness, fear, …")],
    source: Annotated[
        str | None, typer.Option(help=f"Only this source: {', '.join(SOURCES)}.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the FACS prototype codes for an emotion, with their sources."""
    with user_errors(as_json=as_json):
        found = suggest(emotion, source=source)
        if as_json:
            print_json([{**p.to_dict(), "recommended": i == 0} for i, p in enumerate(found)])
            return
        table = Table(title=f"{found[0].emotion}: {len(found)} codes", title_justify="left")
        table.add_column("", no_wrap=True)
        table.add_column("Code", style="bold cyan")
        table.add_column("Type")
        table.add_column("Source")
        table.add_column("Note", style="dim")
        for i, p in enumerate(found):
            table.add_row(
                "★" if i == 0 else "", p.display(), p.type, SOURCE_SHORT[p.source], p.note
            )
        console.print(table)
        console.print("★ recommended: the first prototype of the most authoritative source")
        for key in dict.fromkeys(p.source for p in found):
            console.print(f"[dim]{SOURCE_SHORT[key]}: {SOURCES[key]}[/]")
