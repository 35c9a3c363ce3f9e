"""Every command and option of the CLI appears in the README, derived from the parser itself."""

from __future__ import annotations

import argparse
import re

import pytest

from nkmap.cli import parser

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(p: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command path, its parser) for every command and sub-command, depth first."""
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(parser()))
OPTIONS = sorted(
    {
        (" ".join(path), option)
        for path, sub in COMMANDS
        for action in sub._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
)


def test_the_parser_has_commands_and_options():
    assert {"build", "gazetteer"} <= {path[0] for path, _ in COMMANDS}
    assert len(OPTIONS) >= 10


@pytest.mark.parametrize("command", [" ".join(path) for path, _ in COMMANDS])
def test_every_command_is_in_the_readme(command):
    assert re.search(rf"nkmap {re.escape(command)}\b", README), f"README never shows `nkmap {command}`"


@pytest.mark.parametrize(("command", "option"), OPTIONS)
def test_every_option_is_in_the_readme(command, option):
    assert re.search(rf"{re.escape(option)}(?![\w-])", README), f"README never mentions `nkmap {command} {option}`"
