"""Text from a fact file is data: Rich markup prints as written, control characters are shown escaped."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import DATA, Run

SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")
LABEL = "[bold red]到位资金[/] [link=https://example.invalid]点此[/link]"
LABEL_EN = "Funds \x1b[31mRED\x1b[0m \u202eevil\tnext\nline"
QUOTE = "\x1b]0;pwned\x07到位资金100.9亿元"


@pytest.fixture
def hostile(tmp_path: Path) -> str:
    text = (
        SMALL.replace("label: 到位资金", 'label: "[bold red]到位资金[/] [link=https://example.invalid]点此[/link]"')
        .replace("label_en: Investment funds secured", 'label_en: "Funds \\e[31mRED\\e[0m \\u202eevil\\tnext\\nline"')
        .replace("quote: 到位资金100.9亿元", 'quote: "\\e]0;pwned\\a到位资金100.9亿元"')
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_keeps_the_exact_strings(run: Run, hostile: str) -> None:
    fact = json.loads(run("--facts", hostile, "show", "funds-in-place", "--json").stdout)
    assert (fact["label"], fact["label_en"], fact["quote"]) == (LABEL, LABEL_EN, QUOTE)


def test_csv_keeps_the_exact_strings(run: Run, hostile: str) -> None:
    rows = list(csv.DictReader(io.StringIO(run("--facts", hostile, "export", "--format", "csv").stdout)))
    assert (rows[0]["label"], rows[0]["label_en"], rows[0]["quote"]) == (LABEL, LABEL_EN, QUOTE)


@pytest.mark.parametrize("fmt", ["table", "plain", "tsv", "markdown"])
def test_markup_prints_literally_and_control_characters_are_escaped(run: Run, hostile: str, fmt: str) -> None:
    for lang in ("zh", "en"):
        out = run("--facts", hostile, "--no-color", "--lang", lang, "search", "100.9", "--format", fmt).stdout
        if fmt == "markdown":  # as a renderer shows it: each escaped character as itself
            out = re.sub(r"\\(.)", r"\1", out)
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        assert "\\x1b]0;pwned\\x07" in out.replace("\n", "").replace(" ", "")
        if lang == "zh":
            assert LABEL in out.replace("\n", "").replace("  ", " ") or fmt == "table"
            assert "[bold red]" in out and "[/link]" in out
        else:
            assert "\\x1b[31mRED\\x1b[0m" in out.replace("\n", "").replace(" ", "")


def test_tab_and_newline_in_data_do_not_break_plain_records(run: Run, hostile: str) -> None:
    out = run("--facts", hostile, "--lang", "en", "search", "100.9").stdout
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].count("\t") == 3
    assert "evil\\tnext\\nline" in lines[0]


def test_colour_tables_carry_only_qindu_own_escape_codes(run: Run, hostile: str) -> None:
    env = {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}
    out = run("--facts", hostile, "--lang", "en", "search", "100.9", "--format", "table", env=env).stdout
    assert "\x1b[1m" in out  # the header is drawn in bold
    assert "\x1b[31m" not in out and "\x1b]0;" not in out and "\x07" not in out


@pytest.mark.parametrize("query", ["[bold]", "[/]", "[link=x]y[/link]", "\x1b[31m", "\\", "%s", "{0}"])
def test_markup_and_syntax_in_a_query_are_just_text(run: Run, query: str) -> None:
    result = run("search", query)
    assert result.exit_code == 1 and result.stdout == ""
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize("query", [".*", "(.*)", "[^x]", ".+|"])
def test_regular_expressions_in_a_query_are_not_run(run: Run, query: str) -> None:
    result = run("search", query, "--json")
    everything = len(json.loads(run("export").stdout)["facts"])
    assert result.exit_code in (0, 1)
    assert len(json.loads(result.stdout)) < everything  # as a pattern, each would match every fact


def test_a_long_query_is_shortened_in_messages(run: Run) -> None:
    result = run("search", "--", "x" * 10_000)
    assert result.exit_code == 1 and len(result.stderr) < 200 and "xxx…'" in result.stderr
    unknown = run("show", "y" * 10_000)
    assert unknown.exit_code == 2 and len(unknown.stderr) < 300
