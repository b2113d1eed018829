"""The toolkit's one error type: what is wrong, where, and how to fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Line breaks end the line; other control characters (a terminal escape from a hostile file) and the bidi
# overrides that reorder what a terminal shows are written as escapes.
_BREAKS = re.compile(r"\s*[\r\n\x0b\x0c\x85\u2028\u2029]+\s*")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` as one printable line: an error message must never span lines or drive the terminal."""
    return _CONTROLS.sub(_escape, _BREAKS.sub(" ", text.strip()))


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def remedy(hint: str | None, after: str = "") -> str:
    """How to fix it, after what is wrong (``after``): in brackets, or after a dash when the hint has brackets of
    its own or the message already ends in brackets (never "(… (…))" nor "(libxml2 …) (remedy)": brackets in a
    row or nested hide where the remedy starts)."""
    if not hint or not hint.strip():
        return ""
    hint = hint.strip()
    brackets = "(" in hint or ")" in hint or after.rstrip().endswith(")")
    return f" — {hint}" if brackets else f" ({hint})"


# Files koppel made for the user's (a zip's member unpacked into a temp folder) -> how to name them in errors:
# the user never sees a temp path (see koppel/archive.py).
SHOWN_AS: dict[str, str] = {}


@dataclass
class KoppelError(Exception):
    """A problem with the input or the request that the user can fix.

    The CLI prints it as one line (``koppel: FILE:LINE: field: message (hint)``) and exits 2.
    """

    message: str
    file: str | Path | None = None
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)
        if self.hint is None and self.message == "file not found":  # the one remedy for every input not there
            self.hint = "check the name and the folder"
        self.file = SHOWN_AS.get(str(self.file), self.file) if self.file is not None else None

    def __str__(self) -> str:
        place = ""
        if self.file is not None:
            place = f"{self.file}:"
            if self.line is not None:
                place += f"{self.line}:"
            place += " "
        field = f"{self.field}: " if self.field else ""
        message = self.message.strip()
        return one_line(f"{place}{field}{message}{remedy(self.hint, message)}")

    def at(self, file: str | Path | None = None, line: int | None = None) -> KoppelError:
        """Return this error with its place filled in where it was still unknown."""
        if self.file is None and file is not None:
            self.file = SHOWN_AS.get(str(file), file)
        if self.line is None and line is not None:
            self.line = line
        return self
