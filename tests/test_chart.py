"""qindu chart: bars to scale for indicators that share a unit; several units refused with the choices."""

from __future__ import annotations

import json

from conftest import WIDTH, Run
from rich.cells import cell_len

BARS = "█▏▎▍▌▋▊▉"


def bar_cells(line: str) -> float:
    """The length of a line's bar in cells, eighths counted."""
    eighths = {char: (index if index else 8) for index, char in enumerate(BARS)}
    return sum(eighths[c] for c in line if c in eighths) / 8


def test_a_chart_of_one_unit_draws_bars_to_scale(run: Run) -> None:
    result = run("chart", "--unit", "万元")
    assert result.exit_code == 0, result.stderr
    title, blank, *rows = result.stdout.splitlines()
    assert title == "5 indicators in 万元; the largest is 6797.36万元" and blank == ""
    facts = json.loads(run("indicators", "--unit", "万元", "--sort", "value", "--desc", "--json").stdout)
    assert [f["raw"] for f in facts] == [row.split()[-1] for row in rows]  # largest first, figure as written
    lengths = [bar_cells(row) for row in rows]
    for fact, length in zip(facts, lengths, strict=True):
        assert abs(length / lengths[0] - fact["value"] / facts[0]["value"]) < 1 / (8 * lengths[0]) + 1e-9
    starts = {cell_len(row[: min(row.find(c) for c in BARS if c in row)]) for row in rows}
    assert len(starts) == 1  # Chinese and English labels padded to the same width
    assert max(cell_len(row) for row in rows) <= WIDTH


def test_a_base_unit_compares_every_scale_of_it(run: Run) -> None:
    rows = run("chart", "--unit", "元").stdout.splitlines()
    assert rows[0] == "8 indicators in 万元 and 亿元, compared in 元; the largest is 100.9亿元"
    lengths = {row.split()[-1]: bar_cells(row) for row in rows[2:]}
    assert abs(lengths["17.6亿元"] / lengths["100.9亿元"] - 17.6 / 100.9) < 0.01
    assert abs(lengths["1200万元"] / lengths["100.9亿元"] - 0.12 / 100.9) < 0.01


def test_mixing_units_is_refused_with_the_units_on_offer(run: Run) -> None:
    result = run("chart", "--section", "livelihood", "--topic", "jobs")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "a chart compares one unit" in result.stderr
    assert "万元 (2)" in result.stderr and "家 (1)" in result.stderr and "% (1)" in result.stderr


def test_a_narrow_terminal_keeps_the_chinese_labels(run: Run) -> None:
    rows = run("chart", "--unit", "亿元", env={"COLUMNS": "44"}).stdout.splitlines()[2:]
    assert all(cell_len(row) <= 44 for row in rows)
    assert rows[0].startswith(" 到位资金") and "Investment" not in rows[0]


def test_no_indicator_in_the_selection_is_exit_1(run: Run) -> None:
    result = run("chart", "--unit", "亿元", "--section", "party-building")
    assert (result.exit_code, result.stdout) == (1, "") and "no indicator matches" in result.stderr
