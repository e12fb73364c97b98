"""The hand-made FACS reference coding of ``../shared/data/real/`` (coder "reference").

Every event below was set by looking at decoded frames (contact sheets every
2nd-4th frame, single frames around onsets, apexes and offsets), never at the
machine's output. See README.md in this folder for conventions and narrative.

``python benchmarks/real/reference_events.py`` enters the clip codings through the
``facs serve`` backend (FastAPI app, in process): copies the clips into a workspace,
runs the page's coding job on each, PUTs the events as coder ``reference`` and
downloads ``/api/videos/{id}/annotations/reference.csv|.eaf`` into this folder.
The photos (the page takes videos only) are written with ``facs.formats.write_events``.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "shared" / "data" / "real"

LETTER_PEAK = {"": 0.0, "A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0, "E": 5.0}

# (code, side, onset_s, apex_s, offset_s, letter); visibility codes 70-74 carry no letter.
WOLFGANG = [
    # 0.0-2.45 s crying, eyes downcast then shut; from 2.46 s a hand covers the lower face
    ("64", "", 0.00, 0.00, 0.71, "C"),  # eyes down (lids lowered) before they close
    ("1", "", 0.00, 2.00, 8.80, "C"),  # inner brows up, medial forehead wrinkles
    ("4", "", 0.08, 2.34, 8.80, "D"),  # brows knit, deep vertical furrows
    ("15", "", 0.25, 1.00, 2.46, "C"),  # lip corners down (then hidden by the hand)
    ("17", "", 0.42, 2.00, 2.46, "C"),  # chin boss up
    ("24", "", 0.75, 1.50, 2.46, "B"),  # lips pressed (uncertain: 23 vs 24)
    ("43", "", 0.71, 2.00, 5.92, "E"),  # eyes closed while crying
    ("6", "", 0.83, 2.34, 5.80, "B"),  # cheeks pushed up under the shut eyes (uncertain)
    ("72", "", 2.46, 2.46, 9.47, ""),  # hand over mouth, then nose and mouth, then mouth
    # 5.9-9.4 s eyes open, looking up, worried brows fading; head tips back
    ("63", "", 5.92, 7.59, 12.60, "C"),  # eyes up
    ("53", "", 6.00, 11.00, 16.30, "C"),  # head up
    # 9.5-19.7 s smile, laugh, smile
    ("12", "", 9.55, 13.51, 19.65, "D"),  # two peaks: 10.8 s C, 13.5 s D (dip to B at 11.6-12.1)
    ("25", "", 9.55, 12.43, 19.65, "C"),
    ("6", "", 10.30, 13.51, 19.65, "D"),
    ("26", "", 11.30, 12.43, 15.10, "C"),
    # two blinks added 2026-12-04 (night) after an every-frame review of the eyes
    # (benchmarks/real/README.md, "Revisions"): both lids down, her left fully shut
    ("45", "", 6.38, 6.42, 6.47, "E"),
    ("45", "", 10.30, 10.34, 10.43, "E"),
    ("45", "", 11.93, 12.01, 12.10, "E"),  # left eye closes more than the right
    ("45", "", 16.06, 16.10, 16.18, "E"),  # added 2026-12-04 (night), as above
    ("45", "", 17.72, 17.85, 18.06, "E"),
    ("56", "", 16.35, 17.35, 18.45, "C"),  # head tilt to her right
    ("64", "", 18.35, 19.02, 19.65, "C"),  # eyes down, lids lowered
    ("54", "", 18.45, 19.35, 19.65, "C"),  # head down
    ("55", "", 18.77, 19.35, 19.65, "B"),  # head tilt to her left while bowed (uncertain)
]

# single_face.mp4 (30 fps); face_noface.mov and noface_face.mov contain the same
# 2.4 s take (the latter shifted by 3.95 s), followed / preceded by a cartoon title.
_TAKE = [
    ("12", "", 0.57, 1.40, 2.37, "C"),
    ("25", "", 0.63, 1.40, 2.30, "B"),
    ("6", "", 0.67, 1.40, 2.17, "B"),
    ("45", "", 0.83, 0.90, 0.97, "E"),
]


def _shift(events: list[tuple], dt: float, end: float) -> list[tuple]:
    return [
        (c, s, round(a + dt, 2), round(b + dt, 2), round(min(o + dt, end), 2), letter)
        for c, s, a, b, o, letter in events
    ]


CLIPS: dict[str, list[tuple]] = {
    "WolfgangLanger_Pexels.mp4": WOLFGANG,
    "single_face.mp4": _TAKE,
    "face_noface.mov": [*_TAKE, ("73", "", 2.4, 2.4, 6.36, "")],
    "noface_face.mov": [("73", "", 0.0, 0.0, 3.93, ""), *_shift(_TAKE, 3.95, 6.31)],
    "no_face.mp4": [("73", "", 0.00, 0.00, 3.92, "")],
}

# Photos: one event per code, onset = apex = offset = 0. Faces of multi_face.jpg are
# numbered as `facs code` numbers them (checked: left to right by face-box centre).
PHOTOS: dict[str, dict[int, list[tuple[str, str, str]]]] = {
    "single_face.jpg": {0: [("6", "", "B"), ("12", "", "C"), ("25", "", "B")]},
    "astronaut.png": {0: [("6", "", "B"), ("12", "", "C"), ("25", "", "B")]},
    "multi_face.jpg": {
        0: [("71", "", ""), ("12", "", "C"), ("25", "", "B")],  # sunglasses, top left
        1: [("6", "", "B"), ("12", "", "C"), ("25", "", "B")],  # long fair hair, front left
        2: [("12", "", "A")],  # curly hair, back centre
        3: [("6", "", "C"), ("12", "", "D"), ("25", "", "C")],  # dark hair, front centre
        4: [("6", "", "C"), ("12", "", "D"), ("25", "", "C")],  # red hair, right
    },
}


def event_dicts(events: list[tuple], face: int = 0) -> list[dict]:
    return [
        {
            "face": face,
            "code": c,
            "side": s,
            "onset_s": a,
            "apex_s": b,
            "offset_s": o,
            "peak": LETTER_PEAK[letter],
            "letter": letter,
        }
        for c, s, a, b, o, letter in events
    ]


def photo_table(name: str):
    import pandas as pd

    from facs.formats import EVENT_COLUMNS

    rows = []
    for face, codes in PHOTOS[name].items():
        for code, side, letter in codes:
            rows.append(
                {
                    "face": face,
                    "code": code,
                    "side": side,
                    "onset_s": 0.0,
                    "apex_s": 0.0,
                    "offset_s": 0.0,
                    "peak": LETTER_PEAK[letter],
                    "letter": letter,
                }
            )
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS))


def enter(workspace: Path, out: Path = HERE, code_videos: bool = True) -> None:
    from fastapi.testclient import TestClient

    from facs.formats import write_events
    from facs.web.app import create_app

    videos = workspace / "videos"
    videos.mkdir(parents=True, exist_ok=True)
    for name in CLIPS:
        if not (videos / name).exists():
            shutil.copy2(DATA / name, videos / name)
    app = create_app(workspace)
    with TestClient(app, base_url="http://127.0.0.1") as client:  # the page serves local hosts only
        listed = {v["name"]: v for v in client.get("/api/videos").json()}
        for name, events in CLIPS.items():
            vid = listed[name]["id"]
            if code_videos and not listed[name]["coded"]:
                job = client.post(f"/api/videos/{vid}/code").json()
                while (state := client.get(f"/api/jobs/{job['id']}").json())["state"] in (
                    "queued",
                    "running",
                ):
                    time.sleep(1)
                print(f"{name}: coding job {state['state']}", file=sys.stderr)
            current = client.get(f"/api/videos/{vid}/annotations/reference").json()
            resp = client.put(
                f"/api/videos/{vid}/annotations/reference",
                json={"revision": current["revision"], "events": event_dicts(events)},
            )
            if resp.status_code != 200:
                raise SystemExit(f"{name}: PUT refused: {resp.status_code} {resp.text}")
            stem = Path(name).stem
            for ext in ("csv", "eaf"):
                data = client.get(f"/api/videos/{vid}/annotations/reference.{ext}")
                data.raise_for_status()
                (out / f"{stem}.reference.{ext}").write_bytes(data.content)
            print(f"{name}: {len(events)} reference events saved and exported", file=sys.stderr)
    app.state.engine.dispose()
    for name in PHOTOS:
        write_events(photo_table(name), out / f"{name}.reference.csv")


if __name__ == "__main__":
    enter(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/refws"))
