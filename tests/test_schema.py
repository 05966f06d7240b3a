"""The rules of a fact file: each wrong figure or broken reference is caught with a clear message."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DATA, parse

from qindu_cli.errors import FactFileError
from qindu_cli.source import ReportText

SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")


def problems(text: str) -> list[str]:
    with pytest.raises(FactFileError) as caught:
        parse(text.encode("utf-8"), "f.yaml")
    return caught.value.lines()


def edited(old: str, new: str, count: int = 1) -> str:
    assert SMALL.count(old) >= count, f"{old!r} is not in the fixture"
    return SMALL.replace(old, new, count)


def test_the_small_fixture_is_valid() -> None:
    book = parse(SMALL.encode(), "small.yaml")
    assert [f.id for f in book.facts][:1] == ["economy.projects.funds-in-place"]
    funds = book.fact("economy.projects.funds-in-place")
    assert (funds.value, funds.normalized) == ("100.9", ("10090000000", "元"))
    assert funds.normalized is not None and funds.normalized.number == Decimal("10090000000")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "value: 9717\n",
            "value: 9718\n",
            "fact livelihood.jobs.new-urban-jobs: value: 9718 does not match raw '9717人'",
        ),
        ("value: 100.9\n", "value: 100.90001\n", "does not match raw '100.9亿元'"),
        ("    unit: 人\n", "", "unit: an indicator needs a unit"),
        ("unit: 人\n", "unit: 万人\n", "unit: '万人' does not match raw '9717人'"),
        ("unit: 人\n    raw: 9717人", "unit: 公里\n    raw: 9717公里", "'公里' is not in the unit table"),
        ("    qualifier: more_than\n", "", "qualifier: is null but raw '9100余户' says more_than"),
        ("qualifier: more_than", "qualifier: approx", "qualifier: is approx but raw '9100余户' says more_than"),
        ("qualifier: more_than", "qualifier: lots", "'lots' is not one of"),
        ("raw: 9717人", "raw: 9716人", "'9716人' does not appear in the quote"),
        ("raw: 9717人", "raw: 大约九千人", "is not a figure of the form"),
        ("value: 2.68\n", "value: 268\n", "does not match raw"),
        ("kind: initiative", "kind: programme", "'programme' is not one of indicator, milestone, initiative"),
        ("label_en: New urban jobs", "label_en: 新增城镇就业", "label_en: must be English"),
        ("label_en: New urban jobs", 'label_en: ""', "label_en: must be non-empty text"),
        ("tags: [就业, employment, jobs]", "tags: [就业]", "must hold Chinese and English keywords both"),
        ("tags: [就业, employment, jobs]", "tags: []", "tags: must be a non-empty list"),
        (
            "topic: jobs\n    label: 新增城镇就业",
            "topic: work\n    label: 新增城镇就业",
            "'work' is not a topic of livelihood",
        ),
        (
            "section: livelihood\n    topic: jobs\n    label: 新增城镇就业",
            "section: social\n    topic: jobs\n    label: 新增城镇就业",
            "'social' is not a section id",
        ),
        ("id: livelihood.jobs.new-urban-jobs", "id: livelihood.jobs.New_Jobs", "must be section.topic.slug"),
        (
            "id: livelihood.jobs.new-urban-jobs",
            "id: economy.projects.new-urban-jobs",
            "must start with livelihood.jobs.",
        ),
        (
            "    tags: [五个一, mechanism]",
            "    tags: [五个一, mechanism]\n    value: 5",
            "only indicators have a value",
        ),
        (
            "    tags: [资金, investment]",
            "    tags: [资金, investment]\n    colour: red",
            "unknown key 'colour' in a fact",
        ),
        ("value: 9717\n", "value: 9717人\n", "must be a number as written in the report"),
        ("schema_version: 1", "schema_version: 2", "schema_version 2 is not supported"),
    ],
)
def test_a_wrong_fact_is_rejected_with_a_clear_message(old: str, new: str, expected: str) -> None:
    found = problems(edited(old, new))
    assert any(expected in line for line in found), found


def test_a_duplicate_id_is_rejected_and_points_at_the_first() -> None:
    text = edited("id: livelihood.jobs.urban-unemployment-rate", "id: livelihood.jobs.new-urban-jobs")
    found = problems(text)
    assert any("duplicate id (first used on line" in line for line in found), found


def test_percentages_stay_within_0_to_100_and_counts_are_whole() -> None:
    over = edited("value: 2.68\n    unit: \"%\"\n    raw: 2.68%\n    quote: 城镇登记失业率控制在2.68%",
                  "value: 268\n    unit: \"%\"\n    raw: 268%\n    quote: 城镇登记失业率控制在268%")  # fmt: skip
    assert any("268% is outside 0-100" in line for line in problems(over))
    half = edited("value: 9717\n    unit: 人\n    raw: 9717人\n    quote: 全年新增城镇就业9717人",
                  "value: 97.5\n    unit: 人\n    raw: 97.5人\n    quote: 全年新增城镇就业97.5人")  # fmt: skip
    assert any("not a whole number of 人" in line for line in problems(half))


def test_every_problem_is_reported_at_once_with_file_and_line() -> None:
    text = edited("value: 9717\n", "value: 9718\n")
    text = text.replace("kind: initiative", "kind: programme").replace("value: 100.9\n", "value: 101\n")
    found = problems(text)
    assert len(found) == 3, found
    assert all(line.startswith("f.yaml:") for line in found)
    value_line = text.splitlines().index("    value: 9718") + 1
    assert f"f.yaml:{value_line}: fact livelihood.jobs.new-urban-jobs: value:" in "\n".join(found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("   \n# only a comment\n", "the file is empty"),
        ("- a\n- b\n", "the top level must be a mapping"),
        ("just text\n", "the top level must be a mapping"),
        ("schema_version: 1\n", "missing required key 'facts'"),
    ],
)
def test_a_file_of_the_wrong_shape_is_rejected(text: str, expected: str) -> None:
    assert any(expected in line for line in problems(text))


def test_quotes_are_checked_against_the_source_character_for_character() -> None:
    source = SMALL  # every quote of the fixture stands in the fixture itself
    book = parse(SMALL.encode(), "small.yaml", ReportText("src.txt", source))
    assert all(source[f.where.start : f.where.end] == f.quote for f in book.facts if f.where)
    assert None not in [f.where for f in book.facts]
    # The report writes an ASCII comma; a Chinese comma in the quote is a different sentence.
    changed = source.replace("全年新增城镇就业9717人", "全年,新增城镇就业9717人")
    with pytest.raises(FactFileError) as caught:
        parse(SMALL.encode(), "small.yaml", ReportText("src.txt", changed))
    found = caught.value.problems
    assert [p.fact for p in found] == ["livelihood.jobs.new-urban-jobs"]
    assert "quote not found verbatim in src.txt" in str(found[0])
    quote_line = SMALL.splitlines().index("    quote: 全年新增城镇就业9717人") + 1  # the field's line, not the fact's
    assert str(found[0]).startswith(f"small.yaml:{quote_line}: fact livelihood.jobs.new-urban-jobs: quote:")


def test_a_quote_is_checked_even_when_its_fact_has_other_problems() -> None:
    text = SMALL.replace("    label_en: New urban jobs\n", "    label_en: 新增城镇就业\n")
    changed = SMALL.replace("全年新增城镇就业9717人", "全年,新增城镇就业9717人")
    with pytest.raises(FactFileError) as caught:
        parse(text.encode(), "small.yaml", ReportText("src.txt", changed))
    found = [(p.fact, p.field) for p in caught.value.problems]
    assert found == [("livelihood.jobs.new-urban-jobs", "label_en"), ("livelihood.jobs.new-urban-jobs", "quote")]


def test_non_utf8_bytes_are_reported_with_their_line(tmp_path: Path) -> None:
    data = SMALL.encode("utf-8").replace("到位资金100.9亿元".encode(), "到位资金100.9亿元".encode("gbk"))
    with pytest.raises(FactFileError) as caught:
        parse(data, "f.yaml")
    assert "not UTF-8 text" in caught.value.lines()[0]
    assert caught.value.problems[0].line is not None


def test_topic_ids_are_unique_across_sections() -> None:
    text = SMALL.replace("      - id: jobs\n", "      - id: projects\n").replace("topic: jobs", "topic: projects")
    text = text.replace("livelihood.jobs.", "livelihood.projects.")
    found = problems(text)
    assert any("topic id 'projects' is used by economy and livelihood" in line for line in found), found
