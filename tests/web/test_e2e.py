"""End-to-end: the page in headless Chromium (Debian's, driven by Playwright) against a real server.

The server runs in a thread with the real coder; a short clip made by
:func:`facs.synth.animate` is uploaded through the page, coded with live
progress and reviewed. Set ``FACS_SCREENSHOTS=DIR`` to save a screenshot of
each view (``docs/web/`` holds the ones in the README).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._helpers import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():  # scripts/install.sh --browser installs it
    if os.environ.get("FACS_REQUIRE_BROWSER"):  # set by scripts/test.sh: CI must run these
        pytest.fail("Debian's chromium is not installed (scripts/install.sh --browser)",
                    pytrace=False)  # fmt: skip
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api")

#: Flags for a closed network: no background connections, no sandbox as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = os.environ.get("FACS_SCREENSHOTS")
TIMEOUT_MS = 30_000

Page = Any


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from facs.synth import animate

    folder = tmp_path_factory.mktemp("clip")
    return animate("0 -> 6+12E -> 0 -> 1+2+5B+26 -> 0", folder / "smile and surprise.mp4",
                   fps=10, size=(320, 374))  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from facs.web.app import create_app

    workspace = tmp_path_factory.mktemp("workspace")
    app = create_app(workspace, max_upload=5_000_000)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(20)
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def coded_video(server: str, clip: Path) -> str:
    """The clip uploaded and coded through the API (for tests that start from a coded video)."""
    import httpx2 as httpx

    with httpx.Client(base_url=server, timeout=30) as client:
        resp = client.post(
            "/api/videos", files={"file": (clip.name, clip.read_bytes(), "video/mp4")}
        )
        video_id = str(resp.json()["id"])
        job = client.post(f"/api/videos/{video_id}/code").json()
        deadline = time.monotonic() + 120
        while job["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
            job = client.get(f"/api/jobs/{job['id']}").json()
        assert job["state"] == "done", job
    return video_id


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    outside: list[str] = []
    pg.on("request", lambda req: None if req.url.startswith((server, "data:", "blob:"))
          else outside.append(req.url))  # fmt: skip
    pg.base = server
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not outside, f"the page asked for outside resources: {outside}"


def shot(page: Page, name: str) -> None:
    if SHOTS:
        # let the player finish seeking, so its loading spinner is not in the picture
        page.wait_for_function(
            "() => { const v = document.querySelector('#player');"
            " return !v || !v.src || (!v.seeking && v.readyState >= 3 && v.networkState !== 2); }"
        )
        page.wait_for_timeout(1000)
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def wait_image(page: Page, selector: str) -> None:
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth; }",
        arg=selector,
    )


def until(page: Page, selector: str, text: str, how: str = "starts") -> None:
    """Wait until the text of ``selector`` starts with, contains (``how="has"``) or is ``text``."""
    page.wait_for_function(
        """([s, how, v]) => { const e = document.querySelector(s); if (!e) return false;
             const t = e.textContent; return how === "starts" ? t.startsWith(v)
               : how === "has" ? t.includes(v) : t === v; }""",
        arg=[selector, how, text],
    )


def until_time(page: Page, t: float, tol: float = 0.05) -> None:
    """Wait until the player is at ``t`` seconds."""
    page.wait_for_function(
        "([t, tol]) => Math.abs(document.querySelector('#player').currentTime - t) < tol",
        arg=[t, tol],
    )


def row(page: Page, code: str) -> Any:
    """The event table row whose code is ``code``."""
    return page.locator(
        "#event-table tbody tr",
        has=page.locator("td:first-child", has_text=re.compile(f"^{code}$")),
    )


# --------------------------------------------------------------------------- lexicon


def test_lexicon_deep_link_search_and_pick(page: Page) -> None:
    page.goto(page.base + "/au/12")
    heading = page.locator("#lex-detail h2")
    heading.wait_for()
    assert heading.inner_text().startswith("AU12 Lip corner puller")
    assert "zygomaticus major" in page.inner_text("#lex-detail")
    for view in ("front", "three-quarter", "profile"):
        wait_image(page, f'#lex-detail img[alt="AU12 {view}"]')
    assert page.locator("#lex-list li.selected").inner_text().startswith("AU12")
    shot(page, "lexicon")
    # search by muscle, then pick a code: the URL follows
    page.fill("#lex-search", "orbicularis oris")
    labels = page.locator("#lex-list li .label").all_inner_texts()
    assert "AU23" in labels and "AU12" not in labels
    page.locator('#lex-list li[data-code="23"]').click()
    until(page, "#lex-detail h2", "AU23")
    assert page.url.endswith("/au/23")
    assert "tightener" in page.inner_text("#lex-detail h2").lower()
    page.go_back()
    until(page, "#lex-detail h2", "AU12")
    # a code that does not exist says so
    page.goto(page.base + "/au/99")
    page.wait_for_selector("#lex-detail .error")
    assert "no code '99'" in page.inner_text("#lex-detail")


# --------------------------------------------------------------------------- explainer


def test_explainer_updates_as_you_type_and_compares(page: Page) -> None:
    page.goto(page.base + "/#explain")
    pane_a, pane_b = page.locator('[data-pane="a"]'), page.locator('[data-pane="b"]')
    pane_a.locator(".explain-input").fill("")
    pane_a.locator(".explain-input").type("4+5+7+23", delay=30)
    until(page, "[data-pane=a] .explain-status", "valid: 4+5+7+23", "is")
    wait_image(page, '[data-pane="a"] img.face')
    assert "4%2B5%2B7%2B23" in (pane_a.locator("img.face").get_attribute("src") or "")
    body = pane_a.locator(".explain-body").inner_text()
    assert "Brow lowerer" in body and "orbicularis oris" in body
    assert "anger — full" in body
    pane_b.locator(".explain-input").fill("1+2+5B+26")
    until(page, "[data-pane=b] .explain-status", "valid")
    wait_image(page, '[data-pane="b"] img.face')
    assert "surprise — full" in pane_b.locator(".explain-body").inner_text()
    pane_b.locator(".explain-view").select_option("profile")
    page.wait_for_function(
        "() => document.querySelector('[data-pane=b] img.face').src.includes('view=profile')"
    )
    wait_image(page, '[data-pane="b"] img.face')
    # another face: the list comes from the server, the render asks for it
    page.wait_for_function("() => document.querySelectorAll('[data-pane=b] .explain-face option')"
                           ".length > 1")  # fmt: skip
    pane_b.locator(".explain-face").select_option("3")
    page.wait_for_function(
        "() => document.querySelector('[data-pane=b] img.face').src.includes('identity=3')"
    )
    wait_image(page, '[data-pane="b"] img.face')
    shot(page, "explainer")
    # a malformed code: the message names the token and points at it; the face greys out
    pane_a.locator(".explain-input").fill("4+5+7X+23")
    page.wait_for_selector('[data-pane="a"] .explain-status.error')
    status = pane_a.locator(".explain-status").inner_text()
    assert "'7X'" in status and "^^" in status
    assert "stale" in (pane_a.locator("img.face").get_attribute("class") or "")
    assert pane_a.locator(".explain-body").inner_text() == ""
    shot(page, "explainer-error")
    pane_a.locator(".explain-input").fill("")
    until(page, "[data-pane=a] .explain-status", "", "is")


def test_lexicon_link_opens_the_explainer(page: Page) -> None:
    page.goto(page.base + "/au/AD19")
    page.locator("#lex-detail a", has_text="Explain").click()
    until(page, "[data-pane=a] .explain-status", "valid: 19", "is")
    assert page.locator("#view-explain").is_visible()


# --------------------------------------------------------------------------- coding


def _upload(page: Page, path: Path) -> None:
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-form button[type=submit]")


def test_bad_uploads_say_what_is_wrong(page: Page, tmp_path: Path, clip: Path) -> None:
    page.goto(page.base + "/#coding")
    page.click("#upload-form button[type=submit]")
    assert "Choose a video file first" in page.inner_text("#coding-status")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    _upload(page, notes)
    page.wait_for_selector("#coding-status.error")
    assert "not a video file" in page.inner_text("#coding-status")
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\0" * 4096)
    _upload(page, fake)
    until(page, "#coding-status", "not a video that can be decoded", "has")
    big = tmp_path / "big.mp4"
    with big.open("wb") as handle:
        handle.truncate(6_000_000)
    _upload(page, big)
    until(page, "#coding-status", "the limit is", "has")
    page.click("#code-button")
    assert "Pick or upload a video first" in page.inner_text("#coding-status")
    # a video copied into the workspace's videos/ shows up after a rescan
    workspace = Path(page.evaluate("() => window.facs.Coding.info.workspace"))
    shutil.copy(clip, workspace / "videos" / "copied in.mp4")
    assert "copied in.mp4" not in page.inner_text("#video-select")
    page.click("#rescan-button")
    until(page, "#video-select", "copied in.mp4", "has")


def _code_clip(page: Page, clip: Path) -> str:
    """Upload ``clip`` through the page, code it with live progress, wait for the review."""
    page.goto(page.base + "/#coding")
    page.wait_for_function("() => document.querySelector('#upload-hint').textContent !== ''")
    _upload(page, clip)
    try:  # "Uploaded …", which the page may already have replaced by "Not coded yet …"
        page.wait_for_function(
            "() => /Uploaded|Not coded yet/.test(document.querySelector('#coding-status')"
            ".textContent)"
        )
    except playwright_api.TimeoutError:
        raise AssertionError(page.inner_text("#coding-status")) from None
    page.wait_for_function(
        "() => document.querySelector('#video-select').value.startsWith('smile_and_surprise-')"
    )
    video_id = page.locator("#video-select").input_value()
    assert not page.locator("#review").is_hidden()  # the player shows before coding
    page.click("#code-button")
    page.wait_for_selector("#cancel-button:not([hidden])")
    if SHOTS:
        until(page, "#coding-status", " / 49 frames", "has")
        shot(page, "coding")
    seen: set[str] = set()
    deadline = time.monotonic() + 120
    while page.locator("#coded-part").is_hidden():
        assert time.monotonic() < deadline, page.inner_text("#coding-status")
        seen.add(page.inner_text("#coding-status"))
        time.sleep(0.1)
    assert any(re.search(r"\d+ / 49 frames", s) for s in seen), seen
    return video_id


def _current(page: Page) -> tuple[str, str]:
    return page.inner_text("#current-code"), page.inner_text("#current-annotated")


def test_code_review_correct_save_and_export(page: Page, clip: Path, server: str) -> None:
    video_id = _code_clip(page, clip)
    page.wait_for_function("() => document.querySelectorAll('#event-table tbody tr').length > 0")
    assert "Machine events: not saved yet as coder1" in page.inner_text("#save-status")
    codes = page.locator("#event-table tbody tr td:first-child").all_inner_texts()
    # the smile: 12, or L12 and R12 when the coder reads its sides a letter apart (then the
    # side not already at E, so that making it E changes its letter)
    letters = {
        r.split("\t")[0]: r.split("\t")[-1]
        for r in page.locator("#event-table tbody tr").all_inner_texts()
    }
    smile = min((c for c in ("12", "R12", "L12") if c in codes), key=lambda c: letters[c] == "E")
    assert "26" in codes
    page.wait_for_function("() => document.querySelector('#player').duration > 4")
    # click the timeline at the smile's apex (1.5 s of 4.8 s): the player seeks, the codes follow
    canvas = page.locator("#timeline")
    box = canvas.bounding_box()
    assert box is not None
    scale = box["width"] / 1200
    duration = page.evaluate("() => document.querySelector('#player').duration")
    x = (46 + 1.5 / duration * (1200 - 50)) * scale
    canvas.click(position={"x": x, "y": 60 * scale})
    until_time(page, 1.5, 0.1)
    machine, annotated = _current(page)
    assert "12" in machine and "12" in annotated
    assert machine == annotated  # unedited events: both strings come from one rule
    # curves: the codes active at the smile's apex, not all ~30; every code on demand
    shown = page.evaluate("() => window.facs.Coding.visibleColumns()")
    every = page.evaluate("() => window.facs.Coding.frames.columns")
    assert "AU12" in shown and len(shown) < len(every), (shown, len(every))
    page.check("#all-curves")
    assert page.evaluate("() => window.facs.Coding.visibleColumns().length") == len(every)
    page.uncheck("#all-curves")
    # a portrait video is letterboxed: the player is never taller than 45 % of the window
    tall = page.evaluate(
        "() => document.querySelector('#player').getBoundingClientRect().height / innerHeight"
    )
    assert tall <= 0.451, tall
    shot(page, "review")
    # edit: select the 12 event, make it 12E with the editor
    row(page, smile).click()
    assert page.locator("#ev-code").input_value() == "12"
    page.select_option("#ev-letter", "E")
    page.click("#ev-apply")
    until(page, "#current-annotated", "12E", "has")
    assert row(page, smile).inner_text().split("\t")[-2:] == ["5.0", "E"]  # the peak follows E
    page.fill("#ev-peak", "4.6")  # unless it is typed
    page.click("#ev-apply")
    until(page, "#event-table tbody tr.selected", "4.6", "has")
    until(page, "#current-annotated", "12E", "has")
    # add with the keyboard: type the code, leave the field, press A at 0.3 s
    page.fill("#ev-code", "R14B")
    page.evaluate("() => { document.querySelector('#player').currentTime = 0.3; }")
    until_time(page, 0.3, 0.05)
    page.locator("#timeline").focus()
    page.keyboard.press("a")
    until(page, "#current-annotated", "R14B", "is")
    added = page.locator("#event-table tbody tr.selected").inner_text()
    assert "R14" in added and "B" in added
    # ] sets the selected event's offset at the current frame
    page.evaluate("() => { document.querySelector('#player').currentTime = 0.6; }")
    until_time(page, 0.6, 0.05)
    page.keyboard.press("]")
    until(page, "#event-table tbody tr.selected td:nth-child(5)", "0.60", "is")
    # delete the 26 event with the Delete key
    n_before = page.locator("#event-table tbody tr").count()
    row(page, "26").click()
    page.keyboard.press("Delete")
    assert page.locator("#event-table tbody tr").count() == n_before - 1
    # Ctrl+Z brings it back, Ctrl+Shift+Z deletes it again
    page.keyboard.press("Control+z")
    assert page.locator("#event-table tbody tr").count() == n_before
    assert row(page, "26").count() == 1
    page.keyboard.press("Control+Shift+z")
    assert page.locator("#event-table tbody tr").count() == n_before - 1
    # an invalid code in the editor is refused with the parser's message
    page.locator("#event-table tbody tr").first.click()
    page.fill("#ev-code", "12X")
    page.click("#ev-apply")
    until(page, "#ev-status", "'12X'", "has")
    assert "Unsaved changes" in page.inner_text("#save-status")
    shot(page, "review-edited")
    # save under a named coder with Ctrl+S, then reload the page: the corrections are there
    page.fill("#coder-name", "dana")
    page.locator("#timeline").focus()
    page.keyboard.press("Control+s")
    until(page, "#save-status", "Saved as dana")
    page.goto(server + "/#coding")
    page.select_option("#video-select", video_id)
    page.fill("#coder-name", "dana")
    page.locator("#coder-name").dispatch_event("change")
    until(page, "#save-status", "Loaded dana's")
    rows = page.locator("#event-table tbody tr").all_inner_texts()
    assert any(r.split("\t")[0] == "R14" for r in rows), rows
    assert not any(r.split("\t")[0] == "26" for r in rows)
    assert any(r.split("\t")[0] == smile and r.split("\t")[-1] == "E" for r in rows)
    # exports download the saved list
    with page.expect_download() as csv_dl:
        page.click("#export-csv")
    csv_path = csv_dl.value.path()
    text = Path(csv_path).read_text()
    assert text.startswith("face,code,side,onset_s") and "R14" in text
    with page.expect_download() as eaf_dl:
        page.click("#export-eaf")
    from facs.formats import read_eaf

    eaf = Path(str(eaf_dl.value.path()) + ".eaf")
    shutil.copy(eaf_dl.value.path(), eaf)
    events = read_eaf(eaf)
    assert {smile, "R14"} <= set(events["code"]) and "26" not in set(events["code"])


def test_two_tabs_save_different_corrections_and_both_are_kept(
    page: Page, browser: Any, server: str, coded_video: str
) -> None:
    video_id = coded_video
    other = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    other.set_default_timeout(TIMEOUT_MS)
    tabs = (page, other)
    for tab in tabs:
        tab.goto(server + "/#coding")
        tab.wait_for_function("() => document.querySelectorAll('#video-select option').length > 1")
        tab.evaluate("() => { document.querySelector('#coder-name').value = 'sam'; }")
        tab.select_option("#video-select", video_id)
        until(tab, "#save-status", "sam", "has")
    # the first save creates sam's list from the machine events
    page.locator("#timeline").focus()
    page.keyboard.press("Control+s")
    until(page, "#save-status", "Saved as sam")
    for tab in tabs:
        tab.click("#reload-button")
        until(tab, "#save-status", "Loaded sam's")
    n = page.locator("#event-table tbody tr").count()
    # tab 1 deletes the first event, tab 2 adds one; each saves without reloading
    page.locator("#event-table tbody tr").first.click()
    page.keyboard.press("Delete")
    other.fill("#ev-code", "AD37")
    other.click("#ev-add")
    until(other, "#save-status", "Unsaved changes.", "is")
    for tab in tabs:
        tab.click("#save-button")
        until(tab, "#save-status", "Saved as sam")
    assert "merged in" in other.inner_text("#save-status")
    rows = other.locator("#event-table tbody tr td:first-child").all_inner_texts()
    # AD37 (lip wipe, which the coder never scores) is written 37 in code strings
    assert len(rows) == n and "37" in rows
    # both now edit the same event: the second save is refused and keeps its edits
    page.click("#reload-button")
    until(page, "#event-table tbody", "37", "has")
    for tab, letter in ((page, "A"), (other, "E")):
        row(tab, "37").click()
        tab.select_option("#ev-letter", letter)
        tab.click("#ev-apply")
        tab.click("#save-button")
    other.wait_for_selector("#save-status.error")
    message = other.inner_text("#save-status")
    assert "another save also changed 37E (0.00" in message, message
    assert "Save again to keep your version" in message
    kept = [r.split("\t") for r in other.locator("#event-table tbody tr").all_inner_texts()]
    assert any(r[0] == "37" and r[-1] == "E" for r in kept), kept
    shot(other, "review-conflict")
    # saving again keeps this tab's version; the other tab sees it after Reload
    other.click("#save-button")
    until(other, "#save-status", "Saved as sam")
    page.click("#reload-button")
    until(page, "#save-status", "Loaded sam's")
    final = [r.split("\t") for r in page.locator("#event-table tbody tr").all_inner_texts()]
    assert any(r[0] == "37" and r[-1] == "E" for r in final), final
    other.context.close()


def test_cancel_a_coding_job_from_the_page(page: Page, coded_video: str) -> None:
    page.goto(page.base + "/#coding")
    page.wait_for_function("() => document.querySelectorAll('#video-select option').length > 1")
    page.select_option("#video-select", coded_video)
    until(page, "#coding-status", "is coded", "has")
    page.click("#code-button")
    page.wait_for_selector("#cancel-button:not([hidden])")
    page.click("#cancel-button")
    until(page, "#coding-status", "Coding cancelled")
    assert page.locator("#cancel-button").is_hidden()
    assert page.locator("#code-button").is_enabled()


def test_the_page_exposes_its_views_for_tools(page: Page, coded_video: str) -> None:
    """window.facs.Coding is the coding state with its actions (benchmarks/web.py drives it)."""
    page.goto(page.base + "/#coding")
    page.wait_for_function("() => document.querySelectorAll('#video-select option').length > 1")
    page.select_option("#video-select", coded_video)
    page.wait_for_function(
        "() => { const C = window.facs.Coding; return C.frames && C.frames.time_s.length > 0"
        " && document.querySelectorAll('#event-table tbody tr').length > 0; }"
    )
    facts = page.evaluate(
        """() => { const { Lexicon, Explainer, Coding: C } = window.facs;
             C.draw(); const cached = C._curves;
             C._curves = null; C.draw(); const redrawn = C._curves;
             C.draw();
             return { redrawn: redrawn !== null && redrawn !== cached,
                      kept: C._curves === redrawn,
                      stacks: Array.isArray(C.undo) && Array.isArray(C.redo),
                      video: C.video, events: C.events.length, dirty: C.dirty,
                      views: [typeof Lexicon.show, typeof Explainer.set, typeof C.init] }; }"""
    )
    assert facts["redrawn"] and facts["kept"] and facts["stacks"], facts
    assert facts["video"] == coded_video and facts["events"] > 0 and facts["dirty"] is False
    assert facts["views"] == ["function"] * 3


def test_an_explainer_link_carries_its_codes(page: Page) -> None:
    """A shareable URL: the codes on show are in the address, and opening it shows them."""
    page.goto(page.base + "/#explain")
    page.locator('[data-pane="a"] .explain-input').fill("1+2+5B+26")
    until(page, "[data-pane=a] .explain-status", "valid: 1+2+5B+26", "is")
    page.wait_for_function("() => location.hash.includes('a=1%2B2%2B5B%2B26')")
    link = page.evaluate("() => location.href")
    page.goto(page.base + "/#lexicon")
    page.goto(link.replace("1%2B2%2B5B%2B26", "6%2B12D") + "&b=4%2B5%2B7%2B23")
    until(page, "[data-pane=a] .explain-status", "valid: 6+12D", "is")
    until(page, "[data-pane=b] .explain-status", "valid: 4+5+7+23", "is")
    assert page.locator("#view-explain").is_visible()
