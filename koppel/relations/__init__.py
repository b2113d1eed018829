"""Relation master data (debtors and creditors): read from lists or administrations, validate, write."""

from .read import read_relations, read_relations_result
from .validate import validate_relations

__all__ = ["read_relations", "read_relations_result", "validate_relations"]
