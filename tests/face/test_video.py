"""Decoding: probe and decode_frames over videos, images and folders."""

from __future__ import annotations

import itertools
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from facs._errors import InputError, ParameterError
from facs.face import IMAGE_SUFFIXES, Frame, VideoInfo, _video, decode_frames, probe

from ._media import grey_frames, write_video

# --------------------------------------------------------------------------- real media

PROBES = [
    # file, kind, codec, n_frames, fps, width, height
    ("single_face.mp4", "video", "h264", 72, 30.0, 640, 360),
    ("WolfgangLanger_Pexels.mp4", "video", "h264", 472, 23.976, 640, 360),
    ("no_face.mp4", "video", "h264", 98, 23.67, 960, 540),
    ("face_noface.mov", "video", "hevc", 169, 26.40, 960, 540),
    ("single_face.jpg", "image", "jpeg", 1, None, 572, 562),
    ("astronaut.png", "image", "png", 1, None, 512, 512),
]


@pytest.mark.parametrize(("name", "kind", "codec", "n_frames", "fps", "width", "height"), PROBES)
def test_probe_real_files(
    real_dir: Path,
    name: str,
    kind: str,
    codec: str,
    n_frames: int,
    fps: float | None,
    width: int,
    height: int,
) -> None:
    info = probe(real_dir / name)
    assert isinstance(info, VideoInfo)
    assert (info.kind, info.codec, info.n_frames, info.width, info.height) == (
        kind,
        codec,
        n_frames,
        width,
        height,
    )
    if fps is None:
        assert info.fps is None and info.duration_s is None
    else:
        assert info.fps == pytest.approx(fps, abs=0.01)
        assert info.duration_s is not None and info.duration_s > 0


def test_read_frames_is_lazy_and_closes_early(real_dir: Path) -> None:
    frames = decode_frames(real_dir / "WolfgangLanger_Pexels.mp4")
    assert isinstance(frames, types.GeneratorType)
    first = list(itertools.islice(frames, 3))
    frames.close()
    assert [f.frame for f in first] == [0, 1, 2]


def test_read_frames_video(real_dir: Path) -> None:
    frames = list(decode_frames(real_dir / "single_face.mp4"))
    assert len(frames) == 72
    assert [f.frame for f in frames] == list(range(72))
    np.testing.assert_allclose([f.time_s for f in frames], np.arange(72) / 30, atol=1e-9)
    image = frames[10].image
    assert image.shape == (360, 640, 3) and image.dtype == np.uint8
    assert image.flags.c_contiguous
    assert 20 < image.mean() < 235


def test_hevc_mov_decodes(real_dir: Path) -> None:
    frames = list(decode_frames(real_dir / "face_noface.mov", end=1.0))
    assert len(frames) >= 20  # variable frame rate: 30 in the first second
    assert all(f.image.shape == (540, 960, 3) for f in frames)
    times = [f.time_s for f in frames]
    assert times[0] == 0.0 and np.all(np.diff(times) > 0) and times[-1] < 1.0


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("single_face.mp4", 1.0, 1.5),
        ("no_face.mp4", 1.5, 2.5),  # edit list: the first 3 packets are discarded
        ("face_noface.mov", 2.0, 2.5),  # HEVC with B-frames
    ],
)
def test_seek_keeps_whole_file_indices(real_dir: Path, name: str, start: float, end: float) -> None:
    path = real_dir / name
    full = {f.frame: f for f in decode_frames(path, end=end + 0.5)}
    part = list(decode_frames(path, start=start, end=end))
    assert part, "the range holds frames"
    assert all(start <= f.time_s < end for f in part)
    expected = [i for i, f in full.items() if start <= f.time_s < end]
    assert [f.frame for f in part] == expected
    for frame in part:
        assert frame.time_s == pytest.approx(full[frame.frame].time_s, abs=1e-9)
        np.testing.assert_array_equal(frame.image, full[frame.frame].image)


