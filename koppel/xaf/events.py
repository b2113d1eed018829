"""The one content pass over an auditfile: every consumer of XAF content subscribes to it.

The reader's builder, the checker's scanner and the RGS chart reader do not parse the file themselves: each
subscribes handlers by local element name to a :class:`RecordPass`, which owns the only content ``iterparse``.
When a subscribed element ends, its handlers run in subscription order; then the pass frees it (``clear()`` and
removed from its parent), so memory does not grow with the file. A handler's answer decides:

- ``None``: done with it, free it;
- :data:`KEEP` (``False``): keep it in the tree, e.g. a field of a record not yet ended, or a container whose
  unread content another consumer counts at the end (KEEP of any handler wins);
- :data:`PAUSE` (``True``): free it, then :meth:`RecordPass.run` yields, so a consumer that is pulled (the
  reader's batches) can hand over what it gathered.

A consumer that counts what is left of the tree at the end (the builder's "not carried") subscribes with
``keeps_unread=True``: elements other consumers subscribe to and it does not are then kept for it.

The source is an :class:`~koppel.xaf.source.XafSource` (:func:`open_source`): CR-only line ends become LF, so
line numbers are right, and a namespace declared once on the root is dropped, so tags are short local names.
:attr:`RecordPass.ns` is the prefix tags carry in this pass ("" when dropped or when there is no namespace).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

from lxml import etree

from .safety import parser_options
from .source import XafSource, namespace_only_once
from .versions import XafFile

KEEP = False
PAUSE = True

Handler = Callable[[Any], "bool | None"]


def open_source(
    info: XafFile, progress: Callable[[int], None] | None = None, data: bytes | BinaryIO | None = None
) -> XafSource:
    """The bytes to parse: the file (namespace dropped where that cannot change its meaning) or ``data``.

    ``data`` is a piece of the file already without namespace, as bytes or a stream (see ``parallel.py``).
    """
    if data is not None:
        source = XafSource(io.BytesIO(data) if isinstance(data, bytes) else data, None, None)
        source.stripped = True
        return source
    strip = info.namespace is not None and namespace_only_once(info.path, info.namespace)
    return XafSource(open(info.path, "rb"), info.namespace if strip else None, progress)


class RecordPass:
    """One streaming pass over ``source``; consumers :meth:`subscribe`, then :meth:`run` drives them."""

    def __init__(
        self,
        source: XafSource,
        namespace: str | None,
        *,
        encoding: str | None = None,
        huge_tree: bool = False,
        stop_at: str | None = None,
    ) -> None:
        """``namespace``: the file's; ``stop_at``: a local name whose start ends the pass (the rest is not parsed)."""
        self.source = source
        self.ns = f"{{{namespace}}}" if namespace and not source.stripped else ""
        self.encoding = encoding
        self.huge_tree = huge_tree
        self.stop_at = stop_at
        self.root = None  # what is left of the tree when the pass has ended
        self._consumers: list[tuple[Mapping[str, Handler], bool]] = []

    def tag(self, local: str) -> str:
        """The tag of a local name as this pass sees it."""
        return self.ns + local

    def subscribe(self, handlers: Mapping[str, Handler], *, keeps_unread: bool = False) -> None:
        """Add one consumer's handlers by local name; ``keeps_unread``: it reads what is left of the tree at the end."""
        self._consumers.append((dict(handlers), keeps_unread))

    def _dispatch(self) -> dict[str, Handler]:
        """One callable per tag: the handler itself where one consumer has the tag (the hot path), else a fan-out."""
        by_tag: dict[str, list[Handler]] = {}
        for handlers, _keeps in self._consumers:
            for local, handler in handlers.items():
                by_tag.setdefault(self.ns + local, []).append(handler)
        dispatch: dict[str, Handler] = {}
        for tag, handlers in by_tag.items():
            local = tag[len(self.ns) :]
            veto = any(keeps and local not in own for own, keeps in self._consumers)
            dispatch[tag] = handlers[0] if len(handlers) == 1 and not veto else _fan_out(handlers, veto)
        return dispatch

    def run(self) -> Iterator[None]:
        """Parse to the end (or to ``stop_at``), handing each subscribed element to its handlers; yields after a
        record a handler answered :data:`PAUSE`. The source is closed when the pass ends, however it ends."""
        dispatch = self._dispatch()
        tags = list(dispatch)
        events: tuple[str, ...] = ("end",)
        stop_tag = None
        if self.stop_at is not None:
            stop_tag = self.ns + self.stop_at
            tags.append(stop_tag)
            events = ("start", "end")
        context = etree.iterparse(
            self.source, events=events, tag=tags, encoding=self.encoding, **parser_options(self.huge_tree)
        )
        try:
            if stop_tag is None:
                for _event, elem in context:
                    answer = dispatch[elem.tag](elem)
                    if answer is False:
                        continue
                    elem.clear()
                    parent = elem.getparent()
                    if parent is not None:
                        parent.remove(elem)
                    if answer:
                        yield
            else:
                for event, elem in context:
                    if event == "start":
                        if elem.tag == stop_tag:
                            break
                        continue
                    handler = dispatch.get(elem.tag)
                    if handler is None or handler(elem) is False:
                        continue
                    elem.clear()
                    parent = elem.getparent()
                    if parent is not None:
                        parent.remove(elem)
            self.root = context.root
        finally:
            self.source.close()

    def run_to_end(self) -> None:
        """:meth:`run` for consumers that are pushed only (nobody pulls between records)."""
        for _ in self.run():
            pass


def _fan_out(handlers: list[Handler], veto: bool) -> Handler:
    """Several consumers' handlers of one tag, in subscription order; KEEP (or ``veto``) outranks PAUSE."""

    def fan(elem) -> bool | None:
        keep, pause = veto, False
        for handler in handlers:
            answer = handler(elem)
            if answer is False:
                keep = True
            elif answer:
                pause = True
        return KEEP if keep else (PAUSE if pause else None)

    return fan
