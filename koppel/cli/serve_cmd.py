"""``koppel serve``: the local web app (check, browse, convert, jobs) for people who never open a terminal."""

from __future__ import annotations

import os
import secrets
import socket
import threading
import webbrowser
from pathlib import Path

import click

from ..errors import KoppelError
from . import cli


def default_data_dir() -> Path:
    """Where the app keeps uploads, reports and viewer stores: $XDG_DATA_HOME/koppel, else ~/.local/share/koppel."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "koppel"


@cli.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs this option and prints a link with a token.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for uploads, reports and the viewer's stores (default: ~/.local/share/koppel).")
@click.option("--jobs", "jobs_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A job file (as for koppel run): shows its runs and quarantine on the Jobs page.")
@click.option("--open", "open_browser", is_flag=True, help="Open the app in the default browser.")
@click.option("--max-upload-mb", type=click.IntRange(1, 1 << 20), default=1024, show_default=True,
              help="Largest file accepted by an upload.")
def serve_command(port: int, host: str, data_dir: Path | None, jobs_file: Path | None, open_browser: bool,
                  max_upload_mb: int) -> None:
    """Run the web app on this computer: files stay here, nothing goes over the internet. Ctrl-C stops it."""
    import uvicorn

    from ..web.app import create_app
    from ..web.context import Settings
    from ..web.security import is_loopback

    if jobs_file is not None:
        from ..jobs.config import load_job_file

        load_job_file(jobs_file)  # a broken job file is one line now, not an error page later
        jobs_file = jobs_file.resolve()
    data = (data_dir or default_data_dir()).expanduser().resolve()
    try:
        data.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise KoppelError(f"cannot create the data folder: {exc.strerror}", file=data,
                          hint="choose another with --data DIR") from None
    sock = _listen(host, port)  # before anything else, so a taken port is one line and nothing half-started
    port = sock.getsockname()[1]
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    settings = Settings(data_dir=data, host=host, port=port, jobs_file=jobs_file,
                        max_upload=max_upload_mb << 20, token=token)
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    click.echo(f"koppel serve: {url}  (data in {data}; Ctrl-C stops)")
    if token:
        click.echo("  bound beyond this computer: only this link (with its token) opens the app", err=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or one line saying why not (the port is taken, the address unknown)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise KoppelError(f"cannot listen on {host}: {exc.strerror}", hint="give an address of this computer "
                          "with --host") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise KoppelError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                          hint="is koppel serve already running? choose another port with --port") from None
    sock.set_inheritable(False)
    return sock
