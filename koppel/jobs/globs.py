"""File-name globs of job files: matching, and whether two globs can ever match the same name.

A glob is ``fnmatch`` syntax (``*``, ``?``, ``[seq]``, ``[!seq]``), matched case-sensitively against a file
name, so the answer does not depend on the platform. :func:`globs_overlap` decides exactly whether some name
matches both globs (the intersection of two regular languages is empty or not); where two character sets are
too large to compare member by member it answers "overlap", which only ever refuses a job file, never lets
two jobs share an input.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

_ENUMERATE_LIMIT = 4096  # members of a character set compared one by one; beyond, assume the sets meet


def matches(name: str, glob: str) -> bool:
    return fnmatchcase(name, glob)


@dataclass(frozen=True)
class _Class:
    """One position of a glob: any character (``?``/``*``), one literal, or a set ``[...]``/``[!...]``."""

    kind: str  # any | set
    members: frozenset[str] = frozenset()
    ranges: tuple[tuple[str, str], ...] = ()
    negated: bool = False

    def has(self, char: str) -> bool:
        if self.kind == "any":
            return True
        inside = char in self.members or any(lo <= char <= hi for lo, hi in self.ranges)
        return inside != self.negated

    def listed(self) -> list[str] | None:
        """The characters of a positive set, or None when there are too many (or it is negated/any)."""
        if self.kind == "any" or self.negated:
            return None
        chars = set(self.members)
        for lo, hi in self.ranges:
            if ord(hi) - ord(lo) > _ENUMERATE_LIMIT:
                return None
            chars.update(chr(c) for c in range(ord(lo), ord(hi) + 1))
        return sorted(chars)


def _meet(a: _Class, b: _Class) -> bool:
    """Whether some character belongs to both classes."""
    for one, other in ((a, b), (b, a)):
        chars = one.listed()
        if chars is not None:
            return any(other.has(c) for c in chars)
    return True  # any/negated/huge sets: a character outside both negations always exists


def _tokens(glob: str) -> list[_Class | None]:
    """The glob as positions; None stands for ``*``. Follows fnmatch: an unclosed ``[`` is a literal."""
    out: list[_Class | None] = []
    i = 0
    while i < len(glob):
        c = glob[i]
        i += 1
        if c == "*":
            if not out or out[-1] is not None:
                out.append(None)
        elif c == "?":
            out.append(_Class("any"))
        elif c == "[":
            j = i
            if j < len(glob) and glob[j] == "!":
                j += 1
            if j < len(glob) and glob[j] == "]":
                j += 1
            j = glob.find("]", j)
            if j < 0:
                out.append(_Class("set", frozenset("[")))
                continue
            body, i = glob[i:j], j + 1
            negated = body.startswith("!")
            body = body[1:] if negated else body
            members, ranges = set(), []
            k = 0
            while k < len(body):
                if k + 2 < len(body) and body[k + 1] == "-":
                    if body[k] <= body[k + 2]:
                        ranges.append((body[k], body[k + 2]))
                    k += 3
                else:
                    members.add(body[k])
                    k += 1
            out.append(_Class("set", frozenset(members), tuple(ranges), negated))
        else:
            out.append(_Class("set", frozenset(c)))
    return out


def globs_overlap(a: str, b: str) -> bool:
    """True when at least one file name matches both globs (``*`` and ``*.xaf`` do; ``*.csv`` and ``*.xaf`` not)."""
    ta, tb = _tokens(a), _tokens(b)

    def closure(states: set[tuple[int, int]]) -> set[tuple[int, int]]:
        todo = list(states)
        while todo:
            i, j = todo.pop()
            for nxt in ((i + 1, j) if i < len(ta) and ta[i] is None else None,
                        (i, j + 1) if j < len(tb) and tb[j] is None else None):  # fmt: skip
                if nxt is not None and nxt not in states:
                    states.add(nxt)
                    todo.append(nxt)
        return states

    any_char = _Class("any")
    seen: set[tuple[int, int]] = set()
    frontier = closure({(0, 0)})
    while frontier:
        if (len(ta), len(tb)) in frontier:
            return True
        seen |= frontier
        step: set[tuple[int, int]] = set()
        for i, j in frontier:
            if i == len(ta) or j == len(tb):
                continue
            ca, cb = ta[i] or any_char, tb[j] or any_char
            if _meet(ca, cb):
                step.add((i if ta[i] is None else i + 1, j if tb[j] is None else j + 1))
        frontier = closure(step) - seen
    return False
