"""Exceptions raised by facs.

The hierarchy::

    FACSError
    ├── CodeError (ValueError)      a FACS string that cannot be parsed or is invalid
    ├── CatalogueError (KeyError)   a code or name that the catalogue does not hold
    ├── InputError (ValueError)     a missing, unreadable or malformed input file
    │   └── ParameterError          a bad argument (a negative fps, an empty span)
    └── ModelError (RuntimeError)   the face model cannot be found or loaded

Per-frame failures (no face in a frame) are data, not exceptions: they give a
row with ``success=0``.
"""

from __future__ import annotations

import errno

__all__ = [
    "CatalogueError",
    "CodeError",
    "FACSError",
    "InputError",
    "ModelError",
    "ParameterError",
]


class FACSError(Exception):
    """Root of every error facs raises on purpose."""


class CodeError(FACSError, ValueError):
    """A FACS code string is malformed or invalid.

    Parameters
    ----------
    message
        What is wrong, in words.
    text
        The whole string that was being parsed.
    token
        The offending item (or ``""`` for an empty item).
    position
        0-based character offset of ``token`` in ``text``.

    Examples
    --------
    >>> err = CodeError("unknown code 99", text="1+99", token="99", position=2)
    >>> str(err)
    "unknown code 99 (token '99' at position 2 in '1+99')"
    """

    def __init__(
        self, message: str, *, text: str = "", token: str = "", position: int | None = None
    ) -> None:
        self.message = message
        self.text = text
        self.token = token
        self.position = position
        super().__init__(message)

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (token {self.token!r} at position {self.position} in {self.text!r})"

    def caret(self) -> str:
        """The text with a caret line under the offending token.

        >>> print(CodeError("bad", text="1+Q2", token="Q2", position=2).caret())
        1+Q2
          ^^
        """
        if self.position is None:
            return self.text
        width = max(1, len(self.token))
        return f"{self.text}\n{' ' * self.position}{'^' * width}"


class CatalogueError(FACSError, KeyError):
    """The catalogue holds no code matching a query."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not in the catalogue"


class InputError(FACSError, ValueError):
    """An input file is missing, unreadable, truncated or malformed."""


class ParameterError(InputError):
    """An argument is out of range or malformed (a negative frame rate, START after END).

    A kind of :class:`InputError` (and so of ``ValueError``): code that
    catches bad input catches bad arguments too.
    """


class ModelError(FACSError, RuntimeError):
    """The face landmarker model cannot be found, verified or loaded."""


#: File-system refusals a user can act on, not bugs (no permission, a full or read-only
#: disk, a folder where a file goes …): reported like bad input, naming the file.
USER_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR, errno.ENOSPC,
                         errno.EROFS, errno.EDQUOT, errno.EEXIST, errno.ENAMETOOLONG})  # fmt: skip
