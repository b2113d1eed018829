"""Zipped inputs: many packages export the auditfile as a .zip holding one file.

The one member is extracted into a private temp folder (removed at exit) after checks against hostile archives:
no absolute or ``..`` paths (zip-slip), exactly one candidate file, no archive inside the archive (one level for
every command), and limits on the total size and on the compression ratio (zip bombs) — counted while
extracting, since the sizes a zip declares can lie. A damaged archive (truncated, a corrupt deflate, LZMA or
bzip2 stream, a wrong checksum) is one line naming the zip, the member and the byte where its data starts;
errors found later in the unpacked member name ``export.zip (member.xaf)``, never the temp copy.
"""

from __future__ import annotations

import atexit
import lzma
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from .diskfull import disk_full, is_disk_full
from .errors import SHOWN_AS, KoppelError

MAX_TOTAL_BYTES = 8 << 30  # 8 GiB: larger than any auditfile koppel has met
MAX_RATIO = 200  # XML compresses ~10-30x; a bomb compresses thousands of times
MAX_DEPTH = 1  # zips inside the zip koppel unpacks: none, for inspect, check, convert, export and jobs alike
_CHUNK = 1 << 20
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OFFICE = (".xlsx", ".xlsm", ".xltx", ".ods")  # zip containers that are spreadsheets, read as such
_HINT = "copy or export it again"


_UNPACKED: list[Path] = []  # temp folders of this process, removed by release_unpacked() or at exit


def release_unpacked() -> None:
    """Remove the members unpacked so far (a long-lived job worker calls this after each input)."""
    while _UNPACKED:
        folder = _UNPACKED.pop()
        for member in folder.iterdir() if folder.is_dir() else ():
            SHOWN_AS.pop(str(member), None)
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(release_unpacked)


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


def _nested(path: Path, member: str) -> KoppelError:
    return KoppelError(
        f"refused: the archive holds another archive ({member}); koppel unpacks {MAX_DEPTH} level of zip",
        file=path,
        hint="unpack the outer archive yourself and give koppel the file inside",
    )


def _damaged(exc: BaseException, path: Path, info: zipfile.ZipInfo | None, written: int = 0) -> KoppelError:
    """One line for whatever zipfile or a decompressor raised on a damaged archive."""
    if isinstance(exc, zlib.error):
        what = f"its deflate data is corrupt ({exc})"
    elif isinstance(exc, lzma.LZMAError):
        what = f"its LZMA data is corrupt ({exc})"
    elif isinstance(exc, OSError) and info is not None and info.compress_type == zipfile.ZIP_BZIP2:
        what = f"its bzip2 data is corrupt ({exc})"
    elif isinstance(exc, EOFError):
        what = "the archive ends before its data does (truncated)"
    elif isinstance(exc, NotImplementedError):
        what = f"it is packed with a method koppel cannot unpack ({exc})"
    elif isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        what = "it is encrypted"
    else:
        what = str(exc).strip() or type(exc).__name__
    if info is None:
        return KoppelError(f"not a readable zip archive: {what}", file=path, hint=_HINT)
    place = f"at byte {info.header_offset}" + (f", damaged after {written:,} unpacked bytes" if written else "")
    return KoppelError(f"the archive is damaged: member {info.filename} ({place}): {what}", file=path, hint=_HINT)


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except Exception as exc:  # zipfile parses untrusted bytes: any failure means the archive is damaged
        if is_disk_full(exc):
            raise disk_full(exc, path) from None
        raise _damaged(exc, path, None) from None


def extract_single(path: Path, max_total: int = MAX_TOTAL_BYTES, max_ratio: int = MAX_RATIO) -> Path:
    """The one file in zip ``path``, extracted to a temp folder; KoppelError for anything unsafe or ambiguous."""
    archive = _open(path)
    with archive:
        try:
            infos = archive.infolist()
            members = [i for i in infos if not _ignored(i.filename)]
            for info in infos:
                _safe_name(info, path)
        except KoppelError:
            raise
        except Exception as exc:
            raise _damaged(exc, path, None) from None
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
        if PurePosixPath(info.filename).suffix.lower() == ".zip":
            raise _nested(path, info.filename)
        if info.file_size > max_total:
            raise KoppelError(f"refused: {info.filename} unpacks to {info.file_size:,} bytes", file=path,
                              hint=f"koppel's limit is {max_total:,} bytes; unpack it yourself if you trust it")
        limit = min(max_total, max(info.compress_size, 1) * max_ratio)
        folder = Path(tempfile.mkdtemp(prefix="koppel-zip-"))
        _UNPACKED.append(folder)
        target = folder / _safe_name(info, path)
        written = 0
        head = b""
        try:
            with archive.open(info) as src, target.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    if not head:
                        head = chunk[:4]
                    written += len(chunk)
                    if written > limit:
                        raise KoppelError(
                            f"refused: {info.filename} unpacks to more than {limit:,} bytes "
                            f"(over {max_ratio}x its packed size or {max_total:,} bytes): a zip bomb?",
                            file=path,
                            hint="unpack it yourself if you trust the file",
                        )
                    dst.write(chunk)
            if head.startswith(_ZIP_MAGIC) and target.suffix.lower() not in _OFFICE:
                raise _nested(path, info.filename)
        except KoppelError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        except Exception as exc:  # CRC, truncation, a corrupt deflate/LZMA/bzip2 stream, an unknown method
            shutil.rmtree(folder, ignore_errors=True)
            if is_disk_full(exc):
                raise disk_full(exc, folder.parent, f"free space in the temp folder {folder.parent}") from None
            if isinstance(exc, MemoryError):
                raise
            raise _damaged(exc, path, info, written) from None
    SHOWN_AS[str(target)] = f"{path} ({target.name})"
    return target

