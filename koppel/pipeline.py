"""``koppel convert``: read any input, map its codes, check every entry balances, write a target, prove
that nothing was lost (control.json).

The pipeline runs a conversion; the writers only see its contract (``koppel/writejob.py``). ``convert``
reads the input, prepares a :class:`~koppel.writejob.WriteJob`, calls the target's writer, then writes
control.json (money in vs money out per source account, counts in/out, mappings applied, what the target
cannot carry) and returns :class:`ConvertResult`; ``equal`` False means exit 1.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .adapt import GENERATED_NAME, generated_mapping_text
from .atomic import AtomicDir
from .errors import SHOWN_AS, KoppelError
from .identity import first_merge, merge_error
from .mapping import Mapping
from .model import Administration
from .provenance import CONTROL_SCHEMA_VERSION, stamp
from .registry import get_format, read_result, target_format
from .summary import company_facts, software_facts
from .writejob import CONTROL_NAME, WriteJob, WriteResult

__all__ = ["CONTROL_NAME", "ConvertResult", "control_path_for", "convert", "parse_options"]


@dataclass
class ConvertResult:
    target: str
    output: Path
    files: list[Path]
    control_path: Path
    control: dict
    # ids of the source rows booked and rows left out as booked before (readers that track row ids)
    row_ids: tuple[str, ...] = ()
    rows_skipped: int = 0

    @property
    def equal(self) -> bool:
        return bool(self.control["money"]["equal"])


def admin_name(adm: Administration, input_path: Path) -> str:
    """A file-name-safe administration name: company id or name, else the input's stem."""
    raw = adm.header.company_id or adm.header.company_name or input_path.stem
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", str(raw)).strip("_")
    return name[:40] or "administratie"



