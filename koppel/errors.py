"""The toolkit's one error type: what is wrong, where, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
        self.file = SHOWN_AS.get(str(self.file), self.file) if self.file is not None else None

    def __str__(self) -> str:
        place = ""
        if self.file is not None:
            place = f"{self.file}:"
            if self.line is not None:
                place += f"{self.line}:"
            place += " "
        field = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{place}{field}{self.message}{hint}"

    def at(self, file: str | Path | None = None, line: int | None = None) -> KoppelError:
        """Return this error with its place filled in where it was still unknown."""
        if self.file is None and file is not None:
            self.file = SHOWN_AS.get(str(file), file)
        if self.line is None and line is not None:
            self.line = line
        return self
