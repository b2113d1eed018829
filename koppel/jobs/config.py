"""Job files (TOML): which inbox to watch, how to convert what arrives, and where the results go.

Every path is resolved relative to the job file and must stay inside the job's root folder (the job
file's folder unless ``root`` says otherwise): ``..`` escapes and symlinks pointing out are refused,
so a job file cannot be used to read or move files elsewhere on the machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import KoppelError
from .globs import globs_overlap

AGGREGATIONS = ("none", "day", "month")
FOLDER_KEYS = ("inbox", "outbox", "archive", "quarantine")
JOB_KEYS = {
    "name",
    "inbox",
    "glob",
    "profile",
    "from",
    "target",
    "mapping",
    "outbox",
    "archive",
    "quarantine",
    "aggregation",
    "options",
    "read",
    "settle_seconds",
    "recursive",
    "check",
}
TOP_KEYS = {"root", "job", "state", "log_file"}


@dataclass(frozen=True)
class ConvertSpec:
    """How one input becomes outputs — everything a worker needs besides the file itself."""

    target: str
    from_format: str | None = None
    profile: str | None = None
    mapping: str | None = None  # absolute path
    aggregation: str | None = None
    options: tuple[tuple[str, object], ...] = ()  # for the writer (as convert --option)
    read: tuple[tuple[str, object], ...] = ()  # for the reader (e.g. until, encoding)
    check: bool = False  # check the auditfile too: NAME.check.html and NAME.check.json beside the outputs

    def fingerprint(self) -> str:
        """A short hash of the conversion settings, stored with each processed input."""
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Job:
    """One job of a job file: an inbox and what to do with each file in it."""

    name: str
    inbox: Path
    glob: str
    outbox: Path
    archive: Path
    quarantine: Path
    spec: ConvertSpec
    settle_seconds: float = 0.0
    recursive: bool = False  # match the glob in subfolders too (symlinked folders are never entered)


@dataclass(frozen=True)
class JobFile:
    """A parsed job file: its jobs, the root they must stay in, and where state and lock live."""

    path: Path
    root: Path
    jobs: tuple[Job, ...] = field(default_factory=tuple)
    log_file: Path | None = None  # log_file = "koppel.log": a log of every run (relative to the job file)

    @property
    def state_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".state.sqlite")

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".lock")


def load_job_file(path: str | Path) -> JobFile:
    """Read and check a job file; any problem is a :class:`KoppelError` naming the key and how to fix it."""
    path = Path(path)
    if not path.is_file():
        raise KoppelError("job file not found", file=path, hint="give the path of a .toml job file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise KoppelError("job file is not UTF-8", file=path, hint=str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise KoppelError(f"job file is not valid TOML: {exc}", file=path) from None
    _no_unknown(data, TOP_KEYS, path, "")
    base = path.resolve().parent
    root = _resolve_root(data.get("root"), base, path)
    raw_jobs = data.get("job")
    if isinstance(raw_jobs, dict):
        raw_jobs = [raw_jobs]
    if not raw_jobs or not isinstance(raw_jobs, list):
        raise KoppelError("no jobs in job file", file=path, field="job", hint="add one or more [[job]] tables")
    jobs = tuple(_parse_job(raw, i, base, root, path) for i, raw in enumerate(raw_jobs))
    names = [j.name for j in jobs]
    if len(set(names)) != len(names):
        raise KoppelError("two jobs have the same name", file=path, field="job.name", hint="give each job its own name")
    refuse_shared_inputs(jobs, path)
    log_file = data.get("log_file")
    if log_file is not None and (not isinstance(log_file, str) or not log_file.strip()):
        raise KoppelError(
            "log_file must be a file name", file=path, field="log_file", hint='e.g. log_file = "koppel.log"'
        )
    return JobFile(path=path.resolve(), root=root, jobs=jobs, log_file=base / log_file if log_file else None)


def refuse_shared_inputs(jobs: tuple[Job, ...], path: Path) -> None:
    """Two jobs may never claim the same file: each would convert it, and both would move it away.

    Refused when one job's inbox is another's outbox, archive or quarantine, or when two jobs watch the
    same inbox (or, with ``recursive``, one inside the other) with globs that can match the same name.
    """
    for a in jobs:
        for b in jobs:
            if a is b:
                continue
            for key in ("outbox", "archive", "quarantine"):
                if _watches(a, getattr(b, key)):
                    raise KoppelError(
                        f"the inbox of job {a.name!r} is (or holds) the {key} of job {b.name!r}",
                        file=path,
                        field=f"job {a.name!r}.inbox",
                        hint=f"give job {a.name!r} an inbox of its own",
                    )
            if a.name < b.name and (_watches(a, b.inbox) or _watches(b, a.inbox)) and globs_overlap(a.glob, b.glob):
                raise KoppelError(
                    f"jobs {a.name!r} and {b.name!r} both claim the files matching {a.glob!r} and {b.glob!r} "
                    f"in {b.inbox if _watches(a, b.inbox) else a.inbox}",
                    file=path,
                    field=f"job {b.name!r}.glob",
                    hint="give each job its own inbox, or globs no file name can match both (e.g. *.csv and *.xaf)",
                )


def _watches(job: Job, folder: Path) -> bool:
    """Whether ``job`` looks at files in ``folder`` (its inbox, or a folder below it when recursive)."""
    return folder == job.inbox or (job.recursive and job.inbox in folder.parents)


def _no_unknown(table: dict, known: set[str], path: Path, prefix: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise KoppelError(
            f"unknown key {unknown[0]!r}",
            file=path,
            field=f"{prefix}{unknown[0]}",
            hint=f"known: {', '.join(sorted(known))}",
        )


def _resolve_root(value: object, base: Path, path: Path) -> Path:
    if value is None:
        return base
    if not isinstance(value, str):
        raise KoppelError("root must be a folder name", file=path, field="root")
    root = (base / value).resolve()
    if not root.is_dir():
        raise KoppelError("root folder not found", file=path, field="root", hint=str(root))
    return root


def _parse_job(raw: object, index: int, base: Path, root: Path, path: Path) -> Job:
    where = f"job[{index}]"
    if not isinstance(raw, dict):
        raise KoppelError("a job must be a table", file=path, field=where)
    _no_unknown(raw, JOB_KEYS, path, f"{where}.")
    name = raw.get("name", f"job{index + 1}")
    if not isinstance(name, str) or not name or any(c in name for c in "/\\\0"):
        raise KoppelError("job name must be a plain word", file=path, field=f"{where}.name")
    where = f"job {name!r}"

    def text(key: str, default: str | None = None, required: bool = False) -> str | None:
        value = raw.get(key, default)
        if value is None and required:
            raise KoppelError(f"{key} is missing", file=path, field=f"{where}.{key}", hint=f'set {key} = "..."')
        if value is not None and (not isinstance(value, str) or not value):
            raise KoppelError(f"{key} must be a non-empty string", file=path, field=f"{where}.{key}")
        return value

    inbox_value = raw.get("inbox")
    glob = text("glob", "*")
    if isinstance(inbox_value, dict):  # inbox = { folder = "...", glob = "*.csv" }
        _no_unknown(inbox_value, {"folder", "glob"}, path, f"{where}.inbox.")
        glob = inbox_value.get("glob", glob)
        inbox_value = inbox_value.get("folder")
    if not isinstance(inbox_value, str) or not inbox_value:
        raise KoppelError("inbox is missing", file=path, field=f"{where}.inbox", hint='set inbox = "inbox"')
    recursive = raw.get("recursive", False)
    if not isinstance(recursive, bool):
        raise KoppelError("recursive must be true or false", file=path, field=f"{where}.recursive")
    if not isinstance(glob, str) or not glob or any(c in glob for c in "/\\\0") or glob in (".", ".."):
        raise KoppelError(
            "glob must be a pattern for file names, without folders",
            file=path,
            field=f"{where}.glob",
            hint='e.g. glob = "*.csv"; it matches files directly in the inbox, '
            "or in its subfolders too with recursive = true",
        )

    def folder(key: str, default: str) -> Path:
        return inside(root, base / (text(key, default) or default), path, f"{where}.{key}")

    profile = text("profile")
    if profile and (profile.endswith(".toml") or "/" in profile):  # a profile file of the office's own
        profile = str(inside(root, base / profile, path, f"{where}.profile"))
        if not Path(profile).is_file():
            raise KoppelError("profile file not found", file=path, field=f"{where}.profile", hint=profile)
    from_format = text("from")
    if profile and from_format:
        raise KoppelError("give either profile or from, not both", file=path, field=f"{where}.profile")
    target = text("target", required=True)
    mapping = text("mapping")
    if mapping is not None:
        mapping_path = inside(root, base / mapping, path, f"{where}.mapping")
        if not mapping_path.is_file():
            raise KoppelError("mapping file not found", file=path, field=f"{where}.mapping", hint=str(mapping_path))
        mapping = str(mapping_path)
    aggregation = text("aggregation")
    if aggregation is not None and aggregation not in AGGREGATIONS:
        raise KoppelError(
            f"unknown aggregation {aggregation!r}", file=path, field=f"{where}.aggregation", hint="none, day or month"
        )
    options = raw.get("options", {})
    read = raw.get("read", {})
    for key, value in (("options", options), ("read", read)):
        if not isinstance(value, dict):
            raise KoppelError(f"{key} must be a table", file=path, field=f"{where}.{key}")
    check = raw.get("check", False)
    if not isinstance(check, bool):
        raise KoppelError("check must be true or false", file=path, field=f"{where}.check")
    if check and (profile or from_format not in (None, "xaf", "adf")):
        raise KoppelError(
            "check reads auditfiles; this job reads " + (f"exports through profile {profile!r}" if profile
                                                          else f"{from_format} files"),
            file=path,
            field=f"{where}.check",
            hint="leave check out of this job (koppel check takes XAF and ADF auditfiles)",
        )  # fmt: skip
    settle = raw.get("settle_seconds", 0)
    if not isinstance(settle, int | float) or settle < 0:
        raise KoppelError("settle_seconds must be a number ≥ 0", file=path, field=f"{where}.settle_seconds")
    folders = {key: folder(key, key) for key in FOLDER_KEYS if key != "inbox"}
    folders["inbox"] = inside(root, base / inbox_value, path, f"{where}.inbox")
    if len(set(folders.values())) != len(folders):
        raise KoppelError(
            "inbox, outbox, archive and quarantine must be four different folders", file=path, field=where
        )
    spec = ConvertSpec(
        target=target,
        from_format=from_format,
        profile=profile,
        mapping=mapping,
        aggregation=aggregation,
        options=tuple(sorted((str(k), _freeze(v)) for k, v in options.items())),
        read=tuple(sorted((str(k), _freeze(v)) for k, v in read.items())),
        check=check,
    )
    if recursive and any(folders["inbox"] in f.parents for k, f in folders.items() if k != "inbox"):
        raise KoppelError(
            "with recursive = true, outbox, archive and quarantine must not lie inside the inbox",
            file=path,
            field=f"{where}.recursive",
            hint="move them beside the inbox",
        )
    return Job(name=name, glob=glob, spec=spec, settle_seconds=float(settle), recursive=recursive, **folders)


def _freeze(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def inside(root: Path, candidate: Path, file: Path | None = None, field: str | None = None) -> Path:
    """``candidate`` with symlinks resolved, or a KoppelError when it lies outside ``root``."""
    resolved = Path(os.path.realpath(candidate))
    if resolved != root and root not in resolved.parents:
        why = "is a symlink pointing outside" if _has_symlink(candidate, root) else "lies outside"
        raise KoppelError(
            f"{candidate} {why} the job folder {root}",
            file=file,
            field=field,
            hint="keep inbox, outbox, archive, quarantine and mapping inside the job's folder (no '..', no links out)",
        )
    return resolved


def _has_symlink(candidate: Path, root: Path) -> bool:
    path = Path(os.path.abspath(candidate))
    for part in (path, *path.parents):
        if part == root:
            break
        if part.is_symlink():
            return True
    return False
