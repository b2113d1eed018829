"""koppel — batch toolkit for Dutch bookkeeping data (XAF auditfiles, package import files, exports)."""

__version__ = "0.1.0"
