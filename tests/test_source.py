"""The report's text: it ships with the facts, and every quote has one place in it."""

from __future__ import annotations

import csv
import io
import json
import marshal
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FACTS, ROOT, Run, parse

from qindu_cli.load import load
from qindu_cli.model import FactBook, Place, Section
from qindu_cli.source import QuoteNotPlaced, Report

REPORT = ROOT / "qindu-2022-report.txt"


@pytest.fixture(scope="module")
def book() -> FactBook:
    return parse(FACTS.read_bytes(), str(FACTS))


@pytest.fixture(scope="module")
def report(book: FactBook) -> Report:
    return Report(REPORT.read_text(encoding="utf-8"), book.sections)


def test_the_fact_file_names_the_report_that_ships_beside_it(book: FactBook) -> None:
    assert book.source.text == REPORT.name
    assert (FACTS.parent / book.source.text).is_file()


def test_the_wheel_carries_the_report_beside_the_facts() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"{REPORT.name}" = "qindu_cli/{REPORT.name}"' in pyproject
    assert '"facts.yaml" = "qindu_cli/facts.yaml"' in pyproject


def test_ci_checks_the_shipped_copy_against_the_shared_one() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f'cmp {REPORT.name} "$source_text"' in ci


def test_paragraphs_are_the_lines_of_the_report(report: Report) -> None:
    assert len(report.paragraphs) == 25
    assert report.paragraphs[0].startswith("2022年,在多重风险挑战下")
    assert report.paragraphs[-1] == "(通讯员 房佳瑶 王子怡)"


def test_each_section_holds_the_paragraphs_from_its_heading_to_the_next(report: Report) -> None:
    assert report.section_paragraphs("economy") == range(3, 8)
    assert report.section_paragraphs("party-building") == range(8, 15)
    assert report.section_paragraphs("livelihood") == range(15, 26)
    assert report.topic_paragraph("economy", "projects") == 5
    assert report.topic_paragraph("livelihood", "green") == 21


def test_every_quote_is_at_its_place(book: FactBook, report: Report) -> None:
    for fact in book.facts:
        place = report.place(fact.quote, fact.section, fact.topic)
        assert report.text[place.start : place.end] == fact.quote, fact.id
        paragraph, start, end = report.context(place)
        assert paragraph == report.paragraphs[place.paragraph - 1]
        assert paragraph[start:end] == fact.quote, fact.id


def test_every_place_is_inside_its_sections_paragraphs(book: FactBook, report: Report) -> None:
    outside = []
    for fact in book.facts:
        place = report.place(fact.quote, fact.section, fact.topic)
        if place.paragraph not in report.section_paragraphs(fact.section):
            outside.append(fact.id)
    assert outside == []


def test_a_quote_found_twice_is_placed_in_its_own_topic() -> None:
    """The livelihood lead names the three-year plan that the education paragraph states as done."""
    text = REPORT.read_text(encoding="utf-8")
    sections = parse(FACTS.read_bytes(), str(FACTS)).sections
    short = "大力实施基础教育高质量发展三年行动"
    assert text.count(short) == 2
    place = Report(text, sections).place(short, "livelihood", "education")
    assert place.paragraph == 18
    assert text[place.start : place.end] == short


def test_a_quote_found_twice_in_its_own_topic_is_refused() -> None:
    text = REPORT.read_text(encoding="utf-8").replace("新增学位6095个。", "新增学位6095个。新增学位6095个。")
    sections = parse(FACTS.read_bytes(), str(FACTS)).sections
    with pytest.raises(QuoteNotPlaced, match=r"found 2 times in paragraph 18"):
        Report(text, sections).place("新增学位6095个", "livelihood", "education")


def test_a_quote_only_in_another_section_is_refused(report: Report) -> None:
    with pytest.raises(QuoteNotPlaced, match=r"only outside the paragraphs of section economy \(found in 20\)"):
        report.place("全年新增城镇就业9717人", "economy", "projects")


def test_a_quote_not_in_the_text_is_refused(report: Report) -> None:
    with pytest.raises(QuoteNotPlaced, match="not found verbatim"):
        report.place("全年新增城镇就业9718人", "livelihood", "jobs")


def test_without_headings_a_quote_must_be_unique_in_the_whole_text() -> None:
    report = Report("甲乙丙。\n丙丁甲乙。\n", ())
    assert report.place("丙丁", "x", "y") == Place(paragraph=2, start=5, end=7)
    with pytest.raises(QuoteNotPlaced, match=r"found 2 times in paragraphs 1, 2"):
        report.place("甲乙", "x", "y")


