"""koppel serve's guards, one test each: Host header (DNS rebinding), token off loopback, CSRF and cross-site
requests, upload size limit, private folders, no client-given name as a path, escaping, CSP and headers."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from web_helpers import SAMPLE, csrf, make_client, settle, upload, uploaded_sha, web_of

from koppel.web.security import CSP, Guard, host_name

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def client(tmp_path: Path):
    return make_client(tmp_path / "data")


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST"])
def test_loopback_hosts_are_answered(client, host):
    assert client.get("/check", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", ""])
def test_other_host_names_are_refused_dns_rebinding(client, host):
    response = client.get("/check", headers={"host": host})
    assert response.status_code == 400
    assert "host not allowed" in response.text


def test_host_name_parsing():
    assert host_name("[::1]:8765") == "::1"
    assert host_name("Example.NL:80") == "example.nl"
    assert host_name("127.0.0.1") == "127.0.0.1"
    assert Guard(bind_host="kantoor-pc").host_allowed("kantoor-pc:8765")
    assert Guard(bind_host="0.0.0.0").host_allowed("192.168.1.20:8765")  # an IP literal cannot be rebound
    assert not Guard(bind_host="0.0.0.0").host_allowed("kantoor-pc:8765")


def test_beyond_loopback_a_token_is_needed(tmp_path: Path):
    client = make_client(tmp_path / "data", host="0.0.0.0", token="geheim-123")
    assert client.get("/check", headers={"host": "192.168.1.20:8765"}).status_code == 401
    wrong = client.get("/check?token=fout", headers={"host": "192.168.1.20:8765"}, follow_redirects=False)
    assert wrong.status_code == 401
    entry = client.get("/check?token=geheim-123", headers={"host": "192.168.1.20:8765"}, follow_redirects=False)
    assert entry.status_code == 303 and entry.headers["location"] == "/check"  # the token leaves the address bar
    cookie = entry.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/check", headers={"host": "192.168.1.20:8765"}).status_code == 200  # the cookie now


def test_serve_beyond_loopback_prints_a_link_with_a_token(tmp_path: Path, monkeypatch):
    import uvicorn

    from koppel.cli import cli

    started = {}

    def fake_run(self, sockets=None):
        started["app"] = self.config.app
        for sock in sockets or ():
            sock.close()

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    out = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "0", "--data", str(tmp_path / "d")],
                             standalone_mode=False)
    assert out.exception is None, out.output
    token = re.search(r"http://0\.0\.0\.0:\d+/\?token=(\S+)", out.output).group(1)
    assert started["app"].state.web.guard.token == token and len(token) >= 24
    local = CliRunner().invoke(cli, ["serve", "--port", "0", "--data", str(tmp_path / "d")], standalone_mode=False)
    assert re.search(r"http://127\.0\.0\.1:\d+/ ", local.output)  # loopback: no token


def test_a_taken_port_is_one_line_and_exit_2(tmp_path: Path, capsys):
    import socket

    from koppel.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as stop:
            main(["serve", "--port", str(port), "--data", str(tmp_path / "d")])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"koppel: cannot listen on 127.0.0.1:{port}: Address already in use (is koppel serve already "
                   "running? choose another port with --port)"]


def test_posts_without_the_csrf_token_are_refused(client):
    with SAMPLE.open("rb") as handle:
        missing = client.post("/check", files={"files": ("a.xaf", handle)})
    assert missing.status_code == 403
    with SAMPLE.open("rb") as handle:
        wrong = client.post("/check", data={"csrf": "raden"}, files={"files": ("a.xaf", handle)})
    assert wrong.status_code == 403
    assert client.post("/jobs/run", data={"csrf": "raden"}).status_code == 403
    assert web_of(client).library.all() == []  # nothing was kept


def test_cross_site_posts_are_refused_before_the_body_is_read(client):
    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}, {"origin": "null"}):
        response = client.post("/check", data={"csrf": csrf(client)}, headers=headers)
        assert response.status_code == 403, headers
    for headers in ({"origin": "http://127.0.0.1:8765"}, {"origin": "null", "sec-fetch-site": "same-origin"}):
        same = client.post("/check", data={"csrf": csrf(client)}, headers=headers)
        assert same.status_code == 400, headers  # passed the guard; no file chosen


def test_uploads_over_the_limit_are_refused(tmp_path: Path):
    client = make_client(tmp_path / "data", max_upload=64 << 10)
    big = tmp_path / "groot.xaf"
    big.write_bytes(b"<auditfile>" + b" " * (3 << 20))
    with big.open("rb") as handle:
        response = client.post("/check", data={"csrf": csrf(client)}, files={"files": ("groot.xaf", handle)})
    assert response.status_code == 413

    def chunks():  # no Content-Length: counted while streaming
        for _ in range(40):
            yield b"x" * (64 << 10)

    streamed = client.post("/check", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert streamed.status_code == 413
    assert web_of(client).library.all() == []
    assert list((tmp_path / "data" / "uploads").iterdir()) == []  # no partial upload left


def test_uploads_go_to_private_folders_and_names_never_become_paths(client, tmp_path: Path):
    response = upload(client, SAMPLE, name="../../../../etc/cron.d/x.xaf")
    sha = uploaded_sha(response)
    stored = web_of(client).library.get(sha)
    data = tmp_path / "data"
    assert stored.folder == data / "files" / sha
    assert stored.name == "x.xaf"  # shown, never used for a path
    assert sorted(p.name for p in stored.folder.iterdir()) == ["meta.json", "source.xaf"]
    for folder in (data, data / "files", data / "uploads", stored.folder):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((stored.folder / "source.xaf").stat().st_mode) & 0o077 == 0
    outside = {p for p in tmp_path.rglob("*") if not str(p).startswith(str(data))}
    assert outside == set()  # nothing was written beside the data folder


def test_a_zip_is_recognised_by_its_content_not_its_name(client, tmp_path: Path):
    import zipfile

    packed = tmp_path / "archief.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.write(SAMPLE, "a.xaf")
    sha = uploaded_sha(upload(client, packed, name="misleidend.xaf"))
    assert web_of(client).library.get(sha).source.name == "source.zip"
    sha2 = uploaded_sha(upload(client, SAMPLE, name="misleidend.zip"))
    assert web_of(client).library.get(sha2).source.name == "source.xaf"


def test_values_from_a_hostile_file_are_escaped_on_every_page(client, tmp_path: Path):
    text = SAMPLE.read_text(encoding="utf-8")
    escaped = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    hostile = tmp_path / "hostile.xaf"
    hostile.write_text(
        text.replace("<custSupName>Café van Dijk</custSupName>", f"<custSupName>{escaped}</custSupName>")
        .replace("<desc>Ontvangst</desc>", f"<desc>{escaped}</desc>")
        .replace("<companyName>Voorbeeld Handel B.V.</companyName>", f"<companyName>{escaped}</companyName>"),
        encoding="utf-8",
    )
    sha = uploaded_sha(upload(client, hostile, name=HOSTILE + ".xaf"))
    client.get(f"/files/{sha}/check")
    client.get(f"/files/{sha}/browse")
    settle(client)
    pages = ["/check", "/browse", "/convert", f"/files/{sha}/check", f"/files/{sha}/browse",
             f"/files/{sha}/relations", f"/files/{sha}/relation?id=C1000", f"/files/{sha}/account?id=1100",
             f"/files/{sha}/search?q=alert&kind=text"]
    shown = 0
    for page in pages:
        body = client.get(page).text
        assert "<script>alert" not in body and "<img src=x" not in body, page
        shown += body.count("&lt;script&gt;alert")
    assert shown >= len(pages)  # the hostile text is there, as text


def test_every_response_carries_the_csp_and_the_other_headers(client):
    for path in ("/check", "/static/app.js", "/static/report.css", "/api/tasks/0123456789abcdef", "/nergens",
                 "/files/x/browse"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == CSP, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
    assert "script-src 'self';" in CSP and "unsafe-inline" not in CSP and "default-src 'none'" in CSP
    assert client.get("/check", headers={"host": "evil.example"}).headers["content-security-policy"] == CSP


def test_pages_have_no_inline_script_or_style(client):
    sha = uploaded_sha(upload(client, SAMPLE))
    client.get(f"/files/{sha}/check")
    settle(client)
    for path in ("/check", f"/files/{sha}/check", "/jobs", "/convert"):
        body = client.get(path).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == [], path
        assert "<style" not in body and " style=" not in body and "onclick" not in body, path


def test_only_the_listed_static_files_are_served(client):
    assert client.get("/static/app.css").status_code == 200
    for name in ("..%2Fpyproject.toml", "report.html.j2", "web%2Fbase.html.j2", "%2Fetc%2Fpasswd"):
        assert client.get(f"/static/{name}").status_code == 404, name


def test_the_data_folder_is_private_even_when_it_existed(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    make_client(data)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
