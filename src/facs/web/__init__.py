"""The local web page of ``facs serve``: lexicon, explainer and coding review.

The FastAPI app is built by :func:`facs.web.app.create_app`; importing this
package is cheap (FastAPI and SQLAlchemy load when the app is created).

>>> import facs.web
>>> facs.web.__all__
['create_app']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facs.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from facs.web.app import create_app

        return create_app
    raise AttributeError(f"module 'facs.web' has no attribute {name!r}")
