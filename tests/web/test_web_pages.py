"""The page, its assets, the lexicon and the explainer API."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facs.catalogue import catalogue


def test_index_and_static_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/app.js">' in page.text
    for name, kind in (("app.js", "javascript"), ("app.css", "text/css")):
        assert f"/static/{name}" in page.text
        resp = client.get(f"/static/{name}")
        assert resp.status_code == 200 and kind in resp.headers["content-type"]
    assert client.get("/static/nothing.js").status_code == 404
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN


def test_static_files_are_exactly_the_served_ones() -> None:
    from facs.web._routes_lexicon import SCRIPTS, STATIC

    folder = resources.files("facs.web").joinpath("static")
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(STATIC)
    assert sorted(n for n in STATIC if n.endswith(".js")) == sorted(f"{s}.js" for s in SCRIPTS)


def test_every_module_is_served_as_javascript(client: TestClient) -> None:
    """Browsers run a module script only if it comes with a JavaScript MIME type."""
    from facs.web._routes_lexicon import SCRIPTS

    for name in SCRIPTS:
        resp = client.get(f"/static/{name}.js")
        assert resp.status_code == 200, name
        assert resp.headers["content-type"] == "text/javascript; charset=utf-8", name
        assert (
            resp.content
            == resources.files("facs.web").joinpath("static", f"{name}.js").read_bytes()
        )


def _imports(text: str) -> list[str]:
    return re.findall(r'^import [^;]*? from "([^"]+)";$', text, flags=re.MULTILINE)


def test_modules_import_only_served_modules_and_all_are_used() -> None:
    """Every import is a relative path to a served module; from app.js they reach them all."""
    from facs.web._routes_lexicon import SCRIPTS

    folder = resources.files("facs.web").joinpath("static")
    graph = {}
    for name in SCRIPTS:
        targets = _imports(folder.joinpath(f"{name}.js").read_text(encoding="utf-8"))
        for target in targets:
            assert re.fullmatch(r"\./[a-z]+\.js", target), (name, target)
            assert target[2:-3] in SCRIPTS, (name, target)
        graph[name] = [t[2:-3] for t in targets]
    seen, todo = set(), ["app"]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph[name])
    assert seen == set(SCRIPTS)


@pytest.mark.parametrize(
    "name",
    ["..%2Fapp.py", "..%2F_deps.py", "%2e%2e%2fapp.py", "%2e%2e", "app.js%00", "APP.JS", "app",
     "static%2Fapp.js", "..%5Capp.py", "__init__.py"],
)  # fmt: skip
def test_static_names_outside_the_list_are_404(client: TestClient, name: str) -> None:
    resp = client.get(f"/static/{name}")
    assert resp.status_code in (404, 405), (name, resp.status_code)
    assert b"import" not in resp.content and b"def " not in resp.content


def test_no_external_urls_in_static_files() -> None:
    from facs.web._routes_lexicon import SCRIPTS

    folder = resources.files("facs.web").joinpath("static")
    names = [p.name for p in folder.iterdir() if p.name.endswith((".html", ".js", ".css"))]
    assert sorted(names) == sorted(["app.css", "index.html", *(f"{s}.js" for s in SCRIPTS)])
    for name in names:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        for needle in ("http://", "https://", "//cdn"):
            assert needle not in text, f"{name} refers to {needle}"


@pytest.mark.parametrize("path", ["/au/12", "/au/AD19", "/au/M59"])
def test_deep_links_return_the_page(client: TestClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200
    assert resp.text == client.get("/").text


def test_codes_lists_the_whole_catalogue(client: TestClient) -> None:
    codes = client.get("/api/codes").json()
    assert len(codes) == len(list(catalogue))
    au12 = next(c for c in codes if c["label"] == "AU12")
    assert au12["name"] == "Lip corner puller"
    assert au12["muscles"] == ["zygomaticus major"]
    assert {"kind", "region", "key"} <= set(au12)


def test_code_detail_explains_like_the_cli(client: TestClient) -> None:
    data = client.get("/api/codes/12").json()
    assert data["entry"]["label"] == "AU12" and data["entry"]["appearance"]
    assert data["code"] == "12"
    assert data["actions"][0]["name"] == "Lip corner puller"
    assert "emotions" in data and "warnings" in data
    missing = client.get("/api/codes/99")
    assert missing.status_code == 404 and "99" in missing.json()["detail"]


def test_render_png_is_cached_on_disk(client: TestClient, workspace: Path) -> None:
    resp = client.get("/api/render/6+12.png", params={"view": "three-quarter"})
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/png"
    assert resp.content[:8] == b"\x89PNG\r\n\x1a\n"
    cached = list((workspace / "renders").glob("*.png"))
    assert len(cached) == 1
    # the same code written differently hits the same file
    again = client.get("/api/render/AU12+AU6.png", params={"view": "three-quarter"})
    assert again.content == resp.content
    assert list((workspace / "renders").glob("*")) == cached


def test_render_rejects_bad_input(client: TestClient) -> None:
    bad_view = client.get("/api/render/12.png", params={"view": "top"})
    assert bad_view.status_code == 422 and "view" in bad_view.json()["detail"]
    bad_code = client.get("/api/render/1+99.png")
    assert bad_code.status_code == 422 and "99" in bad_code.json()["detail"]


def test_render_draws_the_face_asked_for(client: TestClient) -> None:
    faces = client.get("/api/faces").json()
    assert faces[0] == "mean face" and len(faces) > 1
    mean = client.get("/api/render/12.png")
    other = client.get("/api/render/12.png", params={"identity": len(faces) - 1})
    assert other.status_code == 200 and other.content != mean.content
    bad = client.get("/api/render/12.png", params={"identity": len(faces)})
    assert bad.status_code == 422 and "identity" in bad.json()["detail"]


def test_explain_valid_code(client: TestClient) -> None:
    data = client.get("/api/explain", params={"code": "AU12C + AU6B"}).json()
    assert data["ok"] is True and data["code"] == "6B+12C"
    assert [a["name"] for a in data["explanation"]] == ["Cheek raiser", "Lip corner puller"]
    assert any(m["emotion"] == "happiness" and m["match"] == "full" for m in data["emotions"])
    assert isinstance(data["warnings"], list)


@pytest.mark.parametrize(
    ("code", "token", "position"), [("1+99", "99", 2), ("1++2", "", 2), ("12Q", "12Q", 0)]
)
def test_explain_malformed_code_is_422(
    client: TestClient, code: str, token: str, position: int
) -> None:
    resp = client.get("/api/explain", params={"code": code})
    assert resp.status_code == 422
    detail = resp.json()["detail"]
    assert detail["ok"] is False and detail["position"] == position
    assert detail["token"] == token and detail["message"]


def test_explain_missing_or_empty_code(client: TestClient) -> None:
    assert client.get("/api/explain").status_code == 422
    empty = client.get("/api/explain", params={"code": ""})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]["message"]
    long = client.get("/api/explain", params={"code": "1+" * 300})
    assert long.status_code == 422 and isinstance(long.json()["detail"], str)


def test_the_page_writes_codes_in_canonical_order() -> None:
    """The review page's codeAt (static/events.js) orders as facs.notation does."""
    import shutil
    import subprocess

    from facs import Code

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    import facs.web

    static = Path(facs.web.__file__).parent / "static" / "events.js"
    events = [("14", "R", "B"), ("43", "R", "E"), ("43", "L", "E"), ("54", "", "D"),
              ("AD19", "", ""), ("12", "", "C")]  # fmt: skip
    js = (
        f"import {{ codeAt }} from {json.dumps(static.as_uri())};\n"
        "const ev = "
        + json.dumps(
            [{"code": c, "side": s, "letter": x, "onset_s": 0, "offset_s": 1} for c, s, x in events]
        )
        + ";\n"
        "console.log(codeAt(ev, 0.5));"
    )
    out = subprocess.run([node, "--input-type=module", "-e", js], capture_output=True,
                         text=True, check=True).stdout.strip()  # fmt: skip
    expected = str(Code.parse("R14B+R43E+L43E+54D+AD19+12C"))
    assert out.replace("AD19", "19") == expected, (out, expected)


