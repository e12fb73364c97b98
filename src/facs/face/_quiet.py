"""Keep what native libraries print (MediaPipe, TensorFlow Lite) off the terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["quiet_native_logs"]


@contextmanager
def quiet_native_logs() -> Iterator[TextIO | None]:
    """Silence what native libraries print on file descriptor 2.

    Python's own ``sys.stderr`` is re-pointed to a duplicate of the real
    stderr (yielded, so a caller can point its own writers at it too), so
    only native log lines are dropped. ``FACS_DEBUG=1`` keeps them; where
    stderr has no file descriptor (captured in tests) nothing changes and
    None is yielded.
    """
    if os.environ.get("FACS_DEBUG") or not hasattr(sys.stderr, "fileno"):
        yield None
        return
    try:
        fd = sys.stderr.fileno()
    except (OSError, ValueError):  # a captured stream (tests)
        yield None
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    real = os.fdopen(os.dup(saved), "w", buffering=1)
    old_stderr = sys.stderr
    os.dup2(devnull, fd)
    sys.stderr = real
    try:
        yield real
    finally:
        real.flush()
        os.dup2(saved, fd)
        sys.stderr = old_stderr
        real.close()
        os.close(saved)
        os.close(devnull)
