"""A/B of whole koppel commands on the 1.2M-line synthetic auditfile: wall, CPU and peak RSS of the process tree.

Two source trees run the same CLI commands in fresh processes, rounds alternated (A, B, A, B, ...) so that the
machine's noise hits both alike. ``--base`` is a checkout of the tree to compare with, e.g. made by
``git archive main | tar -x -C /tmp/koppel-main``; it runs with this venv's Python (same dependencies).
Peak RSS is that of the whole process tree (main process + parallel reader workers, sampled every 20 ms);
CPU seconds are those of the tree (user + system, children included).

``inspect-w1`` and ``inspect-w2`` are ``inspect --workers 1`` and ``--workers 2`` (two reader processes, this one
included, that count the lines and keep none; the default of inspect from 64 MB on 2 cores); ``openitems``
is ``koppel openitems`` with its JSON written. ``run`` is ``koppel run`` on a job file with one job whose inbox
holds the file (a hard link) and whose target is xaf40 (default --workers: one input, so the job's own process);
``run+check`` the same job with ``check = true``, which checks and
converts on one parse. ``check+xaf40`` is what that job replaces: ``koppel check`` then ``koppel convert --to
xaf40`` of the same file, one after the other in one measured process tree (``sh -c``).

``--peers`` adds, in the same rounds and measured the same way, what issue 23 compares koppel with:
``pyxaf.open(f).lines()`` consumed fully (the peer of ``inspect``), ``pyxaf.validate(f, xsd=True)`` (the peer
of ``check``) and an lxml floor (``iterparse`` over the file, every element cleared, trLines counted).
Ratios in the peer table are peer wall / koppel wall (above 1: koppel is faster).

The table of issue 23 (base = the last commit that landed in CI; this = main):

    git archive 05b2d37 | tar -x -C /tmp/koppel-base && git archive main | tar -x -C /tmp/koppel-this
    .venv/bin/python bench/bench_commands.py --base /tmp/koppel-base --this /tmp/koppel-this --rounds 3 --peers

Other uses:

    .venv/bin/python bench/bench_commands.py --base /tmp/koppel-main --rounds 3
    .venv/bin/python bench/bench_commands.py --base /tmp/koppel-main --this /tmp/koppel-branch  # both exported
    .venv/bin/python bench/bench_commands.py --base /tmp/koppel-main --only xaf40,minox --lines 200000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, synthetic_file

# A command is one koppel invocation, or several run one after the other in the same measured tree.
COMMANDS: dict[str, list[list[str]]] = {
    "inspect": [["inspect", "{src}", "--json"]],
    "inspect-w1": [["inspect", "{src}", "--json", "--workers", "1"]],  # one reader process
    "inspect-w2": [["inspect", "{src}", "--json", "--workers", "2"]],  # counts from two reader processes
    "check": [["check", "{src}"]],  # with the XSD layer (the default)
    "minox": [["convert", "{src}", "--to", "minox", "-o", "{out}/minox"]],
    "xaf40": [["convert", "{src}", "--to", "xaf40", "-o", "{out}/out.xaf"]],
    "run": [["run", "{out}/jobs.toml"]],  # one job: the file in its inbox, target xaf40 (default workers)
    "run+check": [["run", "{out}/jobs.toml"]],  # the same job with check = true: check and convert on one pass
    "check+xaf40": [["check", "{src}"], ["convert", "{src}", "--to", "xaf40", "-o", "{out}/out.xaf"]],
    "openitems": [["openitems", "{src}", "-o", "{out}/open-items.json"]],
}
# koppel's data folders are the subpackages koppel.schemas and koppel.templates (pyproject's package-dir). An
# editable install maps them to its own checkout whatever PYTHONPATH says, so a tree measured from PYTHONPATH would
# run its code with another tree's layout descriptors and templates. The child maps them to the tree's own folders.
TREE_PRELUDE = """import sys
from importlib.util import spec_from_file_location
class _TreeData:
    folders = {"koppel.schemas": "schemas", "koppel.templates": "templates"}
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name in cls.folders:
            folder = TREE + "/" + cls.folders[name]
            return spec_from_file_location(name, folder + "/__init__.py", submodule_search_locations=[folder])
        return None
