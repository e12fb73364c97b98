"""AU estimation: pose-normalised geometry, neutral baselines, the fitted model, calibration.

The AU stage works on a :class:`~facs.face._batch.FaceBatch` (one face's rows):
:func:`select_baseline` makes its neutral from the rows chosen for it, and
:func:`estimate` scores every row against that neutral (:mod:`facs.au._batch`
has the rest of the stage). Importing this package is cheap; the model file
loads on first use.
"""

from facs.au._batch import estimate, select_baseline
from facs.au._calibration import (
    Actor,
    ScriptRow,
    apply_actor,
    fit_actor,
    read_actor,
    read_script,
    script_targets,
    write_actor,
)
from facs.au._estimator import (
    Baseline,
    Estimator,
    Model,
    blendshape_mapping,
    load_estimator,
)

__all__ = [
    "Actor",
    "Baseline",
    "Estimator",
    "Model",
    "ScriptRow",
    "apply_actor",
    "blendshape_mapping",
    "estimate",
    "fit_actor",
    "load_estimator",
    "read_actor",
    "read_script",
    "script_targets",
    "select_baseline",
    "write_actor",
]
