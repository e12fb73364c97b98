"""The schema of ``summary.json``: what a coding run saw, assumed and produced.

:class:`Summary` is :attr:`facs.coding.Coding.summary`; ``Coding.save`` writes
it as ``summary.json`` (:meth:`Summary.to_dict`), and :meth:`Summary.read`
reads one back. docs/summary.md lists every key; a test keeps the two equal.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from facs._errors import InputError

__all__ = ["Summary"]


def _covered_s(onsets: pd.Series, offsets: pd.Series) -> float:
    """Seconds inside the union of the intervals ``[onset, offset]``.

    >>> _covered_s(pd.Series([0.0, 1.0, 5.0]), pd.Series([2.0, 3.0, 5.5]))
    3.5
    """
    total, end = 0.0, -float("inf")
    pairs = zip(onsets.astype(float), offsets.astype(float), strict=True)
    for a, b in sorted((a, b) for a, b in pairs if a == a and b == b):  # NaN: no interval
        if b > end:
            total += b - max(a, end)
            end = b
    return total


@dataclass(frozen=True)
class CodeTotals:
    """One code's totals for one face."""

    #: Events of the code (both sides and the bilateral code count).
    events: int
    #: Seconds inside those events; where a left and a right event overlap, once.
    seconds: float
    #: Largest intensity in any frame (0–5, 5 = E).
    max: float
    #: Mean intensity over the face's frames.
    mean: float


@dataclass(frozen=True)
class FaceSummary:
    """One tracked face."""

    #: Rows of frames.csv for this face.
    frames: int
    #: First and last time the face was seen, in seconds.
    first_s: float
    last_s: float
    #: The neutral the face was compared with: ``kind`` (``auto``, ``partial``,
    #: ``manual``, ``population`` or ``actor``), ``frames``, ``span_s``,
    #: ``pose_deg`` and, for automatic baselines, ``regions`` (which face
    #: regions used the face's own calm frames and which the population's).
    baseline: dict[str, Any] | None
    #: Per code column (``AU12``, ``AD19`` …) that occurred (an event or a frame ≥ A).
    codes: dict[str, CodeTotals]
    #: Frames in which each region was covered (``brows``, ``eyes``, ``lower``: FACS
    #: 70, 71, 72), its codes not scored, and ``unscorable`` (74: the face turned too far
    #: from the camera, every code but the head's blank); only those seen at least once.
    covered: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelInfo:
    """The models that coded the run."""

    #: File name of the MediaPipe face landmarker model.
    landmarker: str
    #: The AU estimator's metadata (version, training data, features).
    estimator: dict[str, Any]
    #: How hands in front of a face were looked for (covered regions, 70-73): the
    #: palm model and its rate, or why they were not (then covers are found by colour only).
    hands: str | None = None


@dataclass(frozen=True)
class CalibrationInfo:
    """How neutral faces were chosen."""

    #: Baseline kinds used, comma-separated (``auto``, ``partial, population`` …).
    neutral: str | None
    #: True when any face was compared, in part or whole, with the population neutral.
    population_neutral_used: bool
    #: Regions (``brows``, ``eyes``, ``nose``, ``lower``) taken from the population neutral.
    population_regions: list[str]
    #: The above, in a sentence for a person.
    note: str
    #: ``name`` and metadata of the actor file given with ``--actor``, else None.
    actor: dict[str, Any] | None