def test_offsets_count_code_points_not_bytes() -> None:
    report = Report("秦都区\n“双减”政策\n", ())
    place = report.place("政策", "x", "y")
    assert (place.paragraph, place.start, place.end) == (2, 8, 10)
    assert report.context(place) == ("“双减”政策", 4, 6)


def test_validate_checks_quotes_against_the_shipped_report_without_a_flag(run: Run) -> None:
    result = run("validate")
    assert result.exit_code == 0, result.stderr
    assert f"every quote placed in {REPORT}" in result.stdout


def _copy_with_report(tmp_path: Path, text: str) -> Path:
    shutil.copy(FACTS, tmp_path / "facts.yaml")
    (tmp_path / REPORT.name).write_text(text, encoding="utf-8")
    return tmp_path / "facts.yaml"


def test_validate_refuses_a_quote_that_its_topic_holds_twice(run: Run, tmp_path: Path) -> None:
    text = REPORT.read_text(encoding="utf-8").replace("新增学位6095个。", "新增学位6095个。新增学位6095个。")
    result = run("validate", str(_copy_with_report(tmp_path, text)))
    assert result.exit_code == 2
    assert "livelihood.education.new-school-places" in result.stderr
    assert "found 2 times in paragraph 18" in result.stderr


def test_validate_source_overrides_the_named_report(run: Run, tmp_path: Path) -> None:
    path = _copy_with_report(tmp_path, REPORT.read_text(encoding="utf-8"))
    other = tmp_path / "other.txt"
    other.write_text(REPORT.read_text(encoding="utf-8").replace("9717人", "9718人"), encoding="utf-8")
    assert run("validate", str(path)).exit_code == 0
    result = run("validate", str(path), "--source", str(other))
    assert result.exit_code == 2 and "livelihood.jobs.new-urban-jobs" in result.stderr


def test_a_fact_file_without_its_report_is_still_checked_for_the_rest(run: Run, tmp_path: Path) -> None:
    shutil.copy(FACTS, tmp_path / "facts.yaml")
    result = run("validate", str(tmp_path / "facts.yaml"))
    assert result.exit_code == 0, result.stderr
    assert f"quotes not checked: {REPORT.name} is not beside it; give --source" in result.stdout


@pytest.mark.parametrize("name", ["../secret.txt", "/etc/passwd", "sub/report.txt", ".hidden.txt"])
def test_the_named_report_is_a_plain_file_name_beside_the_fact_file(run: Run, tmp_path: Path, name: str) -> None:
    text = FACTS.read_text(encoding="utf-8").replace(f"text: {REPORT.name}", f"text: {name}")
    assert text != FACTS.read_text(encoding="utf-8")
    (tmp_path / "facts.yaml").write_text(text, encoding="utf-8")
    result = run("validate", str(tmp_path / "facts.yaml"))
    assert result.exit_code == 2 and "a file name beside the fact file" in result.stderr


# ── where: each fact's place, worked out from the report when the book is built ──────────────

JOBS = "livelihood.jobs.new-urban-jobs"


def _headings(text: str, book: FactBook) -> dict[str, range]:
    """Each section's paragraphs, from its heading's line to the next heading's, read from the text alone."""
    lines = text.split("\n")
    firsts = sorted((lines.index(section.title) + 1, section.id) for section in book.sections)
    ends = [first for first, _ in firsts[1:]] + [len(lines) + 1]
    return {section: range(first, end) for (first, section), end in zip(firsts, ends, strict=True)}


def test_every_fact_of_the_shipped_book_stands_at_its_where(source_text: str) -> None:
    book = load().book
    sections = _headings(source_text, book)
    for fact in book.facts:
        where = fact.where
        assert where is not None, fact.id
        assert source_text[where.start : where.end] == fact.quote, fact.id
        assert source_text.count("\n", 0, where.start) + 1 == where.paragraph, fact.id
        assert where.paragraph in sections[fact.section], fact.id


def test_where_is_null_without_the_report_beside_the_fact_file(run: Run, tmp_path: Path) -> None:
    shutil.copy(FACTS, tmp_path / "facts.yaml")
    assert {fact.where for fact in load(tmp_path / "facts.yaml").book.facts} == {None}
    shown = run("--facts", str(tmp_path / "facts.yaml"), "show", JOBS, "--json")
    assert json.loads(shown.stdout)["where"] is None


