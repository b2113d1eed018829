"""ADF, the fixed-width auditfile of 1999 (``CLAIR1.00.00``): layout, reader, checks and a synthetic generator."""

from .reader import read_adf, sniff_adf

__all__ = ["read_adf", "sniff_adf"]
