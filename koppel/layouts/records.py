"""Record formats rendered by a jinja2 template (Cash ASCII, experimental): the same descriptors, checks and
money proof as the delimited writer; only the bytes come from one isolated template in templates/."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from ..errors import KoppelError
from ..templating import text_templates
from .delimited import DelimitedWriter, Label


class TemplateWriter(DelimitedWriter):
    """Validates like :class:`DelimitedWriter`; writes each row as one record through the template."""

    def __init__(
        self, layout, path, *, template: str, truncate: bool = False, display_name: str | None = None,
        strict: bool = True,
    ):  # fmt: skip
        super().__init__(layout, path, truncate=truncate, display_name=display_name, strict=strict)
        self.template = text_templates().get_template(template)

    def write_arrays(self, arrays: list[pa.Array], label: Label) -> None:
        names = [c.name for c in self.layout.columns]
        columns = [a.to_pylist() for a in arrays]
        records = [
            [(name, value) for name, value in zip(names, row, strict=True) if value not in (None, "")]
            for row in zip(*columns, strict=True)
        ]
        d = self.layout.dialect
        text = self.template.render(records=records).replace("\n", d.line_end)
        try:
            self.handle.write(text.encode(d.encoding))
        except UnicodeEncodeError as exc:
            record = text.count(d.line_end * 2, 0, exc.start)
            raise KoppelError(
                f"{label(record)}: holds {text[exc.start : exc.end]!r}, which {d.encoding} cannot carry",
                file=self.display,
                hint="replace the character in the source",
            ) from None


def record_account_totals(layout, files: dict[str, Path]) -> dict[str, int]:
    """Cents per account read back from written record files (the syntax of templates/cash_ascii.txt.j2:
    ``RRRR value`` per line, a blank line ends a record); change both together."""
    from ..identity import as_read
    from ..money import parse_cents

    totals: dict[str, int] = {}
    for f in [*layout.for_content("opening"), *layout.for_content("entries")]:
        if f.id not in files:
            continue
        account, amount = f.by_source("account_id"), f.by_source("amount")
        rubric = {int(account.name): "account", int(amount.name): "amount"}
        record: dict[str, str] = {}
        lines = files[f.id].read_bytes().decode(f.dialect.encoding).split(f.dialect.line_end)
        for line in [*lines, ""]:
            if not line.strip():
                if record:
                    key = as_read(record.get("account", ""), account.reads_as)
                    text = record.get("amount", "0")
                    cents = int(text) if amount.type == "cents" else parse_cents(text, decimal_mark=f.dialect.decimal)
                    totals[key] = totals.get(key, 0) + cents
                record = {}
                continue
            number, _, value = line.partition(" ")
            if number.isdigit() and int(number) in rubric:
                record[rubric[int(number)]] = value
    return totals