def parse_options(pairs: list[str] | tuple[str, ...], field: str = "--option") -> dict[str, str]:
    """``KEY=VALUE`` strings (from --option or --read-option) as a dict."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise KoppelError(f"{field} {pair!r} is not KEY=VALUE", field=field, hint=f"e.g. {field} truncate=yes")
        out[key.strip().replace("-", "_")] = value.strip()
    return out


def control_path_for(target_output: str, output: Path) -> Path:
    """Where control.json goes: in the folder, or beside a single output file as NAME.control.json."""
    if target_output == "file":
        return output.with_name(output.stem + ".control.json")
    return output / CONTROL_NAME


def convert(
    input_path: str | Path,
    to: str,
    output: str | Path,
    *,
    from_format: str | None = None,
    mapping: str | Path | Mapping | None = None,
    strict_mapping: bool = False,
    options: dict | None = None,
    reader_options: dict | None = None,
) -> ConvertResult:
    """Convert ``input_path`` to target ``to`` in ``output``; all files appear together, or none.

    ``reader_options`` go to the reader (e.g. ``encoding``, ``profile``); ``options`` to the writer.
    """
    input_path = Path(input_path)
    output = Path(output)
    info = target_format(to)
    # a Mapping object is copied: applying it records what it did, and adaptation adds generated codes
    maps = copy.deepcopy(mapping) if isinstance(mapping, Mapping) else Mapping.load(mapping, strict=strict_mapping)
    maps.strict = maps.strict or strict_mapping
    kind = getattr(info, "output", "folder")
    if kind == "folder" and output.exists() and not output.is_dir():
        raise KoppelError("the output path exists and is not a folder", file=output, hint="-o names a folder")
    if kind == "file" and output.is_dir():
        raise KoppelError("the output path is a folder; this target writes one file", file=output)
    from .archive import extract_single, is_zip_input

    given_path = input_path  # what control.json names (the .zip, not its temp copy)
    if is_zip_input(input_path):  # later passes (open items, XAF 4.0 upgrade) re-read the unpacked file
        input_path = extract_single(input_path)
    from .xaf.consumers import wanted_in_pass

    open_items = bool((options or {}).get("opening_with_open_items"))
    keep = info.upgrade_report and (options or {}).get("keep_dropped") not in (None, False, "")  # as its writer
    with wanted_in_pass(dropped_in_40=info.upgrade_report, dropped_rows=keep, subledgers=open_items):  # one pass
        source = read_result(input_path, from_format, **(reader_options or {}))
    folder = output if kind == "folder" else (output.parent if str(output.parent) else Path("."))
    job = WriteJob(
        source.adm,
        to,
        output,
        maps,
        dict(options or {}),
        admin_name(source.adm, input_path),
        source_path=input_path,
        read_options=reader_options,
        balance_hint=source.balance_hint,
        extras=source.extras,
    )
    job.prepare()  # the administration steps: open-items opening, RGS codes, adaptation (koppel/preparation.py)
    adm = job.adm
    control_path = control_path_for(kind, output)
    with AtomicDir(folder) as out:
        try:
            result = info.writer(adm, out, job)
            if job.entry_numbers:
                name = "boekstuknummers.csv" if kind == "folder" else output.stem + ".boekstuknummers.csv"
                job.renumbering.write_table(out.path(name))
                result.files.append(name)
                result.notes.append(
                    f"{job.entry_numbers} entries renumbered per journal; old and new numbers in {name}"
                )
                if job.plan is not None and job.plan.renumber:
                    job.adaptations.append(
                        {
                            "what": "entry numbers",
                            "count": job.entry_numbers,
                            "how": f"{job.plan.renumber}: numbered 1..n per journal; old → new in {name}",
                        }
                    )
            if not job.strict and job.plan is not None and job.plan.anything_generated:
                name = GENERATED_NAME if kind == "folder" else f"{output.stem}.{GENERATED_NAME}"
                text = generated_mapping_text(job.mapping, job.plan, info.name, Path(given_path).name)
                out.path(name).write_text(text, encoding="utf-8")
                result.files.append(name)
            control = stamp(build_control(adm, job, result, given_path, info.name), given_path,
                            schema_version=CONTROL_SCHEMA_VERSION)  # fmt: skip
            tmp = out.path(control_path.name)
            tmp.write_text(json.dumps(control, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except KoppelError as exc:
            raise without_temp_names(exc, out) from None
        files = [folder / name for name in result.files]
    row_ids = tuple(source.row_ids or ())
    return ConvertResult(to, output, [*files, control_path], control_path, control, row_ids, source.rows_skipped)


def without_temp_names(exc: KoppelError, out: AtomicDir) -> KoppelError:
    """The error as the user should see it: outputs named as they will be called, never as hidden temp files."""
    if exc.file is not None:
        exc.file = out.hide_temp_names(str(exc.file))
    exc.message = out.hide_temp_names(exc.message)
    if exc.hint:
        exc.hint = out.hide_temp_names(exc.hint)
    return exc


def build_control(adm: Administration, job: WriteJob, result: WriteResult, input_path: Path, target: str) -> dict:
    """control.json: money in vs money out per source account, counts in/out, mappings, what was not carried."""
    if not job._lines_done:  # a writer that skipped the lines must show up as money not written
        for _batch in job.lines():
            pass
    source_cents = dict(job.source_cents)
    if adm.header.opening_source == "openingBalance":
        ob = adm.opening_balance
        for key, value in ob["amount"].groupby(ob["account_id"].fillna(""), sort=False).sum().items():
            source_cents[key] = source_cents.get(key, 0) + int(value)
    source = dict(sorted(source_cents.items()))
    written = dict(sorted(result.written_cents_by_account.items()))
    keys = sorted(set(source) | set(written))
    differences = {
        k: {"in": source.get(k, 0), "out": written.get(k, 0)} for k in keys if source.get(k, 0) != written.get(k, 0)
    }
    money: dict[str, object] = {
        "source_cents_by_account": source,
        "written_cents_by_account": written,
        "differences": differences,
    }
    equal = not differences
    if result.read_back is not None:
        back = result.read_back()
        tally = result.written_cents_by_target
        tkeys = sorted(set(back) | set(tally))
        back_diff = {
            k: {"written": tally.get(k, 0), "read_back": back.get(k, 0)}
            for k in tkeys
            if tally.get(k, 0) != back.get(k, 0)
        }
        money["read_back"] = {
            "equal": not back_diff,
            "differences": back_diff,
            "cents_by_account": dict(sorted(back.items())),  # as the package reads the ids
        }
        equal = equal and not back_diff
    if "w" not in get_format(target).carries.get("entries", "w") and not written:
        # a relations-only target (Visma eAccounting, templates): there is no money to compare; the entry
        # lines it could not take are listed under not_carried by the writer, with their count
        money["applicable"] = False
        money["why"] = f"{target} imports no entries: money is not carried, see not_carried"
        equal = True
    merged = first_merge(result.account_ids)
    if merged is not None:
        written_id, ids = merged
        taken = {m for _s, m, _t in result.account_ids} | {t for _s, _m, t in result.account_ids}
        raise merge_error("account", "accounts", get_format(target).title, written_id, ids, taken, "number")
    money["equal"] = equal
    relations_in = len(adm.relations)
    accounts_in = len(adm.accounts)
    not_carried = list(result.not_carried)
    for what, n in sorted(adm.not_carried.items()):
        why = adm.not_carried_why.get(what, "not part of the canonical model")
        not_carried.append({"what": f"source: {what}", "count": n, "why": why})
    if adm.header.rgs_version and not get_format(target).rgs_version:  # a field for the RGS release
        why = f"{target} has no field for the RGS version"
        not_carried.append({"what": "header: RGSVersion", "count": 1, "why": why})
    return {
        "target": target,
        "source": {
            "file": SHOWN_AS.get(str(input_path), str(input_path)),  # "stdin", never its temp copy
            "format": adm.header.source_format,
            "version": adm.header.source_version,
            "software": software_facts(adm.header),  # the shape of inspect, check and run
            "company": company_facts(adm.header),
            "opening_source": adm.header.opening_source,
        },
        "money": money,
        "counts": {
            "entries": [job.counts_in["entries"] + (1 if _ob_lines(adm) else 0), result.counts.get("entries", 0)],
            "lines": [job.counts_in["lines"] + _ob_lines(adm), result.counts.get("lines", 0)],
            "relations": [relations_in, result.counts.get("relations", 0)],
            "accounts": [accounts_in, result.counts.get("accounts", 0)],
        },
        "files": result.files,
        "strict": job.strict,
        "adaptations": [*job.adaptations, *result.adaptations],
        "mappings_applied": job.mapping.report(),
        "not_carried": not_carried,
        "notes": result.notes,
        **({"unknown_codes": adm.unknown_codes} if adm.unknown_codes else {}),
        "preparation": [{"step": name, **done} for name, done in job.preparation.items()],
    }


def _ob_lines(adm: Administration) -> int:
    """Opening-balance lines that are not already among the entry lines (they become one opening entry)."""
    return len(adm.opening_balance) if adm.header.opening_source == "openingBalance" else 0

