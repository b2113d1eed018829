"""The files a user gave the web app, kept by content hash in a private folder under ``--data``.

``DATA/files/<sha256>/`` holds ``source.xaf`` or ``source.zip`` (the kind is taken from the content, never from
the name the browser sent), ``meta.json`` (the name as given — for display only — size and time) and what the
app derives from it: ``check.json`` and the three reports, the viewer store. The same content uploaded again
lands in the same folder, so a check or a loaded store is reused. Nothing a client sends is used as a path:
folders are hashes the server computed, and requests name them by a hash that must already exist.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..atomic import atomic_open

CHUNK = 1 << 20
ZIP_MAGIC = b"PK\x03\x04"
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by this user only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def display_name(name: str | None) -> str:
    """The last part of a browser-given file name, for showing (never for a path); control characters removed."""
    text = re.split(r"[\\/]", name or "")[-1]
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    return text[:200] or "bestand"


def download_name(name: str, suffix: str) -> str:
    """A safe ASCII file name for Content-Disposition, derived from a display name."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).stem).strip("._") or "koppel"
    return f"{stem[:80]}{suffix}"


@dataclass
class StoredFile:
    """One file in the library."""

    sha256: str
    folder: Path
    name: str
    size: int
    added: str

    @property
    def source(self) -> Path:
        for candidate in ("source.zip", "source.xaf"):
            path = self.folder / candidate
            if path.is_file():
                return path
        return self.folder / "source.xaf"

    @property
    def short(self) -> str:
        return self.sha256[:12]


class Library:
    """``DATA/files``: add a stream, find a file by its hash, list them newest first."""

    def __init__(self, data_dir: Path) -> None:
        self.root = private_dir(Path(data_dir) / "files")
        self.incoming = private_dir(Path(data_dir) / "uploads")

    def add(self, stream: BinaryIO, name: str | None, limit: int) -> StoredFile:
        """Copy ``stream`` into the library while hashing it; the same content is kept once."""
        tmp = self.incoming / f"{secrets.token_hex(16)}.part"
        digest = hashlib.sha256()
        size = 0
        head = b""
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise ValueError(f"bestand groter dan {limit // (1 << 20)} MB")
                    if len(head) < 4:
                        head += chunk[:4]
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            folder = self.root / sha
            private_dir(folder)
            source = folder / ("source.zip" if head.startswith(ZIP_MAGIC) else "source.xaf")
            if not source.exists():
                os.replace(tmp, source)
            meta_path = folder / "meta.json"
            if not meta_path.exists():
                meta = {"name": display_name(name), "size": size, "added": time.strftime("%Y-%m-%d %H:%M:%S")}
                with atomic_open(meta_path, "w", encoding="utf-8") as handle:
                    json.dump(meta, handle, ensure_ascii=False)
            return self.get(sha)  # type: ignore[return-value]
        finally:
            tmp.unlink(missing_ok=True)

    def get(self, sha256: str) -> StoredFile | None:
        """The file with this hash, or None (also for anything that is not a hash)."""
        if not isinstance(sha256, str) or not _HEX64.match(sha256):
            return None
        folder = self.root / sha256
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return StoredFile(sha256, folder, meta.get("name", "bestand"), int(meta.get("size", 0)), meta.get("added", ""))

    def all(self) -> list[StoredFile]:
        files = [f for p in self.root.iterdir() if (f := self.get(p.name)) is not None]
        return sorted(files, key=lambda f: f.added, reverse=True)