def test_the_page_checks_peak_and_letter_as_events_tables_do() -> None:
    """static/events.js's check refuses what read_events does: a letter its peak does not read."""
    import shutil
    import subprocess

    from facs.formats._tables import peak_letter

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    import facs.web

    static = Path(facs.web.__file__).parent / "static" / "events.js"
    peaks = [0.0, 0.3, 0.5, 1.49, 1.5, 2.5, 3.49, 4.5, 5.0]
    base = {"code": "12", "onset_s": 0, "apex_s": 0.5, "offset_s": 1}
    cases = [dict(base, peak=p, letter=x) for p in peaks for x in ("", "A", "C", "E")]
    js = (
        f"import {{ check, peakLetter }} from {json.dumps(static.as_uri())};\n"
        f"const cases = {json.dumps(cases)};\n"
        "console.log(JSON.stringify(cases.map((e) => [peakLetter(e.peak), check(e)])));"
    )
    out = subprocess.run([node, "--input-type=module", "-e", js], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    for case, (reads, problem) in zip(cases, json.loads(out), strict=True):
        assert reads == peak_letter(case["peak"]), case
        agrees = case["letter"] == reads or (case["peak"] == 0 and case["letter"])
        assert (problem is None) == bool(agrees), (case, problem)
    assert json.loads(out)[len(peaks) * 4 - 3][1] == "peak 5 reads E, not A"
