"""The Jinja templates of ``templates/`` for text output (IMPORTEREN.md, record files), one environment per process.

Kept per process so each template is compiled once: a batch job converts thousands of small files in a few warm
workers, and compiling IMPORTEREN.md's template cost about a fifth of such a conversion.
"""

from __future__ import annotations

from functools import cache

import jinja2

from .resources import template_dir

TEMPLATE_DIR = template_dir()


@cache
def text_templates(strict: bool = False) -> jinja2.Environment:
    """Plain-text templates (no escaping, trailing newline kept); ``strict``: an undefined name is an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
    )
