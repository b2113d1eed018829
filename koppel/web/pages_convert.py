"""Convert: choose a target, review and edit the mapping it needs (``koppel mapping init``) against the target's
limits per code, see what will be adapted or not carried, convert, and download the import files as one zip."""

from __future__ import annotations

import json
import re
import secrets
import tomllib
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ..errors import KoppelError
from ..mapping_init import SECTION_TITLES, fits, target_limits
from ..registry import all_formats, get_format
from . import work
from .context import Web, see_other
from .library import StoredFile, download_name, private_dir

MAX_MAPPING = 4 << 20
_RUN_ID = re.compile(r"[0-9a-f]{24}")
CARRY_LABELS = {"entries": "boekingen", "relations": "relaties", "accounts": "grootboekrekeningen",
                "opening": "beginbalans", "opening_items": "open posten in de beginbalans"}


def targets() -> list:
    return [f for f in all_formats() if f.writes]


def _target(name: str):
    """The registered writer of this name (the server's own value from here on), or None."""
    try:
        info = get_format(name)
    except KoppelError:
        return None
    return info if info.writes else None


def mapping_path(stored: StoredFile, target: str) -> Path:
    return stored.folder / f"mapping-{target}.toml"


def review(mapping_text: str, target: str) -> tuple[list[dict], str | None]:
    """Per mapping section: the target's limit and every code with where it goes and whether that fits."""
    try:
        parsed = tomllib.loads(mapping_text)
    except tomllib.TOMLDecodeError as exc:
        return [], f"de mapping is geen geldige TOML: {exc}"
    limits = target_limits(target)
    sections = []
    for section, title in SECTION_TITLES.items():
        lim = limits[section]
        table = parsed.get(section) or {}
        rows = []
        if isinstance(table, dict):
            for code, new in table.items():
                new = str(new)
                ok = fits(new, lim)
                why = ""
                if not ok:
                    why = (f"langer dan {lim['width']} tekens" if lim["width"] and len(new) > lim["width"]
                           else "alleen cijfers toegestaan")
                rows.append({"code": code, "target": new, "changed": code != new, "fits": ok, "why": why})
        rule = []
        if lim["width"]:
            rule.append(f"ten hoogste {lim['width']} tekens")
        if lim["digits"]:
            rule.append("alleen cijfers")
        sections.append({"name": section, "title": title, "rule": ", ".join(rule) or "geen bekende grenzen",
                         "where": sorted(set(lim["where"])), "rows": rows,
                         "changed": sum(r["changed"] for r in rows), "unfit": sum(not r["fits"] for r in rows)})
    return sections, None


