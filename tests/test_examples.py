"""Every example in every --help and in the README runs, as written, and succeeds.

The examples are read from the help texts and the README's code blocks, so this test follows the
docs as they are edited. Each runs in a folder laid out like a clone (`clone/` beside `shared/`),
with a home of its own, and the documented placeholders created there.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import typer
from conftest import FACTS, ROOT, SOURCE, Run

from qindu_cli.cli import app

# Names the docs use for a file of the reader's own, and what stands in for each here.
PLACEHOLDERS = {"my-facts.yaml": FACTS}
DRAFTS = ("draft.txt", "draft.md")  # a text to check: one true claim of the report
DRAFT = "全年新增城镇就业9717人。\n"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def help_examples() -> list[str]:
    """The examples of qindu's help and of each command's: `Examples:  a  ·  b` up to a blank line."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    context = typer.Context(group)
    texts = [group.help or "", group.epilog or ""]
    texts += [group.get_command(context, name).help or "" for name in group.list_commands(context)]
    examples = []
    for text in texts:
        for block in re.findall(r"Examples?:\s*(.+?)(?:\n\s*\n|$)", text, flags=re.S):
            examples += [" ".join(one.split()) for one in block.split("·")]
    return examples


def readme_examples() -> list[str]:
    """Each qindu command in the README's sh and plain code blocks (`$ qindu …` in a transcript)."""
    examples = []
    fence = None
    for line in README.splitlines():
        if line.startswith("```"):
            fence = line[3:].strip() if fence is None else None
            continue
        if fence not in ("", "sh"):
            continue
        for part in line.removeprefix("$ ").split(" && "):
            if part.startswith("qindu "):
                examples.append(part)
    return examples


def stdin_of(example: str) -> str | None:
    """What `echo TEXT | qindu …` pipes in, if the example does."""
    words = shlex.split(example, comments=True)
    return " ".join(words[1 : words.index("|")]) + "\n" if words[0] == "echo" and "|" in words else None


def words_of(example: str) -> list[str]:
    """The arguments of an example, without its comment, redirection or pipe (or the echo piped in)."""
    words = shlex.split(example, comments=True)
    if stdin_of(example) is not None:
        words = words[words.index("|") + 1 :]
    assert words[0] == "qindu", example
    for stop in (">", "|"):
        if stop in words:
            words = words[: words.index(stop)]
    return words[1:]


EXAMPLES = sorted(set(help_examples()) | set(readme_examples()))


def test_the_docs_have_examples_of_every_command() -> None:
    commands = {words_of(example)[0] for example in help_examples()}
    assert {"sections", "section", "search", "show", "indicators", "chart", "validate", "schema", "export"} <= commands
    assert len(readme_examples()) >= 10


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_runs(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source_text: str, example: str
) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    report = tmp_path / "shared" / "source" / SOURCE.name
    report.parent.mkdir(parents=True)
    report.write_text(source_text, encoding="utf-8")
    for name, stand_in in PLACEHOLDERS.items():
        shutil.copyfile(stand_in, clone / name)
    for name in DRAFTS:
        (clone / name).write_text(DRAFT, encoding="utf-8")
    monkeypatch.chdir(clone)
    words = words_of(example)
    result = run(*words, env={"HOME": str(tmp_path / "home")}, input=stdin_of(example))
    # check exits 1 when the text it was given contradicts the report, as its example's text does
    expected = 1 if words[0] == "check" and "9771" in (stdin_of(example) or "") else 0
    assert result.exit_code == expected, f"{example}\n{result.stdout}{result.stderr}"
    assert result.stdout or "wrote" in result.stderr, example