sys.meta_path.insert(0, _TreeData)
"""
JOB_FILE = """[[job]]
name = "bench"
inbox = { folder = "inbox", glob = "*.xaf" }
target = "xaf40"
"""

# The peers of issue 23: each a fresh python with this venv's packages (no koppel on its path); the file is
# argv[1], and the last stdout line is a JSON summary (to see that the peer read the whole file).
PEERS = {
    "pyxaf lines()": (
        "inspect",
        "import json, sys, pyxaf\n"
        "n = 0\n"
        "with pyxaf.open(sys.argv[1]) as af:\n"
        "    for _ in af.lines():\n"
        "        n += 1\n"
        "print(json.dumps({'lines': n}))",
    ),
    "pyxaf validate xsd": (
        "check",
        "import json, sys, pyxaf\n"
        "r = pyxaf.validate(sys.argv[1], xsd=True)\n"
        "print(json.dumps({'ok': r.ok, 'checked': list(r.checked), 'findings': len(r.findings)}))",
    ),
    "lxml iterparse floor": (
        "inspect",
        "import json, sys\n"
        "from lxml import etree\n"
        "n = 0\n"
        "for _, el in etree.iterparse(sys.argv[1], events=('end',), huge_tree=True):\n"
        "    if el.tag.endswith('trLine'):\n"
        "        n += 1\n"
        "    el.clear()\n"
        "    while el.getprevious() is not None:\n"
        "        del el.getparent()[0]\n"
        "print(json.dumps({'lines': n}))",
    ),
}


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a worker that ended between listing and reading
            total += p.memory_info().rss
    return total


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """``argv`` as a fresh process tree: its wall, CPU (the tree's, children included), peak RSS, exit code
    and the last line it printed."""
    with tempfile.TemporaryFile() as stdout:
        before = os.times()
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=stdout)
        ps = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            with contextlib.suppress(psutil.Error):
                peak = max(peak, _tree_rss(ps))
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        after = os.times()
        stdout.seek(0)
        printed = stdout.read().decode(errors="replace").strip().splitlines()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {
        "wall": wall,
        "cpu": cpu,
        "rss_mb": peak / 2**20,
        "rc": proc.returncode,
        "last": printed[-1] if printed else "",
    }


def koppel_prelude(tree: Path) -> str:
    return f"TREE = {str(tree)!r}\n{TREE_PRELUDE}"


def where_from(tree: Path) -> str:
    """Where a child run for ``tree`` takes koppel's code and data from (printed, to see that it is the tree)."""
    code = (
        f"{koppel_prelude(tree)}import koppel\nfrom koppel.resources import schema_dir, template_dir\n"
        "print(koppel.__file__, schema_dir(), template_dir())"
    )
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def run(tree: Path, name: str, src: Path) -> dict:
    """One koppel command (or several, one after the other) in a fresh process tree."""
    out = Path(tempfile.mkdtemp(prefix="koppel-bench-"))
    if name.startswith("run"):  # a job folder of its own each time: its state would skip the file, its archive move it
        (out / "inbox").mkdir()
        try:
            os.link(src, out / "inbox" / src.name)
        except OSError:  # another filesystem
            shutil.copyfile(src, out / "inbox" / src.name)
        (out / "jobs.toml").write_text(JOB_FILE + ("check = true\n" if name == "run+check" else ""), encoding="utf-8")
    calls = []
    for step in COMMANDS[name]:
        argv = [a.format(src=src, out=out) for a in step]
        code = f"{koppel_prelude(tree)}sys.argv = ['koppel', *{argv!r}]\nfrom koppel.cli import main\nsys.exit(main())"
        calls.append([sys.executable, "-c", code])
    argv = calls[0] if len(calls) == 1 else ["sh", "-c", " && ".join(shlex.join(c) for c in calls)]
    try:
        return measure(argv, tree, {**os.environ, "PYTHONPATH": str(tree)})
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run_peer(name: str, src: Path) -> dict:
    """One peer of issue 23 in a fresh process tree, measured as the koppel commands are."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with tempfile.TemporaryDirectory(prefix="koppel-bench-") as cwd:
        return measure([sys.executable, "-c", PEERS[name][1], str(src)], Path(cwd), env)


def _line(r: int, name: str, label: str, res: dict) -> str:
    text = (
        f"round {r + 1} {name:20} {label:5} wall {res['wall']:6.1f} s  cpu {res['cpu']:6.1f} s  "
        f"rss {res['rss_mb']:6.0f} MB  rc {res['rc']}"
    )
    return text + (f"  {res['last'][:120]}" if label == "peer" else "")


def med(rs: list[dict], key: str) -> float:
    return statistics.median(x[key] for x in rs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, required=True, help="the source tree to compare with (A)")
    ap.add_argument("--this", type=Path, default=ROOT, help="the source tree measured (B; default: this checkout)")
    ap.add_argument("--lines", type=int, default=1_200_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default=",".join(COMMANDS), help=f"commands, comma-separated: {', '.join(COMMANDS)}")
    ap.add_argument("--peers", action="store_true", help="also measure pyxaf and an lxml floor on the same file")
    ap.add_argument("--json", type=Path, help="also write every measurement to this file")
    args = ap.parse_args()
    src = synthetic_file(args.lines)
    trees = {"base": args.base.resolve(), "this": args.this.resolve()}
    names = args.only.split(",")
    unknown = sorted(set(names) - set(COMMANDS))
    if unknown:
        ap.error(f"unknown command {unknown[0]!r}; known: {', '.join(COMMANDS)}")
    peers = list(PEERS) if args.peers else []
    for label, tree in trees.items():
        print(f"{label}: {where_from(tree)}", flush=True)
    results: dict[tuple[str, str], list[dict]] = {}
    for r in range(args.rounds):
        for name in names:
            order = ("base", "this") if r % 2 == 0 else ("this", "base")
            for label in order:
                res = run(trees[label], name, src)
                results.setdefault((name, label), []).append(res)
                print(_line(r, name, label, res), flush=True)
        for name in peers:
            res = run_peer(name, src)
            results.setdefault((name, "peer"), []).append(res)
            print(_line(r, name, "peer", res), flush=True)
    if args.json:
        args.json.write_text(json.dumps({f"{n}|{label}": rs for (n, label), rs in results.items()}, indent=1))
    failed = sorted({f"{n} ({label})" for (n, label), rs in results.items() if any(x["rc"] for x in rs)})
    print(f"\n{src.name}, {args.rounds} rounds alternated; medians (base -> this)")
    print("| command | wall base | wall this | ratio | CPU base | CPU this | peak RSS base | peak RSS this |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        a, b = results[(name, "base")], results[(name, "this")]
        wa, wb = med(a, "wall"), med(b, "wall")
        print(
            f"| {name} | {wa:.1f} s | {wb:.1f} s | {wa / wb:.2f}× | {med(a, 'cpu'):.1f} s | {med(b, 'cpu'):.1f} s | "
            f"{med(a, 'rss_mb'):.0f} MB | {med(b, 'rss_mb'):.0f} MB |"
        )
    if peers:
        print("\npeers (ratio = peer wall / koppel wall of the command named; above 1: koppel is faster)")
        print("| peer | wall | CPU | peak RSS | vs koppel | ratio vs base | ratio vs this |")
        print("|---|---|---|---|---|---|---|")
        for name in peers:
            p, compared = results[(name, "peer")], PEERS[name][0]
            wp = med(p, "wall")
            for versus in [compared, *(n for n in names if n.startswith(compared + "-"))]:  # inspect, inspect-w2
                vs = [
                    f"{wp / med(results[(versus, t)], 'wall'):.2f}×" if (versus, t) in results else "-"
                    for t in ("base", "this")
                ]
                print(
                    f"| {name} | {wp:.1f} s | {med(p, 'cpu'):.1f} s | {med(p, 'rss_mb'):.0f} MB | {versus} | "
                    f"{vs[0]} | {vs[1]} |"
                )
    if failed:
        print(f"\nnon-zero exit codes: {', '.join(failed)}")


if __name__ == "__main__":
    main()
