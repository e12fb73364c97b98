"""The one progress callback type: ``progress(done, total)``."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress"]

#: Progress callback: (items done, items expected or None when not known), called as
#: work advances; used by :func:`facs.code` (frames) and :func:`facs.synth.animate`
#: (frames rendered). A web job adds the step's name (``facs.web._jobs.JobProgress``).
Progress = Callable[[int, int | None], None]
