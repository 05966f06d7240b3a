"""The command line as people type it: global options anywhere, typos, several ids, kinds, units.

Each case is a command line as typed after `qindu` (a leading `NAME=value` sets the environment),
the exit code, and what must be seen: each string must appear in stdout or stderr; a string that
starts with `!` must appear in neither.
"""

from __future__ import annotations

import json
import os
import pty
import shlex
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import DATA, ROOT, Run

from qindu_cli.model import KIND_MEANINGS

SMALL = str(DATA / "small.yaml")


class Case(NamedTuple):
    line: str
    code: int
    seen: tuple[str, ...]


CASES = [
    # Global options before or after the command.
    Case("sections --lang en --format plain", 0, ("Economy: a new leap",)),
    Case("search 就业 --no-color --format plain", 0, ("livelihood.jobs.new-urban-jobs",)),
    Case(f"show funds-in-place --facts {SMALL} --format plain", 0, ("economy.projects.funds-in-place",)),
    Case(f"show market-entities --facts={SMALL} --format plain", 0, ("livelihood.jobs.market-entities",)),
    Case("search -- --lang", 1, ("no fact matches '--lang'",)),
    Case("sections --lang", 2, ("Option '--lang' requires an argument.",)),
    Case("search 就业 --facts", 2, ("Option '--facts' requires an argument.",)),
    Case("sections --help", 0, ("(--facts, --lang, --no-color, --traceback) go before or after the command",)),
    # --lang in any case; a bad value says where it came from.
    Case("section economy --lang EN --format plain", 0, ("Projects brought in",)),
    Case("--lang En sections --format plain", 0, ("Economy: a new leap",)),
    Case("sections --lang fr", 2, ("Invalid value for '--lang': 'fr'", "!QINDU_LANG")),
    Case("QINDU_LANG=fr sections", 2, ("Invalid value for QINDU_LANG: 'fr'",)),
    # A mistyped command gets a did-you-mean.
    Case("serch 就业", 2, ("No such command 'serch'. Did you mean 'search'?",)),
    Case("indicator", 2, ("Did you mean 'indicators'",)),
    Case("sectoins", 2, ("Did you mean 'sections'",)),
    # show takes several ids, and points from a topic or section to the command that lists it.
    Case(
        "show new-urban-jobs urban-unemployment-rate --format plain",
        0,
        ("livelihood.jobs.new-urban-jobs\tquote\t全年新增城镇就业9717人", "livelihood.jobs.urban-unemployment-rate\t"),
    ),
    Case("show jobs", 2, ("'jobs' is a topic of livelihood, not a fact", "qindu section livelihood --topic jobs")),
    Case("show economy", 2, ("'economy' is a section, not a fact", "qindu section economy")),
    Case("show new-urban-jobs nowhere-fact", 2, ("unknown fact id 'nowhere-fact'", "!全年新增城镇就业")),
    # -o - is stdout.
    Case("export --format csv -o -", 0, ("livelihood.jobs.new-urban-jobs,indicator",)),
    Case("export --format sqlite -o -", 2, ("--format sqlite writes files",)),
    # A value option given twice is refused, never silently the last one.
    Case("indicators --topic jobs --topic green", 2, ("--topic was given twice",)),
    Case("section livelihood -t jobs -t health", 2, ("--topic was given twice",)),
    Case("search 就业 -s economy --section=livelihood", 2, ("--section was given twice",)),
    Case("--lang en sections --lang zh", 2, ("--lang was given twice",)),
    # --kind on section, search and export.
    Case("section economy --kind milestone --format plain", 0, ("economy.projects.pv-local-production", "!funds-in")),
    Case("search 光伏 --kind Milestone --format plain", 0, ("pv-local-production", "!pv-park-investment")),
    Case("search 就业 --kind initiative --format plain", 0, ("employment-first", "!new-urban-jobs")),
    Case("export --kind milestone --format jsonl", 0, ('"kind": "milestone"', '!"kind": "indicator"')),
    Case("search 就业 --kind award", 2, ("'award' is not one of 'indicator', 'milestone', 'initiative'",)),
    Case(
        "search 就业 --kind milestone",
        1,
        ("no milestone matches '就业'; 6 facts of other kinds do", "qindu search 就业\n"),
    ),
    Case("search 就业 -s livelihood -k milestone", 1, ("no milestone in livelihood matches '就业'", "-s livelihood\n")),
    Case("section livelihood --kind milestone --topic jobs", 1, ("no milestone in livelihood --topic jobs",)),
    # --unit takes English names beside Chinese ones.
    Case("indicators --unit yuan --format plain", 0, ("100.9亿元", "6797.36万元", "!9717人")),
    Case("indicators --unit people --format plain", 0, ("9717人", "22万人", "297名", "!1300余人次")),
    Case("indicators --unit mu --format plain", 0, ("5200亩",)),
    Case("indicators --unit Percent --format plain", 0, ("2.68%",)),
    Case("indicators --unit households --format plain", 0, ("9100余户", "!100家")),
    Case("indicators --unit furlongs", 2, ("no indicator is in 'furlongs'", "in English: case, class-hour")),
    Case("chart --unit yuan", 0, ("8 indicators in 万元 and 亿元",)),
    # validate's help speaks of its own options only.
    Case("validate --help", 0, ("--json", "!--format json")),
]


