"""The web app: Starlette routes of the four pages, the static files, the task status API and the guard.

:func:`create_app` builds it from :class:`~koppel.web.context.Settings`; ``koppel serve`` runs it with uvicorn.
"""

from __future__ import annotations

import contextlib
import re

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..resources import template_dir
from . import pages_browse, pages_check, pages_convert, pages_jobs
from .context import Settings, Web, see_other
from .library import Library, private_dir
from .security import Guard, GuardMiddleware
from .tasks import TaskManager

# The only files served as they are: a fixed list, never a path from the request.
STATIC = {
    "app.css": ("web/static/app.css", "text/css; charset=utf-8"),
    "app.js": ("web/static/app.js", "text/javascript; charset=utf-8"),
    "report.css": ("report.css", "text/css; charset=utf-8"),
    "report.js": ("report.js", "text/javascript; charset=utf-8"),
}


def create_app(settings: Settings) -> Starlette:
    """The app for these settings; its data folder is created private (0700)."""
    private_dir(settings.data_dir)
    guard = Guard(bind_host=settings.host, max_body=settings.max_upload + (1 << 20), token=settings.token)
    web = Web(settings, guard, Library(settings.data_dir), TaskManager(settings.task_mode))

    def home(request: Request) -> Response:
        return see_other("/check")

    def static(request: Request) -> Response:
        entry = STATIC.get(request.path_params["name"])
        if entry is None:
            return Response("not found", status_code=404, media_type="text/plain")
        response = FileResponse(template_dir() / entry[0], media_type=entry[1])
        response.headers["cache-control"] = "no-cache"
        return response

    def task_status(request: Request) -> Response:
        task_id = request.path_params["task"]
        task = web.tasks.get(task_id) if re.fullmatch(r"[0-9a-f]{16}", task_id) else None
        if task is None:
            return JSONResponse({"error": "unknown task"}, status_code=404)
        return JSONResponse(task.as_dict())

    routes = [
        Route("/", home),
        Route("/static/{name}", static),
        Route("/api/tasks/{task}", task_status),
        *pages_check.routes(web),
        *pages_browse.routes(web),
        *pages_convert.routes(web),
        *pages_jobs.routes(web),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        web.tasks.shutdown()

    app = Starlette(routes=routes, middleware=[Middleware(GuardMiddleware, guard=guard)], lifespan=lifespan)
    app.state.web = web
    return app
