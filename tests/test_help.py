"""Every command's --help: help text for every option, examples that parse, and the exit codes."""

from __future__ import annotations

import re
import shlex

import click
import pytest

from koppel.cli import run
from koppel.cli.epilogs import EPILOGS
from koppel.cli.group import COMMANDS, cli


def _commands() -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    ctx = click.Context(cli)

    def walk(command: click.Command, path: str) -> None:
        found[path] = command
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), f"{path} {name}")

    for name in sorted(COMMANDS):
        walk(cli.get_command(ctx, name), name)
    return found


COMMAND_PATHS = sorted(_commands())


@pytest.mark.parametrize("path", COMMAND_PATHS)
def test_every_option_has_help(path):
    command = _commands()[path]
    bare = [p.opts[-1] for p in command.params if isinstance(p, click.Option) and not (p.help or "").strip()]
    assert not bare, f"koppel {path}: options without help: {bare}"


@pytest.mark.parametrize("path", COMMAND_PATHS)
def test_every_help_has_examples_and_exit_codes(path, capsys):
    """Was: no command's help had an example or its exit codes."""
    assert run([*path.split(), "--help"]) == 0
    out = capsys.readouterr().out
    assert "Examples:\n" in out and f"koppel {path}" in out.split("Examples:")[1]
    flat = " ".join(out.split())
    assert "Exit codes: " in flat and "130 Ctrl-C" in flat


def test_every_epilog_names_a_command():
    assert set(EPILOGS) <= set(COMMAND_PATHS)


@pytest.mark.parametrize("path", COMMAND_PATHS)
def test_the_examples_parse(path):
    """An example with an option the command does not have would teach the user a mistake."""
    commands = _commands()
    for example, _what in EPILOGS[path][0]:
        words = shlex.split(re.split(r" [>|] ", example)[0])[1:]  # the command, without a redirect or pipe
        depth = 2 if " ".join(words[:2]) in commands else 1
        command = commands[" ".join(words[:depth])]
        command.make_context(" ".join(words[:depth]), words[depth:])  # raises on an unknown option or choice


def test_usage_and_docstring_name_the_same_argument(capsys):
    """Was: mapping init's help said INPUT but its usage PATH."""
    assert run(["mapping", "init", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: koppel mapping init [OPTIONS] INPUT\n") and "every code INPUT uses" in out


@pytest.mark.parametrize(
    ("argv", "option", "words"),
    [(["export"], "--format", "parquet keeps the column types"),
     (["relations", "export"], "--from", "detected from content"),
     (["profile", "check"], "--aggregate", "per day or per month"),
     (["relations", "convert"], "-o, --output", "a new or empty folder"),
     (["convert"], "--template FILE", "header file exported from the package")],
)  # fmt: skip
def test_the_options_the_issue_named_have_help(argv, option, words, capsys):
    assert run([*argv, "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert option in out and words in out
