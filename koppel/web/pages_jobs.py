"""Jobs: the runs of ``--jobs jobs.toml``, per input its status, outputs and error; the quarantine with "try again";
"run now". A run is ``koppel run`` itself (its lock keeps two runs — two tabs, or a terminal — from overlapping)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import KoppelError
from . import jobs_view, work
from .context import Web, see_other


def routes(web: Web) -> list[Route]:
    job_path = web.settings.jobs_file

    def subject() -> str:
        return str(job_path)

    def start_run():
        return web.tasks.start("run", subject(), "jobs uitvoeren", work.run_jobs, str(job_path))

    def page(request: Request) -> Response:
        if job_path is None:
            return web.render(request, "jobs_off.html.j2")
        try:
            job_file = jobs_view.load(job_path)
            inputs, runs = jobs_view.state_rows(job_file)
        except KoppelError as exc:
            return web.problem(request, 500, f"Het jobbestand kan niet worden gebruikt: {exc}")
        waiting = {job.name: jobs_view.quarantined(job) for job in job_file.jobs}
        inbox = {job.name: sorted(p.name for p in job.inbox.glob(job.glob) if p.is_file()) if job.inbox.is_dir()
                 else [] for job in job_file.jobs}
        return web.render(request, "jobs.html.j2", job_file=job_file, inputs=inputs, runs=runs, waiting=waiting,
                          inbox=inbox, task=web.tasks.latest("run", subject()))

    async def run_now(request: Request) -> Response:
        form = await request.form()
        refused = web.csrf_failed(form.get("csrf"))
        if refused is not None:
            return refused
        if job_path is None:
            return web.problem(request, 404, "Er is geen jobbestand: start koppel serve met --jobs jobs.toml.")
        start_run()
        return see_other("/jobs")

    async def try_again(request: Request) -> Response:
        form = await request.form()
        refused = web.csrf_failed(form.get("csrf"))
        if refused is not None:
            return refused
        if job_path is None:
            return web.problem(request, 404, "Er is geen jobbestand: start koppel serve met --jobs jobs.toml.")
        try:
            await run_in_threadpool(jobs_view.retry, job_path, str(form.get("job", "")),
                                           str(form.get("sha256", "")))
        except KoppelError as exc:
            return web.render(request, "problem.html.j2", status=409, status_code=409,
                              message=f"Opnieuw proberen lukte niet: {exc}")
        start_run()
        return see_other("/jobs")

    return [
        Route("/jobs", page),
        Route("/jobs/run", run_now, methods=["POST"]),
        Route("/jobs/retry", try_again, methods=["POST"]),
    ]
