"""What the listing commands return: plain results, turned into text only by the format asked for.

A result holds facts and what they were found with; it computes nothing for a format. The
formats (`render` for text, `tables` for the terminal) read it through the two questions
every result answers: its JSON, and its records one by one. Results are plain classes with
slots: built on every run, they cost nothing to define.
"""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from qindu_cli.fields import FACTS, INDICATORS, columns, record
from qindu_cli.model import Fact, FactBook, Section

if TYPE_CHECKING:
    from qindu_cli.search import TermMatch
    from qindu_cli.source import Context

Spans = list[tuple[int, int]]


class FactList:
    """Facts as `search` (best first) or `indicators` (filtered, sorted) found them."""

    __slots__ = ("facts", "highlight", "listing", "matches")

    def __init__(
        self,
        facts: Sequence[Fact],
        listing: str = FACTS,  # the columns a listing shows: fields.FACTS or fields.INDICATORS
        matches: Sequence[Sequence["TermMatch"]] | None = None,  # why each fact matched, with --explain
        highlight: Callable[[str, str], Spans] | None = None,  # what matched in a text shown as a field
    ) -> None:
        self.facts = facts
        self.listing = listing
        self.matches = matches
        self.highlight = highlight

    def json(self) -> list[dict[str, Any]]:
        return self.jsonl()

    def jsonl(self) -> list[dict[str, Any]]:
        records = [record(fact) for fact in self.facts]
        if self.matches is not None:
            for one, matches in zip(records, self.matches, strict=True):
                one["match"] = [match.as_record() for match in matches]
        return records

    def explained(self) -> list[str] | None:
        """Each fact's reasons as text, with --explain; else None."""
        if self.matches is None:
            return None
        return ["; ".join(match.describe() for match in matches) for matches in self.matches]


class SectionFacts:
    """One part of the report, its topics, and its facts (of one topic, if asked)."""

    __slots__ = ("book", "facts", "section")
    listing = FACTS

    def __init__(self, book: FactBook, section: Section, facts: Sequence[Fact]) -> None:
        self.book = book
        self.section = section
        self.facts = facts

    def json(self) -> dict[str, Any]:
        return section_record(self.book, self.section) | {"facts": self.jsonl()}

    def jsonl(self) -> list[dict[str, Any]]:
        return [record(fact) for fact in self.facts]


class SectionList:
    """Every part of the report, with its topics and how many facts each holds."""

    __slots__ = ("book",)

    def __init__(self, book: FactBook) -> None:
        self.book = book

    def json(self) -> list[dict[str, Any]]:
        return [section_record(self.book, section) for section in self.book.sections]

    def jsonl(self) -> list[dict[str, Any]]:
        return self.json()


class FactsInFull:
    """Facts as `show` gives them: every field, with the titles of their section and topic.

    With --context, each fact's paragraph of the report and its quote's offsets in it, as one
    more key of its object (`context`) and, in flat formats, as columns `context_text`,
    `context_start` and `context_end`.
    """

    __slots__ = ("book", "contexts", "facts")

    def __init__(self, book: FactBook, facts: Sequence[Fact], contexts: Sequence["Context"] | None = None) -> None:
        self.book = book
        self.facts = facts
        self.contexts = contexts

    def json(self) -> dict[str, Any] | list[dict[str, Any]]:
        """The fact's object, or a list of them when several were asked for."""
        records = self.jsonl()
        return records[0] if len(records) == 1 else records

    def jsonl(self) -> list[dict[str, Any]]:
        records = [record(fact) for fact in self.facts]
        if self.contexts is not None:
            for one, context in zip(records, self.contexts, strict=True):
                one["context"] = context._asdict()
        return records

    def context_columns(self) -> tuple[list[str], list[list[str]]] | None:
        """With --context, its flat columns and each fact's cells in them; else None."""
        if self.contexts is None:
            return None
        from qindu_cli.source import Context

        return [f"context_{name}" for name in Context._fields], [list(map(str, one)) for one in self.contexts]


class Dataset:
    """The whole fact book, as `export` writes it: source, sections and every fact."""

    __slots__ = ("book", "facts")

    def __init__(self, book: FactBook) -> None:
        self.book = book
        self.facts = book.facts

    def json(self) -> dict[str, Any]:
        source = self.book.source
        return {
            "source": dict(zip(source._fields, source, strict=True)),
            "sections": [section_record(self.book, section) for section in self.book.sections],
            "facts": self.jsonl(),
        }

    def jsonl(self) -> list[dict[str, Any]]:
        return [record(fact) for fact in self.book.facts]


Result = FactList | SectionFacts | SectionList | FactsInFull | Dataset

# The columns of a section in tsv, csv, plain and markdown; sections are not facts.
SECTION_COLUMNS = ("id", "title", "title_en", "topics", "facts")


def section_record(book: FactBook, section: Section) -> dict[str, Any]:
    counts = {topic.id: 0 for topic in section.topics}
    for fact in book.facts_of(section.id):
        counts[fact.topic] += 1
    return {
        "id": section.id,
        "title": section.title,
        "title_en": section.title_en,
        "topics": [
            {"id": t.id, "title": t.title, "title_en": t.title_en, "facts": counts[t.id]} for t in section.topics
        ],
        "facts": sum(counts.values()),
    }


def section_cells(one: dict[str, Any]) -> list[str]:
    return [one["id"], one["title"], one["title_en"], str(len(one["topics"])), str(one["facts"])]


def facts_of(result: Result) -> Sequence[Fact]:
    """The facts a result lists, or none for the list of sections."""
    return [] if isinstance(result, SectionList) else result.facts


def every_column() -> list[str]:
    """The header of a fact in csv and tsv: every field, objects flattened."""
    return [column.name for column in columns()]


__all__ = ["FACTS", "INDICATORS", "Dataset", "FactList", "FactsInFull", "Result", "SectionFacts", "SectionList"]