def test_consecutive_ranges_share_no_frame(real_dir: Path) -> None:
    path = real_dir / "single_face.mp4"
    first = [f.frame for f in decode_frames(path, end=1.0)]
    second = [f.frame for f in decode_frames(path, start=1.0, end=2.0)]
    assert first == list(range(30))
    assert second == list(range(30, 60))


class _Unseekable:
    """A container whose seek fails, as with some piped or damaged files."""

    def __init__(self, container: Any) -> None:
        self._container = container

    def __getattr__(self, name: str) -> Any:
        return getattr(self._container, name)

    def __enter__(self) -> _Unseekable:
        return self

    def __exit__(self, *exc: object) -> None:
        self._container.close()

    def seek(self, *args: object, **kwargs: object) -> None:
        import av

        raise av.FFmpegError(38, "seek not supported")


def test_unseekable_input_is_decoded_from_the_start(
    real_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = real_dir / "face_noface.mov"
    expected = [(f.frame, f.time_s) for f in decode_frames(path, start=2.0, end=2.3)]
    original = _video._open_container
    monkeypatch.setattr(_video, "_open_container", lambda p: _Unseekable(original(p)))
    assert [(f.frame, f.time_s) for f in decode_frames(path, start=2.0, end=2.3)] == expected


def test_start_after_the_end_gives_nothing(real_dir: Path) -> None:
    assert list(decode_frames(real_dir / "single_face.mp4", start=100.0)) == []


def test_probe_result_can_be_reused(real_dir: Path) -> None:
    info = probe(real_dir / "single_face.mp4")
    assert len(list(decode_frames(info.path, info=info, end=0.5))) == 15


@pytest.mark.parametrize(
    ("start", "end", "match"),
    [(-1.0, None, "start"), (None, float("nan"), "end"), (2.0, 1.0, "after")],
)
def test_bad_range(real_dir: Path, start: float | None, end: float | None, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        decode_frames(real_dir / "single_face.mp4", start=start, end=end)


# --------------------------------------------------------------------------- written clips


@pytest.mark.parametrize(
    ("kind", "fmt", "codec"),
    [
        ("mkv", "matroska,webm", "mpeg4"),
        ("webm", "matroska,webm", "vp8"),
        ("avi", "avi", "mpeg4"),
        ("mov", "mov,mp4,m4a,3gp,3g2,mj2", "mpeg4"),
    ],
)
def test_containers(tiny_videos: dict[str, Path], kind: str, fmt: str, codec: str) -> None:
    del fmt  # documents the container PyAV sees
    path = tiny_videos[kind]
    info = probe(path)
    assert (info.kind, info.codec, info.width, info.height) == ("video", codec, 64, 48)
    frames = list(decode_frames(path))
    assert [f.frame for f in frames] == [0, 1, 2, 3, 4]
    np.testing.assert_allclose([f.time_s for f in frames], [0, 0.04, 0.08, 0.12, 0.16], atol=1e-9)
    levels = [float(f.image.mean()) for f in frames]
    np.testing.assert_allclose(levels, [20, 40, 60, 80, 100], atol=6)


def test_variable_frame_rate(tmp_path: Path) -> None:
    pts_ms = [0, 40, 100, 110, 300, 333, 600, 1000]
    path = write_video(tmp_path / "vfr.mkv", grey_frames(len(pts_ms)), pts=pts_ms)
    frames = list(decode_frames(path))
    assert [f.frame for f in frames] == list(range(len(pts_ms)))
    np.testing.assert_allclose([f.time_s for f in frames], np.array(pts_ms) / 1000, atol=1e-9)
    later = list(decode_frames(path, start=0.3, end=0.7))
    assert [(f.frame, f.time_s) for f in later] == [(4, 0.3), (5, 0.333), (6, 0.6)]


def test_avi_with_gaps_is_not_truncated(tmp_path: Path) -> None:
    # AVI stores the gaps of a variable-rate clip as empty frames and counts
    # them: 7 frames decode out of 640 announced, yet nothing is missing.
    pts_ms = [0, 40, 100, 110, 300, 333, 600]
    path = write_video(tmp_path / "gaps.avi", grey_frames(len(pts_ms)), pts=pts_ms)
    assert probe(path).n_frames == 640
    assert probe(path, whole=True).n_frames == 640  # the packets reach the duration too
    frames = list(decode_frames(path))
    np.testing.assert_allclose([f.time_s for f in frames], np.array(pts_ms) / 1000, atol=1e-9)


def test_display_rotation_is_applied(tmp_path: Path) -> None:
    image = np.zeros((48, 64, 3), np.uint8)
    image[:16, :16] = (255, 255, 255)  # top-left block
    # Rotation metadata of +90 means "turn 90° counter-clockwise to display".
    path = write_video(tmp_path / "rotated.mp4", [image] * 3, rotation=90)
    info = probe(path)
    assert (info.width, info.height) == (48, 64)
    shown = next(decode_frames(path)).image
    assert shown.shape == (64, 48, 3)
    expected = np.rot90(image)  # counter-clockwise: the block ends bottom-left
    assert np.abs(shown.astype(int) - expected.astype(int)).mean() < 3


# --------------------------------------------------------------------------- images


def test_single_image(real_dir: Path) -> None:
    frames = list(decode_frames(real_dir / "single_face.jpg"))
    assert len(frames) == 1
    assert (frames[0].frame, frames[0].time_s, frames[0].image.shape) == (0, 0.0, (562, 572, 3))
    assert list(decode_frames(real_dir / "single_face.jpg", start=0.5)) == []


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tiff", ".webp", ".PNG"])
def test_lossless_image_formats(tmp_path: Path, rng: np.random.Generator, suffix: str) -> None:
    pixels = rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)
    path = tmp_path / f"picture{suffix}"
    if suffix == ".webp":
        Image.fromarray(pixels).save(path, lossless=True)
    else:
        Image.fromarray(pixels).save(path)
    assert probe(path).kind == "image"
    np.testing.assert_array_equal(next(decode_frames(path)).image, pixels)


def test_grey_and_alpha_images_become_rgb(tmp_path: Path) -> None:
    Image.fromarray(np.full((8, 9), 77, np.uint8)).save(tmp_path / "grey.png")
    Image.fromarray(np.full((8, 9, 4), 200, np.uint8)).save(tmp_path / "rgba.png")
    for name in ("grey.png", "rgba.png"):
        image = next(decode_frames(tmp_path / name)).image
        assert image.shape == (8, 9, 3) and image.dtype == np.uint8


def test_a_link_to_nothing_is_named_as_one(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    (tmp_path / "gone").symlink_to(tmp_path / "deleted.mp4")
    for name in ("a", "gone"):
        with pytest.raises(InputError, match="a symbolic link to nothing"):
            probe(tmp_path / name)
    with pytest.raises(InputError, match="no such file or folder"):
        probe(tmp_path / "missing.mp4")


def test_deep_grey_images_are_scaled_not_clipped(tmp_path: Path) -> None:
    # a 16-bit grey PNG: Pillow's convert("RGB") clips it to white (a face read as none)
    ramp = (np.arange(8 * 9).reshape(8, 9) * 900).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "grey16.png")
    Image.fromarray((ramp / 65535).astype(np.float32)).save(tmp_path / "float.tiff")
    for name in ("grey16.png", "float.tiff"):
        image = next(decode_frames(tmp_path / name)).image
        assert image.shape == (8, 9, 3) and image.dtype == np.uint8
        expected = np.round(ramp / 65535 * 255)
        assert np.abs(image[:, :, 0].astype(float) - expected).max() <= 1, name


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    pixels = np.zeros((40, 60, 3), np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    Image.fromarray(pixels).save(tmp_path / "phone.jpg", exif=exif)
    info = probe(tmp_path / "phone.jpg")
    assert (info.width, info.height) == (40, 60)
    assert next(decode_frames(tmp_path / "phone.jpg")).image.shape == (60, 40, 3)


def _image_folder(folder: Path) -> Path:
    folder.mkdir()
    for number in (10, 2, 1):  # written out of order on purpose
        Image.fromarray(np.full((6, 8, 3), number * 10, np.uint8)).save(folder / f"img{number}.png")
    (folder / "notes.txt").write_text("not an image")
    Image.fromarray(np.zeros((6, 8, 3), np.uint8)).save(folder / ".hidden.png")
    return folder


def test_image_folder_natural_order(tmp_path: Path) -> None:
    folder = _image_folder(tmp_path / "shots")
    info = probe(folder)
    assert (info.kind, info.n_frames, info.fps, info.width, info.height) == (
        "images",
        3,
        None,
        8,
        6,
    )
    frames = list(decode_frames(folder))
    assert [int(f.image[0, 0, 0]) for f in frames] == [10, 20, 100]
    assert [(f.frame, f.time_s) for f in frames] == [(0, 0.0), (1, 1.0), (2, 2.0)]


def test_image_folder_with_fps_and_range(tmp_path: Path) -> None:
    folder = _image_folder(tmp_path / "shots")
    assert probe(folder, fps=10).duration_s == pytest.approx(0.3)
    frames = list(decode_frames(folder, fps=10, start=0.1))
    assert [(f.frame, f.time_s) for f in frames] == [(1, 0.1), (2, 0.2)]
    assert [f.frame for f in decode_frames(folder, end=1.0)] == [0]
    # a rate no camera has, or one that spreads the images over more than 10 days
    with pytest.raises(ParameterError, match="fps must be at most 10000"):
        probe(folder, fps=1e308)  # every time read 0.0
    with pytest.raises(ParameterError, match=r"fps: 1e-300 makes 3 images last 3e\+300 s"):
        probe(folder, fps=1e-300)


def test_image_suffixes_are_lower_case() -> None:
    assert all(s == s.lower() and s.startswith(".") for s in IMAGE_SUFFIXES)


# --------------------------------------------------------------------------- errors


def _one_line(err: pytest.ExceptionInfo[InputError], path: Path) -> str:
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.mp4"
    with pytest.raises(InputError, match="no such file") as err:
        probe(path)
    _one_line(err, path)
    with pytest.raises(InputError, match="no such file"):
        decode_frames(path)  # raises when called, before iteration


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(InputError, match="empty") as err:
        decode_frames(path)
    _one_line(err, path)


def test_text_file_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("this is not a video\n" * 20)
    with pytest.raises(InputError, match="not a readable video") as err:
        probe(path)
    _one_line(err, path)


def test_text_file_named_jpg(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("this is not an image\n")
    with pytest.raises(InputError, match="not a readable image") as err:
        probe(path)
    _one_line(err, path)


def test_truncated_image(tmp_path: Path, real_dir: Path) -> None:
    data = (real_dir / "single_face.jpg").read_bytes()
    path = tmp_path / "half.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated") as err:
        list(decode_frames(path))
    _one_line(err, path)


def test_folder_without_images(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.raises(InputError, match="no images") as err:
        probe(tmp_path)
    _one_line(err, tmp_path)


def test_audio_only_file(tmp_path: Path) -> None:
    import av

    path = tmp_path / "voice.m4a"
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("aac", rate=16000)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 16000), np.float32), format="fltp", layout="mono"
        )
        frame.sample_rate = 16000
        frame.pts = 0
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    with pytest.raises(InputError, match=r"no video stream .*audio") as err:
        probe(path)
    _one_line(err, path)


