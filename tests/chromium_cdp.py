"""A minimal headless-chromium driver for tests: the DevTools protocol over a pipe (no ports, no websocket).

Chromium is started with ``--remote-debugging-pipe``: it reads commands on fd 3 and writes replies and
events on fd 4, each a JSON message ended by a NUL byte. One page is opened; every console message,
uncaught exception and log entry is collected so a test can fail on them.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One headless browser with one page; use as a context manager."""

    def __init__(self, executable: str, *, width: int = 1280, height: int = 2000, timeout: float = 20.0) -> None:
        self.executable = executable
        self.width, self.height, self.timeout = width, height, timeout
        self.console: list[dict[str, Any]] = []  # console calls, exceptions and log entries
        self.requests: list[str] = []  # every URL the page asked for
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        self._proc: subprocess.Popen | None = None
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="koppel-chromium-")
        self._stderr = open(Path(self._profile) / "stderr.log", "w+b")  # noqa: SIM115 (closed in __exit__)
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The child must see its pipe ends as fd 3 (commands) and fd 4 (replies). Move them above 10 first so
        # the dup2 calls in the child cannot clobber each other; Python's own fds are not inheritable.
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)
        args = [
            self.executable,
            *FLAGS,
            f"--user-data-dir={self._profile}",
            f"--window-size={self.width},{self.height}",
        ]
        self._proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            close_fds=False,
            preexec_fn=lambda: (os.dup2(child_r, 3), os.dup2(child_w, 4)),
        )
        os.close(child_r)
        os.close(child_w)
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            with contextlib.suppress(BrowserError, OSError):
                self.call("Browser.close")
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for name in ("_to_browser", "_from_browser"):
            if hasattr(self, name):
                with contextlib.suppress(OSError):
                    os.close(getattr(self, name))
        if hasattr(self, "_stderr"):
            self._stderr.close()
        if hasattr(self, "_profile"):
            shutil.rmtree(self._profile, ignore_errors=True)

    def _stderr_tail(self) -> str:
        """The end of chromium's own messages, for an error that says why it failed."""
        self._stderr.seek(0)
        lines = [line for line in self._stderr.read().decode(errors="replace").splitlines() if "dbus" not in line]
        return ("; chromium said: " + " | ".join(lines[-5:])) if lines else ""

    # --- protocol -------------------------------------------------------------------------------
    def _send(self, method: str, session: bool, params: dict[str, Any]) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return self._next_id

    def call(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        ident = self._send(method, session, params)
        while True:
            reply = self._read()
            if reply.get("id") == ident:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._event(reply)

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(remaining, 0))
            if not ready:
                raise BrowserError(f"chromium did not answer within {self.timeout:.0f} s{self._stderr_tail()}")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise BrowserError(f"chromium closed the pipe{self._stderr_tail()}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            self.console.append({"level": params.get("type"), "text": text})
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self.console.append({"level": "exception", "text": text})
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            # the browser's own log (network, security, violations): only its errors count as problems
            level = "error" if entry.get("level") == "error" else f"log-{entry.get('level')}"
            self.console.append({"level": level, "text": f"{entry.get('source')}: {entry.get('text', '')}"})
        elif method == "Page.javascriptDialogOpening":  # alert()/confirm(): record it and dismiss, or the page hangs
            self.console.append({"level": "dialog", "text": params.get("message", "")})
            self._send("Page.handleJavaScriptDialog", True, {"accept": False})
        elif method == "Network.requestWillBeSent":
            self.requests.append(params.get("request", {}).get("url", ""))
        self._events.append(message)

    def _wait_for(self, method: str) -> None:
        while True:
            for index, event in enumerate(self._events):
                if event.get("method") == method:
                    del self._events[: index + 1]
                    return
            self._event(self._read())

    # --- page -----------------------------------------------------------------------------------
    def load(self, path: Path) -> None:
        self.load_url(path.resolve().as_uri())

    def load_url(self, url: str) -> None:
        self._events.clear()
        self.call("Page.navigate", session=True, url=url)
        self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = False) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics", session=True)["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", session=True, **params)["data"]
        path.write_bytes(base64.b64decode(data))

    def problems(self) -> list[dict[str, Any]]:
        """Console errors/warnings, uncaught exceptions, error log entries and dialogs seen so far."""
        return [
            entry for entry in self.console if entry["level"] in ("error", "exception", "warning", "assert", "dialog")
        ]