def routes(web: Web) -> list[Route]:
    converts = private_dir(web.settings.data_dir / "converts")

    def convert_home(request: Request) -> Response:
        return web.render(request, "convert.html.j2", files=web.library.all(), targets=targets(),
                          chosen=request.query_params.get("file", ""))

    def start(request: Request) -> Response:
        """The choice of file and target (a GET form) leads to that file's mapping page."""
        stored = web.library.get(request.query_params.get("file", ""))
        info = _target(request.query_params.get("target", ""))
        if stored is None or info is None:
            return web.problem(request, 400, "Kies een bestand en een doelpakket uit de lijsten.")
        return see_other(f"/files/{stored.sha256}/convert?target={info.name}")

    def choose(request: Request) -> Response:
        stored = web.file_or_404(request)
        if not isinstance(stored, StoredFile):
            return stored
        info = _target(request.query_params.get("target", ""))
        if info is None:
            return web.problem(request, 400, "Kies een doelpakket uit de lijst.")
        path = mapping_path(stored, info.name)
        if not path.is_file():
            task = web.tasks.active("mapping", f"{stored.sha256}:{info.name}") or web.tasks.latest(
                "mapping", f"{stored.sha256}:{info.name}")
            if task is None:
                task = web.tasks.start("mapping", f"{stored.sha256}:{info.name}",
                                       f"mapping voor {info.title} voorstellen", work.propose_mapping,
                                       str(stored.folder), info.name, str(path))
            if task.state == "failed":
                return web.render(request, "failed.html.j2", file=stored, task=task, retry=None)
            return web.render(request, "progress.html.j2", file=stored, task=task, title="Mapping voorstellen")
        return mapping_page(request, stored, info, path.read_text(encoding="utf-8"))

    def mapping_page(request: Request, stored: StoredFile, info, text: str, status: int = 200,
                     problem: str | None = None) -> Response:
        sections, toml_problem = review(text, info.name)
        facts = mapping_path(stored, info.name).with_suffix(".source.json")  # what the source does not carry
        source = json.loads(facts.read_text(encoding="utf-8")) if facts.is_file() else {}
        cannot = [CARRY_LABELS.get(k, k) for k, v in info.carries.items() if "w" not in v]
        return web.render(request, "mapping.html.j2", status=status, file=stored, target=info, text=text,
                          sections=sections, problem=problem or toml_problem, source=source, cannot=cannot)

    async def start_convert(request: Request) -> Response:
        stored = web.file_or_404(request)
        if not isinstance(stored, StoredFile):
            return stored
        form = await request.form(max_part_size=MAX_MAPPING)
        refused = web.csrf_failed(form.get("csrf"))
        if refused is not None:
            return refused
        info = _target(str(form.get("target", "")))
        if info is None:
            return web.problem(request, 400, "Kies een doelpakket uit de lijst.")
        text = str(form.get("mapping", ""))
        sections, problem = review(text, info.name)
        if problem is not None or form.get("action") == "preview":
            return mapping_page(request, stored, info, text, status=400 if problem else 200)
        unfit = [f"{s['name']}: {r['code']} → {r['target']} ({r['why']})" for s in sections for r in s["rows"]
                 if not r["fits"]]
        if unfit:
            return mapping_page(request, stored, info, text, status=400,
                                problem="Deze codes passen niet in " + info.title + ": " + "; ".join(unfit[:10]))
        run_id = secrets.token_hex(12)
        out = private_dir(converts / run_id)
        (out / "request.json").write_text(json.dumps({"file": stored.sha256, "target": info.name,
                                                       "name": stored.name}), encoding="utf-8")
        web.tasks.start("convert", run_id, f"{stored.name} naar {info.title}", work.convert, str(stored.folder),
                        info.name, text, str(out), stored.name)
        return see_other(f"/converts/{run_id}")

    def result(request: Request) -> Response:
        run_id = request.path_params["run"]
        out = converts / run_id
        if not (_RUN_ID.fullmatch(run_id) and (out / "request.json").is_file()):
            return web.problem(request, 404, "Deze conversie bestaat niet (meer).")
        req = json.loads((out / "request.json").read_text(encoding="utf-8"))
        stored = web.library.get(req["file"])
        info = _target(req["target"])
        done = out / work.CONVERT_RESULT
        if not done.is_file():
            task = web.tasks.latest("convert", run_id)
            if task is None or task.state == "failed":
                message = task.error if task else "de conversie is afgebroken (de server stopte)"
                return web.render(request, "convert_failed.html.j2", status=422, file=stored, target=info,
                                  message=message)
            return web.render(request, "progress.html.j2", file=stored, task=task, title="Converteren")
        data = json.loads(done.read_text(encoding="utf-8"))
        return web.render(request, "convert_result.html.j2", file=stored, target=info, run_id=run_id,
                          control=data["control"], files=data["files"], equal=data["equal"])

    def download(request: Request) -> Response:
        run_id = request.path_params["run"]
        out = converts / run_id
        if not (_RUN_ID.fullmatch(run_id) and (out / "import.zip").is_file()):
            return web.problem(request, 404, "Dit bestand is er (nog) niet.")
        req = json.loads((out / "request.json").read_text(encoding="utf-8"))
        name = download_name(req.get("name", "koppel"), f"-{req['target']}.zip")
        return FileResponse(out / "import.zip", media_type="application/zip", filename=name)

    return [
        Route("/convert", convert_home),
        Route("/convert/start", start),
        Route("/files/{sha}/convert", choose),
        Route("/files/{sha}/convert", start_convert, methods=["POST"]),
        Route("/converts/{run}", result),
        Route("/converts/{run}/import.zip", download),
    ]