@dataclass(frozen=True)
class Summary:
    """What a coding run saw, assumed and produced (``summary.json``).

    >>> s = Summary.from_dict(Summary.example().to_dict())
    >>> s.frames, s.faces, s.calibration.population_neutral_used
    (2, 1, False)
    >>> s.per_face["0"].codes["AU12"].events
    1
    """

    #: The input path as given.
    input: str
    #: ``video``, ``image`` or ``images`` (a folder).
    kind: str
    #: Frame size in pixels.
    width: int
    height: int
    #: Frames per second (None for a still or an unclocked folder).
    fps: float | None
    #: Length of the input in seconds (None for a still).
    duration_s: float | None
    #: The coded range asked for (``--start``/``--end``), None when not given.
    start_s: float | None
    end_s: float | None
    #: Frames decoded, and those in which a face was found.
    frames: int
    frames_with_face: int
    #: Faces tracked.
    faces: int
    model: ModelInfo
    calibration: CalibrationInfo
    #: Per face id (as a string, the JSON key).
    per_face: dict[str, FaceSummary] = field(default_factory=dict)
    #: Wall time of the run, processes used, and frames per second achieved.
    elapsed_s: float = 0.0
    workers: int = 1
    fps_processed: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``summary.json`` (keys in schema order)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        """A summary from its JSON object; unknown keys are ignored (newer files).

        Raises
        ------
        InputError
            A key of the schema is missing or has the wrong shape.
        """
        try:
            values = _known(cls, data)
            values["model"] = ModelInfo(**_known(ModelInfo, data["model"]))
            values["calibration"] = CalibrationInfo(**_known(CalibrationInfo, data["calibration"]))
            faces = {}
            for key, face in dict(data.get("per_face", {})).items():
                f = _known(FaceSummary, face)
                f["codes"] = {c: CodeTotals(**_known(CodeTotals, t)) for c, t in f["codes"].items()}
                faces[str(key)] = FaceSummary(**f)
            values["per_face"] = faces
            return cls(**values)
        except (KeyError, TypeError, AttributeError, ValueError) as err:
            raise InputError(f"not a facs summary: {type(err).__name__}: {err}") from None

    @classmethod
    def read(cls, path: str | Path) -> Summary:
        """Read a ``summary.json``.

        Raises
        ------
        InputError
            The file is missing, not JSON, or not a facs summary.
        """
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except OSError as err:
            raise InputError(f"{p}: cannot read ({err.strerror or err})") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise InputError(f"{p}: not JSON ({err})") from None
        if not isinstance(data, dict):
            raise InputError(f"{p}: not a facs summary (a JSON object is expected)")
        try:
            return cls.from_dict(data)
        except InputError as err:
            raise InputError(f"{p}: {err}") from None

    @classmethod
    def example(cls) -> Summary:
        """A small, complete summary (for docs and tests)."""
        totals = CodeTotals(events=1, seconds=0.5, max=3.0, mean=1.2)
        face = FaceSummary(
            frames=2, first_s=0.0, last_s=0.04, baseline=None, codes={"AU12": totals}
        )
        return cls(
            input="take.mp4", kind="video", width=640, height=360, fps=25.0, duration_s=0.08,
            start_s=None, end_s=None, frames=2, frames_with_face=2, faces=1,
            model=ModelInfo(landmarker="face_landmarker.task", estimator={}),
            calibration=CalibrationInfo(
                neutral="auto", population_neutral_used=False, population_regions=[],
                note="each face compared with its own neutral baseline", actor=None,
            ),
            per_face={"0": face}, elapsed_s=0.1, workers=1, fps_processed=20.0,
        )  # fmt: skip


