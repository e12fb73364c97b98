"""Checks and parsers shared by the library, the command line and the web page."""

from __future__ import annotations

import math

from facs._errors import InputError, ParameterError

__all__ = [
    "MAX_FACES",
    "MAX_FPS",
    "MAX_TAKE_S",
    "check_max_faces",
    "check_positive",
    "parse_clock",
    "parse_span",
]

#: Longest take facs codes or stores (seconds; 10 days): events past it are refused.
MAX_TAKE_S = 864_000.0
#: Highest frame rate a folder of images may be given (a high-speed camera's).
MAX_FPS = 10_000.0
#: Most faces one frame may be searched for (MediaPipe takes a 32-bit count; past 2**31
#: it wrapped and the model file was blamed).
MAX_FACES = 100


def check_max_faces(value: object) -> int:
    """``value`` if it is a whole number of faces from 1 to :data:`MAX_FACES`, else ParameterError.

    >>> check_max_faces(4)
    4
    >>> check_max_faces(2**31)
    Traceback (most recent call last):
    ...
    facs._errors.ParameterError: max_faces must be an integer from 1 to 100, got 2147483648
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_FACES:
        raise ParameterError(f"max_faces must be an integer from 1 to {MAX_FACES}, got {value!r}")
    return value


def check_positive(name: str, value: float, *, most: float | None = None) -> float:
    """``value`` if it is a finite number above 0 (and at most ``most``), else ParameterError.

    >>> check_positive("fps", 25)
    25.0
    >>> check_positive("fps", float("nan"))
    Traceback (most recent call last):
    ...
    facs._errors.ParameterError: fps must be a positive number, got nan
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a positive number, got {value!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise ParameterError(f"{name} must be a positive number, got {value}")
    if most is not None and number > most:
        raise ParameterError(f"{name} must be at most {most:g}, got {value}")
    return number


def parse_clock(text: str) -> float:
    """Seconds from ``S``, ``M:SS`` or ``H:MM:SS`` (fractions of a second allowed).

    Every field after the first is below 60: ``0:60`` is not a time.

    >>> parse_clock("2.5"), parse_clock("1:02.5"), parse_clock("1:00:00")
    (2.5, 62.5, 3600.0)
    >>> parse_clock("0:60")
    Traceback (most recent call last):
    ...
    facs._errors.InputError: bad time '0:60': minutes and seconds after a ':' run 0-59
    """
    pieces = text.strip().split(":")
    if len(pieces) > 3 or any(not p.strip() for p in pieces):
        raise InputError(f"bad time {text!r}: use seconds, M:SS or H:MM:SS")
    try:
        values = [float(p) for p in pieces]
    except ValueError:
        raise InputError(f"bad time {text!r}: use seconds, M:SS or H:MM:SS") from None
    if not all(math.isfinite(v) and v >= 0 for v in values):
        raise InputError(f"bad time {text!r}: times are finite and not negative")
    if any(v >= 60 for v in values[1:]):
        raise InputError(f"bad time {text!r}: minutes and seconds after a ':' run 0-59")
    total = 0.0
    for v in values:
        total = total * 60 + v
    return total


def parse_span(text: str) -> tuple[float, float]:
    """``START-END`` (each as :func:`parse_clock`) in seconds; START before END.

    >>> parse_span("2-3.5"), parse_span("1:00-1:02"), parse_span(" 0:30 - 1:00:00 ")
    ((2.0, 3.5), (60.0, 62.0), (30.0, 3600.0))
    """
    if text.count("-") != 1:
        raise InputError(f"bad time span {text!r}: use START-END, e.g. 2-3.5 or 1:00-1:02")
    a, b = text.split("-")
    try:
        span = (parse_clock(a), parse_clock(b))
    except InputError as err:
        raise InputError(f"bad time span {text!r}: {err}") from None
    if span[0] >= span[1]:
        raise ParameterError(f"bad time span {text!r}: START must be before END")
    return span