def test_moov_less_head(tmp_path: Path, real_dir: Path) -> None:
    # single_face.mp4 keeps its index (moov) at the end: its first half has none.
    data = (real_dir / "single_face.mp4").read_bytes()
    assert data.find(b"moov") > len(data) // 2
    path = tmp_path / "head.mp4"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="not a readable video") as err:
        decode_frames(path)
    _one_line(err, path)


@pytest.fixture
def faststart(tmp_path: Path, real_dir: Path) -> Path:
    """single_face.mp4 remuxed with its index first, as streaming files are."""
    import av

    path = tmp_path / "faststart.mp4"
    with (
        av.open(str(real_dir / "single_face.mp4")) as source,
        av.open(str(path), mode="w", options={"movflags": "faststart"}) as target,
    ):
        video = source.streams.video[0]
        stream = target.add_stream_from_template(video)
        for packet in source.demux(video):
            if packet.dts is not None:
                packet.stream = stream
                target.mux(packet)
    data = path.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")
    return path


def test_truncated_mid_packet(tmp_path: Path, faststart: Path) -> None:
    data = faststart.read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: len(data) // 2])
    assert probe(path).n_frames == 72  # the index still announces everything
    with pytest.raises(InputError, match=r"decode error at frame \d+|truncated") as err:
        list(decode_frames(path))
    _one_line(err, path)


