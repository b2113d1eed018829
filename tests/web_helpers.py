"""Shared helpers for the web app's tests: an app in a temp folder, uploads, waiting for tasks, a job folder."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

from starlette.testclient import TestClient

from koppel.web.app import create_app
from koppel.web.context import Settings
from koppel.web.tasks import wait

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "voorbeeld_xaf32.xaf"
BASE_URL = "http://127.0.0.1:8765"


def make_client(data: Path, **settings) -> TestClient:
    settings.setdefault("task_mode", "thread")
    app = create_app(Settings(data_dir=data, **settings))
    return TestClient(app, base_url=BASE_URL)


def web_of(client: TestClient):
    return client.app.state.web


def csrf(client: TestClient) -> str:
    return web_of(client).guard.csrf


def settle(client: TestClient, timeout: float = 120) -> None:
    """Wait for every task the app started."""
    for task in list(web_of(client).tasks._tasks.values()):
        wait(task, timeout)


def upload(client: TestClient, path: Path, name: str | None = None, then: str = "check"):
    with path.open("rb") as handle:
        return client.post(
            "/check",
            data={"csrf": csrf(client), "then": then},
            files={"files": (name or path.name, handle, "application/octet-stream")},
            follow_redirects=False,
        )


def uploaded_sha(response) -> str:
    match = re.match(r"/(?:files/([0-9a-f]{64})/|convert\?file=([0-9a-f]{64}))", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1) or match.group(2)


def text_of(html: str, element_id: str) -> str:
    """The text inside the element with this id (tags removed, entities resolved, spaces collapsed)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"#{element_id} not in page"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


# strict: the sample's entry numbers are longer than Minox's 8, refused instead of renumbered
BROKEN_MAPPING = '[accounts]\n"1300" = "1300"\n[options]\nstrict = "yes"\n'
FIXED_MAPPING = BROKEN_MAPPING + 'entry_numbers = "renumber"\n'


def job_folder(tmp: Path) -> Path:
    """A job file converting auditfiles to Minox with a mapping that lacks ``entry_numbers = "renumber"``, so the
    sample in its inbox is quarantined until the mapping is fixed (FIXED_MAPPING)."""
    root = tmp / "jobs"
    (root / "inbox").mkdir(parents=True)
    (root / "mapping.toml").write_text(BROKEN_MAPPING, encoding="utf-8")
    (root / "jobs.toml").write_text(
        '[[job]]\nname = "klanten"\ninbox = { folder = "inbox", glob = "*.xaf" }\ntarget = "minox"\n'
        'mapping = "mapping.toml"\noutbox = "outbox"\narchive = "archive"\nquarantine = "quarantine"\n',
        encoding="utf-8",
    )
    shutil.copy(SAMPLE, root / "inbox" / "klant.xaf")
    return root
