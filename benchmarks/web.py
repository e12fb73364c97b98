"""Speed of the review page on long codings: the frames JSON, opening the review, redrawing.

Builds synthetic codings of 1, 10 and 60 minutes at 30 fps (ten active codes),
serves them with the real app, opens the review in Debian's headless Chromium
(Playwright) and prints, per length: the ``/frames`` response size and time,
the time from picking the video to the event table, and the cost of one
timeline redraw (what every time update and key press pays) with the cached
curve layer against the baseline of redrawing every curve, measured in the
same page.

    python benchmarks/web.py [--minutes 1 10 60]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
CODES = ["AU01", "AU02", "AU04", "AU06", "AU12", "AU15", "AU17", "AU25", "AU26", "AU45"]


def coding(folder: Path, minutes: float, fps: float = 30.0) -> int:
    """Write a synthetic coding of ``minutes`` into ``folder``; return its frame count."""
    from facs.coding import Coding
    from facs.series import FRAME_COLUMNS
    from facs.timeline import process

    n = int(minutes * 60 * fps)
    rng = np.random.default_rng(0)
    table = pd.DataFrame(0.0, index=range(n), columns=list(FRAME_COLUMNS))
    table["frame"], table["time_s"] = np.arange(n), np.arange(n) / fps
    table["face"], table["success"], table["confidence"] = 0, 1, 1.0
    for code in CODES:
        wave = np.clip(np.convolve(rng.normal(0, 1, n), np.ones(60) / 10, "same"), 0, 5)
        for column in (code, f"{code}_L", f"{code}_R"):
            if column in table:
                table[column] = wave
    for column in ("frame", "face", "success"):
        table[column] = table[column].astype(np.int64)
    frames, events = process(table)
    Coding(frames, events, {"input": f"{minutes} min"}).save(folder, plot=False)
    return n


def main() -> None:
    import httpx2 as httpx
    import uvicorn
    from playwright.sync_api import sync_playwright

    from facs.web.app import create_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 10, 60])
    args = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="facs-web-bench-"))
    (workspace / "videos").mkdir()
    sizes = {}
    for minutes in args.minutes:
        name = f"take{int(minutes)}"
        (workspace / "videos" / f"{name}.mp4").write_bytes(b"")  # listed; never played here
        sizes[name] = coding(workspace / "codings" / name, minutes)
    app = create_app(workspace)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=8799, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = "http://127.0.0.1:8799"
    print(
        "| coding | frames | /frames JSON | /frames time | open review | redraw (cached) "
        "| redraw (baseline: all curves) |"
    )
    print("|---|---|---|---|---|---|---|")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        for name, n in sizes.items():
            start = time.perf_counter()
            body = httpx.get(f"{base}/api/videos/{name}/frames", timeout=60).content
            fetch = time.perf_counter() - start
            page.goto(f"{base}/#coding")
            page.wait_for_function("() => document.querySelector('#video-select').length > 1")
            start = time.perf_counter()
            page.select_option("#video-select", name)
            page.wait_for_function(
                "n => { const C = window.facs.Coding;"
                " return C.frames && C.frames.time_s.length === n"
                " && document.querySelectorAll('#event-table tbody tr').length > 0; }",
                arg=n, timeout=120_000,
            )  # fmt: skip
            opened = time.perf_counter() - start
            cost = page.evaluate(
                """() => { const C = window.facs.Coding; C.draw();
                  let t0 = performance.now(); for (let i = 0; i < 20; i++) C.draw();
                  const cached = (performance.now() - t0) / 20;
                  t0 = performance.now();
                  for (let i = 0; i < 5; i++) { C._curves = null; C.draw(); }
                  return [cached, (performance.now() - t0) / 5]; }"""
            )
            print(f"| {name} | {n} | {len(body) / 1e6:.1f} MB | {fetch:.2f} s | {opened:.2f} s "
                  f"| {cost[0]:.1f} ms | {cost[1]:.1f} ms |")  # fmt: skip
        browser.close()
    server.should_exit = True


if __name__ == "__main__":
    main()
