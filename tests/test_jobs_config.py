"""Job files: parsing, defaults, and refusal of paths that leave the job's folder (pyfakefs)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from koppel.errors import KoppelError
from koppel.jobs.config import load_job_file

GOOD = """
[[job]]
name = "kassa"
inbox = { folder = "drops/kassa", glob = "*.csv" }
profile = "pos-zreport"
target = "minox"
mapping = "maps/kassa.toml"
aggregation = "day"
outbox = "out/kassa"
[job.options]
truncate = "yes"

[[job]]
name = "xaf"
inbox = "drops/xaf"
glob = "*.xaf"
target = "csv"
"""


@pytest.fixture
def jobdir(fs) -> Path:
    root = Path("/srv/office/client1")
    fs.create_dir(root / "drops/kassa")
    fs.create_dir(root / "drops/xaf")
    fs.create_file(root / "maps/kassa.toml", contents="[accounts]\n")
    return root


def write(root: Path, text: str) -> Path:
    path = root / "jobs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_job_file_resolves_folders_relative_to_itself_with_defaults(jobdir):
    jf = load_job_file(write(jobdir, GOOD))
    kassa, xaf = jf.jobs
    assert kassa.inbox == jobdir / "drops/kassa" and kassa.glob == "*.csv"
    assert kassa.outbox == jobdir / "out/kassa"
    assert kassa.archive == jobdir / "archive" and kassa.quarantine == jobdir / "quarantine"
    assert kassa.spec.profile == "pos-zreport" and kassa.spec.aggregation == "day"
    assert kassa.spec.mapping == str(jobdir / "maps/kassa.toml")
    assert kassa.spec.options == (("truncate", "yes"),)
    assert xaf.glob == "*.xaf" and xaf.spec.target == "csv" and xaf.spec.profile is None
    assert jf.state_path == jobdir / "jobs.state.sqlite" and jf.lock_path == jobdir / "jobs.lock"


def test_settings_fingerprint_changes_with_the_settings(jobdir):
    a = load_job_file(write(jobdir, GOOD)).jobs[0].spec.fingerprint()
    b = load_job_file(write(jobdir, GOOD.replace('"day"', '"month"'))).jobs[0].spec.fingerprint()
    assert a != b and len(a) == 12


@pytest.mark.parametrize("key", ["inbox", "outbox", "archive", "quarantine"])
def test_dotdot_escape_is_refused(jobdir, key):
    text = f'[[job]]\nname = "j"\ninbox = "drops/xaf"\ntarget = "csv"\n{key} = "../client2/{key}"\n'
    if key == "inbox":
        text = '[[job]]\nname = "j"\ninbox = "../client2/in"\ntarget = "csv"\n'
    with pytest.raises(KoppelError) as err:
        load_job_file(write(jobdir, text))
    assert err.value.field == f"job 'j'.{key}"
    assert "lies outside the job folder /srv/office/client1" in err.value.message
    assert "no '..'" in err.value.hint


def test_symlink_pointing_out_is_refused(jobdir, fs):
    fs.create_dir("/etc/elsewhere")
    os.symlink("/etc/elsewhere", jobdir / "drops/link")
    with pytest.raises(KoppelError) as err:
        load_job_file(write(jobdir, '[[job]]\ninbox = "drops/link"\ntarget = "csv"\n'))
    assert "is a symlink pointing outside the job folder" in err.value.message
    assert err.value.field == "job 'job1'.inbox"


def test_symlink_inside_the_job_folder_is_fine(jobdir):
    os.symlink(jobdir / "drops/xaf", jobdir / "drops/alias")
    jf = load_job_file(write(jobdir, '[[job]]\ninbox = "drops/alias"\ntarget = "csv"\n'))
    assert jf.jobs[0].inbox == jobdir / "drops/xaf"


def test_mapping_outside_is_refused(jobdir, fs):
    fs.create_file("/srv/office/secret.toml")
    with pytest.raises(KoppelError, match="lies outside") as err:
        load_job_file(write(jobdir, '[[job]]\ninbox = "drops/xaf"\ntarget = "csv"\nmapping = "../secret.toml"\n'))
    assert err.value.field == "job 'job1'.mapping"


def test_root_widens_the_allowed_folder(jobdir, fs):
    fs.create_dir("/srv/office/shared/in")
    text = 'root = ".."\n[[job]]\ninbox = "../shared/in"\ntarget = "csv"\n'
    jf = load_job_file(write(jobdir, text))
    assert jf.root == Path("/srv/office") and jf.jobs[0].inbox == Path("/srv/office/shared/in")


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ('[[job]]\ninbox = "drops/xaf"\n', "job 'job1'.target", "target is missing"),
        ('[[job]]\ntarget = "csv"\n', "job 'job1'.inbox", "inbox is missing"),
        ('[[job]]\ninbox = "drops/xaf"\ntarget = "csv"\ncolour = 1\n', "job[0].colour", "unknown key 'colour'"),
        ('[[job]]\ninbox = "drops/xaf"\ntarget = "csv"\nglob = "../*.xaf"\n', "job 'job1'.glob", "glob must be"),
        ('[[job]]\ninbox = "drops/xaf"\ntarget = "csv"\nprofile = "p"\nfrom = "xaf"\n', "job 'job1'.profile", "either"),
        ('[[job]]\ninbox = "drops/xaf"\ntarget = "csv"\naggregation = "week"\n', "job 'job1'.aggregation", "unknown"),
        ('[[job]]\ninbox = "drops/xaf"\ntarget = "csv"\noutbox = "drops/xaf"\n', "job 'job1'", "four different"),
        ('[[job]]\ninbox = "drops/xaf"\ntarget = "csv"\nmapping = "nope.toml"\n', "job 'job1'.mapping", "not found"),
        ('[[job]]\nname="a"\ninbox="drops/xaf"\ntarget="csv"\n[[job]]\nname="a"\ninbox="drops/kassa"\ntarget="csv"\n',
         "job.name", "same name"),
        ("title = 'x'\n", "title", "unknown key"),
        ("", "job", "no jobs"),
    ],
)  # fmt: skip
def test_bad_job_files_name_the_key(jobdir, text, field, message):
    with pytest.raises(KoppelError) as err:
        load_job_file(write(jobdir, text))
    assert err.value.field == field
    assert message in err.value.message
    assert err.value.file == jobdir / "jobs.toml"


def test_invalid_toml_and_missing_file(jobdir):
    with pytest.raises(KoppelError, match="not valid TOML"):
        load_job_file(write(jobdir, "[[job]\n"))
    with pytest.raises(KoppelError, match="job file not found"):
        load_job_file(jobdir / "nope.toml")
