"""The report's text: its paragraphs, the one place of each quote in it, and the paragraph around a quote.

A paragraph is a line of the text, numbered from 1. A place is the paragraph and the code-point
offsets of a quote in the whole text, so that `text[start:end] == quote` (the W3C Web Annotation
TextPositionSelector beside the TextQuoteSelector the quote already is).

A quote found more than once is placed by its neighbours: the paragraph that opens with its
topic's sub-heading, then the paragraphs of its section (from the section's heading to the next
heading). Where neither tells one place, the quote is refused: extend it until it is unique.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from qindu_cli.model import Place

if TYPE_CHECKING:
    from qindu_cli.model import Section


class Context(NamedTuple):
    text: str  # the whole paragraph
    start: int  # the quote's code-point offsets in that paragraph
    end: int


class ReportText(NamedTuple):
    name: str  # where it was read from, as messages show it
    text: str


_SHOWN = 5  # places a message names at most


def _numbers(places: list[Place], more: bool) -> list[str]:
    """The paragraphs of some places, each once, and … when there are more places than these."""
    return [*dict.fromkeys(str(place.paragraph) for place in places), *(["…"] if more else [])]


class QuoteNotPlaced(Exception):
    """A quote that is not in the text, or not at one place that its section and topic decide."""


class Report:
    """A report's text, with the paragraphs of each section and topic of a fact book."""

    __slots__ = ("_sections", "_starts", "_topics", "paragraphs", "text")

    def __init__(self, text: str, sections: Sequence[Section]) -> None:
        self.text = text
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the newline that ends the last paragraph opens none
        starts, offset = [], 0
        for line in lines:
            starts.append(offset)
            offset += len(line) + 1
        self._starts = tuple(starts)
        self.paragraphs = tuple(lines)
        self._sections, self._topics = self._scopes(sections)

    def _scopes(self, sections: Sequence[Section]) -> tuple[dict[str, range], dict[tuple[str, str], int]]:
        headings = sorted((self.paragraphs.index(s.title) + 1, s) for s in sections if s.title in self.paragraphs)
        ranges: dict[str, range] = {}
        topics: dict[tuple[str, str], int] = {}
        for index, (first, section) in enumerate(headings):
            after = headings[index + 1][0] if index + 1 < len(headings) else len(self.paragraphs) + 1
            ranges[section.id] = range(first, after)
            for topic in section.topics:
                opening = [n for n in ranges[section.id] if self.paragraphs[n - 1].startswith(topic.title)]
                if len(opening) == 1:
                    topics[(section.id, topic.id)] = opening[0]
        return ranges, topics

    def section_paragraphs(self, section: str) -> range | None:
        """The paragraphs of a section, from its heading to the next; None if its heading is not a line."""
        return self._sections.get(section)

    def topic_paragraph(self, section: str, topic: str) -> int | None:
        """The paragraph that opens with a topic's sub-heading."""
        return self._topics.get((section, topic))

    def _found(self, quote: str, paragraphs: range) -> tuple[int, list[Place], bool]:
        """How often the quote stands within some paragraphs (overlapping places too), its first few
        places there, and whether there are more than those."""
        if not paragraphs:
            return 0, [], False
        first = self._starts[paragraphs.start - 1]
        last = self._starts[paragraphs.stop - 2] + len(self.paragraphs[paragraphs.stop - 2])
        places: list[Place] = []
        at = self.text.find(quote, first, last)
        while at != -1 and len(places) < _SHOWN:
            places.append(Place(bisect_right(self._starts, at), at, at + len(quote)))
            at = self.text.find(quote, at + 1, last)
        more = at != -1  # only then is there more to count than the places kept
        return (max(len(places), self.text.count(quote, first, last)) if more else len(places)), places, more

    def place(self, quote: str, section: str, topic: str) -> Place:
        """The one place of a fact's quote, decided by its topic's paragraph, then its section's.

        The text is searched within those paragraphs only, and no more places are kept than a
        message names: a quote that stands a million times costs no more than one that stands once.
        """
        if "\n" in quote:
            raise QuoteNotPlaced("runs over two paragraphs; quote one")
        whole = range(1, len(self.paragraphs) + 1)
        scopes: list[range] = []
        paragraph = self.topic_paragraph(section, topic)
        if paragraph is not None:
            scopes.append(range(paragraph, paragraph + 1))
        scopes.append(self.section_paragraphs(section) or whole)
        for scope in scopes:
            count, places, more = self._found(quote, scope)
            if count == 1:
                return places[0]
            if count > 1:
                numbers = _numbers(places, more)
                where = f"paragraph{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"
                raise QuoteNotPlaced(
                    f"found {count}{' or more' if more else ''} times in {where}; extend it until it is unique"
                )
        count, places, more = self._found(quote, whole) if whole not in scopes else (0, [], False)
        if not count:
            raise QuoteNotPlaced("not found verbatim")
        elsewhere = ", ".join(_numbers(places, more))
        raise QuoteNotPlaced(f"found only outside the paragraphs of section {section} (found in {elsewhere})")

    def context(self, place: Place) -> Context:
        """The paragraph of a place, and the quote's offsets in it."""
        first = self._starts[place.paragraph - 1]
        return Context(self.paragraphs[place.paragraph - 1], place.start - first, place.end - first)
