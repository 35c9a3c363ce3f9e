"""The README's input table names every input option of `nkmap build`, derived from the parser itself."""

from __future__ import annotations

import pytest

from nkmap.cli import parser

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = ROOT / "data" / "examples"


def build_parser():
    sub = next(a for a in parser()._actions if a.dest == "command")
    return sub.choices["build"]


def input_options():
    build = build_parser()
    group = next(g for g in build._action_groups if g.title == "inputs")
    options = [opt for action in group._group_actions for opt in action.option_strings if opt.startswith("--")]
    return [*options, "--quiet", "--max-article-size"]


@pytest.mark.parametrize("option", input_options())
def test_every_input_option_is_in_the_readme(option):
    assert f"`{option}" in README


@pytest.mark.parametrize("suffix", [".txt", ".html", ".htm", ".jsonl", ".ndjson", ".csv", ".tsv", ".parquet", ".pdf"])
def test_every_format_is_in_the_input_table(suffix):
    from nkmap.inputs.files import FORMATS

    assert suffix in FORMATS
    assert f"`{suffix}`" in README


def test_the_examples_readme_lists_every_example():
    listed = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for path in EXAMPLES.iterdir():
        if path.name != "README.md":
            assert f"`{path.name}`" in listed
