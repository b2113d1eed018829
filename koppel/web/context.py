"""What every page needs: the settings, the library, the tasks, the guard, and HTML rendering with escaping on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ..money import format_cents
from ..resources import template_dir
from .library import Library, StoredFile
from .security import Guard
from .tasks import TaskManager

DEFAULT_MAX_UPLOAD = 1 << 30  # 1 GiB: the largest auditfiles met are a few hundred MB


@dataclass
class Settings:
    """How ``koppel serve`` was started."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8765
    jobs_file: Path | None = None
    max_upload: int = DEFAULT_MAX_UPLOAD
    task_mode: str = "process"  # "thread" in tests
    token: str | None = None  # required when bound beyond loopback


def money(cents: Any) -> str:
    """Cents as Dutch display text (1.234,56); '' for no value."""
    if cents is None or cents == "":
        return ""
    return format_cents(int(cents), decimal_mark=",", thousands=".")


def number(value: Any) -> str:
    if value is None or value == "":
        return ""
    return f"{int(value):,}".replace(",", ".")


def size(value: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}".replace(",", ".") if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return str(value)


@dataclass
class Web:
    """The app's shared state; one per server."""

    settings: Settings
    guard: Guard
    library: Library
    tasks: TaskManager
    env: jinja2.Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(template_dir()),
            autoescape=True,  # every value from a file or a browser is text, never markup
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(money=money, number=number, size=size)
        self.env.globals.update(csrf=self.guard.csrf, jobs_enabled=self.settings.jobs_file is not None)

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        page = self.env.get_template(f"web/{name}").render(request=request, nav=_section(request.url.path),
                                                          **context)
        return HTMLResponse(page, status_code=status)

    def problem(self, request: Request, status: int, message: str) -> HTMLResponse:
        return self.render(request, "problem.html.j2", status=status, status_code=status, message=message)

    def file_or_404(self, request: Request) -> StoredFile | HTMLResponse:
        found = self.library.get(request.path_params.get("sha", ""))
        if found is None:
            return self.problem(request, 404, "Dit bestand is niet (meer) in de bibliotheek. Laad het opnieuw op.")
        return found

    def csrf_failed(self, given: str | None) -> Response | None:
        if self.guard.csrf_ok(given):
            return None
        return PlainTextResponse("CSRF-controle mislukt: laad de pagina opnieuw", status_code=403)


def _section(path: str) -> str:
    for prefix, name in (("/check", "check"), ("/browse", "browse"), ("/convert", "convert"), ("/jobs", "jobs")):
        if path.startswith(prefix):
            return name
    match = re.match(r"/files/[0-9a-f]{64}/(\w+)", path)
    if match:
        return {"check": "check", "convert": "convert"}.get(match.group(1), "browse")
    return ""


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
