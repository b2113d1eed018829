"""koppel's Jinja templates, installed as ``koppel.templates`` (see koppel/resources.py)."""
