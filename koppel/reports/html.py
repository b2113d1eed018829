"""HTML check reports: one self-contained page per file (inline CSS/SVG/JS, no network) and an index page."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from ..atomic import atomic_open
from ..templating import TEMPLATE_DIR
from .view import build_view, file_name, software_text, summary, text, verdict
from .words import DEFAULT_LANGUAGE, words


@cache
def environment() -> jinja2.Environment:
    """Templates from ``templates/``; autoescape always on (every value comes from an untrusted file)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render_html_report(
    result: Mapping[str, Any], *, generated: str | None = None, lang: str = DEFAULT_LANGUAGE
) -> str:
    view = build_view(result, lang)
    return environment().get_template("report.html.j2").render(v=view, generated=generated or _now())


def write_html_report(
    result: Mapping[str, Any], path: str | Path, *, generated: str | None = None, lang: str = DEFAULT_LANGUAGE
) -> Path:
    """Write the check report of one file as one self-contained HTML page in ``lang``; returns the path."""
    path = Path(path)
    page = render_html_report(result, generated=generated, lang=lang)
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(page)
    return path


def _href(target: Path, index_dir: Path) -> str:
    """A relative, URL-quoted link from the index folder to ``target``."""
    relative = os.path.relpath(Path(target).resolve(), index_dir.resolve())
    return quote(Path(relative).as_posix())


def write_report_index(
    results: Sequence[Mapping[str, Any]],
    report_paths: Sequence[str | Path],
    index_path: str | Path,
    *,
    generated: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> Path:
    """Write an index page linking each file's report, with its verdict and finding counts, in ``lang``."""
    if len(results) != len(report_paths):
        raise ValueError(f"{len(results)} results but {len(report_paths)} report paths")
    index_path = Path(index_path)
    rows = []
    for result, report in zip(results, report_paths, strict=True):
        header = result.get("header") if isinstance(result.get("header"), Mapping) else {}
        rows.append(
            {
                "file": text(result.get("file")) or Path(report).name,
                "file_name": file_name(result.get("file")) or Path(report).name,
                "company": text(header.get("company_name")),
                "fiscal_year": text(header.get("fiscal_year")),
                "version": text(result.get("version")),
                "software": software_text(result.get("software")),
                "verdict": verdict(result, lang),
                "summary": summary(result),
                "href": _href(Path(report), index_path.parent),
            }
        )
    totals = {
        key: sum(1 for row in rows if row["verdict"].key == key) for key in ("ok", "warnings", "errors", "unusable")
    }
    page = environment().get_template("index.html.j2").render(
        rows=rows, totals=totals, generated=generated or _now(), lang=lang, w=words(lang)
    )
    with atomic_open(index_path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(page)
    return index_path
