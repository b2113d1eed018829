"""XML attacks against every XML reader: refused with one clear KoppelError, no expansion, no file or network access."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from koppel.cli import main
from koppel.errors import KoppelError
from koppel.registry import read_input
from koppel.xml_head import root_name
from tests.format_params import formats, spec_tests

# every reader whose spec gives an XML probe: a small file with {text} where an entity reference can sit and
# {body} where nesting goes ([tests] xml_probe); its root element is what a DOCTYPE names
READERS = {name: spec_tests(name)["xml_probe"] for name in formats(lambda f: "xml_probe" in spec_tests(f.name))}
XAF_NS = "http://www.auditfiles.nl/XAF/3.2"  # the namespace of the XAF probe, swapped for CAMT's below
ROOT_NAME = {name: root_name(probe.encode("utf-8")) for name, probe in READERS.items()}

LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))


def attack(kind: str, reader: str, url: str) -> bytes:
    """The bytes of one attack file for ``reader``; ``url`` is a local server that must never be asked."""
    root = ROOT_NAME[reader]
    text, body, prolog = "EUR", "", ""
    if kind == "billion-laughs":
        prolog = f'<!DOCTYPE {root} [<!ENTITY l0 "ha">{LAUGHS}]>'
        text = "&l9;"
    elif kind == "quadratic":
        prolog = f'<!DOCTYPE {root} [<!ENTITY a "{"x" * 50_000}">]>'
        text = "&a;" * 5_000
    elif kind == "xxe-file":
        prolog = f'<!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        text = "&x;"
    elif kind == "xxe-http":
        prolog = f'<!DOCTYPE {root} [<!ENTITY x SYSTEM "{url}/entity">]>'
        text = "&x;"
    elif kind == "external-dtd":
        prolog = f'<!DOCTYPE {root} SYSTEM "{url}/external.dtd">'
    elif kind == "parameter-entity":
        prolog = f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "{url}/param.dtd"> %p;]>'
    elif kind == "doctype-after-long-comment":
        prolog = "<!-- " + "padding " * 12_000 + "-->\n" + f'<!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        text = "&x;"
    elif kind == "undefined-entity":
        text = "&nobody;"
    elif kind == "deep-nesting":
        body = "<n>" * 5_000 + "</n>" * 5_000
    elif kind == "huge-text":
        body = "<n>" + "y" * 11_000_000 + "</n>"
    doc = '<?xml version="1.0" encoding="UTF-8"?>\n' + prolog + "\n" + READERS[reader].format(text=text, body=body)
    return doc.encode("utf-8")


KINDS = ("billion-laughs", "quadratic", "xxe-file", "xxe-http", "external-dtd", "parameter-entity",
         "doctype-after-long-comment", "undefined-entity", "deep-nesting", "huge-text")


@pytest.fixture(scope="module")
def server():
    """A local HTTP server that records every request: an attack file must never reach it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "LEAKED">')

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", hits
    httpd.shutdown()


def _assert_clean(text: str) -> None:
    assert "Traceback" not in text
    assert "root:" not in text and "LEAKED" not in text and "hahaha" not in text


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("kind", KINDS)
def test_attack_refused_by_reader(tmp_path: Path, server, reader: str, kind: str) -> None:
    url, hits = server
    path = tmp_path / ("attack.xaf" if reader == "xaf" else "attack.xml")
    path.write_bytes(attack(kind, reader, url))
    with pytest.raises(KoppelError) as caught:
        read_input(path, from_format=reader)
    message = str(caught.value)
    _assert_clean(message)
    assert "\n" not in caught.value.message
    if kind in ("deep-nesting", "huge-text"):
        assert "refused" in message or "not well-formed" in message
    elif kind == "undefined-entity":
        assert "nobody" in message
    else:
        assert "DOCTYPE" in message
    assert hits == []


CLI_KINDS = ("billion-laughs", "xxe-file", "xxe-http", "doctype-after-long-comment", "deep-nesting")


@pytest.mark.parametrize("kind", CLI_KINDS)
@pytest.mark.parametrize("command", ("inspect", "convert"))
def test_attack_at_cli_is_one_line_exit_2(tmp_path: Path, server, capsys, kind: str, command: str) -> None:
    url, hits = server
    path = tmp_path / "attack.xaf"
    path.write_bytes(attack(kind, "xaf", url))
    target = tmp_path / "out"
    args = [command, str(path)] + (["--to", "minox", "-o", str(target)] if command == "convert" else [])
    code, out, err = run(args, capsys)
    assert code == 2, out + err
    _assert_clean(out + err)
    assert out == "" and len(err.strip().splitlines()) == 1 and err.startswith("koppel: ")
    assert not target.exists()
    assert hits == []


@pytest.mark.parametrize("kind", KINDS)
def test_attack_is_an_error_finding_in_check(tmp_path: Path, server, capsys, kind: str) -> None:
    url, hits = server
    path = tmp_path / "attack.xaf"
    path.write_bytes(attack(kind, "xaf", url))
    code, out, err = run(["check", str(path)], capsys)
    assert code == 2, out + err
    _assert_clean(out + err)
    assert "ONBRUIKBAAR" in out and ("XAF-F01" in out or "XAF-F05" in out)
    assert hits == []


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


@pytest.mark.parametrize("kind", (*CLI_KINDS[:-1], "external-dtd"))
def test_camt053_refuses_doctype(tmp_path: Path, server, kind: str) -> None:
    from koppel.sources.banks import read_camt053

    url, hits = server
    ns = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
    doc = attack(kind, "xaf", url).decode().replace("auditfile", "Document").replace(XAF_NS, ns)
    path = tmp_path / "camt.xml"
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(KoppelError) as caught:
        read_camt053(path)
    _assert_clean(str(caught.value))
    assert "DOCTYPE" in str(caught.value) or "amplification" in str(caught.value)
    assert hits == []