@pytest.mark.parametrize("case", CASES, ids=[case.line for case in CASES])
def test_the_command_line_as_typed(run: Run, case: Case) -> None:
    words = shlex.split(case.line)
    env = {}
    while words and "=" in words[0] and not words[0].startswith("-"):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    result = run(*words, env=env)
    seen = result.stdout + result.stderr
    assert result.exit_code == case.code, seen
    for text in case.seen:
        if text.startswith("!"):
            assert text[1:] not in seen
        else:
            assert text in seen


def test_show_with_several_ids_gives_a_list_in_json(run: Run) -> None:
    result = run("show", "new-urban-jobs", "livelihood.jobs.urban-unemployment-rate", "--json")
    assert [f["id"] for f in json.loads(result.stdout)] == [
        "livelihood.jobs.new-urban-jobs",
        "livelihood.jobs.urban-unemployment-rate",
    ]
    assert json.loads(run("show", "new-urban-jobs", "--json").stdout)["id"] == "livelihood.jobs.new-urban-jobs"


@pytest.mark.parametrize(("shell", "script"), [("zsh", ".zfunc/_qindu"), ("bash", ".bash_completions/qindu.sh")])
def test_install_completion_installs_the_shell_named(run: Run, tmp_path: Path, shell: str, script: str) -> None:
    other = "bash" if shell == "zsh" else "zsh"
    result = run("--install-completion", shell, env={"HOME": str(tmp_path), "SHELL": f"/bin/{other}"})
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "_QINDU_COMPLETE" in (tmp_path / script).read_text(encoding="utf-8")
    assert not (tmp_path / (".zshrc" if shell == "bash" else ".bashrc")).exists()


def test_show_completion_shows_the_shell_named(run: Run) -> None:
    assert "compdef" in run("--show-completion", "zsh", env={"SHELL": "/bin/bash"}).stdout
    assert "complete -o" in run("--show-completion", "bash", env={"SHELL": "/bin/zsh"}).stdout


def _on_a_terminal(*args: str) -> tuple[int, str, str]:
    """Run qindu with stdout on a pseudo-terminal and stderr on a pipe."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100"}
    process = subprocess.Popen(
        [sys.executable, "-m", "qindu_cli", *args], stdout=follower, stderr=subprocess.PIPE, env=env
    )
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    return process.wait(timeout=30), out.decode(), errors


def test_limit_says_how_many_more_on_a_terminal() -> None:
    code, out, errors = _on_a_terminal("search", "就业", "--limit", "2")
    assert code == 0 and "employment-first" in out
    assert errors == "qindu: 2 of 6 facts shown; 4 more without --limit\n"
    code, out, errors = _on_a_terminal("indicators", "--unit", "元", "-n", "5")
    assert errors == "qindu: 5 of 8 indicators shown; 3 more without --limit\n"


def test_limit_is_quiet_in_a_pipe_and_when_nothing_is_left_out() -> None:
    piped = subprocess.run(
        [sys.executable, "-m", "qindu_cli", "search", "就业", "--limit", "2"], capture_output=True, check=False
    )
    assert piped.returncode == 0 and piped.stderr == b"" and len(piped.stdout.splitlines()) == 2
    told = _on_a_terminal("search", "就业", "--limit", "6")[2]
    assert "more without --limit" not in told and "facts shown" not in told


def test_validate_reports_every_problem_at_its_field_line(run: Run, tmp_path: Path) -> None:
    text = Path(SMALL).read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("    unit: 人\n", "    unit: 个\n"), encoding="utf-8")  # new-urban-jobs: a wrong unit
    report = tmp_path / "report.txt"
    gone = text.replace("全年新增城镇就业9717人", "全年新增城镇就业")  # and its quote missing from the report
    report.write_text(gone, encoding="utf-8")
    lines = bad.read_text(encoding="utf-8").splitlines()

    def line_of(start: str, after: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if line.startswith(start) and n > lines.index(after))

    fact = "  - id: livelihood.jobs.new-urban-jobs"
    unit, quote = line_of("    unit: 个", fact), line_of("    quote: 全年新增城镇就业9717人", fact)
    result = run("validate", str(bad), "--source", str(report))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{bad}:{unit}: fact livelihood.jobs.new-urban-jobs: unit: '个' does not match raw '9717人', which says '人'",
        f"{bad}:{quote}: fact livelihood.jobs.new-urban-jobs: quote: quote not found verbatim in {report}: "
        "'全年新增城镇就业9717人'",
    ]
    problems = json.loads(run("validate", str(bad), "--source", str(report), "--json").stdout)["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [(unit, "unit"), (quote, "quote")]


def test_help_and_readme_say_what_each_kind_is(run: Run) -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for command in ("section", "search", "export"):
        shown = " ".join(run(command, "--help", env={"COLUMNS": "400"}).stdout.split())
        for kind, meaning in KIND_MEANINGS.items():
            assert f"{kind} ({meaning})" in shown, command
    for kind, meaning in KIND_MEANINGS.items():
        assert f"`{kind}` ({meaning})" in readme and f"| `{kind}` | {meaning} |" in readme