def test_a_cached_book_is_used_only_with_the_report_its_where_came_from(tmp_path: Path, source_text: str) -> None:
    path = _copy_with_report(tmp_path, source_text)
    first = load(path).book.fact(JOBS).where
    assert first is not None
    (tmp_path / REPORT.name).write_text("前言\n" + source_text, encoding="utf-8")
    moved = load(path).book.fact(JOBS).where
    assert moved == (first.paragraph + 1, first.start + 3, first.end + 3)
    (tmp_path / REPORT.name).unlink()
    assert load(path).book.fact(JOBS).where is None


def test_where_is_written_by_qindu_never_by_hand(run: Run, tmp_path: Path) -> None:
    text = FACTS.read_text(encoding="utf-8").replace(
        "    quote: 全年新增城镇就业9717人\n",
        "    quote: 全年新增城镇就业9717人\n    where: {paragraph: 1, start: 0, end: 3}\n",
    )
    assert text != FACTS.read_text(encoding="utf-8")
    (tmp_path / "facts.yaml").write_text(text, encoding="utf-8")
    result = run("validate", str(tmp_path / "facts.yaml"))
    assert result.exit_code == 2
    assert "'where' is worked out by qindu" in result.stderr


def test_where_is_an_object_in_json_and_whole_numbers_in_csv_and_sqlite(
    run: Run, tmp_path: Path, source_text: str
) -> None:
    where = json.loads(run("show", JOBS, "--json").stdout)["where"]
    assert list(where) == ["paragraph", "start", "end"]
    assert all(type(value) is int for value in where.values())
    assert source_text[where["start"] : where["end"]] == "全年新增城镇就业9717人"
    row = next(csv.DictReader(io.StringIO(run("show", JOBS, "--format", "csv").stdout)))
    assert [row[f"where_{part}"] for part in where] == [str(value) for value in where.values()]
    database = tmp_path / "q.db"
    assert run("export", "--format", "sqlite", "-o", str(database)).exit_code == 0
    with sqlite3.connect(database) as db:
        found = db.execute(
            "select where_paragraph, where_start, where_end, typeof(where_start) from facts where id = ?", (JOBS,)
        ).fetchone()
    assert found == (*where.values(), "integer")


def test_show_says_where_a_quote_stands(run: Run) -> None:
    where = json.loads(run("show", JOBS, "--json").stdout)["where"]
    lines = dict(line.split("\t", 1) for line in run("show", JOBS, "--format", "plain").stdout.splitlines())
    assert lines["where"] == f"paragraph {where['paragraph']}, text[{where['start']}:{where['end']}]"


# ── show --context: the paragraph around a quote ──────────────────────────────────────────────


def test_context_in_json_is_the_paragraph_and_the_quotes_span_in_it(run: Run, source_text: str) -> None:
    shown = json.loads(run("show", JOBS, "--context", "--json").stdout)
    context = shown.pop("context")
    assert shown == json.loads(run("show", JOBS, "--json").stdout)  # the fact's own shape, and the context
    paragraph = source_text.split("\n")[shown["where"]["paragraph"] - 1]
    assert context["text"] == paragraph
    assert paragraph[context["start"] : context["end"]] == shown["quote"]


def test_context_in_plain_is_three_more_lines(run: Run, source_text: str) -> None:
    lines = dict(
        line.split("\t", 1) for line in run("show", JOBS, "--context", "--format", "plain").stdout.splitlines()
    )
    start, end = int(lines["context_start"]), int(lines["context_end"])
    assert lines["context_text"] in source_text.split("\n")
    assert lines["context_text"][start:end] == lines["quote"]


def test_context_of_several_facts_in_csv_adds_its_columns(run: Run) -> None:
    rows = list(csv.DictReader(io.StringIO(run("show", JOBS, "funds-in-place", "--context", "--format", "csv").stdout)))
    assert len(rows) == 2
    for row in rows:
        assert row["context_text"][int(row["context_start"]) : int(row["context_end"])] == row["quote"]


def test_context_on_a_terminal_marks_the_quote(run: Run) -> None:
    wide = {"COLUMNS": "5000"}  # the paragraph on one line
    plain = run("show", JOBS, "--context", "--no-color", "--format", "table", env=wide).stdout
    assert "【全年新增城镇就业9717人】" in plain
    assert "\x1b" not in plain
    coloured = run("show", JOBS, "--context", "--format", "table", env={**wide, "FORCE_COLOR": "1"}).stdout
    assert "\x1b[1;7m全年新增城镇就业9717人\x1b[0m" in coloured
    assert "【" not in coloured


