"""The shipped facts.yaml against the report: valid, complete, and every figure where the report says it."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest
from conftest import FACTS, ROOT, SOURCE, parse

from qindu_cli.model import Fact, FactBook
from qindu_cli.source import Report
from qindu_cli.units import parse_figure

# Digits in the report that are names, not figures: years, the pollutant PM10, and 地铁1号线3期.
NOT_FIGURES = {"2022年": "a year", "PM10": "a pollutant's name", "1号线": "a metro line", "3期": "a line's phase"}


@pytest.fixture(scope="module")
def book() -> FactBook:
    return parse(FACTS.read_bytes(), str(FACTS))


def test_the_shipped_file_has_three_sections_and_twelve_topics(book: FactBook) -> None:
    assert [s.id for s in book.sections] == ["economy", "party-building", "livelihood"]
    assert [len(s.topics) for s in book.sections] == [3, 4, 5]


def test_every_quote_is_in_the_report_and_every_figure_in_its_quote(book: FactBook, source_text: str) -> None:
    missing = [f.id for f in book.facts if f.quote not in source_text]
    assert missing == []
    assert all(f.raw in f.quote for f in book.facts if f.raw)


def test_section_headings_and_sub_headings_are_as_written(book: FactBook, source_text: str) -> None:
    lines = source_text.splitlines()
    for section in book.sections:
        assert section.title in lines
        for topic in section.topics:
            assert any(line.startswith(topic.title + "。") for line in lines), topic.title


def _figure_positions(fact: Fact, source: str) -> set[int]:
    """Where in the report this indicator's number stands: quote position + figure position + digits."""
    assert fact.raw is not None
    figure = parse_figure(fact.raw)
    assert figure is not None
    number_at = fact.raw.index(str(figure.value) if "." in fact.raw else str(int(figure.value)))
    positions = set()
    for quote in re.finditer(re.escape(fact.quote), source):
        for raw in re.finditer(re.escape(fact.raw), fact.quote):
            positions.add(quote.start() + raw.start() + number_at)
    return positions


def test_every_figure_of_the_report_is_an_indicator_and_no_two_claim_the_same(book: FactBook, source_text: str) -> None:
    """The check that no figure was left out: each run of digits in the report is some indicator's number."""
    claimed: Counter[int] = Counter()
    for fact in book.facts:
        if fact.kind == "indicator":
            positions = _figure_positions(fact, source_text)
            assert positions, f"{fact.id}: its figure is not found in the report"
            claimed.update(positions)
    unclaimed = []
    for number in re.finditer(r"\d+(?:\.\d+)?", source_text):
        context = source_text[max(0, number.start() - 2) : number.end() + 2]
        if any(name in context for name in NOT_FIGURES):
            continue
        if claimed[number.start()] == 0:
            unclaimed.append(f"{number.group()} in …{source_text[max(0, number.start() - 8) : number.end() + 4]}…")
    assert unclaimed == []
    indicators = [f for f in book.facts if f.kind == "indicator"]
    assert sum(claimed.values()) == len(indicators), "two indicators claim the same figure"


def test_the_figures_people_ask_for_first_are_right(book: FactBook) -> None:
    jobs = book.fact("livelihood.jobs.new-urban-jobs")
    assert (str(jobs.value), jobs.unit, jobs.qualifier) == ("9717", "人", None)
    rate = book.fact("livelihood.jobs.urban-unemployment-rate")
    assert (str(rate.value), rate.unit) == ("2.68", "%")
    normalized = book.fact("economy.projects.funds-in-place").normalized
    assert normalized is not None and (normalized.number, normalized.unit) == (Decimal("10090000000"), "元")
    more = book.fact("economy.innovation.new-market-entities")
    assert (str(more.value), more.unit, more.qualifier) == ("9100", "户", "more_than")


def test_every_named_programme_is_an_initiative(book: FactBook) -> None:
    named = {"“五个一”", "“百人包百企”", "“秦乐购”", "“心心秦家”", "“两改一提升”", "“千企万户行”", "西安—咸阳一体化"}
    labels = " ".join(f.label for f in book.facts if f.kind == "initiative")
    assert {name for name in named if name not in labels} == set()


def test_ids_are_unique_and_their_last_part_too(book: FactBook) -> None:
    slugs = Counter(f.id.rsplit(".", 1)[-1] for f in book.facts)
    assert [slug for slug, n in slugs.items() if n > 1] == []


# ── the audit against the report: periods, whole quotes, every named item findable ────────────

# 累计 and 去年以来 reach every fact after them in their sentence; the party-building part opens
# with 近年来, which reaches the rest of that part but a clause that names its own year.
# The one clause a 累计 sentence holds that it does not reach, and why:
NOT_REACHED = {
    "livelihood.health.fever-clinics": "all 14 health centres have fever clinics; 累计 counts the doses before it",
}
# Words that mark an honour, a ranking, a first, an award or a standard reached.
HONOURS = ("第一", "首家", "第三个", "一等奖", "入选", "被评为", "荣获", "高度评价", "在全国推广", "达到二类标准", "三连降")  # fmt: skip  # noqa: E501
# A figure of speech the report puts in quotation marks, not the name of anything.
NOT_NAMES = {"双赢": "the 'win-win' of sending officials to the front line"}


@pytest.fixture(scope="module")
def report(book: FactBook) -> Report:
    return Report(SOURCE.read_text(encoding="utf-8"), book.sections)


