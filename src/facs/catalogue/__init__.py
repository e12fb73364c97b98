"""Every FACS code as data: action units, descriptors, positions and supplementary codes.

>>> from facs.catalogue import catalogue
>>> catalogue["AU12"].name
'Lip corner puller'
"""

from facs.catalogue._catalogue import KINDS, REGIONS, Catalogue, Entry, Kind, catalogue, load_toml

__all__ = ["KINDS", "REGIONS", "Catalogue", "Entry", "Kind", "catalogue", "load_toml"]
