"""Record formats rendered by a jinja2 template (Cash ASCII, experimental): the same descriptors, checks and
money proof as the delimited writer; only the bytes come from one isolated template in templates/."""

from __future__ import annotations

import pyarrow as pa

from ..errors import KoppelError
from ..templating import text_templates
from .delimited import DelimitedWriter, Label


class TemplateWriter(DelimitedWriter):
    """Validates like :class:`DelimitedWriter`; writes each row as one record through the template."""

    def __init__(self, layout, path, *, template: str, truncate: bool = False, display_name: str | None = None):
        super().__init__(layout, path, truncate=truncate, display_name=display_name)
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
