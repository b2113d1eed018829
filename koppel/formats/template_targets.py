"""Targets filled through a user-exported template: Visma eAccounting (relations) and the generic ``template``.

Visma eAccounting imports customers and suppliers as CSV whose headers, order and coding must match an
export of the register [V VEA]; it has no file import of vouchers. ``--template FILE`` names the exported
customer register, ``--option supplier_template=FILE`` the supplier register (default: the same template).
The generic ``template`` target fills any package's user-defined import definition the same way:
``--option template_content=entries|customers|suppliers|relations``.
"""

from __future__ import annotations

from ..atomic import AtomicDir
from ..errors import KoppelError
from ..writejob import WriteJob, WriteResult
from .entry_rows import out_name
from .template_fill import Template, write_entries, write_relations

CUSTOMERS = ("customer", "both", "other")
SUPPLIERS = ("supplier", "both")


def _template(job: WriteJob, key: str = "template", fallback: str | None = None) -> Template:
    path = job.option(key) or (job.option(fallback) if fallback else None)
    if not path:
        raise KoppelError(
            "this target is filled from a template: export the register (or import layout) from the package",
            field="--template",
            hint="pass it with --template FILE (the CSV with the package's header row)",
        )
    return Template(path)


def _relations_only(adm, job: WriteJob, result: WriteResult, title: str) -> None:
    """Entries cannot go this way: say so before writing anything, unless the user asked for relations only."""
    lines = adm.lines.rows + len(adm.opening_balance)
    if lines and not job.flag("relations_only"):
        raise KoppelError(
            f"{title} takes relations only from a file; this input also holds {lines} entry lines",
            field="relations_only",
            hint="pass --option relations_only=yes to write just the relations (control.json then lists the entries "
            "as not carried), or convert the entries to XAF",
        )
    result.drop("entry lines", lines, f"{title} has no file import of entries")


def _record(result: WriteResult, name: str, assigned: dict[str, str], template: Template, rows: int) -> None:
    if not rows:
        result.notes.append(f"{name} not written: the source has no rows for it")
        return
    result.files.append(name)
    empty = [c for c in template.columns if c not in assigned]
    if empty:
        result.drop(
            f"{name}: columns left empty", len(empty), "koppel does not know what they hold: " + ", ".join(empty)
        )
    result.notes.append(f"{name}: {rows} rows; columns filled: " + ", ".join(f"{c} ← {f}" for c, f in assigned.items()))


def _instructions(out: AtomicDir, job: WriteJob, target: str, result: WriteResult, templates: dict) -> None:
    from .instructions import render_instructions

    lines = []
    for name, (template, assigned) in templates.items():
        lines.append(
            f"**{name}** — sjabloon `{template.path.name}` ({template.encoding}"
            f"{' met BOM' if template.bom else ''}, scheidingsteken `{template.delimiter}`):\n"
        )
        lines.append("| kolom in het sjabloon | gevuld met |\n|---|---|")
        lines += [f"| {c} | {assigned.get(c, '— (leeg)')} |" for c in template.columns]
        lines.append("")
    definition = {"definition": "\n".join(lines)}
    result.files.append(render_instructions(out, job, target, list(templates), result, definition))


def write_visma(adm, out: AtomicDir, job: WriteJob) -> WriteResult:
    result = WriteResult()
    _relations_only(adm, job, result, "Visma eAccounting")
    customers = _template(job)
    suppliers = _template(job, "supplier_template", "template")
    done: dict = {}
    ids: set[str] = set()
    for template, kinds, content in ((customers, CUSTOMERS, "klanten"), (suppliers, SUPPLIERS, "leveranciers")):
        name = out_name(job, "visma", content, "csv")
        name, assigned, rows = write_relations(out, job, template, kinds, name, result)
        _record(result, name, assigned, template, rows)
        if rows:
            done[name] = (template, assigned)
        rel = job.relations()
        ids |= set(rel.loc[rel["kind"].isin(kinds) | rel["kind"].isna(), "relation_id"].dropna()) if rows else set()
    result.counts["relations"] = len(ids)
    result.drop("accounts", len(adm.accounts), "Visma eAccounting: the chart of accounts is not imported from a file")
    _instructions(out, job, "visma-eaccounting", result, done)
    return result


def write_template(adm, out: AtomicDir, job: WriteJob) -> WriteResult:
    result = WriteResult()
    content = str(job.option("template_content", "entries"))
    template = _template(job)
    name = out_name(job, "template", content, "csv")
    if content == "entries":
        name, assigned, rows = write_entries(out, job, template, name, result)
        result.drop("relations", len(adm.relations), "the template target writes one file; run it again for relations")
    elif content in ("customers", "suppliers", "relations"):
        _relations_only(adm, job, result, "A relations template")
        kinds = {"customers": CUSTOMERS, "suppliers": SUPPLIERS, "relations": CUSTOMERS + SUPPLIERS}[content]
        name, assigned, rows = write_relations(out, job, template, kinds, name, result)
        result.counts["relations"] = rows
    else:
        raise KoppelError(f"template_content={content!r}", field="template_content",
                          hint="use entries, customers, suppliers or relations")  # fmt: skip
    _record(result, name, assigned, template, rows)
    _instructions(out, job, "template", result, {name: (template, assigned)} if rows else {})
    return result
