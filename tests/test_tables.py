"""Tables on a terminal: golden pictures at five widths, what every width must satisfy, and the grid itself.

Golden files are compared byte for byte; after a deliberate change of layout, rewrite them with
`python -m pytest tests/test_tables.py --update-golden` and read the diff before committing.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import DATA, Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from qindu_cli.tables import Column, Painter, cell_lines, char_width, fold, plan, width_of

GOLDEN = DATA / "golden"
WIDTHS = (60, 80, 100, 120, 160)
TABLES = {
    "sections": ["sections"],
    "section-livelihood": ["section", "livelihood"],
    "search-jiuye": ["search", "就业"],
    "search-explain": ["search", "jiuye", "--explain"],
    "show": ["show", "new-urban-jobs"],
    "indicators-yuan": ["indicators", "--unit", "元", "--sort", "value", "--desc"],
    "chart": ["chart", "--unit", "万元"],
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(TABLES))
def test_tables_match_their_golden_files(run: Run, name: str, width: int, request: pytest.FixtureRequest) -> None:
    args = TABLES[name]
    table = [] if name == "chart" else ["--format", "table"]
    result = run("--no-color", *args, *table, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / f"{name}.{width}.txt"
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


# ── what every width must satisfy ─────────────────────────────────────────────

listings = st.one_of(
    st.just(["sections"]),
    st.tuples(st.just("section"), st.sampled_from(["economy", "party-building", "livelihood"])).map(list),
    st.tuples(st.just("search"), st.sampled_from(["就业", "jiuye", "亿元", "党建", "employment", "9717", "万"])).map(
        list
    ),
    st.tuples(st.just("search"), st.sampled_from(["就业", "万"]), st.just("--explain")).map(list),
    st.tuples(
        st.just("show"), st.sampled_from(["new-urban-jobs", "funds-in-place", "jinhua-community-national-title"])
    ).map(list),
    st.tuples(st.just("show"), st.sampled_from(["new-urban-jobs", "funds-in-place"]), st.just("--context")).map(list),
    st.tuples(st.just("indicators"), st.sampled_from(["元", "亿元", "万元", "人", "%"])).map(
        lambda t: [t[0], "--unit", t[1]]
    ),
    st.just(["indicators"]),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=listings, width=st.integers(40, 200), lang=st.sampled_from(["zh", "en"]))
def test_any_width_keeps_figures_and_ids_whole_and_no_line_too_wide(
    run: Run, args: list[str], width: int, lang: str
) -> None:
    result = run("--no-color", "--lang", lang, *args, "--format", "table", env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    assert [line for line in lines if line.endswith(" ")] == []  # nothing invisible to trip a diff or a copy
    if args[0] == "sections":
        return
    shown = json.loads(run(*args, "--json").stdout)
    facts = [shown] if args[0] == "show" else shown["facts"] if args[0] == "section" else shown
    quoted = args[0] != "indicators" and not any(name in result.stderr for name in ("原文", "Quote"))
    for fact in facts:
        if fact["raw"]:  # whole in the figure column, and in the quote when the quote is shown
            assert sum(line.count(fact["raw"]) for line in lines) >= (2 if quoted else 1), (fact["raw"], width)
        if width >= 60:
            assert any(fact["id"] in line for line in lines), (fact["id"], width)


def test_a_narrow_table_says_what_it_left_out(run: Run) -> None:
    result = run("section", "livelihood", "--format", "table", env={"COLUMNS": "90"})
    assert "原文" not in result.stdout.splitlines()[2]
    assert result.stderr == (
        "qindu: left out 原文 to fit 90 columns; see every column in a wider terminal or with --format plain\n"
    )
    assert run("section", "livelihood", "--format", "table", env={"COLUMNS": "160"}).stderr == ""


def test_no_color_means_no_escape_of_any_kind(run: Run) -> None:
    env = {"FORCE_COLOR": "1", "COLUMNS": "120"}
    for args in (["search", "就业"], ["section", "economy"], ["show", "new-urban-jobs"], ["sections"]):
        coloured = run(*args, "--format", "table", env=env).stdout
        assert "\x1b[" in coloured, args  # bold headers, dim rules, reverse-video matches
        assert "\x1b" not in run("--no-color", *args, "--format", "table", env=env).stdout
        assert "\x1b" not in run(*args, "--format", "table", env={**env, "NO_COLOR": "1"}).stdout
    assert "\x1b" not in run("--no-color", "chart", "--unit", "万元", env=env).stdout


# ── the grid's own parts ──────────────────────────────────────────────────────


def test_character_widths_agree_with_a_terminal() -> None:
    for text in ["abc", "就业", "“组合拳”", "2.68%", "１２", "é", "e\u0301", "ｱ", "가", "…"]:
        assert width_of(text) == cell_len(text), text
    assert char_width("就") == 2 and char_width("a") == 1 and char_width("\u0301") == 0


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("就业优先战略", 4, ["就业", "优先", "战略"]),
        ("就业优先战略", 5, ["就业", "优先", "战略"]),  # a wide character never straddles the edge
        ("New urban jobs", 9, ["New urban", "jobs"]),  # words move whole to the next line
        ("the measure of happiness", 16, ["the measure of", "happiness"]),  # no space left at the cut
        ("employment", 4, ["empl", "oyme", "nt"]),  # a word longer than a line is cut
        ("共100家重点企业", 6, ["共100", "家重点", "企业"]),
        ("资金5123.5万元", 8, ["资金", "5123.5万", "元"]),
        ("", 5, [""]),
    ],
)
def test_fold_cuts_at_cells_not_characters(text: str, width: int, lines: list[str]) -> None:
    assert [text[a:b] for a, b in fold(text, width)] == lines
    assert all(width_of(text[a:b]) <= width for a, b in fold(text, width))


def test_fold_never_cuts_a_kept_figure_that_fits_a_line() -> None:
    quote = "落实残疾人两项补贴、优抚对象抚恤金等资金5123.5万元"
    start = quote.find("5123.5万元")
    for width in range(10, 40):
        lines = [quote[a:b] for a, b in fold(quote, width, [(start, start + len("5123.5万元"))])]
        assert any("5123.5万元" in line for line in lines), width


@given(st.text(alphabet=st.sampled_from("就业 ab1“”、。xyz-"), max_size=60), st.integers(2, 30))
def test_fold_keeps_every_character_but_spaces_at_cuts(text: str, width: int) -> None:
    pieces = fold(text, width)
    assert all(width_of(text[a:b]) <= width for a, b in pieces)
    assert "".join(text[a:b] for a, b in pieces).replace(" ", "") == text.replace(" ", "")
    assert not any(text[b - 1] == " " for a, b in pieces[:-1] if b > a), pieces


def test_plan_keeps_whole_columns_and_leaves_out_the_least_useful_first() -> None:
    columns = [Column("ID", whole=True), Column("Label", share=2, least=10), Column("Figure", whole=True)]
    columns.append(Column("Quote", drop=3, least=10))
    natural = [30, 20, 8, 40]
    assert plan(200, columns, natural) == {0: 30, 1: 20, 2: 8, 3: 40}
    narrow = plan(70, columns, natural)
    assert narrow is not None and narrow[0] == 30 and narrow[2] == 8 and sum(narrow.values()) + 1 + 9 <= 70
    assert plan(56, columns, natural) == {0: 30, 1: 11, 2: 8}  # the quote leaves before the label folds below 10
    assert plan(50, columns, natural) is None  # id, label and figure no longer fit side by side: draw blocks


def test_a_multi_line_cell_is_as_wide_as_its_widest_line() -> None:
    from qindu_cli.tables import Cell

    two = Cell("秦都\nEconomy: a new leap")
    assert two.width == 19
    drawn = cell_lines(two, 10, Painter(False))
    assert [text for text, _ in drawn] == ["秦都", "Economy: a", "new leap"]


@pytest.mark.parametrize("fact_id", ["livelihood.jobs.new-urban-jobs", "economy.projects.funds-in-place"])
@pytest.mark.parametrize("colour", ["--no-color", "--color"])
def test_the_context_never_splits_a_figure_of_its_paragraph(run: Run, fact_id: str, colour: str) -> None:
    """Every figure the report states in the paragraph, the fact's own and its neighbours', stays on one line."""
    shown = json.loads(run("show", fact_id, "--json").stdout)
    every = [json.loads(line) for line in run("export", "--format", "jsonl").stdout.splitlines()]
    raws = [f["raw"] for f in every if f["raw"] and f["where"]["paragraph"] == shown["where"]["paragraph"]]
    assert len(raws) > 3
    for width in range(30, 161, 7):
        env = {"COLUMNS": str(width), **({"FORCE_COLOR": "1"} if colour == "--color" else {})}
        args = ["show", fact_id, "--context", "--format", "table"]
        out = run(*([] if colour == "--color" else [colour]), *args, env=env).stdout
        plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
        every_line = plain.splitlines()
        lines = every_line[next(i for i, line in enumerate(every_line) if line.startswith("   context")) :]
        assert max(cell_len(line) for line in every_line) <= width
        for raw in raws:
            assert any(raw in line for line in lines), (raw, width)