def test_truncated_at_packet_boundary(tmp_path: Path, faststart: Path) -> None:
    import av

    with av.open(str(faststart)) as container:
        ends = [p.pos + p.size for p in container.demux(video=0) if p.size and p.pos is not None]
    data = faststart.read_bytes()
    cut = min(ends, key=lambda end: abs(end - len(data) // 2))
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[:cut])
    with pytest.raises(InputError, match=r"truncated: decoded \d+ of 72 frames") as err:
        list(decode_frames(path))
    _one_line(err, path)


def test_probe_whole_finds_a_cut_off_file_without_decoding(tmp_path: Path, faststart: Path) -> None:
    data = faststart.read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: len(data) // 2])
    assert probe(path).n_frames == 72  # header and first frame alone: looks whole
    with pytest.raises(InputError, match=r"truncated(: holds \d+ of 72 frames| or damaged)") as err:
        probe(path, whole=True)
    _one_line(err, path)
    assert probe(faststart, whole=True).n_frames == 72


def test_corrupt_bytes_mid_stream(
    tmp_path: Path, faststart: Path, rng: np.random.Generator
) -> None:
    data = bytearray(faststart.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20000] = rng.integers(0, 256, 20000, dtype=np.uint8).tobytes()
    path = tmp_path / "corrupt.mp4"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"decode error at frame \d+ \(after [\d.]+ s\)") as err:
        list(decode_frames(path))
    _one_line(err, path)