def _known(cls: type, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError(f"{cls.__name__}: a JSON object is expected, got {type(data).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


_REGION_WORDS = {
    "lower": "the lower face",
    "nose": "the nose",
    "brows": "the brows",
    "eyes": "the eyes",
}


def _code_column(code: str) -> str:
    from facs.notation import Action

    a = Action.parse(code)
    prefix = "AD" if a.kind == "AD" else "AU"
    return f"{prefix}{a.number:02d}"


def _hands_note() -> str:
    from facs.face._hands import HAND_HZ, IDLE_EVERY, hands_unavailable

    why = hands_unavailable()
    if why is not None:
        return f"not looked for: {why}"
    return (
        f"MediaPipe Hands (palm detector, hand landmarks): {HAND_HZ:g} looks a second a face "
        f"while a hand may be near, {HAND_HZ / IDLE_EVERY:g} otherwise; every still"
    )


def summarise(
    path: Path,
    info: Any,
    frames: pd.DataFrame,
    events: pd.DataFrame,
    baselines: dict[int, Any],
    *,
    start: float | None,
    end: float | None,
    elapsed: float,
    workers: int,
    actor: Any = None,
) -> Summary:
    """The summary of a coding run (:func:`facs.code` calls it)."""
    from facs.au._estimator import WITHHELD, load_estimator
    from facs.face import locate_model
    from facs.series import CODE_COLUMNS, VISIBILITY_COLUMNS

    est = load_estimator()
    faces = sorted(int(f) for f in frames["face"].unique() if f >= 0)
    per_face: dict[str, FaceSummary] = {}
    columns = events["code"].map(_code_column) if len(events) else pd.Series(dtype=str)
    for f in faces:
        rows = frames[frames["face"] == f]
        totals = {}
        for col in CODE_COLUMNS:
            e = events[(events["face"] == f) & (columns == col)] if len(events) else events
            if len(e) or (rows[col] >= 1).any():
                totals[col] = CodeTotals(
                    events=len(e),
                    seconds=round(_covered_s(e["onset_s"], e["offset_s"]), 3),
                    max=round(float(rows[col].max()), 3),
                    mean=round(float(rows[col].mean()), 3),
                )
        per_face[str(f)] = FaceSummary(
            frames=len(rows),
            first_s=round(float(rows["time_s"].min()), 3),
            last_s=round(float(rows["time_s"].max()), 3),
            baseline=baselines[f].to_dict() if f in baselines else None,
            codes=totals,
            covered={
                c.removeprefix("covered_"): int((rows[c] == 1).sum())
                for c in VISIBILITY_COLUMNS
                if c in rows.columns and (rows[c] == 1).any()
            },
        )
    population = any(b.kind == "population" for b in baselines.values())
    partial = sorted({r for b in baselines.values() for r in b.population_regions})
    kinds = sorted({b.kind for b in baselines.values()})
    if population and all(b.n_frames == 0 for b in baselines.values()):
        note = (
            "a still or a clip too short for a baseline: compared with a population "
            "neutral face, so identity differences can read as actions"
        )
    elif population or partial:
        note = (
            "no calm moment in the take for "
            + (", ".join(_REGION_WORDS.get(r, r) for r in partial) if partial else "any region")
            + ": those regions are compared with a population neutral face (their own "
            "calmest frames still showed an expression, or mixed different ones; "
            "per_face.*.baseline.why_population says which); the others with the face's "
            "own calmest frames. Mark a neutral span (--neutral) or calibrate the actor "
            "to do better"
        )
    elif "span" in kinds:
        note = (
            "no calm moment in most of the take: its calmest frames were no one state "
            "(e.g. moments of a crying and of a laugh), so a face is compared with its "
            "short rest, the calm run that reads like a resting face "
            "(per_face.*.baseline.span_s and why_span). Mark a neutral span (--neutral) "
            "or calibrate the actor to do better"
        )
    elif actor is not None:
        note = "each face compared with the actor's calibrated neutral"
    else:
        note = "each face compared with its own neutral baseline"
    n_frames = int(frames["frame"].nunique())
    return Summary(
        input=str(path),
        kind=info.kind,
        width=info.width,
        height=info.height,
        fps=info.fps,
        duration_s=info.duration_s,
        start_s=start,
        end_s=end,
        frames=n_frames,
        frames_with_face=int(frames.loc[frames["success"] == 1, "frame"].nunique()),
        faces=len(faces),
        model=ModelInfo(
            landmarker=str(locate_model().name),
            estimator={**est.info, "not_scored": dict(WITHHELD)},
            hands=_hands_note(),
        ),
        calibration=CalibrationInfo(
            neutral=", ".join(kinds) if kinds else None,
            population_neutral_used=population,
            population_regions=partial,
            note=note,
            actor=None if actor is None else {"name": actor.name, **actor.info},
        ),
        per_face=per_face,
        elapsed_s=round(elapsed, 2),
        workers=workers,
        fps_processed=round(n_frames / elapsed, 2) if elapsed > 0 else None,
    )
