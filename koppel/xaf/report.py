"""What a conversion changed: every value fixed by a documented rule, every element dropped, with counts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import atomic_open


@dataclass
class Change:
    """One kind of change: ``kind`` is "fixed", "added", "dropped" or "moved"."""

    kind: str
    element: str
    rule: str
    count: int = 0


@dataclass
class ConversionReport:
    """Changes keyed by (kind, element, rule), in the order they were first seen."""

    target: str = ""
    source: str = ""
    changes: dict[tuple[str, str, str], Change] = field(default_factory=dict)
    # True when the source file itself was scanned for dropped elements (upgrade report): the writer then
    # leaves out its own model-level "no such element" drops, which the scan already counted exactly
    scanned: bool = False

    def add(self, kind: str, element: str, rule: str, n: int = 1) -> None:
        if n <= 0:
            return
        key = (kind, element, rule)
        change = self.changes.get(key)
        if change is None:
            self.changes[key] = Change(kind, element, rule, n)
        else:
            change.count += n

    def fixed(self, element: str, rule: str, n: int = 1) -> None:
        self.add("fixed", element, rule, n)

    def dropped(self, element: str, rule: str, n: int = 1) -> None:
        self.add("dropped", element, rule, n)

    def dropped_element(self, element: str, rule: str, n: int = 1) -> None:
        """A drop of an element the target has no place for; counted by the source scan when there is one."""
        if not self.scanned:
            self.add("dropped", element, rule, n)

    def added(self, element: str, rule: str, n: int = 1) -> None:
        self.add("added", element, rule, n)

    def count(self, kind: str, element: str | None = None) -> int:
        return sum(c.count for c in self.changes.values() if c.kind == kind and element in (None, c.element))

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes.values() if c.kind == kind]

    def as_dict(self) -> dict:
        out: dict[str, object] = {"source": self.source, "target": self.target}
        for kind in ("dropped", "fixed", "added", "moved"):
            out[kind] = [{"element": c.element, "count": c.count, "rule": c.rule} for c in self.of_kind(kind)]
        out["dropped_total"] = self.count("dropped")
        return out

    def write_json(self, path: str | Path) -> Path:
        with atomic_open(path, "w", encoding="utf-8") as handle:
            json.dump(self.as_dict(), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        return Path(path)

    def lines(self) -> list[str]:
        """The report as console lines, grouped by kind."""
        titles = {
            "dropped": "dropped (the target cannot carry it)",
            "fixed": "fixed by a rule",
            "added": "added (referenced but not defined)",
            "moved": "moved",
        }
        out = []
        for kind, title in titles.items():
            changes = self.of_kind(kind)
            if not changes:
                continue
            out.append(f"{title}:")
            width = max(len(c.element) for c in changes)
            for c in changes:
                out.append(f"  {c.element:<{width}}  {c.count:>9}  {c.rule}")
        return out or ["nothing dropped, fixed or added"]
