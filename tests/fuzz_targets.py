"""Fuzz targets, one per reader (and zipped input, `check`, job files), with a corpus seeded from the samples
(used by tests/test_safety_fuzz.py for a short bounded run and by bench/fuzz.py for long runs). Any exception
other than KoppelError is a finding."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from koppel.errors import KoppelError
from koppel.registry import read_input
from tests.conftest import SAMPLES, XAF_SAMPLES
from tests.format_params import formats

SOURCES = SAMPLES / "sources"
# source samples and the built-in profile that reads each
PROFILE_SEEDS = {
    "pos-z": "pos_zrapport.csv",
    "journal-lines": "journal_lines_nl.csv",
    "journal-lines-en": "journal_lines_en.csv",
    "shopify-orders": "shopify_orders.csv",
    "stripe-payouts": "stripe_payouts.csv",
    "mollie-balance": "mollie_balance.csv",
    "bank-ing-csv": "bank_ing.csv",
    "bank-mt940": "bank.sta",
    "bank-camt053": "bank_camt053.xml",
}
# every package koppel writes and reads back: its seed is koppel's own output
PACKAGES = tuple(formats(lambda f: f.reads and f.writes))


def xaf_seeds() -> list[Path]:
    return sorted(p for p in XAF_SAMPLES.glob("*") if p.suffix in (".xml", ".xaf")) + sorted(SAMPLES.glob("*.x*"))


def package_seed(target: str, folder: Path) -> Path:
    """koppel's own import files for ``target`` (written from the rich test administration) in ``folder``."""
    from koppel.pipeline import convert
    from koppel.read_result import ReadResult
    from tests.package_helpers import rich_administration

    adm = rich_administration()
    with mock.patch("koppel.pipeline.read_result", lambda *a, **k: ReadResult(adm)):
        convert(folder / "in.xaf", target, folder / target)
    return folder / target


def read_all(path: Path, fmt: str, **options) -> None:
    """The target: read ``path`` completely (every line batch)."""
    adm = read_input(path, from_format=fmt, **options)
    for _batch in adm.lines.batches():
        pass


def mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    """Apply (kind, position, value) operations: cut, flip, insert, delete a span, duplicate a span."""
    buf = bytearray(data)
    for kind, pos, value in ops:
        if not buf:
            break
        at = pos % len(buf)
        if kind == 0:
            del buf[at:]
        elif kind == 1:
            buf[at] ^= value % 255 + 1
        elif kind == 2:
            buf[at:at] = bytes([value % 256])
        elif kind == 3:
            del buf[at : at + value % 64 + 1]
        else:
            buf[at:at] = buf[at : at + value % 64 + 1]
    return bytes(buf)


class Target:
    """One reader: a seed corpus and a way to run mutated bytes through it."""

    def __init__(self, name: str, seeds: list[Path], run: Callable[[Path], None], suffix: str = "") -> None:
        self.name, self.seeds, self.run, self.suffix = name, seeds, run, suffix

    def one(self, seed: int, ops: list[tuple[int, int, int]], work: Path) -> None:
        """Mutate one file of seed ``seed`` and read it; raises anything that is not a KoppelError."""
        source = self.seeds[seed % len(self.seeds)]
        shutil.rmtree(work, ignore_errors=True)
        if source.is_dir():
            shutil.copytree(source, work)
            files = sorted(p for p in work.iterdir() if p.suffix in (".csv", ".xml", ".txt"))
            victim = files[sum(op[1] for op in ops) % len(files)] if files else work / "control.json"
            path = work
        else:
            work.mkdir(parents=True)
            victim = path = work / ("input" + (self.suffix or source.suffix))
            shutil.copyfile(source, victim)
        victim.write_bytes(mutate(victim.read_bytes(), ops))
        with contextlib.suppress(KoppelError):
            self.run(path)


def zip_seeds(folder: Path) -> list[Path]:
    """The own XAF samples zipped with deflate and with LZMA (damaged streams, lying sizes, nested names)."""
    out = []
    for method, tag in ((zipfile.ZIP_DEFLATED, "deflate"), (zipfile.ZIP_LZMA, "lzma")):
        path = folder / f"auditfile-{tag}.zip"
        with zipfile.ZipFile(path, "w", compression=method) as archive:
            archive.write(SAMPLES / "voorbeeld_xaf32.xaf", "export/voorbeeld_xaf32.xaf")
        out.append(path)
    return out


def check_all(path: Path) -> None:
    """The target of `koppel check`: a result for anything, with the schema layer (pyxaf's XSDs)."""
    from koppel.checks import check_file

    result = check_file(path)
    assert result["verdict"] and "\n" not in str(result["file"])


def load_jobs(path: Path) -> None:
    from koppel.jobs.config import load_job_file

    load_job_file(path)


def targets(scratch: Path) -> dict[str, Target]:
    """Every reader's target; package corpora are written into ``scratch``."""
    out = {"xaf": Target("xaf", xaf_seeds(), lambda p: read_all(p, "xaf"))}
    zips = zip_seeds(scratch)
    out["zip"] = Target("zip", zips, lambda p: read_all(p, "xaf"))
    out["check"] = Target("check", [*sorted(SAMPLES.glob("*.xaf")), zips[0]], check_all)
    out["jobfile"] = Target("jobfile", [SAMPLES / "jobs" / "jobs.toml"], load_jobs)
    for profile, name in PROFILE_SEEDS.items():
        out[f"profile:{profile}"] = Target(
            f"profile:{profile}", [SOURCES / name], lambda p, prof=profile: read_all(p, "profile", profile=prof)
        )
    for package in PACKAGES:
        seed = package_seed(package, scratch)
        out[package] = Target(package, [seed], lambda p, fmt=package: read_all(p, fmt))
    return out


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="koppel-fuzz-"))