def _sentence(report: Report, fact: Fact) -> tuple[str, int]:
    """The sentence (up to 。) that holds a fact's quote, and where the quote starts in it."""
    place = report.place(fact.quote, fact.section, fact.topic)
    paragraph, start, _ = report.context(place)
    opens = paragraph.rfind("。", 0, start) + 1
    closes = paragraph.find("。", start)
    return paragraph[opens : closes if closes >= 0 else len(paragraph)], start - opens


def _expected_period(report: Report, fact: Fact) -> str | None:
    sentence, at = _sentence(report, fact)
    for word in ("去年以来", "累计"):
        if word in sentence and sentence.index(word) < at + len(fact.quote) and fact.id not in NOT_REACHED:
            return word
    party = report.section_paragraphs("party-building")
    assert party is not None and report.paragraphs[party.start].startswith("近年来,")
    place = report.place(fact.quote, fact.section, fact.topic)
    if place.paragraph in party and "2022年" not in fact.quote:  # a clause that names its year keeps it
        return "近年来"
    return None


def test_every_fact_of_a_period_sentence_carries_the_period_and_no_other_does(book: FactBook, report: Report) -> None:
    wrong = [
        f"{fact.id}: {fact.period} but its sentence says {expected}"
        for fact in book.facts
        if fact.period != (expected := _expected_period(report, fact))
    ]
    assert wrong == []


def test_every_quote_stands_once_in_the_report(book: FactBook, source_text: str) -> None:
    assert [f.id for f in book.facts if source_text.count(f.quote) != 1] == []


@pytest.mark.parametrize(
    ("fact_id", "words"),
    [
        ("economy.commerce.new-trade-enterprises", ["全年新增", "限额以上商贸企业"]),
        ("economy.projects.caihong-glass-praised", ["超薄高透", "受到全省观摩组高度评价"]),
        ("party-building.cadres.training-classes", ["举办", "专题研讨班", "培训班次10期"]),
        ("party-building.talent.innovation-teams", ["收录", "创新团队45个"]),
        ("party-building.talent.rd-talents", ["收录", "科技型研发人才177位"]),
        ("party-building.talent.patents", ["收录", "技术专利558项"]),
        ("party-building.conduct.problems-resolved", ["问题", "办结4987件"]),
        ("livelihood.education.vocational-school-first-in-province", ["区职业教育中心", "排名全省第一"]),
    ],
)
def test_a_quote_holds_the_verb_and_the_thing_counted(book: FactBook, fact_id: str, words: list[str]) -> None:
    quote = book.fact(fact_id).quote
    assert [word for word in words if word not in quote] == []


def _stated_paragraphs(report: Report, book: FactBook) -> list[str]:
    """The paragraphs that state things: each section's opening paragraph and its topics' paragraphs."""
    numbers = set()
    for section in book.sections:
        paragraphs = report.section_paragraphs(section.id)
        assert paragraphs is not None
        numbers.add(paragraphs.start + 1)
        numbers.update(report.topic_paragraph(section.id, t.id) or 0 for t in section.topics)
    return [report.paragraphs[n - 1] for n in sorted(numbers - {0})]


def test_every_name_in_quotation_marks_or_title_marks_is_a_label_or_a_tag(book: FactBook, report: Report) -> None:
    """A named item folded into another fact's quote is found by nobody; its name must be searchable."""
    headings = {name for s in book.sections for t in s.topics for name in re.findall(r"“([^”]+)”", t.title)}
    searchable = " ".join(f.label for f in book.facts) + " " + " ".join(t for f in book.facts for t in f.tags)
    names = {
        name
        for paragraph in _stated_paragraphs(report, book)
        for name in re.findall(r"“([^“”]+)”|《([^《》]+)》", paragraph)
        for name in name
        if name
    }
    assert sorted(names - headings - set(NOT_NAMES) - {n for n in names if n in searchable}) == []


def test_every_honour_ranking_first_and_standard_is_a_milestone_or_a_figure_tagged_honour(
    book: FactBook, report: Report
) -> None:
    spans = [
        (report.place(f.quote, f.section, f.topic), f)
        for f in book.facts
        if f.kind == "milestone" or {"荣誉", "honour"} <= set(f.tags)
    ]
    stated = _stated_paragraphs(report, book)
    missed = []
    for word in HONOURS:
        for match in re.finditer(f"(?={re.escape(word)})", report.text):  # overlapping places too
            start, paragraph = match.start(), report.text.count("\n", 0, match.start()) + 1
            if report.paragraphs[paragraph - 1] in stated and not any(
                p.start <= start and start + len(word) <= p.end for p, _ in spans
            ):
                missed.append(f"{word} in paragraph {paragraph}")
    assert missed == []


def test_a_figure_that_is_an_honour_is_tagged_as_one(book: FactBook) -> None:
    untagged = [
        f.id
        for f in book.facts
        if f.kind == "indicator" and any(word in f.quote for word in HONOURS) and not {"荣誉", "honour"} <= set(f.tags)
    ]
    assert untagged == []


def test_the_readme_gives_the_counts_of_the_file(book: FactBook) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    data = readme[readme.index("## The data") :]
    data = data[: data.index("\n## ", 1)]
    kinds = Counter(f.kind for f in book.facts)
    total = f"It holds {len(book.facts)} facts: {kinds['indicator']} indicators"
    assert total in data
    assert f"{kinds['milestone']} milestones and {kinds['initiative']} initiatives" in data
    for section in book.sections:
        counts = Counter(f.kind for f in book.facts if f.section == section.id)
        row = f"| {section.id} | {counts['indicator']} | {counts['milestone']} | {counts['initiative']} |"
        assert row in data
