"""facs: the Facial Action Coding System, executable.

>>> import facs
>>> str(facs.Code.parse("1+2+5B+26"))
'1+2+5B+26'
>>> facs.catalogue["AU12"].name
'Lip corner puller'

Heavy parts (the face model, plotting) load only when used.
"""

from facs._errors import (
    CatalogueError,
    CodeError,
    FACSError,
    InputError,
    ModelError,
    ParameterError,
)
from facs.catalogue import catalogue
from facs.emotions import match_emotions, suggest
from facs.notation import Action, Code, intensity_to_letter, letter_to_intensity

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # Heavy parts load on first use: ``facs.code`` pulls in the face model.
    if name in ("code", "Coding"):
        from facs import coding

        return getattr(coding, name)
    if name == "code_many":  # and Dask
        from facs import batch

        return batch.code_many
    raise AttributeError(f"module 'facs' has no attribute {name!r}")


__all__ = [
    "Action",
    "CatalogueError",
    "Code",
    "CodeError",
    "Coding",
    "FACSError",
    "InputError",
    "ModelError",
    "ParameterError",
    "__version__",
    "catalogue",
    "code",
    "code_many",
    "intensity_to_letter",
    "letter_to_intensity",
    "match_emotions",
    "suggest",
]
