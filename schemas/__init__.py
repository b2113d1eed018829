"""koppel's layout descriptors as data, installed as ``koppel.schemas`` (see koppel/resources.py)."""
