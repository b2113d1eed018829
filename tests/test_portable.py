"""koppel starts and works without POSIX-only parts (Windows is not in CI: what can be simulated here is).

- Every module imports with ``fcntl``, ``resource``, ``pwd``, ``grp``, ``termios``, … made unimportable.
- "As if on Windows": a Python whose ``os`` lacks pread/pwrite/sync/fork/sched_getaffinity, whose ``signal`` lacks
  SIGHUP/SIGQUIT/SIGUSR1/SIGUSR2/SIGALRM, whose multiprocessing can only spawn, and where only the lock library may
  use ``fcntl`` (on Windows it takes ``LockFileEx``), runs the commands: convert, check, a job on two spawned
  worker processes. koppel asks what the OS has (``hasattr(os, "sync")``, the start methods), never its name, so
  removing what Windows lacks is the simulation; a test keeps it that way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
XSD_DIR = ROOT.parent / "shared" / "reference" / "xaf" / "xsd"

POSIX_ONLY = ("fcntl", "resource", "pwd", "grp", "termios", "tty", "pty", "syslog", "posix_ipc")

# A meta-path finder that makes the POSIX-only modules unimportable, except for the importers in ALLOWED.
BLOCKER = """
import sys

POSIX_ONLY = {posix_only!r}
ALLOWED = {allowed!r}


def _importer():
    frame = sys._getframe(2)
    while frame is not None and (
        frame.f_code.co_filename.startswith("<frozen importlib") or frame.f_globals.get("__name__") == "importlib"
    ):
        frame = frame.f_back
    return frame.f_globals.get("__name__", "") if frame is not None else ""


class PosixOnlyBlocker:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in POSIX_ONLY and not _importer().startswith(ALLOWED):
            raise ModuleNotFoundError(f"No module named {{name!r}} (not on Windows)", name=name)
        return None


for _name in POSIX_ONLY:
    sys.modules.pop(_name, None)
sys.meta_path.insert(0, PosixOnlyBlocker())
"""

# What else Windows lacks, removed before koppel loads (sitecustomize runs in spawned workers too).
LIKE_WINDOWS = """
import multiprocessing
import multiprocessing.context
import os
import signal

for _name in ("pread", "pwrite", "sync", "fork", "forkpty", "sched_getaffinity", "getuid", "geteuid"):
    if hasattr(os, _name):
        delattr(os, _name)
for _name in ("SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "alarm", "setitimer", "pause"):
    if hasattr(signal, _name):
        delattr(signal, _name)
for _method in ("fork", "forkserver"):
    multiprocessing.context._concrete_contexts.pop(_method, None)
multiprocessing.context.DefaultContext.get_all_start_methods = lambda self: ["spawn"]
multiprocessing.get_all_start_methods = lambda: ["spawn"]
multiprocessing.set_start_method("spawn", force=True)
"""

IMPORT_EVERY_MODULE = """
import importlib
import pkgutil
import sys

import koppel

names = ["filelock"]
for info in pkgutil.walk_packages(koppel.__path__, "koppel."):
    names.append(info.name)
failed = []
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed) or "ok", len(names))
loaded = set(sys.argv[1:]) & set(sys.modules)
assert not loaded, sorted(loaded)
"""


def _python(tmp_path: Path, site: str) -> dict[str, str]:
    """The environment of a Python that runs ``site`` first (as sitecustomize, so spawned workers do too)."""
    folder = tmp_path / "site"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(site, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COV_CORE_SOURCE")}
    env["PYTHONPATH"] = os.pathsep.join([str(folder), str(ROOT)])
    return env


def _run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_koppel_branches_on_what_the_os_has_not_on_its_name() -> None:
    """A branch on the platform's name would escape the simulation below: add it there before allowing it here."""
    pattern = re.compile(r"\b(sys\.platform|os\.name|platform\.system\(\))")
    named = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "koppel").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert named == []


