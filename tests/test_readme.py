"""README.md's set-up commands stay true: CI runs the very test command the README gives."""

from __future__ import annotations

import json
import re
import shlex

import pytest
from conftest import ROOT, Run

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _commands() -> list[str]:
    return re.findall(r"```sh\n(python3 -m venv .venv && [^\n]+)\n```", README)


def test_the_readme_has_the_two_set_up_commands() -> None:
    install, tests = _commands()
    assert install.endswith("pip install . && qindu search 就业")
    assert tests.endswith("pip install -e '.[test]' && python -m pytest")


def test_ci_runs_the_readme_test_command_in_its_own_fresh_environment() -> None:
    tests = _commands()[1]
    inside_venv = tests.split(" && ", 2)[2]  # after creating and activating .venv
    assert inside_venv in CI.splitlines()
    assert "python3 -m venv" in CI and "qindu validate --source" in CI


TOUR_WIDTH = 100


def _tour_blocks(text: str) -> list[tuple[str, str]]:
    """Each `$ qindu …` command in the README's output blocks, with the output shown under it."""
    found = []
    for block in re.findall(r"```\n(\$ qindu .*?)```", text, flags=re.S):
        for chunk in re.split(r"\n(?=\$ qindu )", block):
            command, _, output = chunk.partition("\n")
            found.append((command, output.rstrip("\n") + "\n"))
    return found


def test_the_tour_is_what_qindu_prints(run: Run, request: pytest.FixtureRequest) -> None:
    """The README's examples are real output at 100 columns; `--update-golden` rewrites them."""
    text = README
    blocks = _tour_blocks(text)
    assert len(blocks) >= 6
    for command, shown in blocks:
        args = shlex.split(command)[2:]
        table = [] if args[0] == "chart" else ["--format", "table"]
        printed = run("--no-color", *args, *table, env={"COLUMNS": str(TOUR_WIDTH)}).stdout
        if request.config.getoption("--update-golden"):
            text = text.replace(f"{command}\n{shown}", f"{command}\n{printed}", 1)
        else:
            assert printed == shown, command
    if text != README:
        (ROOT / "README.md").write_text(text, encoding="utf-8")


def test_the_fact_object_in_the_readme_is_what_show_json_prints(run: Run) -> None:
    block = re.search(r"### The fact object\n.*?```json\n(.*?)```", README, flags=re.S)
    assert block is not None
    shown = json.loads(block.group(1))
    assert shown == json.loads(run("show", shown["id"], "--json").stdout)
