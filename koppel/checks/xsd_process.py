"""The streaming XSD validation of a large auditfile as a command of its own: ``python -m koppel.checks.xsd_process
FILE SCHEMA [--translate] [--encoding E]`` prints the first schema error as JSON (``null`` when valid).

Its own interpreter, started by :class:`koppel.checks.xsd.ParallelValidation` beside the content pass: it imports
lxml and the XSD layer only (about 20 MB), where a forked copy of the checker mapped all of its pages, and unlike
``multiprocessing``'s spawn it never imports the caller's main script again (a script without a
``__name__ == "__main__"`` guard would run twice).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from functools import partial
from pathlib import Path

from .source import open_for_parser
from .xsd import stream_validate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m koppel.checks.xsd_process")
    ap.add_argument("file", type=Path)
    ap.add_argument("schema", type=Path)
    ap.add_argument("--translate", action="store_true", help="CR-only line ends: read CR as LF")
    ap.add_argument("--encoding")
    args = ap.parse_args(argv)
    err = stream_validate(partial(open_for_parser, args.file, args.translate), args.schema, args.encoding)
    json.dump(asdict(err) if err is not None else None, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
