"""Rig audit (facs.rigs._audit)."""

from __future__ import annotations

from pathlib import Path

from facs.rigs import audit, common_combinations, corrective_pairs, load_rig


def test_arkit_sides_and_missing() -> None:
    result = audit(load_rig("arkit"))
    by = {c.label: c for c in result.codes}
    assert by["1"].status == "both sides only"  # browInnerUp is one channel
    assert by["12"].status == "full" and by["12"].shapes["L"] == ("mouthSmileLeft",)
    assert by["45"].expressible  # through the closure channel and timing
    assert {c.label for c in result.missing} == {"23", "27", *map(str, range(51, 59))}


def test_livelink_adds_head_and_meta_has_23() -> None:
    assert audit(load_rig("livelink")).codes[0].expressible
    missing = {c.label for c in audit(load_rig("livelink")).missing}
    assert missing == {"23", "27", "57", "58"}
    assert "23" not in {c.label for c in audit(load_rig("meta")).missing}


def test_corrective_rule() -> None:
    checks = {c.code: c for c in audit(load_rig("arkit")).combinations}
    assert checks["6+12"].corrective  # curated pair
    assert checks["25+26"].corrective and "jawOpen" in checks["25+26"].reasons[0]  # shared shape
    assert not checks["4+7"].corrective  # brows and eyes: different regions, no known pair
    assert not checks["1+2+5B+27"].expressible and checks["1+2+5B+27"].missing == ("27",)
    assert "R12A+R14A" in checks  # emotion prototypes are included
    assert frozenset({17, 24}) in corrective_pairs()
    codes = [c for c, _, _ in common_combinations()]
    assert len(codes) == len(set(codes))


def test_user_file_audit(tmp_path: Path) -> None:
    path = tmp_path / "rig.txt"
    path.write_text("mouthSmileLeft\nmouthSmileRight\ncheekSquintLeft\ncheekSquintRight\nfoo\n")
    result = audit(load_rig(path))
    assert [c.label for c in result.expressible] == ["6", "12"]
    data = result.to_dict()
    assert data["shapes"]["unknown"] == ["foo"]
    six_twelve = next(c for c in data["combinations"] if c["code"] == "6+12")
    assert six_twelve["expressible"] and six_twelve["needs_corrective"]
    assert "corrective_rule" in data


def test_metahuman_other_codes() -> None:
    other = dict(audit(load_rig("metahuman")).other)
    assert other["13"] == (
        "CTRL_expressions_mouthSharpCornerPullL",
        "CTRL_expressions_mouthSharpCornerPullR",
    )
