"""Examples and exit codes shown under each command's --help (click's epilog), kept as data in one place.

The group attaches them when a command is loaded (:func:`attach`), so command modules stay as they are.
Every command has an entry; ``tests/test_help.py`` fails for a command without examples or exit codes.
"""

from __future__ import annotations

import click

ALWAYS = "3 a bug in koppel (please report it), 130 Ctrl-C, 143 SIGTERM"
BAD = "2 a problem you can fix: a missing or unreadable input, a bad option, an output that exists"

# command path (without 'koppel') -> (examples as (command, what it does), exit codes before ALWAYS)
EPILOGS: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "inspect": (
        (("koppel inspect 2024.xaf", "version, producer, counts, totals"),
         ("koppel inspect kassa.csv --profile pos-z --json", "the same facts as JSON on stdout"),),
        f"0 done, {BAD}",
    ),
    "export": (
        (("koppel export 2024.xaf -o tabellen", "one CSV per canonical table, and summary.json"),
         ("koppel export 2024.xaf -o tabellen --format xlsx", "the tables as Excel workbooks"),),
        f"0 done, {BAD}",
    ),
    "formats": (
        (("koppel formats", "every format: reads, writes, evidence"),
         ("koppel formats minox", "one format, with the --option and --read-option keys it takes"),),
        "0 done, 2 an unknown format name",
    ),
    "convert": (
        (("koppel convert 2024.xaf --to minox -o minox", "import files and control.json in the new folder minox"),
         ("koppel convert 2024.xaf --to minox -o minox --strict", "refuse instead of adapting numbers and codes"),
         ("koppel convert 2024.xaf --to twinfield --option office=NL001 -o tw", "a target option"),),
        f"0 done (money in = money out per account), 1 a money difference (see control.json), {BAD}",
    ),
    "mapping": (
        (("koppel mapping init 2024.xaf --to minox -o mapping.toml", "a starter mapping to review"),),
        f"0 done, {BAD}",
    ),
    "mapping init": (
        (("koppel mapping init 2024.xaf --to minox -o mapping.toml", "every code the file uses, with minox's limits"),
         ("koppel mapping init 2024.xaf --to xaf40 --rgs RGS_3.8.xlsx -o m.toml", "with an RGS code per account"),),
        f"0 done, {BAD}",
    ),
    "run": (
        (("koppel run jobs.toml", "convert every new file in the job's inboxes once"),
         ("koppel run jobs.toml --dry-run", "list what would be done"),),
        "0 every input done, 1 an input was quarantined, 2 the job file is unusable",
    ),
    "watch": (
        (("koppel watch jobs.toml", "process new drops as they arrive, until Ctrl-C"),
         ("koppel watch jobs.toml --interval 300 --max-runs 12", "every 5 minutes, for an hour"),),
        "after --max-runs: 0 nothing quarantined, 1 an input was quarantined; 2 the job file is unusable",
    ),
    "openitems": (
        (("koppel openitems 2024.xaf -o open.xlsx", "open items at the end of the year"),
         ("koppel openitems 2024.xaf --at 30-06-2024 -o open.csv", "at a date (31-12-2024 or 2024-12-31)"),
         ("koppel openitems 2024.xaf --invoices facturen.csv -o status.csv", "payment status of invoices"),),
        f"0 done (a difference with the control account is reported, not an error), {BAD}",
    ),
    "check": (
        (("koppel check 2024.xaf", "the verdict and one row per rule code"),
         ("koppel check 2024.xaf --html rapport.html --xlsx rapport.xlsx", "reports for the file"),
         ("koppel check *.xaf --report-dir rapporten --fail-on warning", "several files, strict exit code"),
         ("koppel check 2024.xaf --json - | jq .verdict", "the result as JSON on stdout"),
         ("koppel codes", "what every rule code means"),),
        "0 no finding at --fail-on, 1 a finding at --fail-on (default: error), "
        "2 a file cannot be used at all (ONBRUIKBAAR), is missing, or an option is wrong",
    ),
    "codes": (
        (("koppel codes", "every code, its severity, what is wrong and the tip"),
         ("koppel codes --json", "the same as JSON on stdout (code, severity, title, hint)"),
         ("koppel codes --markdown", "the table of docs/codes.md"),),
        "0 done",
    ),
    "profile": (
        (("koppel profile list", "the built-in profiles"),
         ("koppel profile check kassa.csv --profile pos-z", "what a profile makes of an export"),),
        f"0 done, {BAD}",
    ),
    "profile list": ((("koppel profile list", "name, evidence and title of each built-in profile"),), "0 done"),
    "profile show": (
        (("koppel profile show pos-z > mijn-kassa.toml", "a built-in profile to copy and adapt"),),
        "0 done, 2 an unknown profile",
    ),
    "profile init": (
        (("koppel profile init export.csv -o mijn-export.toml", "a starter profile; decide every DECIDE line"),),
        f"0 done, {BAD}",
    ),
    "profile check": (
        (("koppel profile check kassa.csv --profile pos-z", "entries, totals, held-back and skipped rows"),
         ("koppel profile check kassa.csv --profile pos-z --until 02-03-2024 --aggregate day", "one entry a day"),),
        f"0 done, {BAD}",
    ),
    "relations": (
        (("koppel relations export 2024.xaf -o relaties.xlsx", "the relations of an auditfile, checked"),),
        f"0 done, 1 error findings (--fail-on), {BAD}",
    ),
    "relations convert": (
        (("koppel relations convert relaties.xlsx --to xlsx -o gecontroleerd.xlsx", "the list, checked"),
         ("koppel relations convert relaties.xlsx --to minox -o minox", "relations for a package"),),
        f"0 done, 1 a finding at --fail-on in a list, or a money difference for a package, {BAD}",
    ),
    "relations export": (
        (("koppel relations export 2024.xaf -o relaties.xlsx", "sheets Relaties and Bevindingen"),
         ("koppel relations export 2024.xaf -o relaties.csv --fail-on warning", "CSV, strict exit code"),),
        f"0 no finding at --fail-on, 1 a finding at --fail-on (the list is written all the same), {BAD}",
    ),
    "serve": (
        (("koppel serve --open", "the web app on http://127.0.0.1:8765 in your browser"),
         ("koppel serve --port 9000 --jobs jobs.toml", "another port, with a job file's runs"),),
        "0 stopped, 2 the port is taken or an option is wrong",
    ),
}


def epilog(path: str) -> str | None:
    """The epilog for the command ``path`` ("relations export"), or None when it has none."""
    entry = EPILOGS.get(path)
    if entry is None:
        return None
    examples, exits = entry
    lines = ["\b", "Examples:"]
    for cmd, what in examples:
        lines += [f"  {cmd}", f"      {what}"]
    return "\n".join([*lines, "", f"Exit codes: {exits}; {ALWAYS}."])


def attach(command: click.Command, path: str) -> None:
    """Give ``command`` and its subcommands their epilogs (once; a command's own epilog is kept)."""
    if not command.epilog:
        command.epilog = epilog(path)
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            attach(sub, f"{path} {name}")
