"""The fact book: sections, topics and facts of the report, as immutable values with no I/O.

The values are typed named tuples: immutable like frozen dataclasses, and several times
cheaper to define and to build, which matters to a command that starts on every call.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from qindu_cli.errors import QinduError, UnknownNameError

if TYPE_CHECKING:
    from decimal import Decimal

KINDS = ("indicator", "milestone", "initiative")
QUALIFIERS = ("more_than", "at_least", "approx", "at_most")
CHANGES = ("increase", "decrease")


class Topic(NamedTuple):
    id: str
    title: str
    title_en: str


class Section(NamedTuple):
    id: str
    title: str
    title_en: str
    topics: tuple[Topic, ...]

    def topic(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise UnknownNameError(
            "topic",
            topic_id,
            _close(topic_id, [t.id for t in self.topics]),
            f"topics of {self.id}: {', '.join(t.id for t in self.topics)}",
        )


class Source(NamedTuple):
    title: str
    title_en: str | None
    byline: str
    region: str
    period: str
    language: str
    text: str | None = None  # the file name of the report's text, beside the fact file


class Fact(NamedTuple):
    """One statement of the report: a figure, an honour or a named programme, with its quote."""

    id: str
    kind: str
    section: str
    topic: str
    label: str
    label_en: str
    value: str | None  # the number exactly as written: 100.9, 9717
    unit: str | None
    qualifier: str | None
    raw: str | None
    quote: str
    tags: tuple[str, ...]
    period: str | None = None
    change: str | None = None
    note: str | None = None
    base_value: str | None = None  # the value in its base unit, computed with Decimal when the file is checked
    base_unit: str | None = None

    @property
    def normalized(self) -> "tuple[Decimal, str] | None":
        """The value in its base unit, as a Decimal: 100.9亿元 is (10090000000, 元)."""
        if self.base_value is None or self.base_unit is None:
            return None
        from decimal import Decimal

        return Decimal(self.base_value), self.base_unit

    def as_record(self) -> dict[str, object]:
        """The one JSON shape of a fact, used by every command and export."""
        return {
            "id": self.id,
            "kind": self.kind,
            "section": self.section,
            "topic": self.topic,
            "label": self.label,
            "label_en": self.label_en,
            "value": json_number(self.value),
            "unit": self.unit,
            "qualifier": self.qualifier,
            "raw": self.raw,
            "quote": self.quote,
            "tags": list(self.tags),
            "period": self.period,
            "change": self.change,
            "note": self.note,
            "normalized": None
            if self.base_value is None
            else {"value": json_number(self.base_value), "unit": self.base_unit},
        }


def json_number(text: str | None) -> int | float | None:
    """A number as written (checked to fit a double exactly) as the JSON number with the same digits."""
    if text is None:
        return None
    return int(text) if text.lstrip("-").isdigit() else float(text)


class FactBook:
    """Every section and fact of one fact file, in report order."""

    __slots__ = ("_by_id", "facts", "sections", "source")

    def __init__(self, source: Source, sections: tuple[Section, ...], facts: Sequence[Fact]) -> None:
        self.source = source
        self.sections = sections
        self.facts = facts
        self._by_id: dict[str, Fact] | None = None  # built when first asked: it reads every fact

    def fact(self, fact_id: str) -> Fact:
        if self._by_id is None:
            self._by_id = {fact.id: fact for fact in self.facts}
        try:
            return self._by_id[fact_id]
        except KeyError:
            raise UnknownNameError(
                "fact id",
                fact_id,
                _close(fact_id, list(self._by_id), keys=_last_part, cutoff=0.8),
                "list ids with `qindu search` or `qindu section`",
            ) from None

    def fact_by_slug(self, slug: str) -> Fact:
        """The fact whose id ends in `.slug`, when exactly one does; else as `fact`."""
        found = [fact for fact in self.facts if fact.id.rsplit(".", 1)[-1] == slug]
        return found[0] if len(found) == 1 and "." not in slug else self.fact(slug)

    def section(self, name: str) -> Section:
        """The section named by its id, a unique prefix of it, or a word of its title (`经济`)."""
        exact = [s for s in self.sections if s.id == name]
        prefixed = [s for s in self.sections if name and s.id.startswith(name.lower())]
        titled = [s for s in self.sections if name and name in s.title]
        for found in (exact, prefixed, titled):
            if len(found) == 1:
                return found[0]
        ids = [s.id for s in self.sections]
        if len(prefixed) > 1 or len(titled) > 1:
            several = [s.id for s in (prefixed if len(prefixed) > 1 else titled)]
            raise UnknownNameError("section", name, several, "")
        raise UnknownNameError("section", name, _close(name, ids), f"sections are {', '.join(ids)}")

    def indicators(self, section: str | None = None, topic: str | None = None, unit: str | None = None) -> list[Fact]:
        """The facts with a figure, of a section (any name `section()` takes), a topic, a unit.

        The unit is one as written (亿元) or a base unit (元), which takes in every scale of it.
        """
        facts = [f for f in self.facts if f.kind == "indicator"]
        if section is not None:
            chosen = self.section(section)
            facts = [f for f in facts if f.section == chosen.id]
            if topic is not None:
                topic = chosen.topic(topic).id
        if topic is not None:
            known = sorted(t.id for s in self.sections for t in s.topics)
            if topic not in known:
                raise UnknownNameError("topic", topic, _close(topic, known), f"topics are {', '.join(known)}")
            facts = [f for f in facts if f.topic == topic]
        if unit is not None:
            units = self.units()
            if unit not in units:
                raise QinduError(f"no indicator is in {unit!r}; units in the fact file: {', '.join(units)}")
            facts = [f for f in facts if unit in (f.unit, f.base_unit)]
        return facts

    def units(self) -> list[str]:
        """Every unit of the file, as written and as base units."""
        return sorted({f.unit for f in self.facts if f.unit} | {f.base_unit for f in self.facts if f.base_unit})

    def facts_of(self, section: str | None = None, topic: str | None = None) -> Iterator[Fact]:
        for fact in self.facts:
            if section is not None and fact.section != section:
                continue
            if topic is not None and fact.topic != topic:
                continue
            yield fact


def _last_part(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _close(
    name: str, candidates: list[str], keys: Callable[[str], str] | None = None, cutoff: float = 0.6
) -> list[str]:
    """Up to three candidates within a small edit distance of `name` (then of its `keys` part)."""
    import difflib

    found = difflib.get_close_matches(name, candidates, n=3, cutoff=cutoff)
    if not found and keys is not None:
        tails = {keys(c): c for c in candidates}
        found = [tails[t] for t in difflib.get_close_matches(keys(name), list(tails), n=3, cutoff=0.6)]
    return found
