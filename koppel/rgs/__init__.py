"""RGS (Referentie Grootboekschema): a user-supplied release read, accounts' codes checked, codes proposed."""

from .release import RgsCode, RgsRelease, load_release

__all__ = ["RgsCode", "RgsRelease", "load_release"]
