"""Zipped inputs: many packages export the auditfile as a .zip holding one file.

The one member is extracted into a private temp folder (removed at exit) after checks against hostile archives:
no absolute or ``..`` paths (zip-slip), exactly one candidate file, and limits on the total size and on the
compression ratio (zip bombs) — counted while extracting, since the sizes a zip declares can lie.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from .errors import KoppelError

MAX_TOTAL_BYTES = 8 << 30  # 8 GiB: larger than any auditfile koppel has met
MAX_RATIO = 200  # XML compresses ~10-30x; a bomb compresses thousands of times
_CHUNK = 1 << 20


def is_zip_input(path: Path) -> bool:
    """A .zip file (by name; XLSX files are zips too and are read as spreadsheets)."""
    return path.suffix.lower() == ".zip" and path.is_file()


def _ignored(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return name.endswith("/") or parts[0] == "__MACOSX" or parts[-1].startswith(".")


def _safe_name(info: zipfile.ZipInfo, path: Path) -> str:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        raise KoppelError(
            f"refused: the archive holds a path outside its folder ({info.filename!r})",
            file=path,
            hint="zip-slip protection; unpack the archive yourself if you trust it",
        )
    return PurePosixPath(name).name


def extract_single(path: Path, max_total: int = MAX_TOTAL_BYTES, max_ratio: int = MAX_RATIO) -> Path:
    """The one file in zip ``path``, extracted to a temp folder; KoppelError for anything unsafe or ambiguous."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise KoppelError(f"not a readable zip archive: {exc}", file=path, hint="copy or export it again") from None
    with archive:
        members = [i for i in archive.infolist() if not _ignored(i.filename)]
        for info in archive.infolist():
            _safe_name(info, path)
        if len(members) != 1:
            listed = ", ".join(i.filename for i in members[:5]) or "none"
            raise KoppelError(
                f"the archive holds {len(members)} files ({listed}); koppel reads a zip with exactly one",
                file=path,
                hint="unpack it and give the auditfile itself",
            )
        info = members[0]
        if info.flag_bits & 0x1:
            raise KoppelError("the archive is encrypted", file=path, hint="unpack it with its password first")
        if info.file_size > max_total:
            raise KoppelError(f"refused: {info.filename} unpacks to {info.file_size:,} bytes", file=path,
                              hint=f"koppel's limit is {max_total:,} bytes; unpack it yourself if you trust it")
        limit = min(max_total, max(info.compress_size, 1) * max_ratio)
        folder = Path(tempfile.mkdtemp(prefix="koppel-zip-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        target = folder / _safe_name(info, path)
        written = 0
        try:
            with archive.open(info) as src, target.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    written += len(chunk)
                    if written > limit:
                        raise KoppelError(
                            f"refused: {info.filename} unpacks to more than {limit:,} bytes "
                            f"(over {max_ratio}x its packed size or {max_total:,} bytes): a zip bomb?",
                            file=path,
                            hint="unpack it yourself if you trust the file",
                        )
                    dst.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:  # CRC, truncation, method
            shutil.rmtree(folder, ignore_errors=True)
            raise KoppelError(f"the archive is damaged: {exc}", file=path, hint="copy or export it again") from None
        except KoppelError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    return target
