"""koppel serve, page by page over HTTP (Starlette's test client; tasks in threads): check, browse, convert, jobs.

Figures are the sample's own (``koppel inspect samples/voorbeeld_xaf32.xaf``): 212 entries, 600 lines, debit and
credit 647,705.10, opening balance 307,345.67 on each side.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from html import unescape
from pathlib import Path

import pytest
from web_helpers import (
    FIXED_MAPPING,
    SAMPLE,
    csrf,
    job_folder,
    make_client,
    settle,
    text_of,
    upload,
    uploaded_sha,
    web_of,
)

from koppel.jobs.lock import job_lock
from koppel.jobs.runner import run_job_file


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """One app with the sample uploaded, checked and loaded for Browse (shared by the read-only tests)."""
    client = make_client(tmp_path_factory.mktemp("web") / "data")
    sha = uploaded_sha(upload(client, SAMPLE, "voorbeeld 2025.xaf"))
    client.get(f"/files/{sha}/check")
    client.get(f"/files/{sha}/browse")
    settle(client)
    return client, sha


def test_check_shows_verdict_totals_and_offers_the_three_reports(checked):
    client, sha = checked
    page = client.get(f"/files/{sha}/check")
    assert page.status_code == 200
    assert text_of(page.text, "oordeel-h") == "Oordeel In orde"
    assert [text_of(page.text, f"count-{s}") for s in ("error", "warning", "info")] == ["0", "0", "0"]
    assert text_of(page.text, "journal-total-lines") == "600"
    assert text_of(page.text, "journal-total-debit") == "647.705,10"
    assert text_of(page.text, "tb-total-closing") == "0,00"
    html = client.get(f"/files/{sha}/report.html")
    assert 'filename="voorbeeld_2025-controle.html"' in html.headers["content-disposition"]
    assert html.headers["content-security-policy"] == "sandbox"  # its inline script never runs in our origin
    assert "In orde" in html.text
    workbook = client.get(f"/files/{sha}/report.xlsx")
    assert workbook.content[:2] == b"PK"
    result = client.get(f"/files/{sha}/report.json").json()
    assert result["verdict"] == "ok" and result["totals"]["debit"] == "647705.10"
    assert result["file"] == "voorbeeld 2025.xaf"  # as the user named it, never the private folder


def test_the_same_content_again_is_not_checked_again(checked):
    client, sha = checked
    tasks = len(web_of(client).tasks._tasks)
    again = upload(client, SAMPLE, "een andere naam.xaf")
    assert uploaded_sha(again) == sha
    assert len(web_of(client).tasks._tasks) == tasks
    listing = client.get("/check").text
    assert listing.count(f'data-sha="{sha}"') == 1


def test_findings_filter_works_without_javascript(tmp_path: Path):
    client = make_client(tmp_path / "data")
    shutil.copy(SAMPLE, tmp_path / "kapot.xaf")
    text = (tmp_path / "kapot.xaf").read_text(encoding="utf-8")
    (tmp_path / "kapot.xaf").write_text(text.replace("<linesCount>", "<linesCount>9"), encoding="utf-8")
    sha = uploaded_sha(upload(client, tmp_path / "kapot.xaf"))
    client.get(f"/files/{sha}/check")
    settle(client)
    page = client.get(f"/files/{sha}/check").text
    codes = re.findall(r'<td class="code">(XAF-[A-Z]\d+)</td>', page)
    assert codes == ["XAF-T08", "XAF-T09"]  # lines and opening balance: both linesCount wrong
    only_errors = client.get(f"/files/{sha}/check", params={"severity": "error", "q": "linescount mutaties"}).text
    assert re.findall(r'<td class="code">(XAF-[A-Z]\d+)</td>', only_errors) == ["XAF-T08"]
    assert "Gefilterd: 1 bevindingen" in only_errors
    assert re.findall(r'<td class="code">(XAF-[A-Z]\d+)</td>', client.get(
        f"/files/{sha}/check", params={"severity": "info"}).text) == []


def test_a_zipped_auditfile_is_checked_by_its_member(tmp_path: Path):
    client = make_client(tmp_path / "data")
    packed = tmp_path / "export.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(SAMPLE, "administratie.xaf")
    sha = uploaded_sha(upload(client, packed))
    client.get(f"/files/{sha}/check")
    settle(client)
    result = client.get(f"/files/{sha}/report.json").json()
    assert result["verdict"] == "ok"
    assert result["file"] == "export.zip (administratie.xaf)"


def test_an_unreadable_upload_gets_verdict_unusable(tmp_path: Path):
    client = make_client(tmp_path / "data")
    (tmp_path / "leeg.xaf").write_bytes(b"dit is geen xml")
    sha = uploaded_sha(upload(client, tmp_path / "leeg.xaf"))
    client.get(f"/files/{sha}/check")
    settle(client)
    page = client.get(f"/files/{sha}/check").text
    assert text_of(page, "oordeel-h") == "Oordeel Onbruikbaar"


def test_an_adf_upload_is_offered_checked_and_read(tmp_path: Path):
    client = make_client(tmp_path / "data")
    assert 'accept=".xaf,.xml,.adf,.zip' in client.get("/").text  # the file picker offers .adf files
    sha = uploaded_sha(upload(client, SAMPLE.parent / "voorbeeld_adf.adf"))
    client.get(f"/files/{sha}/check")
    settle(client)
    page = client.get(f"/files/{sha}/check").text
    assert text_of(page, "oordeel-h") == "Oordeel In orde"


def test_trial_balance_ledger_card_and_entry(checked):
    client, sha = checked
    overview = client.get(f"/files/{sha}/browse").text
    assert text_of(overview, "tb-total-debit") == "647.705,10"
    assert text_of(overview, "tb-total-credit") == "647.705,10"
    assert text_of(overview, "tb-total-opening") == "0,00"
    assert text_of(overview, "tb-total-closing") == "0,00"
    assert text_of(overview, "tb-total-lines") == "600"
    store = _store(client, sha)
    account = max(store.accounts(), key=lambda a: a["lines"])
    card = client.get(f"/files/{sha}/account", params={"id": account["account_id"]})
    assert card.status_code == 200
    assert text_of(card.text, "ledger-closing") == _money(account["opening"] + account["debit"] - account["credit"])
    # the running balance of the last line on the last page is the closing balance
    last = client.get(f"/files/{sha}/account", params={"id": account["account_id"], "page": 9999}).text
    balances = re.findall(r'<td class="num(?: neg)?">(-?[\d.]+,\d\d)</td>\s*</tr>', last)
    assert balances[-1] == _money(account["opening"] + account["debit"] - account["credit"])
    journal, nr = re.findall(r"entry\?journal=([^&]*)&amp;nr=([^\"]*)\"", card.text)[0]
    entry = client.get(f"/files/{sha}/entry", params={"journal": unescape(journal), "nr": unescape(nr)})
    assert entry.status_code == 200
    assert text_of(entry.text, "entry-debit") == text_of(entry.text, "entry-credit")  # an entry balances
    assert f"Boekstuk {unescape(nr)}" in text_of(entry.text, "entry-title")


def test_ledger_pages_hold_at_most_a_page_of_lines(checked):
    client, sha = checked
    store = _store(client, sha)
    account = max(store.accounts(), key=lambda a: a["lines"])
    assert account["lines"] > 100  # so the card has more than one page
    first = client.get(f"/files/{sha}/account", params={"id": account["account_id"]}).text
    assert first.count('<td class="date">') == 100
    assert "pagina 1 van 2" in text_of(first, "page-info")
    second = client.get(f"/files/{sha}/account", params={"id": account["account_id"], "page": 2}).text
    assert second.count('<td class="date">') == account["lines"] - 100


def test_journals_relations_open_items_and_search(checked):
    client, sha = checked
    journals = client.get(f"/files/{sha}/journals").text
    ids = re.findall(r"journal\?id=([^\"]+)\"", journals)
    assert ids and client.get(f"/files/{sha}/journal", params={"id": unescape(ids[0])}).status_code == 200
    relations = client.get(f"/files/{sha}/relations").text
    assert "Café van Dijk" in relations
    assert text_of(relations, "open-note") == "Open posten: per 2025-12-31"
    rel = client.get(f"/files/{sha}/relation", params={"id": "C1000"})
    assert rel.status_code == 200 and "Relatie C1000 Café van Dijk" in text_of(rel.text, "relation-title")
    assert text_of(rel.text, "open-total") == "-13.886,84"  # koppel openitems: 5 open items of supplier C1000
    assert rel.text.count('<tr><td class="code">', rel.text.index('id="open-items"')) >= 5
    store = _store(client, sha)
    some = store.entry(*_an_entry(store))
    hits = client.get(f"/files/{sha}/search", params={"q": some[0]["entry_nr"], "kind": "entry"}).text
    assert f"{len(some)} regels" in text_of(hits, "search-count")
    cents = abs(some[0]["amount"])
    typed = _money(cents)  # 1.234,56 as a bookkeeper types it
    by_amount = client.get(f"/files/{sha}/search", params={"q": typed, "kind": "amount"}).text
    assert _money(cents) in by_amount and "search-results" in by_amount
    by_text = client.get(f"/files/{sha}/search", params={"q": "FACTUUR", "kind": "text"}).text
    assert "(er zijn er meer)" in text_of(by_text, "search-count")  # more than a page of hits
    nothing = client.get(f"/files/{sha}/search", params={"q": "geen-zo-een-tekst", "kind": "text"}).text
    assert text_of(nothing, "search-count") == "Niets gevonden."
    wrong = client.get(f"/files/{sha}/search", params={"q": "twaalf", "kind": "amount"}).text
    assert "geen bedrag" in text_of(wrong, "search-problem")


def test_the_web_templates_are_inside_the_package():
    from koppel.resources import template_dir

    for name in ("web/base.html.j2", "web/static/app.js", "web/static/app.css", "report_sections.html.j2"):
        assert (template_dir() / name).is_file(), name


def test_unknown_things_are_404_pages(checked):
    client, sha = checked
    assert client.get(f"/files/{'0' * 64}/browse").status_code == 404
    assert client.get("/files/../../etc/passwd/browse").status_code == 404
    assert client.get(f"/files/{sha}/account", params={"id": "9999"}).status_code == 404
    assert client.get(f"/files/{sha}/entry", params={"journal": "X", "nr": "1"}).status_code == 404
    assert client.get("/converts/zzzz").status_code == 404
    assert client.get("/api/tasks/nope").status_code == 404


def test_convert_to_minox_gives_a_zip_whose_control_says_equal(checked):
    client, sha = checked
    page = client.get(f"/files/{sha}/convert", params={"target": "minox"})
    settle(client)
    page = client.get(f"/files/{sha}/convert", params={"target": "minox"})
    assert page.status_code == 200
    mapping = unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S).group(1))
    assert 'entry_numbers = "renumber"' in mapping  # the sample's entry numbers are longer than Minox takes
    assert "ten hoogste 9 tekens" in page.text  # the target's limit per code
    started = client.post(f"/files/{sha}/convert", data={"csrf": csrf(client), "target": "minox",
                                                          "mapping": mapping, "action": "convert"},
                          follow_redirects=False)
    assert started.status_code == 303
    settle(client)
    result = client.get(started.headers["location"])
    assert text_of(result.text, "headline-text") == "Geld erin = geld eruit, op elke rekening"
    packed = client.get(started.headers["location"] + "/import.zip")
    archive = zipfile.ZipFile(io.BytesIO(packed.content))
    names = set(archive.namelist())
    assert {"control.json", "IMPORTEREN.md"} <= names
    control = json.loads(archive.read("control.json"))
    assert control["money"]["equal"] is True
    assert control["source"]["file"] == "voorbeeld 2025.xaf"
    assert control["counts"]["lines"][0] == 604  # 600 lines + 4 opening-balance lines


def test_convert_refuses_a_mapping_that_does_not_fit_and_says_which_code(checked):
    client, sha = checked
    client.get(f"/files/{sha}/convert", params={"target": "minox"})
    settle(client)
    bad = '[accounts]\n"1300" = "1300000000"\n'  # 10 characters; Minox takes 9
    refused = client.post(f"/files/{sha}/convert", data={"csrf": csrf(client), "target": "minox", "mapping": bad,
                                                          "action": "convert"}, follow_redirects=False)
    assert refused.status_code == 400
    assert "1300 → 1300000000 (langer dan 9 tekens)" in text_of(refused.text, "mapping-problem")
    broken = client.post(f"/files/{sha}/convert", data={"csrf": csrf(client), "target": "minox",
                                                         "mapping": "[accounts", "action": "preview"})
    assert broken.status_code == 400 and "geen geldige TOML" in text_of(broken.text, "mapping-problem")
    preview = client.post(f"/files/{sha}/convert", data={"csrf": csrf(client), "target": "minox",
                                                          "mapping": '[journals]\n"VK" = "VERKOOP"\n',
                                                          "action": "preview"})
    assert preview.status_code == 200 and "past niet: langer dan 3 tekens" in preview.text


def test_jobs_page_shows_quarantine_and_try_again_converts_after_the_fix(tmp_path: Path):
    root = job_folder(tmp_path)
    run_job_file(root / "jobs.toml", workers=0)  # a terminal run: the sample is quarantined
    client = make_client(tmp_path / "data", jobs_file=root / "jobs.toml")
    page = client.get("/jobs").text
    assert "klant.xaf" in page and "is longer than 8 characters" in page
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)
    (root / "mapping.toml").write_text(FIXED_MAPPING, encoding="utf-8")
    retried = client.post("/jobs/retry", data={"csrf": csrf(client), "job": "klanten", "sha256": sha},
                          follow_redirects=False)
    assert retried.status_code == 303
    settle(client)
    assert not (root / "quarantine" / "klant.xaf").exists()
    assert (root / "archive" / "klant.xaf").is_file()
    outputs = list((root / "outbox").iterdir())
    assert len(outputs) == 1 and (outputs[0] / "control.json").is_file()
    page = client.get("/jobs").text
    assert "Niets in quarantaine." in page and "verwerkt" in page


def test_try_again_waits_for_a_run_in_a_terminal(tmp_path: Path):
    root = job_folder(tmp_path)
    run_job_file(root / "jobs.toml", workers=0)
    client = make_client(tmp_path / "data", jobs_file=root / "jobs.toml")
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', client.get("/jobs").text).group(1)
    with job_lock(root / "jobs.lock"):  # `koppel run` holds the lock in another terminal
        refused = client.post("/jobs/retry", data={"csrf": csrf(client), "job": "klanten", "sha256": sha})
        assert refused.status_code == 409 and "another run of this job is in progress" in refused.text
        assert (root / "quarantine" / "klant.xaf").is_file()  # nothing moved
        client.post("/jobs/run", data={"csrf": csrf(client)})
        settle(client)
        task = web_of(client).tasks.latest("run", str(root / "jobs.toml"))
        assert task.state == "failed" and "another run of this job is in progress" in task.error
    assert "another run of this job is in progress" in client.get("/jobs").text
    retried = client.post("/jobs/retry", data={"csrf": csrf(client), "job": "klanten", "sha256": sha})
    assert retried.status_code == 200
    settle(client)
    assert (root / "quarantine" / "klant.xaf").is_file()  # tried again; still wrong, so back in quarantine


def test_jobs_page_without_a_job_file_explains_how(tmp_path: Path):
    client = make_client(tmp_path / "data")
    assert "koppel serve --jobs jobs.toml" in client.get("/jobs").text
    assert client.post("/jobs/run", data={"csrf": csrf(client)}).status_code == 404


def _store(client, sha):
    from koppel.web.store import Store

    return Store(web_of(client).library.get(sha).folder)


def _an_entry(store):
    journal = store.journals()[0]["journal_id"]
    first = store.journal_entries(journal).rows[0]
    return journal, first["entry_nr"]


def _money(cents: int) -> str:
    from koppel.web.context import money

    return money(cents)


def test_open_items_missing_after_a_stop_are_computed_again(tmp_path: Path):
    client = make_client(tmp_path / "data")
    sha = uploaded_sha(upload(client, SAMPLE, then="browse"))
    settle(client)
    folder = web_of(client).library.get(sha).folder
    (folder / "openitems.sqlite").unlink()  # as when the server stopped between the store and the open items
    again = make_client(tmp_path / "data")
    pending = again.get(f"/files/{sha}/relation", params={"id": "C1000"}).text
    assert "worden nog berekend" in text_of(pending, "open-pending")
    settle(again)
    assert text_of(again.get(f"/files/{sha}/relation", params={"id": "C1000"}).text, "open-total") == "-13.886,84"
