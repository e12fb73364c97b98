"""Uploads, the video list, coding jobs, media streaming, frames and events."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from facs.web.app import create_app

from ._helpers import UPLOAD_LIMIT, FakeCoder, fake_summary, wait_job


def test_upload_stores_a_safe_name(client: TestClient, video_id: str, workspace: Path) -> None:
    assert video_id.startswith("take_one-")
    stored = list((workspace / "videos").iterdir())
    assert [p.name for p in stored] == [f"{video_id}.mp4"]
    listed = client.get("/api/videos").json()
    assert [(v["id"], v["coded"]) for v in listed] == [(video_id, False)]


def _webm_without_duration() -> bytes:
    """50 frames of VP8 written to a stream that cannot seek: no duration in the header,
    as a browser's MediaRecorder writes them."""
    import io

    import av
    import numpy as np

    class Unseekable(io.RawIOBase):
        def __init__(self, sink: io.BytesIO) -> None:
            self.sink = sink

        def writable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def write(self, data: bytes) -> int:  # type: ignore[override]
            self.sink.write(data)
            return len(data)

    sink = io.BytesIO()
    out = av.open(Unseekable(sink), "w", format="webm")
    stream = out.add_stream("libvpx", rate=25)
    stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"  # type: ignore[union-attr]
    for i in range(50):
        frame = av.VideoFrame.from_ndarray(np.full((120, 160, 3), i * 4, np.uint8), format="rgb24")
        for packet in stream.encode(frame):  # type: ignore[union-attr]
            out.mux(packet)
    for packet in stream.encode():  # type: ignore[union-attr]
        out.mux(packet)
    out.close()
    return sink.getvalue()


def test_a_recording_without_a_duration_is_a_video(client: TestClient) -> None:
    recording = client.post("/api/videos", files={"file": ("rec.webm", _webm_without_duration(),
                                                            "video/webm")})  # fmt: skip
    assert recording.status_code == 201, recording.text  # was "a single image"


def test_upload_rejects_wrong_type_size_and_content(client: TestClient, tmp_path: Path) -> None:
    text = client.post("/api/videos", files={"file": ("notes.txt", b"hello", "text/plain")})
    assert text.status_code == 415 and "not a video" in text.json()["detail"]
    fake = client.post("/api/videos", files={"file": ("fake.mp4", b"not a video", "video/mp4")})
    assert fake.status_code == 415 and "not a video that can be decoded" in fake.json()["detail"]
    big = client.post(
        "/api/videos", files={"file": ("big.mp4", b"\0" * (UPLOAD_LIMIT + 1), "video/mp4")}
    )
    assert big.status_code == 413 and "limit" in big.json()["detail"]
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (64, 48), "grey").save(png, format="PNG")
    photo = client.post("/api/videos", files={"file": ("photo.mp4", png.getvalue(), "video/mp4")})
    assert photo.status_code == 415 and "a single image, not a video" in photo.json()["detail"]
    empty = client.post("/api/videos", files={"file": ("empty.mp4", b"", "video/mp4")})
    assert empty.status_code == 422
    assert client.post("/api/videos").status_code == 422
    assert client.get("/api/videos").json() == []  # nothing half-written left behind


