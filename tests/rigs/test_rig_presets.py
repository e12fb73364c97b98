"""Rig presets and loading (facs.rigs._rig)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facs import InputError
from facs.face import BLENDSHAPE_NAMES
from facs.rigs import PRESETS, load_rig, normalise_name
from facs.series import CODE_COLUMNS, SIDE_COLUMNS

#: Apple's 52 blendshapes: MediaPipe's 52 outputs, with tongueOut where MediaPipe has "_neutral".
ARKIT_52 = [*(n for n in BLENDSHAPE_NAMES if n != "_neutral"), "tongueOut"]


def test_arkit_has_all_52_names() -> None:
    rig = load_rig("arkit")
    assert sorted(rig.names) == sorted(ARKIT_52)
    assert rig.shape("eyeBlinkLeft").columns == ("AU43_L",)  # subject's left
    assert {s.name for s in rig.shapes if s.status == "no-facs"} == {"mouthLeft", "mouthRight"}


def test_meta_counts_and_versions() -> None:
    v1, v2 = load_rig("meta-v1"), load_rig("meta")
    assert len(v1.shapes) == 63 and len(v2.shapes) == 70
    assert v2.names[:63] == v1.names
    assert v2.shape("TongueOut").columns == ("AD19",)
    assert v1.find("TongueOut") is None
    assert v2.shape("LipTightenerL").columns == ("AU23",)
    assert v2.shape("CheekSuckL").status == "not-scored"


def test_metahuman_curves_unverified() -> None:
    rig = load_rig("metahuman")
    assert all(s.name.startswith("CTRL_expressions_") for s in rig.shapes)
    assert all(s.unverified for s in rig.shapes)
    assert rig.shape("CTRL_expressions_mouthSharpCornerPullL").facs == "13"
    assert rig.shape("CTRL_expressions_jawOpenExtreme").columns == ("AU27",)
    assert rig.counts() == {"mapped": 72, "not-scored": 28, "no-facs": 151}


def test_livelink_extends_arkit_with_rotations() -> None:
    rig = load_rig("livelink")
    assert len(rig.shapes) == 61
    yaw = rig.shape("HeadYaw")
    assert yaw.kind == "rotation" and yaw.columns == ("AU51", "AU52")


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_mapping_uses_schema_columns(name: str) -> None:
    rig = load_rig(name)
    valid = set(CODE_COLUMNS) | set(SIDE_COLUMNS)
    for shape in rig.shapes:
        assert shape.source, shape.name
        for column, _ in (*shape.weights, *shape.negative):
            assert column in valid
        if shape.status != "mapped":
            assert shape.reason, shape.name


def test_normalised_matching() -> None:
    rig = load_rig("arkit")
    assert rig.find("EYE_BLINK_LEFT") is rig.find("eyeBlinkLeft")
    assert normalise_name("CTRL_expressions_jawOpen") == "jawopen"


def test_names_file_matched_to_preset(tmp_path: Path) -> None:
    path = tmp_path / "myrig.txt"
    path.write_text("# my rig\nEyeBlinkLeft\nmouthSmileLeft, mouthSmileRight\nsmirkCorrective\n")
    rig = load_rig(path)
    assert rig.preset == "arkit" and rig.names == (
        "EyeBlinkLeft",
        "mouthSmileLeft",
        "mouthSmileRight",
    )
    assert rig.unknown == ("smirkCorrective",)
    js = tmp_path / "rig.json"
    js.write_text(json.dumps({"shapes": ["CTRL_expressions_browDownL", "x"]}))
    assert load_rig(js).preset == "metahuman"
    header = tmp_path / "rig.csv"
    header.write_text("Timecode,BlendShapeCount,JawOpen,HeadYaw\n")
    assert load_rig(header).preset == "livelink"


def test_toml_rig_file(tmp_path: Path) -> None:
    path = tmp_path / "custom.toml"
    path.write_text(
        '[rig]\nname = "custom"\n[[shape]]\nname = "smile"\nmap = { AU12_L = 1, AU12_R = 1 }\n'
    )
    assert load_rig(path).shape("smile").columns == ("AU12_L", "AU12_R")
    path.write_text('[rig]\nname = "bad"\n[[shape]]\nname = "s"\nmap = { AU12 = 1 }\n')
    with pytest.raises(InputError, match=r"AU12_L / AU12_R"):
        load_rig(path)


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ("", ".txt", "lists no shape names"),
        ("foo\nbar\n", ".txt", "none of its 2 shape names"),
        ("{not json", ".json", "not valid JSON"),
        ("[rig\n", ".toml", "cannot read the rig file"),
    ],
)
def test_bad_rig_files(tmp_path: Path, content: str, suffix: str, message: str) -> None:
    path = tmp_path / f"rig{suffix}"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_rig(path)


def test_unknown_preset() -> None:
    with pytest.raises(InputError, match="unknown rig 'gopro'"):
        load_rig("gopro")


def test_rig_files_that_are_no_shape_list_say_so(tmp_path: Path) -> None:
    (tmp_path / "head.fbx").write_bytes(b"Kaydara FBX Binary  \x00\x1a\x00\xe9\xff")
    with pytest.raises(InputError, match=r"head\.fbx: not a text file \(\.fbx\)"):
        load_rig(tmp_path / "head.fbx")
    (tmp_path / "r.json").write_text('{"a": 1}')  # was read as one shape called "a"
    with pytest.raises(InputError, match="expected a list of shape names"):
        load_rig(tmp_path / "r.json")
    (tmp_path / "d.toml").write_text(
        '[rig]\nname = "x"\n[[shape]]\nname = "a"\nmap = {AU12_L = 1}\n'
        '[[shape]]\nname = "a"\nmap = {AU12_R = 1}\n'
    )
    with pytest.raises(InputError, match="shape 'a' is given twice"):  # the first was lost
        load_rig(tmp_path / "d.toml")