def test_context_needs_the_report_beside_the_fact_file(run: Run, tmp_path: Path) -> None:
    shutil.copy(FACTS, tmp_path / "facts.yaml")
    result = run("--facts", str(tmp_path / "facts.yaml"), "show", JOBS, "--context")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert f"{REPORT.name} is not beside it" in result.stderr


# ── what a place can be ───────────────────────────────────────────────────────────────────────


def test_a_quote_across_two_paragraphs_is_refused(report: Report) -> None:
    with pytest.raises(QuoteNotPlaced, match="runs over two paragraphs; quote one"):
        report.place("资金5123.5万元。\n跑好绿色发展", "livelihood", "jobs")


def test_a_quote_found_elsewhere_names_each_paragraph_once() -> None:
    sections = (Section("a", "甲", "A", ()), Section("b", "丙", "B", ()))
    with pytest.raises(QuoteNotPlaced, match=r"found only outside the paragraphs of section a \(found in 3\)$"):
        Report("甲\n丙\n乙乙乙\n", sections).place("乙", "a", "t")


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda text: "\ufeff" + text, "starts with a byte-order mark; save it as UTF-8 without one"),
        (lambda text: text.replace("\n", "\r\n"), "has CR line ends; save it with LF line ends"),
    ],
)
def test_a_report_text_whose_offsets_readers_would_count_differently_is_refused(
    run: Run, tmp_path: Path, source_text: str, change: Callable[[str], str], said: str
) -> None:
    path = _copy_with_report(tmp_path, change(source_text))
    for args in (["validate", str(path)], ["--facts", str(path), "search", "就业"]):
        result = run(*args)
        assert result.exit_code == 2, args
        assert said in result.stderr, args


def test_a_report_name_beside_the_fact_file_that_is_no_file_is_said_so(run: Run, tmp_path: Path) -> None:
    shutil.copy(FACTS, tmp_path / "facts.yaml")
    (tmp_path / REPORT.name).mkdir()
    result = run("--facts", str(tmp_path / "facts.yaml"), "show", JOBS, "--context")
    assert result.exit_code == 2
    assert "is a directory, not a report text" in result.stderr


def test_a_report_name_out_of_the_fact_files_folder_is_never_read(run: Run, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").mkdir()  # read, it would say "is a directory"
    (tmp_path / "sub").mkdir()
    text = FACTS.read_text(encoding="utf-8").replace(f"text: {REPORT.name}", "text: ../secret.txt")
    (tmp_path / "sub" / "facts.yaml").write_text(text, encoding="utf-8")
    result = run("--facts", str(tmp_path / "sub" / "facts.yaml"), "search", "就业")
    assert result.exit_code == 2
    assert "must be a file name beside the fact file" in result.stderr
    assert "directory" not in result.stderr


def test_overlapping_places_of_a_quote_are_two_places() -> None:
    with pytest.raises(QuoteNotPlaced, match="found 2 times in paragraph 1"):
        Report("乙乙乙\n", ()).place("乙乙", "x", "y")


def test_context_from_a_cached_place_made_by_hand_is_refused(run: Run, tmp_path: Path, source_text: str) -> None:
    from qindu_cli import cache, fields

    path = _copy_with_report(tmp_path, source_text)
    load(path)
    key = cache.key_for(path.read_bytes())
    data = cache.read(key)
    assert data is not None
    facts = [fields.unpack(marshal.loads(packed)) for packed in data["book"]["facts"]]
    moved = [f._replace(where=f.where._replace(paragraph=99999)) if f.where else f for f in facts]
    data["book"]["facts"] = tuple(marshal.dumps(fields.pack(f)) for f in moved)
    cache.write(key, data)
    result = run("--facts", str(path), "show", JOBS, "--context")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "an entry of the cache in " in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_quote_found_many_times_says_so_without_listing_them_all() -> None:
    with pytest.raises(QuoteNotPlaced, match=r"found 5 or more times in paragraphs 1, …; extend it"):
        Report("乙" * 10 + "\n", ()).place("乙乙", "x", "y")


def test_a_link_to_nothing_at_the_reports_name_is_said_so(run: Run, tmp_path: Path) -> None:
    shutil.copy(FACTS, tmp_path / "facts.yaml")
    (tmp_path / REPORT.name).symlink_to(tmp_path / "gone.txt")
    result = run("--facts", str(tmp_path / "facts.yaml"), "search", "就业")
    assert result.exit_code == 2
    assert "a link to nothing" in result.stderr
