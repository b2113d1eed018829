"""Check: upload auditfiles (any version, zipped too), follow the check, read the report, download it."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ..reports.view import build_view
from . import work
from .context import Web, see_other
from .library import StoredFile, download_name

MAX_FILES = 20
MEDIA = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def start_check(web: Web, stored: StoredFile):
    return web.tasks.start("check", stored.sha256, f"controle van {stored.name}", work.check,
                           str(stored.folder), stored.name)


def file_rows(web: Web) -> list[dict]:
    """Every library file with its check verdict, or the task working on it."""
    rows = []
    for stored in web.library.all():
        result = work.load_result(stored.folder)
        task = web.tasks.latest("check", stored.sha256)
        rows.append({"file": stored, "verdict": build_view(result)["verdict"] if result else None,
                     "summary": result.get("summary") if result else None, "task": task,
                     "loaded": (stored.folder / "view.sqlite").is_file()})
    return rows


def routes(web: Web) -> list[Route]:
    async def upload(request: Request) -> Response:
        """Files into the library, then a check of each; a file checked before is not checked again."""
        limit = web.settings.max_upload
        async with request.form(max_files=MAX_FILES, max_fields=10) as form:
            refused = web.csrf_failed(form.get("csrf") or request.headers.get("x-csrf-token"))
            if refused is not None:
                return refused
            uploads = [f for f in form.getlist("files") if hasattr(f, "read") and f.filename]
            if not uploads:
                return web.problem(request, 400, "Kies eerst een of meer auditfiles.")
            stored = []
            for up in uploads:
                try:
                    stored.append(await run_in_threadpool(web.library.add, up.file, up.filename, limit))
                except ValueError as exc:
                    return web.problem(request, 413, f"{up.filename}: {exc}")
        then = form.get("then") or "check"
        if then == "convert":
            return see_other(f"/convert?file={stored[-1].sha256}")
        for item in stored:
            if then == "browse":
                from .pages_browse import start_load

                if not (item.folder / "view.sqlite").is_file():
                    start_load(web, item)
            elif work.load_result(item.folder) is None:
                start_check(web, item)
        if len(stored) == 1:
            return see_other(f"/files/{stored[0].sha256}/{'browse' if then == 'browse' else 'check'}")
        return see_other("/browse" if then == "browse" else "/check")

    def check_page(request: Request) -> Response:
        return web.render(request, "check.html.j2", rows=file_rows(web))

    def report(request: Request) -> Response:
        stored = web.file_or_404(request)
        if not isinstance(stored, StoredFile):
            return stored
        result = work.load_result(stored.folder)
        if result is None:
            task = web.tasks.active("check", stored.sha256) or web.tasks.latest("check", stored.sha256)
            if task is None:
                task = start_check(web, stored)
            if task.state == "failed":
                return web.render(request, "failed.html.j2", file=stored, task=task,
                                  retry=f"/files/{stored.sha256}/check")
            return web.render(request, "progress.html.j2", file=stored, task=task, title="Controleren")
        view = build_view(result)
        wanted = request.query_params.getlist("severity")
        words = request.query_params.get("q", "").lower().split()
        filtered = bool(wanted or words)
        if filtered:  # the same filter as the page's script, for a browser without it
            view["findings"] = [
                f for f in view["findings"]
                if (not wanted or f.severity in wanted) and all(w in f.search_text for w in words)
            ]
        return web.render(request, "report.html.j2", file=stored, v=view, filtered=filtered,
                          severities=wanted, q=request.query_params.get("q", ""))

    async def recheck(request: Request) -> Response:
        stored = web.file_or_404(request)
        if not isinstance(stored, StoredFile):
            return stored
        form = await request.form()
        refused = web.csrf_failed(form.get("csrf"))
        if refused is not None:
            return refused
        if work.load_result(stored.folder) is None:
            start_check(web, stored)
        return see_other(f"/files/{stored.sha256}/check")

    def download(request: Request) -> Response:
        stored = web.file_or_404(request)
        if not isinstance(stored, StoredFile):
            return stored
        kind = request.path_params["kind"]
        if kind not in work.REPORTS or work.load_result(stored.folder) is None:
            return web.problem(request, 404, "Dit rapport is er (nog) niet.")
        name = download_name(stored.name, "-controle." + kind)
        response = FileResponse(stored.folder / work.REPORTS[kind], media_type=MEDIA[kind], filename=name)
        if kind == "html":  # the report has its own inline CSS/JS: never let it run in this origin
            response.headers["content-security-policy"] = "sandbox"
        return response

    return [
        Route("/check", check_page),
        Route("/check", upload, methods=["POST"]),
        Route("/files/{sha}/check", report),
        Route("/files/{sha}/check", recheck, methods=["POST"]),
        Route("/files/{sha}/report.{kind}", download),
    ]
