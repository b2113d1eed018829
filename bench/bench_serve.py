"""Benchmark: ``koppel serve``'s Browse on the 1.2M-line synthetic auditfile — load time, then every page's time.

A real server (``koppel serve`` in its own process, tasks in child processes) is started on a free port; the file
is put in its library and opened for Browse (read, open items, store), timed by the load task itself. Then each
kind of page is requested ``--repeat`` times over HTTP and the median and worst time reported: trial balance,
a ledger card's first, middle and last page (the account with the most lines), an entry, a journal's middle page,
the journals and relations lists, a relation's middle page with its open items, and search by text (a text found
nowhere: a full pass), by amount and by entry number.

    .venv/bin/python bench/bench_serve.py [--lines 1200000] [--repeat 15] [--keep]

``--keep`` reuses the store of an earlier run (the second visit of the same file); without it the store is built
anew. Writes bench/results/serve.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from common import DATA, ROOT, synthetic_file

RESULTS = ROOT / "bench" / "results"


def _get(url: str) -> tuple[float, str]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        body = response.read().decode("utf-8")
    return (time.perf_counter() - start) * 1000, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_200_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="reuse the store of an earlier run")
    args = parser.parse_args()
    source = synthetic_file(args.lines)
    data = DATA / f"serve_{args.lines}"
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)
    sys.path.insert(0, str(ROOT))
    from koppel.web.library import Library

    with source.open("rb") as handle:
        stored = Library(data).add(handle, source.name, 1 << 40)
    if not args.keep:
        for name in ("view.sqlite", "search.txt", "search.idx", "openitems.sqlite", "load.json"):
            (stored.folder / name).unlink(missing_ok=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "koppel.cli", "serve", "--port", str(port), "--data", str(data)],
                              cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}/files/{stored.sha256}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/check", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        load = None
        _, page = _get(base + "/browse")
        task = re.search(r'data-task="([0-9a-f]{16})"', page)
        if task:
            while True:
                time.sleep(1)
                state = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/tasks/{task.group(1)}").read())
                if state["state"] in ("done", "failed"):
                    break
            if state["state"] == "failed":
                raise SystemExit(f"loading failed: {state['error']}")
            load = json.loads((stored.folder / "load.json").read_text())
            load["task_wall"] = state["seconds"]
            print("load: " + ", ".join(f"{k} {v['wall']:.1f} s wall / {v['cpu']:.1f} s CPU" for k, v in load.items()
                                       if isinstance(v, dict)) + f"; the whole task {state['seconds']:.1f} s")
        from koppel.web.store import Store

        store = Store(stored.folder)
        accounts = store.accounts()
        big = max(accounts, key=lambda a: a["lines"])
        pages = -(-big["lines"] // 100)
        journal = max(store.journals(), key=lambda j: j["entries"])
        jpages = -(-journal["entries"] // 100)
        relation = max(store.relations(), key=lambda r: r["lines"])
        rpages = -(-relation["lines"] // 100)
        entry = store.journal_entries(journal["journal_id"], jpages // 2).rows[0]
        amount = abs(store.entry(journal["journal_id"], entry["entry_nr"])[0]["amount"])
        q = urllib.parse.quote
        requests = {
            "trial balance": "/browse",
            f"ledger {big['account_id']} page 1": f"/account?id={q(big['account_id'])}",
            f"ledger {big['account_id']} page {pages // 2}": f"/account?id={q(big['account_id'])}&page={pages // 2}",
            f"ledger {big['account_id']} page {pages} (last)": f"/account?id={q(big['account_id'])}&page={pages}",
            "entry": f"/entry?journal={q(journal['journal_id'])}&nr={q(entry['entry_nr'])}",
            "journals": "/journals",
            f"journal {journal['journal_id']} page {jpages // 2}":
                f"/journal?id={q(journal['journal_id'])}&page={jpages // 2}",
            "relations": "/relations",
            f"relation {relation['relation_id']} page {rpages // 2} + open items":
                f"/relation?id={q(relation['relation_id'])}&page={rpages // 2}",
            "search text, no hit (full pass)": "/search?kind=text&q=zzqx",
            "search text, rare": f"/search?kind=text&q={q(entry['entry_nr'].lower())}",
            "search text, common (first page)": "/search?kind=text&q=factuur",
            "search amount": f"/search?kind=amount&q={amount // 100},{amount % 100:02d}",
            "search entry number": f"/search?kind=entry&q={q(entry['entry_nr'])}",
        }
        times = {}
        for name, path in requests.items():
            runs = [_get(base + path)[0] for _ in range(args.repeat)]
            times[name] = {"median_ms": statistics.median(runs), "max_ms": max(runs)}
            print(f"  {name:<44} {times[name]['median_ms']:7.1f} ms  (max {times[name]['max_ms']:.1f})")
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_avg = os.getloadavg()[0]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "serve.json").write_text(json.dumps({
        "when": time.strftime("%Y-%m-%d %H:%M"), "lines": args.lines, "repeat": args.repeat, "load": load,
        "store_mb": sum(p.stat().st_size for p in stored.folder.iterdir() if p.name.startswith(("view", "search")))
        / 1e6, "load_average_after": load_avg, "pages": times}, indent=2))
    worst = max(t["median_ms"] for t in times.values())
    print(f"slowest page (median of {args.repeat}): {worst:.0f} ms; load average {load_avg:.1f}")


if __name__ == "__main__":
    main()
