"""AU estimation: pose-normalised geometry, neutral baselines, the fitted model, calibration.

Importing this package is cheap; the model file loads on first use.
"""

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
    calm_scores,
    find_baseline,
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
    "calm_scores",
    "find_baseline",
    "fit_actor",
    "load_estimator",
    "read_actor",
    "read_script",
    "script_targets",
    "write_actor",
]