def test_every_module_imports_without_posix_only_modules(tmp_path: Path) -> None:
    env = _python(tmp_path, BLOCKER.format(posix_only=POSIX_ONLY, allowed=()))
    proof = _run(env, "-c", "import fcntl", cwd=tmp_path)
    assert "No module named 'fcntl' (not on Windows)" in proof.stderr  # the blocker works
    done = _run(env, "-c", IMPORT_EVERY_MODULE, *POSIX_ONLY, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result, count = done.stdout.split()
    assert result == "ok" and int(count) > 100


@pytest.fixture(scope="module")
def windows_like(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("windows")
    # filelock alone may use fcntl here: on Windows it locks with LockFileEx instead (its own tested code path)
    site = BLOCKER.format(posix_only=POSIX_ONLY, allowed=("filelock",)) + LIKE_WINDOWS
    env = _python(tmp, site)
    probe = "import os, multiprocessing as mp; print(hasattr(os, 'pread'), hasattr(os, 'sync'))\n"
    probe += "print(mp.get_all_start_methods())"
    assert _run(env, "-c", probe, cwd=tmp).stdout.splitlines() == ["False False", "['spawn']"]
    return env


def test_convert_and_check_as_if_on_windows(windows_like: dict[str, str], tmp_path: Path) -> None:
    sample = SAMPLES / "voorbeeld_xaf32.xaf"
    done = _run(windows_like, "-m", "koppel", "convert", str(sample), "--to", "asperion", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out" / "control.json").read_text())["money"]["equal"] is True
    done = _run(windows_like, "-m", "koppel", "check", str(sample), "--json", "c.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "c.json").read_text())["verdict"] == "ok"


def test_a_job_on_spawned_workers_as_if_on_windows(windows_like: dict[str, str], tmp_path: Path) -> None:
    jobs = shutil.copytree(SAMPLES / "jobs", tmp_path / "jobs")
    done = _run(windows_like, "-m", "koppel", "run", str(jobs / "jobs.toml"), "--workers", "2", "--json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # 1: the broken sample drop is quarantined
    assert json.loads(done.stdout)["counts"] == {"converted": 4, "quarantined": 1}
    published = sorted(p.name.rpartition(".")[0] for p in (jobs / "outbox").glob("*/*"))
    assert published == ["bakkerij-2025", "drukkerij-2025", "z-2025-03-14", "z-2025-03-15"]


def test_without_os_sync_each_staged_file_is_flushed(tmp_path: Path, monkeypatch) -> None:
    from koppel.jobs.files import sync_filesystem

    outbox = tmp_path / "outbox"
    for name in ("old/control.json", ".stage-a/x.csv", ".stage-a/control.json", ".stage-b/sub/y.csv"):
        (outbox / name).parent.mkdir(parents=True, exist_ok=True)
        (outbox / name).write_text(name)
    flushed: list[str] = []
    monkeypatch.delattr(os, "sync")
    monkeypatch.setattr(os, "fsync", lambda fd: flushed.append(Path(f"/proc/self/fd/{fd}").resolve().name))
    sync_filesystem(outbox, [outbox / ".stage-a", outbox / ".stage-b"])
    assert sorted(flushed) == ["control.json", "x.csv", "y.csv"]  # published outputs (old/) are not flushed again


def test_large_file_check_validates_in_its_own_process_without_fork(tmp_path: Path, monkeypatch) -> None:
    """The streaming XSD check runs in a process of its own, started without fork (there is none on Windows): same
    findings where the OS offers fork and where it does not, and the file's one schema error is found."""
    import multiprocessing

    from koppel.checks import check_file
    from koppel.checks import xsd as xsd_layer

    text = (SAMPLES / "voorbeeld_xaf32.xaf").read_text(encoding="utf-8")
    bad = tmp_path / "bad.xaf"
    bad.write_text(text.replace("<amntTp>C</amntTp>", "<amntTp>X</amntTp>", 1), encoding="utf-8")
    monkeypatch.setattr(xsd_layer, "TREE_LIMIT", 0)  # every file counts as large: streaming validation
    here = check_file(bad, schema_dir=XSD_DIR)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    made, parallel = [], xsd_layer.ParallelValidation
    monkeypatch.setattr(xsd_layer, "ParallelValidation", lambda *a: made.append(a) or parallel(*a))
    windows = check_file(bad, schema_dir=XSD_DIR)
    assert len(made) == 1
    assert windows["findings"] == here["findings"]
    assert [f["code"] for f in windows["findings"] if f["code"].startswith("XAF-S")] == ["XAF-S01"]


def test_the_validation_process_loads_no_pandas() -> None:
    """What the validation process imports (the XSD layer and the CR→LF source) loads lxml, not pandas or
    pyarrow: the process holds its own few MB instead of a second copy of the checker's."""
    code = (
        "import sys, koppel.checks.xsd, koppel.checks.source\n"
        "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_script_without_a_main_guard_runs_once_when_it_checks_a_large_file(tmp_path: Path) -> None:
    """The validation process is a command of its own: it never imports the caller's main script again (as
    multiprocessing's spawn would), so a user's script without ``if __name__ == "__main__"`` runs once."""
    script = tmp_path / "my_check.py"
    script.write_text(
        "from koppel.checks import check_file, xsd\n"
        "xsd.TREE_LIMIT = 0  # every file counts as large: the streaming validation process\n"
        f"result = check_file({str(SAMPLES / 'voorbeeld_xaf32.xaf')!r}, schema_dir={str(XSD_DIR)!r})\n"
        "print('ran', result['verdict'])\n",
        encoding="utf-8",
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert out.stdout.splitlines() == ["ran ok"]
