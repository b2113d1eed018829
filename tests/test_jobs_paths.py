"""A job touches only files inside its folder: globs name files, not folders; links out are never followed;
two jobs never claim the same input. Run on a real temp folder (symlinks, renames)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from koppel.cli import main
from koppel.errors import KoppelError
from koppel.jobs import run_job_file
from koppel.jobs.config import load_job_file
from koppel.jobs.globs import globs_overlap
from koppel.synthetic import write_synthetic_xaf


def job_with_link_out(tmp_path: Path, job: str) -> tuple[Path, Path]:
    """A job folder whose inbox holds ``evil``, a symlink to a folder of auditfiles outside the job."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write_synthetic_xaf(outside / "secret.xaf", lines=8, seed=3)
    root = tmp_path / "client"
    (root / "inbox").mkdir(parents=True)
    os.symlink(outside, root / "inbox" / "evil")
    (root / "job.toml").write_text(f'[[job]]\nname = "xaf"\ninbox = "inbox"\ntarget = "csv"\n{job}\n', "utf-8")
    return root, outside


@pytest.mark.parametrize("glob", ["evil/*.xaf", "*/*.xaf", "evil\\\\*.xaf"])
def test_a_glob_through_a_folder_is_refused_and_nothing_outside_moves(tmp_path, capsys, glob):
    root, outside = job_with_link_out(tmp_path, f'glob = "{glob}"')
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(root / "job.toml"), "--workers", "0"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1
    assert "job 'xaf'.glob: glob must be a pattern for file names, without folders" in err
    assert sorted(p.name for p in outside.iterdir()) == ["secret.xaf"]
    assert not (root / "archive").exists()


def test_recursive_never_enters_a_symlinked_folder(tmp_path):
    root, outside = job_with_link_out(tmp_path, 'glob = "*.xaf"\nrecursive = true')
    (root / "inbox" / "2024").mkdir()
    write_synthetic_xaf(root / "inbox" / "2024" / "own.xaf", lines=8, seed=1)
    report = run_job_file(root / "job.toml", workers=0)
    assert [(o.name, o.action) for o in report.outcomes] == [("own.xaf", "converted")]
    assert sorted(p.name for p in outside.iterdir()) == ["secret.xaf"]
    assert sorted(p.name for p in (root / "archive").iterdir()) == ["own.xaf"]


def test_recursive_refuses_a_file_link_pointing_out_without_touching_its_target(tmp_path):
    root, outside = job_with_link_out(tmp_path, 'glob = "*.xaf"\nrecursive = true')
    (root / "inbox" / "sub").mkdir()
    os.symlink(outside / "secret.xaf", root / "inbox" / "sub" / "linked.xaf")
    report = run_job_file(root / "job.toml", workers=0)
    assert [(o.name, o.action) for o in report.outcomes] == [("linked.xaf", "quarantined")]
    assert "symlink pointing outside the inbox" in report.outcomes[0].error
    assert (outside / "secret.xaf").is_file() and not (outside / "secret.xaf").is_symlink()
    assert (root / "quarantine" / "linked.xaf").is_symlink()


def test_without_recursive_only_files_directly_in_the_inbox_are_taken(tmp_path):
    root = tmp_path / "client"
    (root / "inbox" / "sub").mkdir(parents=True)
    write_synthetic_xaf(root / "inbox" / "top.xaf", lines=8, seed=1)
    write_synthetic_xaf(root / "inbox" / "sub" / "deep.xaf", lines=8, seed=2)
    (root / "job.toml").write_text('[[job]]\ninbox = "inbox"\nglob = "*.xaf"\ntarget = "csv"\n', "utf-8")
    report = run_job_file(root / "job.toml", workers=0)
    assert [o.name for o in report.outcomes] == ["top.xaf"]
    assert (root / "inbox" / "sub" / "deep.xaf").is_file()


TWO_JOBS = """
[[job]]
name = "all"
inbox = "inbox"
glob = "{a}"
target = "csv"
outbox = "out-all"

[[job]]
name = "xaf"
inbox = "inbox"
glob = "{b}"
target = "csv"
outbox = "out-xaf"
"""


def test_two_jobs_with_overlapping_globs_on_one_inbox_are_refused_before_anything_moves(tmp_path, capsys):
    (tmp_path / "inbox").mkdir()
    write_synthetic_xaf(tmp_path / "inbox" / "drop.xaf", lines=8, seed=1)
    (tmp_path / "job.toml").write_text(TWO_JOBS.format(a="*", b="*.xaf"), "utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(tmp_path / "job.toml"), "--workers", "0"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1
    assert "jobs 'all' and 'xaf' both claim the files matching '*' and '*.xaf'" in err
    assert (tmp_path / "inbox" / "drop.xaf").is_file()
    assert not (tmp_path / "out-all").exists() and not (tmp_path / "out-xaf").exists()


def test_two_jobs_with_disjoint_globs_share_an_inbox(tmp_path):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "job.toml").write_text(TWO_JOBS.format(a="*.csv", b="*.xaf"), "utf-8")
    assert [j.name for j in load_job_file(tmp_path / "job.toml").jobs] == ["all", "xaf"]


def test_a_recursive_job_above_another_jobs_inbox_is_refused(tmp_path):
    (tmp_path / "inbox" / "xaf").mkdir(parents=True)
    text = TWO_JOBS.format(a="*", b="*.xaf")
    text = text.replace('glob = "*"\n', 'glob = "*"\nrecursive = true\n').replace(
        'inbox = "inbox"\nglob = "*.xaf"', 'inbox = "inbox/xaf"\nglob = "*.xaf"'
    )
    (tmp_path / "job.toml").write_text(text, "utf-8")
    with pytest.raises(KoppelError, match="both claim"):
        load_job_file(tmp_path / "job.toml")


def test_an_inbox_that_is_another_jobs_archive_is_refused(tmp_path):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "archive").mkdir()
    text = TWO_JOBS.format(a="*.csv", b="*.xaf").replace('inbox = "inbox"\nglob = "*.xaf"',
                                                         'inbox = "archive"\nglob = "*.xaf"\narchive = "old"')
    (tmp_path / "job.toml").write_text(text, "utf-8")
    with pytest.raises(KoppelError) as err:
        load_job_file(tmp_path / "job.toml")
    assert err.value.message == "the inbox of job 'xaf' is (or holds) the archive of job 'all'"


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("*", "*.xaf", True), ("*.csv", "*.xaf", False), ("kassa-*.csv", "*-2024.csv", True), ("a*", "b*", False),
        ("*a", "*b", False), ("x?", "x", False), ("*.[cC]sv", "*.csv", True), ("*.[!c]sv", "*.csv", False),
        ("[a-z]*", "0*", False), ("[!a]*", "a*", False), ("*.xaf", "*.XAF", False), ("[", "[", True),
        ("*[0-9].csv", "*x.csv", False), ("*?*", "", False), ("**", "?", True),
    ],
)  # fmt: skip
def test_globs_overlap_exactly(a, b, overlap):
    assert globs_overlap(a, b) is overlap
    assert globs_overlap(b, a) is overlap
