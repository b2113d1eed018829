"""What the tasks do, each a thin layer over the functions the CLI calls; run in a child process (see tasks.py).

Every function takes plain arguments (paths as strings: they cross a process boundary) and ``progress``, and
leaves its results on disk, written whole (temp file + rename), so a page finds either nothing or all of it.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from ..atomic import atomic_open, atomic_path
from ..errors import KoppelError
from ..xaf.consumers import wanted_in_pass

CHECK_NAME = "check.json"
REPORTS = {"html": "report.html", "xlsx": "report.xlsx", "json": CHECK_NAME}
MAPPING_NAME = "mapping.toml"
CONVERT_RESULT = "convert.json"


def _source(folder: Path) -> Path:
    for name in ("source.zip", "source.xaf"):
        if (folder / name).is_file():
            return folder / name
    raise KoppelError("the file is no longer in the library", hint="upload it again")


def _write_json(data, path: Path) -> None:
    with atomic_open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False, default=str)
        handle.write("\n")


# ---- progress of a reader that offers no callback --------------------------------------------------------------
class ReadWatcher:
    """How far this process has read into the file it is parsing, from /proc (Linux): ``check_file`` opens the
    file itself and has no progress hook. Elsewhere, or for a file it cannot see, the page shows no percentage."""

    def __init__(self, progress, roots: tuple[str, ...]) -> None:
        self.progress = progress
        self.roots = roots
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ReadWatcher:
        if os.path.isdir("/proc/self/fd"):
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(0.25):
            best = None
            for fd in os.listdir("/proc/self/fd"):
                try:
                    target = os.readlink(f"/proc/self/fd/{fd}")
                    if not target.startswith(self.roots):
                        continue
                    with open(f"/proc/self/fdinfo/{fd}") as info:
                        pos = int(info.readline().split()[1])
                    size = os.path.getsize(target)
                except (OSError, ValueError, IndexError):
                    continue
                if best is None or size > best[1]:
                    best = (pos, size)
            if best is not None:
                self.progress.set_total(best[1])
                self.progress(best[0])


def _shown_file(result: dict, source: Path, name: str) -> None:
    """The result names the file as the user knows it, never by its place in the private folder."""
    given = str(result.get("file") or "")
    if given.startswith(str(source)):
        result["file"] = name + given[len(str(source)) :]


def check(folder: str, name: str, *, progress) -> None:
    """``koppel check`` on one library file: check.json plus the HTML and Excel reports beside it."""
    from ..checks import check_file
    from ..reports import write_html_report, write_xlsx_report

    where = Path(folder)
    source = _source(where)
    progress.phase("controleren")
    progress.set_total(source.stat().st_size)
    roots = (str(where), os.path.join(tempfile.gettempdir(), "koppel-zip-"))
    with ReadWatcher(progress, roots):
        result = check_file(source)
    _shown_file(result, source, name)
    progress.phase("opslaan")
    write_html_report(result, where / REPORTS["html"])
    write_xlsx_report(result, where / REPORTS["xlsx"])
    _write_json(result, where / CHECK_NAME)  # last: its presence means the check is complete


def load_result(folder: Path) -> dict | None:
    path = folder / CHECK_NAME
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


# ---- Browse ----------------------------------------------------------------------------------------------------
def load(folder: str, name: str, *, progress) -> None:
    """Read the file once (any version, zipped too) and build the viewer's store beside it."""
    from ..registry import read_input
    from .store import Store, arrow_lines

    where = Path(folder)
    source = _source(where)
    clock = _Clock()
    progress.phase("lezen")
    progress.set_total(_unpacked_size(source))
    with wanted_in_pass(subledgers=True):  # the open items that follow take them from this read
        adm = read_input(source, progress=progress)
    clock.lap("read")
    progress.phase("opslaan")
    progress.set_total(max(adm.stats.lines, 1))
    h = adm.header
    meta = {
        "name": name,
        "company": h.company_name or "",
        "fiscal_year": h.fiscal_year or "",
        "start_date": h.start_date or "",
        "end_date": h.end_date or "",
        "currency": h.currency or "",
        "software": " ".join(x for x in (h.software, h.software_version) if x),
        "version": h.source_version or "",
        "lines": str(adm.stats.lines),
        "entries": str(adm.stats.transactions),
    }

    def counted():
        done = 0
        for batch in arrow_lines(adm):
            done += batch.num_rows
            progress(done)
            yield batch

    store = Store(where)
    store.load(
        counted(),
        accounts=adm.accounts,
        journals=adm.journals,
        relations=adm.relations,
        opening=adm.opening_balance,
        meta=meta,
    )
    clock.lap("store")
    # Browse works from here on; the open items (a matching pass of their own) follow in the same task
    progress.phase("open posten")
    progress.set_total(0)
    items, note = _open_items(adm)
    store.save_open_items(items, note)
    clock.lap("open_items")
    adm.lines.discard()
    _write_json(clock.laps, where / "load.json")  # for the benchmark: wall and CPU seconds per step


