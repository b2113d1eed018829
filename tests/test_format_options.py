"""Options are validated: unknown keys and bad values are refused before any work, with the valid ones and a
"did you mean"; reader options are reachable with --read-option; `koppel formats NAME` documents them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from koppel.cli import main
from koppel.format_options import CONVERT_OPTIONS
from koppel.registry import all_formats
from tests.conftest import shared_sample

ROOT = Path(__file__).resolve().parents[1]
XAF = ROOT / "samples" / "voorbeeld_xaf32.xaf"
BANANA = "banana-nl__banana-accounting_clair2_2015.xml"


def _run(argv, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main([str(a) for a in argv])
    out = capsys.readouterr()
    return stop.value.code, out.out, out.err


def test_a_typo_in_an_option_is_refused_with_a_suggestion(tmp_path, capsys):
    out = tmp_path / "x.xaf"
    code, _, err = _run(["convert", XAF, "--to", "xaf32", "-o", out, "--option", "spilt_mb=0.05"], capsys)
    assert code == 2
    assert err.startswith("koppel: --option: unknown option 'spilt_mb' for --to xaf32 (did you mean split_mb? valid:")
    assert "keep_dropped" in err and "entry_numbers" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_bad_value_is_refused(tmp_path, capsys):
    code, _, err = _run(["convert", XAF, "--to", "xaf32", "-o", tmp_path / "x.xaf", "--option", "split_mb=lots"],
                        capsys)  # fmt: skip
    assert code == 2 and "split_mb='lots' is not valid (split_mb takes a number)" in err
    code, _, err = _run(["convert", XAF, "--to", "twinfield", "-o", tmp_path / "t", "--option", "destiny=later"],
                        capsys)  # fmt: skip
    assert code == 2 and "destiny takes one of temporary, final" in err


def test_a_named_flag_of_another_target_is_refused(tmp_path, capsys):
    code, _, err = _run(["convert", XAF, "--to", "asperion", "-o", tmp_path / "a", "--split-mb", "5"], capsys)
    assert code == 2 and "unknown option 'split_mb' for --to asperion" in err


def test_options_every_target_takes_are_accepted(tmp_path, capsys):
    code, _, err = _run(["convert", XAF, "--to", "asperion", "-o", tmp_path / "a", "--option",
                         "entry_numbers=renumber", "--truncate"], capsys)  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "a" / "boekstuknummers.csv").is_file()


def test_read_option_makes_a_banana_clair2_file_convertible(tmp_path, capsys):
    path = shared_sample(BANANA)
    code, _, err = _run(["convert", path, "--to", "asperion", "-o", tmp_path / "literal"], capsys)
    assert code == 2 and "does not balance" in err  # read literally, every entry is off
    code, _, err = _run(["convert", path, "--to", "asperion", "-o", tmp_path / "banana", "--read-option",
                           "clair2_negative_credit=abs"], capsys)  # fmt: skip
    assert code == 0, err
    control = json.loads((tmp_path / "banana" / "control.json").read_text(encoding="utf-8"))
    assert control["money"]["equal"] is True


def test_a_reader_option_given_to_option_names_read_option(tmp_path, capsys):
    argv = ["convert", shared_sample(BANANA), "--to", "asperion", "-o", tmp_path / "b"]
    code, _, err = _run([*argv, "--option", "clair2_negative_credit=abs"], capsys)
    assert code == 2 and "'clair2_negative_credit' is an option of the reader, not of the writer" in err
    assert "pass it as --read-option clair2_negative_credit=abs" in err
    assert not (tmp_path / "b").exists()


def test_read_options_are_checked_against_the_reader(tmp_path, capsys):
    code, _, err = _run(["inspect", XAF, "--read-option", "hugetree=yes"], capsys)
    assert code == 2 and "unknown option 'hugetree' for the xaf reader (did you mean huge_tree?" in err
    code, _, err = _run(["inspect", XAF, "--read-option", "clair2_negative_credit=abs"], capsys)
    assert code == 0, err
    code, _, err = _run(["inspect", XAF, "--read-option", "clair2_negative_credit=yes"], capsys)
    assert code == 2 and "clair2_negative_credit takes one of abs" in err
    code, _, err = _run(["export", XAF, "-o", tmp_path / "t", "--read-option", "nonsense"], capsys)
    assert code == 2 and "--read-option 'nonsense' is not KEY=VALUE" in err


def test_formats_name_documents_the_options(capsys):
    code, out, _ = _run(["formats", "xaf"], capsys)
    assert code == 0
    assert "read options (--read-option KEY=VALUE):" in out
    assert re.search(r"clair2_negative_credit \(abs\): .*Banana", out)
    code, out, _ = _run(["formats", "twinfield", "--json"], capsys)
    data = json.loads(out)
    assert {o["name"] for o in data["options"]["write"]} == {"truncate", "office", "destiny"}
    assert next(o for o in data["options"]["write"] if o["name"] == "destiny")["default"] == "temporary"
    code, _, err = _run(["formats", "nope"], capsys)
    assert code == 2 and "unknown format 'nope'" in err


def test_every_option_the_code_reads_is_declared():
    """A writer or reader that reads an option nobody declared would make --option refuse a working key."""
    from_specs = [(*(f.write_options or ()), *(f.read_options or ())) for f in all_formats()]
    declared = {o.name for opts in (*from_specs, CONVERT_OPTIONS) for o in opts}
    used = set()
    pattern = re.compile(
        r"""(?:job|self)\.(?:option|flag)\(\s*["']([a-z_0-9]+)["']|options\.get\(["']([a-z_0-9]+)["']"""
    )
    for path in (ROOT / "koppel").rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            used.add(match.group(1) or match.group(2))
    # --workers (declared for xaf), the mapping's [dialect] and [account_kinds] (handed to the XAF writer by
    # koppel/xaf/target.py), not an --option
    internal = {"workers", "dialect", "account_kinds"}
    # what a command wants from the XAF pass (koppel/xaf/consumers.py), and the folder of the rows it keeps
    internal |= {"count_dropped", "keep_dropped_rows", "dropped_rows_dir", "subledgers", "lines_not_kept"}
    assert used - declared - internal == set()


def test_the_named_switches_of_convert_come_from_the_declared_options(capsys):
    """--split-mb is declared in the XAF writers' specs, --template in the template engine's set: no list of
    switches in the CLI; each help names the targets that take it where it says so."""
    from koppel.format_options import named_switches

    switches = {o.flag: (o.name, targets) for o, targets in named_switches()}
    assert switches["--split-mb"] == ("split_mb", ["xaf32", "xaf40"])
    assert switches["--template"] == ("template", ["template", "visma-eaccounting"])
    assert switches["--strict"] == ("strict", [])  # convert's own
    code, out, _ = _run(["convert", "--help"], capsys)
    text = " ".join(out.split())
    assert code == 0 and "--split-mb MB Split a single output file." in text
    assert "(targets template, visma-eaccounting)" in text
