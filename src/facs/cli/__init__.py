"""The ``facs`` command line: one Typer app, one module per command group."""

from __future__ import annotations

import gc
import os
import signal
import threading

import typer

from facs.cli import _agree, _batch, _calibrate, _code, _convert, _rig, _serve, _synth, _vocab

__all__ = ["app", "main"]

app = typer.Typer(
    name="facs",
    help="The Facial Action Coding System, executable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("explain")(_vocab.explain)
app.command("lookup")(_vocab.lookup)
app.command("list")(_vocab.list_codes)
app.command("suggest")(_vocab.suggest_cmd)
app.command("code")(_code.code_cmd)
app.command("batch")(_batch.batch_cmd)
app.command("calibrate")(_calibrate.calibrate_cmd)
app.command("render")(_synth.render_cmd)
app.command("animate")(_synth.animate_cmd)
app.command("sheet")(_synth.sheet_cmd)
app.command("convert")(_convert.convert_cmd)
app.command("agree")(_agree.agree_cmd)
app.add_typer(_rig.app, name="rig")
app.command("serve")(_serve.serve_cmd)


#: Seconds after a SIGTERM before it is delivered again while the process still runs.
TERM_AGAIN_S = 3.0


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (``kill``, a job scheduler's stop) unwinds like Ctrl-C: every ``finally``
    runs, so temporary files are removed and nothing half-written is left.

    A handler's exception is lost when it lands in a weakref callback or ``__del__``
    (the collector runs them between any two bytecodes): ``facs animate`` then rendered
    on to its end about one time in six. So the signal is sent again every
    :data:`TERM_AGAIN_S` seconds for as long as the process lives.
    """
    again = threading.Timer(TERM_AGAIN_S, os.kill, args=(os.getpid(), signum))
    again.daemon = True
    again.start()
    raise SystemExit(128 + signum)


def main() -> None:
    """Entry point of the ``facs`` console script."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        app()
    finally:
        # Nothing is left to collect at exit: freezing the heap spares the interpreter's
        # last collection over every object a coding made (0.4-0.6 s on a one-minute clip).
        gc.freeze()
