"""``python -m facs.face._fetch``: take MediaPipe Hands' two models out of the
mediapipe 0.10.14 wheel on PyPI into ``<venv>/share/facs/`` (install time;
:func:`facs.face._hands.fetch_model`)."""

from __future__ import annotations

from facs.face._hands import fetch_model

if __name__ == "__main__":
    print(fetch_model())
