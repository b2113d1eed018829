"""Browse, the viewer: trial balance → ledger card → entry; journals → entries; relations → lines and open items;
search by text, amount or entry number. Every page reads one page of rows from the file's store (store.py)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import KoppelError
from ..money import parse_cents
from . import work
from .context import Web, see_other
from .library import StoredFile
from .store import PAGE, Store

SEARCH_KINDS = {"text": "Tekst", "amount": "Bedrag", "entry": "Boekstuknummer"}


def start_load(web: Web, stored: StoredFile):
    return web.tasks.start("load", stored.sha256, f"{stored.name} openen", work.load, str(stored.folder), stored.name)


def parse_amount(text: str) -> int | None:
    """An amount as a bookkeeper types it — 1.234,56 or 1234.56 or -12,5 or € 12 — as cents; None if it is not."""
    t = re.sub(r"[\s€]", "", text)
    if not re.fullmatch(r"[+-]?[\d.,]+", t) or not re.search(r"\d", t):
        return None
    if "," in t and "." in t:  # the last mark is the decimal one
        dec = "," if t.rfind(",") > t.rfind(".") else "."
        t = t.replace("." if dec == "," else ",", "").replace(dec, ".")
    elif "," in t:
        if t.count(",") > 1:
            return None
        t = t.replace(",", ".")
    elif t.count(".") > 1 or re.search(r"\.\d{3}$", t):  # 1.234 or 1.234.567: thousands dots
        t = t.replace(".", "")
    try:
        return abs(parse_cents(t))
    except KoppelError:
        return None


def routes(web: Web) -> list[Route]:
    def with_store(request: Request):
        """(file, store) when the store is ready; else the page that loads it (progress) or says why it failed."""
        stored = web.file_or_404(request)
        if not isinstance(stored, StoredFile):
            return stored, None
        store = Store(stored.folder)
        if store.ready:
            if (not store.open_items_ready and web.tasks.active("load", stored.sha256) is None
                    and web.tasks.latest("openitems", stored.sha256) is None):  # once per run of the server
                web.tasks.start("openitems", stored.sha256, f"open posten van {stored.name}", work.open_items,
                                str(stored.folder), stored.name)
            return stored, store
        task = web.tasks.active("load", stored.sha256) or web.tasks.latest("load", stored.sha256)
        if task is None:
            task = start_load(web, stored)
        if task.state == "failed":
            return web.render(request, "failed.html.j2", file=stored, task=task,
                              retry=f"/files/{stored.sha256}/browse"), None
        return web.render(request, "progress.html.j2", file=stored, task=task, title="Openen"), None

    def page_number(request: Request) -> int:
        raw = request.query_params.get("page", "1")
        return int(raw) if raw.isdigit() and len(raw) < 9 else 1

    def render(request: Request, name: str, stored: StoredFile, store: Store, **context) -> Response:
        return web.render(request, name, file=stored, meta=store.meta(), search_kinds=SEARCH_KINDS, **context)

    async def reload(request: Request) -> Response:
        """Try reading the file again after a failure."""
        stored = web.file_or_404(request)
        if not isinstance(stored, StoredFile):
            return stored
        form = await request.form()
        refused = web.csrf_failed(form.get("csrf"))
        if refused is not None:
            return refused
        if not Store(stored.folder).ready:
            start_load(web, stored)
        return see_other(f"/files/{stored.sha256}/browse")

    def browse_list(request: Request) -> Response:
        rows = [{"file": f, "loaded": Store(f.folder).ready, "task": web.tasks.latest("load", f.sha256)}
                for f in web.library.all()]
        return web.render(request, "browse.html.j2", rows=rows)

    def overview(request: Request) -> Response:
        stored, store = with_store(request)
        if store is None:
            return stored
        accounts = store.accounts()
        totals = {k: sum(a[k] for a in accounts) for k in ("opening", "debit", "credit", "closing", "lines")}
        return render(request, "trial_balance.html.j2", stored, store, accounts=accounts, totals=totals)

    def account(request: Request) -> Response:
        stored, store = with_store(request)
        if store is None:
            return stored
        account_id = request.query_params.get("id", "")
        info = store.account(account_id)
        if info is None:
            return web.problem(request, 404, "Deze grootboekrekening komt in het bestand niet voor.")
        page = store.ledger(account_id, page_number(request))
        return render(request, "ledger.html.j2", stored, store, account=info, page=page)

    def entry(request: Request) -> Response:
        stored, store = with_store(request)
        if store is None:
            return stored
        journal, nr = request.query_params.get("journal", ""), request.query_params.get("nr", "")
        lines = store.entry(journal, nr)
        if not lines:
            return web.problem(request, 404, "Dit boekstuk komt in het bestand niet voor.")
        debit = sum(line["amount"] for line in lines if line["amount"] > 0)
        credit = -sum(line["amount"] for line in lines if line["amount"] < 0)
        return render(request, "entry.html.j2", stored, store, journal=store.journal(journal), nr=nr, lines=lines,
                      debit=debit, credit=credit)

    def journals(request: Request) -> Response:
        stored, store = with_store(request)
        if store is None:
            return stored
        return render(request, "journals.html.j2", stored, store, journals=store.journals())

    def journal(request: Request) -> Response:
        stored, store = with_store(request)
        if store is None:
            return stored
        journal_id = request.query_params.get("id", "")
        info = store.journal(journal_id)
        if info is None:
            return web.problem(request, 404, "Dit dagboek komt in het bestand niet voor.")
        page = store.journal_entries(journal_id, page_number(request))
        return render(request, "journal.html.j2", stored, store, journal=info, page=page)

    def relations(request: Request) -> Response:
        stored, store = with_store(request)
        if store is None:
            return stored
        return render(request, "relations.html.j2", stored, store, relations=store.relations(),
                      open_note=store.open_items_note())

    def relation(request: Request) -> Response:
        stored, store = with_store(request)
        if store is None:
            return stored
        relation_id = request.query_params.get("id", "")
        info = store.relation(relation_id)
        if info is None:
            return web.problem(request, 404, "Deze relatie komt in het bestand niet voor.")
        page = store.relation_lines(relation_id, page_number(request))
        raw = request.query_params.get("opage", "1")
        open_page = store.open_items(relation_id, int(raw) if raw.isdigit() and len(raw) < 9 else 1)
        return render(request, "relation.html.j2", stored, store, relation=info, page=page, open_items=open_page,
                      open_summary=store.open_summary(relation_id), open_note=store.open_items_note())

    def search(request: Request) -> Response:
        stored, store = with_store(request)
        if store is None:
            return stored
        q = request.query_params.get("q", "").strip()[:200]
        kind = request.query_params.get("kind", "text")
        kind = kind if kind in SEARCH_KINDS else "text"
        after_raw = request.query_params.get("after", "0")
        after = int(after_raw) if after_raw.isdigit() and len(after_raw) < 12 else 0
        rows, more, problem = [], False, None
        if q:
            if kind == "amount":
                cents = parse_amount(q)
                if cents is None:
                    problem = f"'{q}' is geen bedrag; typ bijvoorbeeld 1.234,56"
                else:
                    rows, more = store.search(cents=cents, after=after)
            elif kind == "entry":
                rows, more = store.search(entry_nr=q, after=after)
            else:
                rows, more = store.search(text=q, after=after)
        return render(request, "search.html.j2", stored, store, q=q, kind=kind, rows=rows, more=more,
                      after=after, problem=problem, next_after=rows[-1]["seq"] if rows and more else None,
                      page_size=PAGE)

    base = "/files/{sha}"
    return [
        Route("/browse", browse_list),
        Route(f"{base}/browse", overview),
        Route(f"{base}/browse", reload, methods=["POST"]),
        Route(f"{base}/account", account),
        Route(f"{base}/entry", entry),
        Route(f"{base}/journals", journals),
        Route(f"{base}/journal", journal),
        Route(f"{base}/relations", relations),
        Route(f"{base}/relation", relation),
        Route(f"{base}/search", search),
    ]
