"""The shipped facts.yaml against the report: valid, complete, and every figure where the report says it."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest
from conftest import FACTS

from qindu_cli.load import parse
from qindu_cli.model import Fact, FactBook
from qindu_cli.units import parse_figure

# Digits in the report that are names, not figures: years, the pollutant PM10, and 地铁1号线3期.
NOT_FIGURES = {"2022年": "a year", "PM10": "a pollutant's name", "1号线": "a metro line", "3期": "a line's phase"}


@pytest.fixture(scope="module")
def book() -> FactBook:
    return parse(FACTS.read_bytes(), str(FACTS))[0]


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


def test_coverage_of_each_kind(book: FactBook) -> None:
    kinds = Counter(f.kind for f in book.facts)
    assert kinds["indicator"] == 80
    assert 15 <= kinds["milestone"] <= 20
    assert 30 <= kinds["initiative"] <= 45
    named = {"“五个一”", "“百人包百企”", "“秦乐购”", "“心心秦家”", "“两改一提升”", "“千企万户行”"}
    labels = " ".join(f.label for f in book.facts if f.kind == "initiative")
    assert {name for name in named if name not in labels} == set()


def test_ids_are_unique_and_their_last_part_too(book: FactBook) -> None:
    slugs = Counter(f.id.rsplit(".", 1)[-1] for f in book.facts)
    assert [slug for slug, n in slugs.items() if n > 1] == []