class _Clock:
    """Wall and CPU seconds (this process and its children: the parallel reader's workers) per step."""

    def __init__(self) -> None:
        self.laps: dict[str, dict[str, float]] = {}
        self._wall, self._cpu = time.perf_counter(), self._cpu_now()

    @staticmethod
    def _cpu_now() -> float:
        t = os.times()  # portable: on Windows the children's times are 0
        return t.user + t.system + t.children_user + t.children_system

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), self._cpu_now()
        self.laps[name] = {"wall": round(wall - self._wall, 2), "cpu": round(cpu - self._cpu, 2)}
        self._wall, self._cpu = wall, cpu


def _unpacked_size(source: Path) -> int:
    if source.suffix == ".zip":
        try:
            with zipfile.ZipFile(source) as archive:
                return sum(i.file_size for i in archive.infolist())
        except (zipfile.BadZipFile, OSError):
            return 0
    return source.stat().st_size


def open_items(folder: str, name: str, *, progress) -> None:
    """The open items alone, for a store whose loading stopped before them (the server was stopped)."""
    from ..registry import read_input
    from .store import Store

    where = Path(folder)
    source = _source(where)
    progress.phase("lezen")
    progress.set_total(_unpacked_size(source))
    with wanted_in_pass(subledgers=True):  # open items take them from the read's own pass
        adm = read_input(source, progress=progress)
    progress.phase("open posten")
    progress.set_total(0)
    items, note = _open_items(adm)
    Store(where).save_open_items(items, note)
    adm.lines.discard()


def _open_items(adm):
    """(items, note): open items per relation at the end of the year, as ``koppel openitems`` finds them."""
    from ..openitems.engine import compute_open_items, subledgers_of

    try:
        result = compute_open_items(adm, subledgers=subledgers_of(adm))
    except KoppelError as exc:
        return None, f"open posten konden niet worden bepaald: {exc.message}"
    return result.items, f"per {result.at.isoformat()}"


# ---- Convert ---------------------------------------------------------------------------------------------------
def propose_mapping(folder: str, target: str, out: str, *, progress) -> None:
    """``koppel mapping init``: the starter mapping for ``target``, written to ``out``."""
    from ..mapping_init import starter_mapping
    from ..registry import get_format, read_input

    get_format(target)
    where = Path(folder)
    source = _source(where)
    progress.phase("lezen")
    progress.set_total(_unpacked_size(source))
    adm = read_input(source, progress=progress)
    summary = {"not_carried": dict(sorted(adm.not_carried.items())),
               "not_carried_why": dict(adm.not_carried_why), "lines": adm.stats.lines}
    text = starter_mapping(adm, target, json.loads((where / "meta.json").read_text(encoding="utf-8"))["name"])
    with atomic_open(Path(out), "w", encoding="utf-8") as handle:
        handle.write(text)
    _write_json(summary, Path(out).with_suffix(".source.json"))
    adm.lines.discard()


def convert(folder: str, target: str, mapping_text: str, out: str, name: str, *, progress) -> None:
    """``koppel convert``: the import files, IMPORTEREN.md and control.json, zipped; the control beside the zip."""
    from ..api import convert as run_convert
    from ..registry import get_format

    info = get_format(target)
    where, out_dir = Path(folder), Path(out)
    source = _source(where)
    work = out_dir / "output"
    mapping = out_dir / MAPPING_NAME
    with atomic_open(mapping, "w", encoding="utf-8") as handle:
        handle.write(mapping_text)
    progress.phase("converteren")
    progress.set_total(_unpacked_size(source))
    roots = (str(where), os.path.join(tempfile.gettempdir(), "koppel-zip-"))
    output = work if info.output == "folder" else work / f"{Path(name).stem or 'administratie'}.xaf"
    with ReadWatcher(progress, roots):
        result = run_convert(source, to=target, out=output, mapping=mapping if mapping_text.strip() else None)
    progress.phase("opslaan")
    control = dict(result.control)
    control["source"] = {**control.get("source", {}), "file": name}
    files = sorted(p for p in work.rglob("*") if p.is_file())
    zip_path = out_dir / "import.zip"
    with atomic_path(zip_path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            if path.name == result.control_path.name:
                archive.writestr(path.relative_to(work).as_posix(), json.dumps(control, indent=2,
                                                                               ensure_ascii=False) + "\n")
            else:
                archive.write(path, path.relative_to(work).as_posix())
    _write_json({"control": control, "files": [p.relative_to(work).as_posix() for p in files],
                 "equal": result.equal}, out_dir / CONVERT_RESULT)


# ---- Jobs ------------------------------------------------------------------------------------------------------
def run_jobs(job_file: str, *, progress) -> None:
    """``koppel run``: one run of the job file, under its lock (while a terminal run holds it, this one is refused
    and says who holds it)."""
    from ..jobs.runner import run_job_file

    progress.phase("converteren")

    def count(done: int, total: int, _name: str) -> None:
        progress.set_total(total)
        progress(done)

    run_job_file(job_file, progress=count)
