"""Relation master data (debtors and creditors): read from lists or administrations, validate, write."""

from .read import read_relations
from .validate import validate_relations

__all__ = ["read_relations", "validate_relations"]
