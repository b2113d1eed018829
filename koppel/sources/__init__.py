"""ERP, POS, shop and bank exports in: declarative source profiles, aggregation, exact VAT and rounding."""

from .profile import builtin_profiles, load_profile
from .reader import read_export, read_source

__all__ = ["builtin_profiles", "load_profile", "read_export", "read_source"]
