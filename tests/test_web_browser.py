"""koppel serve in a real headless chromium: a real server (``koppel serve``, tasks in child processes) and a
bookkeeper's way through every page — check a sample and read its verdict and totals; open an account's ledger
card and an entry; convert to Minox and download a zip whose control.json says equal; see a quarantined job
input and try it again. No console error, no request beyond the server, screenshots in the test's tmp dir.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest
from chromium_cdp import BrowserError, Chromium, find_chromium
from web_helpers import FIXED_MAPPING, ROOT, SAMPLE, job_folder

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    jobs = job_folder(tmp)
    subprocess.run([sys.executable, "-m", "koppel.cli", "run", str(jobs / "jobs.toml"), "--workers", "0"],
                   cwd=ROOT, capture_output=True, check=False)  # a terminal run quarantines the sample
    assert (jobs / "quarantine" / "klant.xaf").is_file()
    port = _free_port()
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "koppel.cli", "serve", "--port", str(port), "--data", str(tmp / "data"),
         "--jobs", str(jobs / "jobs.toml")],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/check", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail("koppel serve did not start: " + (tmp / "server.log").read_text())
            time.sleep(0.2)
    yield {"base": base, "tmp": tmp, "jobs": jobs}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="module")
def browser(server):
    executable = find_chromium()
    if executable is None:
        pytest.fail("chromium is not installed: run `make browser-deps` (as root) or `apt-get install chromium`")
    with Chromium(executable, width=1280, height=1400, timeout=60) as chromium:
        downloads = server["tmp"] / "downloads"
        downloads.mkdir()
        chromium.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads))
        yield chromium


def _js(browser: Chromium, expression: str):
    """Evaluate, retrying while the page is between two documents."""
    for _ in range(40):
        try:
            return browser.evaluate(expression)
        except BrowserError as exc:
            if "context" not in str(exc).lower() and "destroyed" not in str(exc).lower():
                raise
            time.sleep(0.25)
    raise AssertionError(f"page kept navigating: {expression}")


def _wait_for(browser: Chromium, condition: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not _js(browser, f"document.readyState === 'complete' && !!({condition})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {condition}; page: {_js(browser, 'location.href')}")
        time.sleep(0.3)


def _text(browser: Chromium, selector: str) -> str:
    return _js(browser, f"(document.querySelector({selector!r}) || {{innerText: 'missing'}})"
                        ".innerText.replace(/\\s+/g, ' ').trim()")


def _click(browser: Chromium, selector: str) -> None:
    _js(browser, f"document.querySelector({selector!r}).click()")


def _clean(browser: Chromium, server) -> None:
    """No console error, exception or dialog; every request went to the server itself."""
    assert browser.problems() == []
    assert [url for url in browser.requests if not url.startswith(server["base"] + "/")] == []


def _check_the_sample(browser: Chromium, server) -> None:
    """Upload the sample on the check page and wait for its verdict (where the browse pages start)."""
    browser.load_url(server["base"] + "/check")
    node = browser.call("Runtime.evaluate", session=True, expression="document.getElementById('files')")
    browser.call("DOM.setFileInputFiles", session=True, files=[str(SAMPLE)], objectId=node["result"]["objectId"])
    _click(browser, "#upload-button")
    _wait_for(browser, "document.getElementById('oordeel-h')")


def test_check_a_sample_and_read_verdict_and_totals(browser, server):
    _check_the_sample(browser, server)
    assert _text(browser, "#oordeel-h") == "OORDEEL In orde"  # the label is upper-cased by CSS
    assert _text(browser, "#journal-total-lines") == "600"
    assert _text(browser, "#journal-total-debit") == "647.705,10"
    assert _text(browser, "#tb-total-closing") == "0,00"
    assert _text(browser, ".empty-note") == "Geen bevindingen."
    browser.screenshot(server["tmp"] / "check.png")
    _clean(browser, server)


def test_open_a_ledger_card_and_an_entry(browser, server):
    _check_the_sample(browser, server)  # its own start: it ran only after the test above (on that test's page)
    _click(browser, "#downloads a[href$='/browse']")
    _wait_for(browser, "location.pathname.endsWith('/browse') && document.getElementById('trial-balance')")
    assert _text(browser, "#tb-total-debit") == "647.705,10"
    assert _text(browser, "#tb-total-closing") == "0,00"
    _click(browser, "#trial-balance a[href$='account?id=1300']")
    _wait_for(browser, "document.getElementById('ledger')")
    assert _text(browser, "#ledger-title").startswith("Grootboekkaart 1300 Debiteuren")
    rows = _js(browser, "document.querySelectorAll('#ledger tbody tr').length")
    assert rows == 100
    browser.screenshot(server["tmp"] / "ledger.png")
    _click(browser, "#next-page")
    _wait_for(browser, "/pagina 2 van/.test((document.getElementById('page-info') || {innerText: ''}).innerText)")
    _click(browser, "#ledger tbody tr a[href*='entry?']")
    _wait_for(browser, "document.getElementById('entry-lines')")
    assert _text(browser, "#entry-title").startswith("Boekstuk ")
    assert _text(browser, "#entry-debit") == _text(browser, "#entry-credit")
    browser.screenshot(server["tmp"] / "entry.png")
    _clean(browser, server)


def test_convert_to_minox_and_download_a_zip_whose_control_says_equal(browser, server):
    browser.load_url(server["base"] + "/convert")
    _js(browser, "document.getElementById('convert-target').value = 'minox'")
    _click(browser, "#convert-choose button[type=submit]")
    _wait_for(browser, "document.getElementById('mapping-form')")
    assert "renumber" in _js(browser, "document.getElementById('mapping').value")
    _click(browser, "#convert-button")
    _wait_for(browser, "document.getElementById('headline-text')")
    assert _text(browser, "#headline-text") == "Geld erin = geld eruit, op elke rekening"
    browser.screenshot(server["tmp"] / "convert.png")
    _click(browser, "#download-zip")
    downloads = server["tmp"] / "downloads"
    deadline = time.monotonic() + 30
    while not [p for p in downloads.glob("*.zip")]:
        assert time.monotonic() < deadline, "no zip was downloaded"
        time.sleep(0.2)
    packed = next(downloads.glob("*.zip"))
    time.sleep(0.5)  # chromium renames the finished download into place; let it close the file
    with zipfile.ZipFile(packed) as archive:
        control = json.loads(archive.read("control.json"))
        assert "IMPORTEREN.md" in archive.namelist()
    assert control["money"]["equal"] is True and control["target"] == "minox"
    _clean(browser, server)


def test_see_a_quarantined_job_input_and_try_it_again(browser, server):
    jobs = server["jobs"]
    browser.load_url(server["base"] + "/jobs")
    assert "klant.xaf" in _text(browser, ".quarantine")
    assert "longer than 8 characters" in _text(browser, ".quarantine")
    browser.screenshot(server["tmp"] / "jobs-quarantine.png")
    (jobs / "mapping.toml").write_text(FIXED_MAPPING, encoding="utf-8")  # the bookkeeper fixes the mapping
    _click(browser, "button.retry")
    _wait_for(browser, "document.body.innerText.indexOf('Niets in quarantaine.') !== -1 && "
                       "!document.querySelector('#run-state[data-task]:not([data-task=\"\"])')")
    assert (jobs / "archive" / "klant.xaf").is_file()
    assert "verwerkt" in _text(browser, ".inputs")
    browser.screenshot(server["tmp"] / "jobs-done.png")
    _clean(browser, server)
