"""facs batch: inputs, plans, and real Dask processes (a LocalCluster; a scheduler and
two workers started by hand, one of them killed mid-batch)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from facs import InputError, ParameterError
from facs.batch import (
    BatchItem,
    _split,
    code_many,
    expand_inputs,
    part_seconds,
    read_manifest,
)

FACS = Path(sys.executable).with_name("facs")
DASK = Path(sys.executable).with_name("dask")


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not really a video")
    return path


# ------------------------------------------------------------------------ inputs


def test_folders_globs_and_files_expand_with_unique_names(tmp_path: Path) -> None:
    a = _touch(tmp_path / "day1" / "take.mp4")
    b = _touch(tmp_path / "day2" / "take.mp4")
    c = _touch(tmp_path / "day2" / "other take.MOV")
    _touch(tmp_path / "day2" / ".facs-work" / "hidden.mp4")  # our own work folders are skipped
    _touch(tmp_path / "day2" / "notes.txt")
    items = expand_inputs([tmp_path, str(tmp_path / "day1" / "*.mp4")])
    assert [i.path for i in items] == [a, c, b]  # the glob's match was already there
    assert [i.name for i in items] == ["day1_take", "other_take", "day2_take"]
    jpg, mp4 = _touch(tmp_path / "one" / "x.jpg"), _touch(tmp_path / "one" / "x.mp4")
    assert [i.name for i in expand_inputs([jpg, mp4])] == ["x_jpg", "x_mp4"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no video in this folder"):
        expand_inputs([tmp_path / "empty"])
    with pytest.raises(InputError, match="matches no file"):
        expand_inputs([str(tmp_path / "*.avi")])
    with pytest.raises(InputError, match="no such file or folder"):
        expand_inputs([tmp_path / "missing.mp4"])


def test_a_video_called_dataset_and_a_table_that_is_no_manifest(tmp_path: Path) -> None:
    _touch(tmp_path / "v" / "dataset.mp4")  # OUT/dataset/ is the Parquet dataset
    _touch(tmp_path / "v" / "a.mp4")
    assert [i.name for i in expand_inputs([tmp_path / "v"])] == ["a", "dataset-2"]
    # on a case-insensitive disk "Dataset" is the dataset folder, and "A" is "a"
    _touch(tmp_path / "w" / "Dataset.mp4")
    _touch(tmp_path / "w" / "x" / "A.mp4")
    _touch(tmp_path / "w" / "y" / "a.mp4")
    names = [i.name for i in expand_inputs([tmp_path / "w" / "Dataset.mp4",
                                            tmp_path / "w" / "x" / "A.mp4",
                                            tmp_path / "w" / "y" / "a.mp4"])]  # fmt: skip
    assert names == ["Dataset-2", "A", "a-2"]
    for header in ("file\nv/a.mp4\n", "path;start\nv/a.mp4;1\n"):
        (tmp_path / "m.csv").write_text(header)
        with pytest.raises(InputError, match="not a manifest: its first line must name a 'path'"):
            expand_inputs([tmp_path / "m.csv"])


def test_manifest_rows_carry_their_options(tmp_path: Path) -> None:
    _touch(tmp_path / "clips" / "a.mp4")
    manifest = tmp_path / "list.csv"
    manifest.write_text(
        "path,start,end,neutral,actor,name\n"
        "clips/a.mp4,1.5,9,0:01-0:02,,first\n"
        "\n"
        "clips/a.mp4,,,,,\n",
        encoding="utf-8",
    )
    items = expand_inputs([manifest])
    assert items[0] == BatchItem(tmp_path / "clips" / "a.mp4", "first", 1.5, 9.0, (1.0, 2.0))
    assert items[1].name == "a" and items[1].start is None
    manifest.write_text("path,speed\na.mp4,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"list\.csv line 1: unknown column\(s\) 'speed'"):
        read_manifest(manifest)
    manifest.write_text("path,neutral\n\na.mp4,3-1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"list\.csv line 3: neutral: .*START"):
        read_manifest(manifest)
    manifest.write_text("path,start,end\na.mp4,5,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: end 2 is not after start 5"):
        read_manifest(manifest)
    manifest.write_text("path,start,start\na.mp4,0,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"list\.csv line 1: column\(s\) 'start' given twice"):
        read_manifest(manifest)  # the last one was used, cutting the take silently
    manifest.write_text("path,start\na.mp4,1_0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: start '1_0' is not a number"):
        read_manifest(manifest)  # float() reads it as 10
    manifest.write_text("path\n\n,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"list\.csv: the manifest lists no video"):
        expand_inputs([manifest])


def test_a_tsv_manifest_is_split_by_tabs(tmp_path: Path) -> None:
    _touch(tmp_path / "a.mp4")
    manifest = tmp_path / "list.tsv"
    manifest.write_text("path\tstart\tend\na.mp4\t0\t1\n", encoding="utf-8")
    assert expand_inputs([manifest]) == [BatchItem(tmp_path / "a.mp4", "a", 0.0, 1.0)]
    manifest.write_text("path,start\na.mp4,0\n", encoding="utf-8")
    with pytest.raises(InputError, match="separated by tabs"):
        expand_inputs([manifest])


def test_parts_give_every_worker_work_and_a_resumed_run_keeps_its_split(tmp_path: Path) -> None:
    assert part_seconds([79.0], 2) == 39.5  # one long video: one part per worker
    assert part_seconds([20.0] * 8, 2) == 80.0  # many clips: one part each
    assert part_seconds([2.0], 8) == 10.0 and part_seconds([36000.0], 2) == 300.0
    from facs.batch import _Job

    item = BatchItem(tmp_path / "v.mp4", "v")
    job = _Job(item, tmp_path / "v", tmp_path / "v" / "store", (0.0, 79.0), {}, 1896)
    assert _split(job, 39.5) == [(None, 39.5), (39.5, None)]
    assert _split(job, 10.0) == [(None, 39.5), (39.5, None)]  # the stored split wins
    stored = json.loads((job.store / "spans.json").read_text())["spans"]
    assert stored == [[None, 39.5], [39.5, None]]


def test_bad_arguments_fail_before_any_work(tmp_path: Path) -> None:
    video = _touch(tmp_path / "a.mp4")
    with pytest.raises(ParameterError, match="max_faces"):
        code_many([video], tmp_path / "out", max_faces=0)
    with pytest.raises(ParameterError, match="part_s"):
        code_many([video], tmp_path / "out", part_s=-1.0)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="must be a folder"):
        code_many([video], tmp_path / "file")


# ----------------------------------------------------------------- real clusters


@pytest.fixture
def clips(shared_data: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("single_face.mp4", "no_face.mp4"):
        shutil.copy(shared_data / "real" / name, folder / name)
    (folder / "broken.mp4").write_bytes(
        (shared_data / "real" / "single_face.mp4").read_bytes()[:5000]
    )
    return folder


def _check_dataset(out: Path, expect: dict[str, int]) -> None:
    """Each video once in the dataset: its rows, no (frame, face) twice; dask reads it too."""
    import dask.dataframe as dd

    frames = pd.read_parquet(out / "dataset" / "frames")
    frames["video"] = frames["video"].astype(str)
    counts = frames.groupby("video")["frame"].nunique().to_dict()
    assert counts == expect
    assert not frames.duplicated(["video", "frame", "face"]).any()
    assert len(dd.read_parquet(out / "dataset" / "frames")) == len(frames)
    events = pd.read_parquet(out / "dataset" / "events")
    assert set(events["video"].astype(str)) <= set(expect)


def test_local_cluster_codes_resumes_and_reports_failures(clips: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    seen: list[int] = []
    result = code_many([clips], out, workers=2, progress=lambda s: seen.append(s.videos_done))
    status = result.status.set_index("video")
    assert status.loc["broken", "status"] == "failed"
    assert "not a readable video" in status.loc["broken", "error"]
    assert (
        status.loc["single_face", "status"] == "coded" and status.loc["single_face", "faces"] == 1
    )
    assert status.loc["no_face", "faces"] == 0
    assert result.workers == 2 and seen[-1] == 3
    for name in ("single_face", "no_face"):
        assert {"frames.csv", "events.csv", "summary.json", "timeline.png",
                ".facs-complete.json"} <= {p.name for p in (out / name).iterdir()}  # fmt: skip
        assert not (out / name / ".facs-work").exists()
    expect = {"single_face": 72, "no_face": int(status.loc["no_face", "frames"])}
    _check_dataset(out, expect)
    assert pd.read_csv(out / "status.csv")["video"].tolist() == ["broken", "no_face", "single_face"]
    assert len(result.frames()) == sum(expect.values())
    again = code_many([clips], out, workers=1)  # finished videos are not coded again
    assert again.status.set_index("video").loc["single_face", "status"] == "done before"
    _check_dataset(out, expect)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_scheduler_and_two_workers_survive_a_killed_worker(
    shared_data: Path, tmp_path: Path
) -> None:
    """A worker killed with SIGKILL mid-batch: its tasks rerun on the other, each video once."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(shared_data / "real" / "WolfgangLanger_Pexels.mp4", folder / "pexels.mp4")
    shutil.copy(shared_data / "real" / "single_face.mp4", folder / "single.mp4")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ)
    logs = tmp_path / "logs"
    logs.mkdir()
    procs: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], log: str) -> subprocess.Popen[bytes]:
        with open(logs / log, "wb") as handle:  # the child keeps its own descriptor
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=handle, env=env)
        procs.append(proc)
        return proc

    try:
        start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
               "--no-dashboard"], "scheduler.log")  # fmt: skip
        command = [str(DASK), "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"]
        workers = [start([*command, "--name", f"w{k}"], f"w{k}.log") for k in range(2)]
        out = tmp_path / "out"
        batch = subprocess.Popen(
            [str(FACS), "batch", str(folder), "-o", str(out), "--scheduler", address,
             "--part-seconds", "5", "--quiet", "--no-plot"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        # Kill one worker once perception has stored work (a part is done or a chunk exists).
        _wait_for(lambda: any(out.glob("*/.facs-work/*/part*")), 180, "the first stored part")
        workers[0].send_signal(signal.SIGKILL)
        _, stderr = batch.communicate(timeout=600)
        assert batch.returncode == 0, stderr.decode()
        status = pd.read_csv(out / "status.csv").set_index("video")
        assert (status["status"] == "coded").all(), status
        assert workers[0].wait(10) == -signal.SIGKILL
        _check_dataset(out, {"pexels": 472, "single": 72})
        spans = list(out.glob("pexels/.facs-work/*/spans.json"))
        assert not spans  # the work folder went once the video was whole
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(10)


def test_ctrl_c_leaves_nothing_half_written_and_a_rerun_finishes(
    shared_data: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(shared_data / "real" / "WolfgangLanger_Pexels.mp4", folder / "pexels.mp4")
    out = tmp_path / "out"
    args = [str(FACS), "batch", str(folder), "-o", str(out), "--workers", "1",
            "--part-seconds", "5", "--quiet", "--no-plot"]  # fmt: skip
    # its own process group, which Ctrl-C in a terminal signals whole (workers too)
    run = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           start_new_session=True)  # fmt: skip
    _wait_for(lambda: any(out.glob("*/.facs-work/*/part*.npz")), 180, "a stored chunk")
    os.killpg(run.pid, signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130
    assert b"Traceback" not in err, err.decode()  # the workers printed theirs
    assert not (out / "pexels" / ".facs-complete.json").exists()
    assert not list(out.rglob("*.tmp"))  # no half-written file
    assert not (out / "dataset" / "frames" / "video=pexels").exists()
    done = subprocess.run(args, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()
    _check_dataset(out, {"pexels": 472})


def test_a_second_batch_on_one_output_is_refused(tmp_path: Path) -> None:
    from facs._outputs import locked
    from facs.batch import LOCK

    video = _touch(tmp_path / "a.mp4")
    with (
        locked(tmp_path / "out", lock=LOCK, who="batch"),
        pytest.raises(InputError, match="another batch is writing there"),
    ):
        code_many([video], tmp_path / "out")


def test_a_dataset_read_back_keeps_columns_a_part_lacks(tmp_path: Path) -> None:
    """A part written before a column existed (unscorable) does not drop it for the rest."""
    import pandas as pd

    from facs.batch import _read_dataset

    old = tmp_path / "video=a"
    new = tmp_path / "video=b"
    old.mkdir()
    new.mkdir()
    pd.DataFrame({"frame": [0, 1], "AU12": [0.0, 1.0]}).to_parquet(old / "part.parquet")
    pd.DataFrame({"frame": [0], "AU12": [2.0], "unscorable": [1.0]}).to_parquet(
        new / "part.parquet"
    )
    table = _read_dataset(tmp_path)
    assert list(table["video"]) == ["a", "a", "b"]
    assert table["unscorable"].isna().tolist() == [True, True, False]
