"""The fact book: sections, topics and facts of the report, as immutable values with no I/O.

The values are typed named tuples: immutable like frozen dataclasses, and several times
cheaper to define and to build, which matters to a command that starts on every call. A
fact's fields carry their declarations as `Annotated` metadata, which costs nothing to read.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

from qindu_cli.errors import QinduError, UnknownNameError
from qindu_cli.fields import FACTS, INDICATORS, LISTINGS, about, record

if TYPE_CHECKING:
    from decimal import Decimal

KIND_MEANINGS = {  # what each kind of fact is, for the file's schema, --help and the README
    "indicator": "a figure",
    "milestone": "an honour, ranking, first or standard reached",
    "initiative": "a named programme, campaign or mechanism",
}
KINDS = tuple(KIND_MEANINGS)
_KINDS_SAID = "; ".join(f"{kind}, {meaning}" for kind, meaning in KIND_MEANINGS.items())
Readings = dict[str, tuple[str, ...]]  # toneless pinyin readings of Chinese characters
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


class Normalized(NamedTuple):
    """A figure in its base unit: 100.9亿元 is 10090000000 元."""

    value: str  # exact decimal text
    unit: str

    @property
    def number(self) -> "Decimal":
        from decimal import Decimal

        return Decimal(self.value)


class Place(NamedTuple):
    """Where a quote stands in the report's text (see `source`): `text[start:end] == quote`."""

    paragraph: int  # a line of the text, from 1
    start: int  # code points into the whole text
    end: int


# The report's text is named by the fact file (`source.text`): a plain file name beside it, never a path.
TEXT_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*\.txt"
_ID = r"[a-z0-9-]+\.[a-z0-9-]+\.[a-z0-9-]+"
_ID_HINT = "must be section.topic.slug in lower-case ASCII, like livelihood.jobs.new-urban-jobs"


class Fact(NamedTuple):
    """One statement of the report: a figure, an honour or a named programme, with its quote.

    Each field is declared once, here, its type annotated with what qindu says about it; every
    format, table, export and check reads these declarations (see `fields`). A field is null
    when unknown; an object (`normalized`, `where`) is a named tuple of its parts.
    """

    # fmt: off
    id: Annotated[str, about("text", "The fact's id, section.topic.slug, unique in the file.", "编号", "ID",
        required=True, pattern=_ID, hint=_ID_HINT, listings=LISTINGS, whole=True)]
    kind: Annotated[str, about("text", f"What is stated: {_KINDS_SAID}.", "类别", "Kind", required=True, enum=KINDS)]
    section: Annotated[str, about("text", "The id of the part of the report that states it.", "部分", "Section",
        required=True, references="sections")]
    topic: Annotated[str, about("text", "The id of the sub-heading of that part that states it.", "专题", "Topic",
        required=True, references="topics")]
    label: Annotated[str, about("text", "A short Chinese name of what is stated.", "标签", "Label",
        required=True, listings=LISTINGS)]
    label_en: Annotated[str, about("text", "The same name in English.", "英文标签", "Label", required=True)]
    value: Annotated[str | None, about("number", "The number exactly as the report writes it; indicators only.",
        "数值", "Value")]
    unit: Annotated[str | None, about("text", "The unit exactly as the report writes it after the number; "
        "indicators only.", "单位", "Unit")]
    qualifier: Annotated[str | None, about("text", "How the figure relates to the true amount, null when exact; "
        "indicators only.", "限定", "Qualifier", enum=QUALIFIERS)]
    raw: Annotated[str | None, about("text", "The figure as written, qualifier included, such as 9100余户; "
        "indicators only.", "数字", "Figure", listings=LISTINGS, whole=True)]
    quote: Annotated[str, about("text", "The clause of the report that states it, character for character.",
        "原文", "Quote", required=True, listings=(FACTS,), drop=3)]
    tags: Annotated[tuple[str, ...], about("tags", "Chinese and English keywords to find it by.", "关键词", "Tags",
        required=True)]
    period: Annotated[str | None, about("text", "When the figure is not for the year alone, as the report says it: "
        "累计, 去年以来, 近年来.", "时段", "Period")]
    change: Annotated[str | None, about("text", "Whether a year-on-year figure is an increase or a decrease.",
        "变化", "Change", enum=CHANGES)]
    note: Annotated[str | None, about("text", "A remark on reading the fact.", "备注", "Note")]
    normalized: Annotated[Normalized | None, about("object", "The value in its base unit, computed exactly: "
        "100.9亿元 is 10090000000 元.", "折算", "Normalized", shape=Normalized, part_kinds=("number", "text"),
        computed=True, listings=(INDICATORS,), whole=True, drop=2)]
    where: Annotated[Place | None, about("object", "Where the quote stands in the report's text: its paragraph "
        "(from 1) and the code-point offsets of its start and end; null without the text.", "位置", "Where",
        shape=Place, part_kinds=("integer", "integer", "integer"), computed=True,
        reads="paragraph {paragraph}, text[{start}:{end}]")]
    # fmt: on

    def as_record(self) -> dict[str, object]:
        """The one JSON shape of a fact, used by every command and export."""
        return record(self)


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

        The unit is one as written (亿元), a base unit (元), which takes in every scale of it, or an
        English name of a base unit (yuan).
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
            from qindu_cli.units import english, named

            units = self.units()
            wanted = {unit, *named(unit)}
            if not wanted & set(units):
                names = sorted({name for written in units for name in english(written)[:1]})
                raise QinduError(
                    f"no indicator is in {unit!r}; units in the fact file: {', '.join(units)}; "
                    f"in English: {', '.join(names)}"
                )
            facts = [f for f in facts if wanted & {f.unit, f.normalized and f.normalized.unit}]
        return facts

    def of_kind(self, kind: str | None) -> "FactBook":
        """The same book with only the facts of `kind` (all of them for None)."""
        if kind is None:
            return self
        return FactBook(self.source, self.sections, tuple(f for f in self.facts if f.kind == kind))

    def units(self) -> list[str]:
        """Every unit of the file, as written and as base units."""
        return sorted({f.unit for f in self.facts if f.unit} | {f.normalized.unit for f in self.facts if f.normalized})

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


SORTS = ("report", "value", "label")


def sort_facts(
    facts: Sequence[Fact], by: str, desc: bool = False, english: bool = False, readings: "Readings | None" = None
) -> list[Fact]:
    """Facts in report order, by normalized value (grouped by base unit), or by label.

    Chinese labels go by their pinyin, syllable by syllable, as a Chinese index does; `readings`
    are the toneless readings of each character, as the search index keeps them. English labels
    go by their case-folded letters.
    """
    keys: dict[str, Callable[[Fact], Any]] = {
        "value": lambda f: (f.normalized.unit, f.normalized.number) if f.normalized else ("", 0),
        "label": (lambda f: f.label_en.casefold()) if english else (lambda f: pinyin_key(f.label, readings or {})),
    }
    if by == "report":
        return list(reversed(facts)) if desc else list(facts)
    return sorted(facts, key=keys[by], reverse=desc)


def pinyin_key(text: str, readings: Readings) -> tuple[list[str], str]:
    """A sort key that puts Chinese text in pinyin order: by the first reading of each character, then as written."""
    spelled = [readings[char][0] if readings.get(char) else char.casefold() for char in text if char.isalnum()]
    return spelled, text
