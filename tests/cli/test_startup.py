"""What the command line costs to start (benchmarks/README.md, "Fixed cost per run").

Every ``facs code --workers N`` child is started by ``spawn``, which re-runs the
``facs`` script and so imports :mod:`facs.cli`; the heavy libraries must load
only in the commands that use them.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "scipy", "matplotlib", "mediapipe", "av", "pyarrow", "dask", "facs.rigs")


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    code = f"import sys, facs.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)  # fmt: skip
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"


def test_the_rig_commands_still_load_their_tools() -> None:
    import json

    from typer.testing import CliRunner

    from facs.cli import app

    result = CliRunner().invoke(app, ["rig", "audit", "arkit", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["shapes"]["total"] == 52