# --------------------------------------------------------------------------- Frame


def test_frame_validates_its_image() -> None:
    with pytest.raises(ValueError, match=r"shape \(H, W, 3\)"):
        Frame(frame=0, time_s=0.0, image=np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        Frame(frame=0, time_s=0.0, image=np.zeros((4, 4, 3), np.float32))


def test_fps_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fps"):
        probe(tmp_path, fps=0)


def test_oversize_stills_are_refused_before_decoding(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    import facs.face._video as video

    small = tmp_path / "small.png"
    Image.new("RGB", (200, 100)).save(small)
    monkeypatch.setattr(video, "MAX_IMAGE_PIXELS", 10_000)
    with pytest.raises(InputError, match=r"too large to code .*200×100"):
        probe(small)
    monkeypatch.undo()
    bomb = tmp_path / "bomb.png"  # ~100 KB on disk, 300 MB as RGB
    Image.new("1", (10_000, 10_000)).save(bomb)
    assert bomb.stat().st_size < 500_000
    with pytest.raises(InputError, match="too large to code"):
        probe(bomb)


def test_frame_number_is_frame_and_index_is_a_deprecated_alias() -> None:
    frame = Frame(frame=7, time_s=0.28, image=np.zeros((2, 2, 3), np.uint8))
    assert frame.frame == 7
    with pytest.warns(DeprecationWarning, match="Frame.frame"):
        assert frame.index == 7
