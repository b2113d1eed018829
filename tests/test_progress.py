"""Long reads show progress on stderr when it is a terminal, and nothing otherwise."""

from __future__ import annotations

import io

from koppel.progress import ProgressBar
from koppel.synthetic import write_synthetic_xaf
from koppel.xaf import read_xaf


def test_progress_reaches_the_end_of_the_file(tmp_path):
    path = write_synthetic_xaf(tmp_path / "p.xaf", lines=3000, version="3.2", seed=7)
    stream = io.StringIO()
    bar = ProgressBar(path.stat().st_size, label="reading", stream=stream, force=True)
    seen: list[int] = []

    def progress(done: int) -> None:
        seen.append(done)
        bar(done)

    adm = read_xaf(path, progress=progress)
    bar.close()
    assert adm.stats.lines == 3000
    assert seen == sorted(seen) and seen[-1] == path.stat().st_size
    assert "100%" in stream.getvalue()


def test_no_progress_when_not_a_terminal(tmp_path):
    stream = io.StringIO()  # isatty() is False
    bar = ProgressBar(1000, stream=stream)
    bar(500)
    bar(1000)
    bar.close()
    assert stream.getvalue() == ""
