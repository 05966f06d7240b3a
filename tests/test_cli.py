"""The qindu command as people and scripts use it: formats, exit codes, errors, pipes, Ctrl-C."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, FACTS, ROOT, Run

from qindu_cli import __version__
from qindu_cli.render import Format

SMALL = str(DATA / "small.yaml")
LISTINGS = [
    ["sections"],
    ["section", "livelihood"],
    ["search", "就业"],
    ["show", "livelihood.jobs.new-urban-jobs"],
    ["indicators", "--unit", "亿元"],
]


def test_no_command_shows_the_help_and_no_error_line(run: Run) -> None:
    result = run()
    assert result.exit_code == 2 and "Usage: qindu" in result.stdout and "search" in result.stdout
    assert result.stderr == ""


def test_version_and_help(run: Run) -> None:
    assert run("--version").stdout == f"qindu {__version__}\n"
    for command in ["sections", "section", "search", "show", "indicators", "chart", "validate", "export", "schema"]:
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout, command


@pytest.mark.parametrize("args", LISTINGS, ids=lambda a: a[0])
@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_every_listing_command_speaks_every_format(run: Run, args: list[str], fmt: Format) -> None:
    result = run(*args, "--format", fmt.value)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.endswith("\n")
    assert result.stderr == "" or (fmt is Format.TABLE and result.stderr.startswith("qindu: left out "))
    if fmt is Format.JSON:
        assert isinstance(json.loads(out), (list, dict))
    elif fmt is Format.JSONL:
        assert all(isinstance(json.loads(line), dict) for line in out.splitlines())
    elif fmt is Format.CSV:
        rows = list(csv.reader(io.StringIO(out)))
        assert len({len(row) for row in rows}) == 1 and len(rows) >= 2
    elif fmt in (Format.TSV, Format.PLAIN):
        widths = {len(line.split("\t")) for line in out.splitlines()}
        assert len(widths) == 1 and widths != {1}
    elif fmt is Format.MARKDOWN:
        assert out.startswith("| ") and "\n|---|" in out
    else:
        assert "\t" not in out and len(out.splitlines()) >= 3


def test_search_finds_the_employment_figures(run: Run) -> None:
    facts = json.loads(run("search", "就业", "--json").stdout)
    figures = {fact["id"]: (fact["value"], fact["unit"]) for fact in facts}
    assert figures["livelihood.jobs.new-urban-jobs"] == (9717, "人")
    assert figures["livelihood.jobs.urban-unemployment-rate"] == (2.68, "%")


def test_a_fact_is_the_same_object_everywhere(run: Run) -> None:
    fact_id = "livelihood.jobs.new-urban-jobs"
    export = {f["id"]: f for f in json.loads(run("export").stdout)["facts"]}
    seen = [
        json.loads(run("show", fact_id, "--json").stdout),
        next(f for f in json.loads(run("search", "9717", "--json").stdout) if f["id"] == fact_id),
        next(f for f in json.loads(run("indicators", "--json").stdout) if f["id"] == fact_id),
        next(f for f in json.loads(run("section", "livelihood", "--json").stdout)["facts"] if f["id"] == fact_id),
        json.loads(run("section", "livelihood", "--format", "jsonl").stdout.splitlines()[-13]) | {},
    ]
    for fact in seen[:4]:
        assert fact == export[fact_id]
    assert set(seen[4]) == set(export[fact_id])
    assert export[fact_id]["normalized"] == {"value": 9717, "unit": "人"}
    assert export["economy.projects.funds-in-place"]["normalized"] == {"value": 10090000000, "unit": "元"}


def test_export_is_the_whole_dataset_in_utf8(run: Run) -> None:
    result = run("export")
    data = json.loads(result.stdout)
    assert set(data) == {"source", "sections", "facts"}
    assert data["source"]["region"] == "秦都区, 咸阳市, 陕西省"
    assert len(data["facts"]) == len(json.loads(run("indicators", "--json").stdout)) + sum(
        1 for f in data["facts"] if f["kind"] != "indicator"
    )
    assert "就业" in result.stdout  # Chinese as is, not \\u escapes
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert [r["id"] for r in rows] == [f["id"] for f in data["facts"]]
    jobs = next(r for r in rows if r["id"] == "livelihood.jobs.new-urban-jobs")
    assert jobs["tags"].split(";") == next(f for f in data["facts"] if f["id"] == jobs["id"])["tags"]
    lines = run("export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == data["facts"]


def test_export_to_a_file_refuses_to_overwrite_without_force(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "qindu.json"
    assert run("export", "-o", str(target)).exit_code == 0
    first = target.read_bytes()
    again = run("export", "-o", str(target))
    assert again.exit_code == 2 and "already exists; add --force" in again.stderr
    assert run("export", "-o", str(target), "--force").exit_code == 0
    assert target.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["qindu.json"]  # no temporary files left


def test_sections_lists_counts(run: Run) -> None:
    sections = json.loads(run("sections", "--json").stdout)
    assert [s["id"] for s in sections] == ["economy", "party-building", "livelihood"]
    assert sum(s["facts"] for s in sections) == len(json.loads(run("export").stdout)["facts"])
    assert [len(s["topics"]) for s in sections] == [3, 4, 5]


@pytest.mark.parametrize("name", ["economy", "econ", "经济", "ECONOMY"])
def test_a_section_is_found_by_id_prefix_or_title_word(run: Run, name: str) -> None:
    assert json.loads(run("section", name, "--json").stdout)["id"] == "economy"


def test_section_topic_narrows_to_one_topic(run: Run) -> None:
    facts = json.loads(run("section", "民生", "--topic", "jobs", "--json").stdout)["facts"]
    assert {f["topic"] for f in facts} == {"jobs"} and len(facts) == 7


def test_indicators_filter_and_sort(run: Run) -> None:
    def ids(*args: str) -> list[str]:
        return [f["id"].rsplit(".", 1)[-1] for f in json.loads(run("indicators", *args, "--json").stdout)]

    assert ids("--unit", "亿元", "--sort", "value", "--desc") == [
        "funds-in-place", "pv-park-investment", "infrastructure-investment",
    ]  # fmt: skip
    assert len(ids("--unit", "元")) == 8  # every 元 figure, whatever its scale
    # grouped by base unit (元 before 户), smallest first within each
    assert ids("--section", "economy", "--topic", "commerce", "--sort", "value") == [
        "investment-promotion-awards", "trade-services-funds", "new-trade-enterprises", "new-industrial-enterprises",
    ]  # fmt: skip
    everything = json.loads(run("indicators", "--json").stdout)
    assert {f["kind"] for f in everything} == {"indicator"} and len(everything) == 80


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["section", "ecomony"], 2, "did you mean economy?"),
        (["section", "nowhere"], 2, "sections are economy, party-building, livelihood"),
        (["section", "economy", "--topic", "jobs"], 2, "unknown topic 'jobs'"),
        (["show", "livelihood.jobs.new-urban-job"], 2, "did you mean livelihood.jobs.new-urban-jobs?"),
        (["show", "nothing-like-this"], 2, "unknown fact id"),
        (["search", "xyzzy"], 1, "no fact matches 'xyzzy'"),
        (["search", "jiuyee"], 1, "did you mean 就业"),
        (["indicators", "--unit", "公里"], 2, "no indicator is in '公里'"),
        (["indicators", "--unit", "亿元", "--section", "party-building"], 1, "no indicator matches"),
        (["search", "就业", "--limit", "0"], 2, "--limit"),
        (["search", "就业", "--format", "xml"], 2, "'xml' is not one of"),
        (["search", "就业", "--json", "--format", "csv"], 2, "two formats"),
        (["search"], 2, "Missing argument"),
        (["nonsense"], 2, "No such command"),
        (["--lang", "fr", "sections"], 2, "'fr' is not one of"),
        (["--facts", "/no/such/file.yaml", "sections"], 2, "no such fact file"),
    ],
)
def test_errors_are_one_line_with_the_right_exit_code(run: Run, args: list[str], code: int, message: str) -> None:
    result = run(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_no_match_prints_an_empty_json_array(run: Run) -> None:
    result = run("search", "xyzzy", "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (1, [])


def test_facts_option_and_environment_choose_the_file(run: Run) -> None:
    assert len(json.loads(run("--facts", SMALL, "export").stdout)["facts"]) == 5
    assert len(json.loads(run("export", env={"QINDU_FACTS": SMALL}).stdout)["facts"]) == 5


def test_lang_en_shows_english_labels_and_json_carries_both(run: Run) -> None:
    table = run("--lang", "en", "search", "9717", "--format", "table").stdout
    assert "New urban jobs" in table and "全年新增城镇就业9717人" in table
    assert table.count("新增城镇就业") == 1  # in the quote, not as the label
    assert "New urban jobs" in run("search", "9717", env={"QINDU_LANG": "en"}).stdout
    fact = json.loads(run("--lang", "en", "show", "new-urban-jobs", "--json").stdout)
    assert (fact["label"], fact["label_en"]) == ("新增城镇就业", "New urban jobs")


def test_plain_is_the_default_in_a_pipe_a_record_a_line_with_whole_quotes(run: Run) -> None:
    lines = run("search", "就业").stdout.splitlines()
    assert lines[0].startswith("livelihood.jobs.")  # no header line: every line is a record
    assert "livelihood.jobs.new-urban-jobs\t新增城镇就业\t9717人\t全年新增城镇就业9717人" in lines


def test_explain_says_why_each_fact_matched(run: Run) -> None:
    facts = json.loads(run("search", "jiuye", "--explain", "--json").stdout)
    assert facts[0]["match"] == [{"term": "jiuye", "field": "label", "form": "pinyin", "text": "就业"}]
    assert "match" not in json.loads(run("search", "jiuye", "--json").stdout)[0]
    assert "jiuye: label by pinyin" in run("search", "jiuye", "--explain").stdout


def test_tables_fit_the_terminal_width(run: Run) -> None:
    for width in (60, 100, 160):
        out = run("section", "economy", "--format", "table", env={"COLUMNS": str(width)}).stdout
        from rich.cells import cell_len

        assert max(cell_len(line) for line in out.splitlines()) <= width
        assert "100.9亿元" in out  # figures are never cut


def test_matches_are_highlighted_in_a_colour_terminal(run: Run) -> None:
    env = {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}
    coloured = run("search", "就业", "--format", "table", env=env).stdout
    assert "\x1b[1;7m就业" in coloured
    plain = run("--no-color", "search", "就业", "--format", "table", env=env).stdout
    assert "\x1b[3" not in plain  # no colour codes, whatever the terminal


def test_a_bug_is_one_line_not_a_traceback(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import qindu_cli.load

    def broken(*_: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(qindu_cli.load, "load", broken)
    result = run("search", "就业")
    assert (result.exit_code, result.stdout) == (70, "")
    assert result.stderr == (
        "qindu: internal error: ZeroDivisionError: division by zero; please report it with the command you ran\n"
    )


def test_ctrl_c_exits_130_quietly(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import qindu_cli.load

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(qindu_cli.load, "load", interrupted)
    result = run("search", "就业")
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "")


def test_python_dash_m_runs_from_any_folder(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "qindu_cli", "search", "就业"], cwd=tmp_path, capture_output=True, check=False
    )
    assert result.returncode == 0
    assert "9717人" in result.stdout.decode() and "2.68%" in result.stdout.decode()
    assert str(ROOT) not in result.stderr.decode()
    assert FACTS.is_file()