def test_upload_refuses_a_cut_off_video(client: TestClient, clip: Path, tmp_path: Path) -> None:
    import av

    whole = tmp_path / "index first.mp4"  # the index up front, as streamed files have it
    with (
        av.open(str(clip)) as source,
        av.open(str(whole), mode="w", options={"movflags": "faststart"}) as target,
    ):
        stream = target.add_stream_from_template(source.streams.video[0])
        for packet in source.demux(source.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                target.mux(packet)
    with av.open(str(whole)) as container:
        ends = [p.pos + p.size for p in container.demux(video=0) if p.size and p.pos]
    data = whole.read_bytes()
    cut = client.post("/api/videos", files={"file": ("cut.mp4", data[: ends[len(ends) // 2]])})
    assert cut.status_code == 415, cut.text  # was accepted; its coding job then failed
    assert cut.json()["detail"].startswith("'cut.mp4': truncated")
    assert client.get("/api/videos").json() == []
    assert client.post("/api/videos", files={"file": ("ok.mp4", data)}).status_code == 201


def test_videos_already_in_the_workspace_are_listed(
    client: TestClient, clip: Path, workspace: Path
) -> None:
    shutil.copy(clip, workspace / "videos" / "plain.mp4")
    shutil.copy(clip, workspace / "videos" / "with space é.mov")
    (workspace / "videos" / "readme.txt").write_text("not a video")
    ids = {v["name"]: v["id"] for v in client.get("/api/videos").json()}
    assert set(ids) == {"plain.mp4", "with space é.mov"}
    assert ids["plain.mp4"] == "plain"
    assert ids["with space é.mov"].startswith("with_space-")
    media = client.get(f"/api/videos/{ids['with space é.mov']}/media")
    assert media.status_code == 200 and media.content == clip.read_bytes()


def test_media_supports_range_requests(client: TestClient, video_id: str, clip: Path) -> None:
    data = clip.read_bytes()
    resp = client.get(f"/api/videos/{video_id}/media", headers={"Range": "bytes=10-99"})
    assert resp.status_code == 206
    assert resp.content == data[10:100]
    assert resp.headers["content-range"] == f"bytes 10-99/{len(data)}"


def test_coding_job_reports_progress_and_writes_outputs(
    client: TestClient, video_id: str, workspace: Path, fake_coder: FakeCoder
) -> None:
    fake_coder.gate.clear()
    job = client.post(f"/api/videos/{video_id}/code")
    assert job.status_code == 202
    job_id = job.json()["id"]
    busy = client.post(f"/api/videos/{video_id}/code")
    assert busy.status_code == 409 and "already running" in busy.json()["detail"]
    state = client.get(f"/api/jobs/{job_id}").json()
    assert state["state"] in ("queued", "running") and state["error"] is None
    fake_coder.gate.set()
    final = wait_job(client, job_id)
    assert final["state"] == "done" and final["done"] == final["total"] == 90
    out = workspace / "codings" / video_id
    assert (out / "frames.csv").is_file() and (out / "events.csv").is_file()
    assert client.get("/api/videos").json()[0]["coded"] is True
    assert client.get("/api/jobs/nope").status_code == 404


def test_failed_job_reports_the_error(client: TestClient, video_id: str) -> None:
    app = client.app
    assert hasattr(app, "state")

    def broken(*_args: object) -> None:
        raise RuntimeError("no face model")

    app.state.jobs._coder = broken
    job_id = client.post(f"/api/videos/{video_id}/code").json()["id"]
    final = wait_job(client, job_id)
    assert final == {**final, "state": "error", "error": "no face model"}


def test_frames_and_events_of_a_coded_video(client: TestClient, coded_id: str) -> None:
    frames = client.get(f"/api/videos/{coded_id}/frames").json()
    assert frames["face"] == 0 and frames["faces"] == [0]
    assert len(frames["time_s"]) == len(frames["code"]) == 90
    assert "AU12" in frames["columns"] and "AU26" in frames["columns"]
    assert "AU04" not in frames["columns"]  # only columns with activity
    assert max(frames["values"]["AU12"]) > 3
    assert "12" in frames["code"][45]
    events = client.get(f"/api/videos/{coded_id}/events").json()
    assert {"12", "26"} <= {e["code"] for e in events}
    assert all(e["onset_s"] <= e["apex_s"] <= e["offset_s"] for e in events)


def test_uncoded_video_has_no_frames(client: TestClient, video_id: str) -> None:
    resp = client.get(f"/api/videos/{video_id}/frames")
    assert resp.status_code == 404 and "not coded" in resp.json()["detail"]
    assert client.get("/api/videos/nothing/frames").status_code == 404


def test_a_running_job_can_be_cancelled_and_coded_again(
    client: TestClient, video_id: str, fake_coder: FakeCoder
) -> None:
    fake_coder.gate.clear()
    job_id = client.post(f"/api/videos/{video_id}/code").json()["id"]
    resp = client.post(f"/api/jobs/{job_id}/cancel")
    assert resp.status_code == 202
    final = wait_job(client, job_id)
    assert final["state"] == "cancelled" and final["error"] == "cancelled from the page"
    assert client.get("/api/videos").json()[0]["coded"] is False
    assert client.post("/api/jobs/nope/cancel").status_code == 404
    twice = client.post(f"/api/jobs/{job_id}/cancel")  # an ended job is not cancelled again
    assert twice.status_code == 409 and "already ended: cancelled" in twice.json()["detail"]
    fake_coder.gate.set()
    again = client.post(f"/api/videos/{video_id}/code")
    assert again.status_code == 202  # the cancelled job no longer blocks
    assert wait_job(client, again.json()["id"])["state"] == "done"


def test_jobs_survive_a_restart_and_running_ones_read_interrupted(
    client: TestClient, coded_id: str, workspace: Path
) -> None:
    from facs.web import _db

    done = client.get(f"/api/videos/{coded_id}").json()["job"]
    assert done["state"] == "done"
    app = client.app
    assert hasattr(app, "state")
    sessions = _db.make_sessions(app.state.engine)
    # a job that was running when the server was killed
    _db.save_job(sessions, {**done, "id": "killedjob", "state": "running", "done": 40,
                            "created": done["created"] + 1})  # fmt: skip
    restarted = create_app(workspace, max_upload=UPLOAD_LIMIT, coder=FakeCoder())
    with TestClient(restarted, base_url="http://127.0.0.1") as fresh:
        assert fresh.get(f"/api/jobs/{done['id']}").json()["state"] == "done"
        killed = fresh.get("/api/jobs/killedjob").json()
        assert killed["state"] == "interrupted" and "server stopped" in killed["error"]
        assert fresh.get(f"/api/videos/{coded_id}").json()["job"]["id"] == "killedjob"
        # an interrupted job does not block a new one
        assert fresh.post(f"/api/videos/{coded_id}/code").status_code == 202
    restarted.state.engine.dispose()


def test_oversized_upload_is_refused_before_it_is_read(client: TestClient, workspace: Path) -> None:
    body = b"\0" * (UPLOAD_LIMIT + 200_000)
    resp = client.post("/api/videos", files={"file": ("big.mp4", body, "video/mp4")})
    assert resp.status_code == 413
    assert "larger than the limit" in resp.json()["detail"]
    assert not any((workspace / "videos").iterdir())


def test_media_serves_the_playback_copy_when_there_is_one(
    client: TestClient, coded_id: str, workspace: Path, clip: Path
) -> None:
    from facs.web._playback import make_playback

    copy = make_playback(clip, workspace / "codings" / coded_id)
    assert copy is not None  # the test clip is MPEG-4 part 2: browsers cannot play it
    info = client.get(f"/api/videos/{coded_id}").json()
    assert info["playback_copy"] is True
    resp = client.get(f"/api/videos/{coded_id}/media")
    assert resp.content == copy.read_bytes() and resp.headers["content-type"] == "video/mp4"
    original = client.get(f"/api/videos/{coded_id}/media", params={"original": "true"})
    assert original.content == clip.read_bytes()


def test_frames_of_each_face_of_a_two_face_coding(
    client: TestClient, video_id: str, workspace: Path
) -> None:
    import pandas as pd

    from facs.coding import Coding
    from facs.timeline import process

    from ._helpers import smile_frames  # re-exported from tests/conftest.py

    first = smile_frames(smile=(4.0, 4.0), brow=0.0)
    second = smile_frames(smile=(4.0, 4.0), brow=0.0)
    second["face"] = 1
    second[["AU12", "AU12_L", "AU12_R"]] = 0.0
    for column in ("AU04", "AU04_L", "AU04_R"):
        second[column] = first["AU12"]
    raw = pd.concat([first, second], ignore_index=True)
    frames, events = process(raw)
    Coding(frames, events, fake_summary("two faces")).save(
        workspace / "codings" / video_id, plot=False
    )
    default = client.get(f"/api/videos/{video_id}/frames").json()
    assert default["faces"] == [0, 1] and default["face"] == 0
    assert "AU12" in default["columns"] and "AU04" not in default["columns"]
    other = client.get(f"/api/videos/{video_id}/frames", params={"face": 1}).json()
    assert other["face"] == 1 and "AU04" in other["columns"] and "AU12" not in other["columns"]
    assert len(other["time_s"]) == 90
    missing = client.get(f"/api/videos/{video_id}/frames", params={"face": 5})  # faces 0, 1
    assert missing.status_code == 404 and "no face 5" in missing.json()["detail"]
    assert "faces: 0, 1" in missing.json()["detail"]
    faces = {e["face"] for e in client.get(f"/api/videos/{video_id}/events").json()}
    assert faces == {0, 1}


def test_coding_from_the_page_takes_a_range_a_neutral_span_and_an_actor(
    client: TestClient, video_id: str, workspace: Path, fake_coder: FakeCoder
) -> None:
    """As facs code: --start/--end, --neutral and --actor (issue 17)."""
    (workspace / "actors").mkdir()
    (workspace / "actors" / "ann.json").write_text("{}")
    assert client.get("/api/info").json()["actors"] == ["ann"]
    body = {"start": 0.5, "end": 2.0, "neutral": "0:00.5-0:01", "actor": "ann"}
    job = client.post(f"/api/videos/{video_id}/code", json=body)
    assert job.status_code == 202, job.text
    assert wait_job(client, job.json()["id"])["state"] == "done"
    assert fake_coder.options[-1] == {"start": 0.5, "end": 2.0, "neutral": (0.5, 1.0),
                                      "actor": workspace / "actors" / "ann.json"}  # fmt: skip
    plain = client.post(f"/api/videos/{video_id}/code")  # no body: no options
    assert wait_job(client, plain.json()["id"])["state"] == "done"
    assert fake_coder.options[-1] == {}
    for bad, says in (({"start": 3, "end": 1}, "not after start"),
                      ({"neutral": "2-1"}, "span"), ({"start": -1}, "greater than or equal"),
                      ({"actor": "bob"}, "no actor 'bob'")):  # fmt: skip
        answer = client.post(f"/api/videos/{video_id}/code", json=bad)
        assert answer.status_code in (400, 422) and says in answer.text, (bad, answer.text)


def test_a_coded_video_with_no_face_opens_for_review(
    client: TestClient, video_id: str, workspace: Path
) -> None:
    import numpy as np

    from facs.coding import Coding
    from facs.series import faceless_rows
    from facs.timeline import process

    frames, events = process(faceless_rows(np.arange(3), np.array([0.0, 0.04, 0.08])))
    Coding(frames, events, fake_summary("no face")).save(
        workspace / "codings" / video_id, plot=False
    )
    page = client.get(f"/api/videos/{video_id}/frames", params={"face": 0})
    assert page.status_code == 200, page.text  # the page asks for face 0; it was a 404
    assert page.json()["faces"] == [] and len(page.json()["time_s"]) == 3
