"""README.md's set-up commands stay true: CI runs the very test command the README gives."""

from __future__ import annotations

import re

from conftest import ROOT

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
