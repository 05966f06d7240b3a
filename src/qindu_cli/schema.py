"""The rules of a fact file: turn a YAML document into a FactBook, or list every problem at once.

The keys, types, enumerations and patterns of each part of the file are declared once, in the
`Field` tables below; the checks read them, and so does `json_schema`, which is what
`qindu schema` prints, so the two cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from qindu_cli.errors import FactFileError, Problem, clipped, shown
from qindu_cli.model import KINDS, TEXT_NAME_PATTERN, Fact, FactBook, Normalized, Place, Section, Source, Topic
from qindu_cli.source import QuoteNotPlaced, Report, ReportText
from qindu_cli.units import lookup, normalize, parse_figure
from qindu_cli.yamldoc import Mapping, Sequence

SCHEMA_VERSION = 1
_SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_SLUG = re.compile(_SLUG_PATTERN)
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_MAX_DIGITS = 18


class Field(NamedTuple):
    """One key of a mapping in a fact file: whether it must be there, and what it holds."""

    required: bool
    type: str  # text, slug, number, integer, tags, mapping, list
    description: str = ""
    enum: tuple[str, ...] = ()
    pattern: str | None = None  # with the message for text that does not match it
    hint: str = ""
    items: dict[str, Field] | None = None  # the fields of a mapping, or of each mapping in a list


_TOPIC = {
    "id": Field(True, "slug", "Topic id, unique in the file: jobs"),
    "title": Field(True, "text", "The sub-heading as written"),
    "title_en": Field(True, "text", "The sub-heading in English"),
}
_SECTION = {
    "id": Field(True, "slug", "Section id: economy, party-building, livelihood"),
    "title": Field(True, "text", "The heading as written"),
    "title_en": Field(True, "text", "The heading in English"),
    "topics": Field(True, "list", "One topic per sub-heading", items=_TOPIC),
}
_SOURCE = {
    "title": Field(True, "text", "The report's title, or a plain description of it when it has none"),
    "title_en": Field(False, "text", "The title in English"),
    "byline": Field(True, "text", "Who wrote the report, as its byline says"),
    "region": Field(True, "text", "The place the report is about, smallest first"),
    "period": Field(True, "text", 'The period the report covers, as text: "2022"'),
    "language": Field(True, "text", "The language of the report and its quotes: zh-CN"),
    "text": Field(False, "text", "The report's text, a file beside this one: qindu-2022-report.txt",
                  pattern=TEXT_NAME_PATTERN, hint="must be a file name beside the fact file: qindu-2022-report.txt"),
}  # fmt: skip
_FILE_TYPES = {"text": "text", "number": "number", "tags": "tags", "integer": "integer", "object": "mapping"}


def _worked_out() -> frozenset[str]:
    """The fields of `Fact` that qindu works out: never keys of the file."""
    from qindu_cli.fields import fields

    return frozenset(f.name for f in fields() if f.computed)


def _fact_rules() -> dict[str, Field]:
    """The keys of a fact in the file: every field of `Fact` that is not computed, as declared there."""
    from qindu_cli.fields import fields

    return {
        f.name: Field(
            f.required, _FILE_TYPES[f.kind], f.description, f.enum, f.pattern, f.hint,
            {part: Field(True, _FILE_TYPES[kind]) for part, kind in f.parts} if f.parts else None,
        )
        for f in fields()
        if not f.computed
    }  # fmt: skip


_FACT = _fact_rules()
_WORKED_OUT = _worked_out()
_TOP = {
    "schema_version": Field(True, "integer", f"The version of this format: {SCHEMA_VERSION}"),
    "source": Field(True, "mapping", "The report the facts come from", items=_SOURCE),
    "sections": Field(True, "list", "One per part of the report", items=_SECTION),
    "facts": Field(True, "list", "Every figure, honour and named programme", items=_FACT),
}
_FIGURE_FIELDS = ("value", "unit", "qualifier", "raw")


class _Checker:
    """Collects problems while reading one document."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []

    def add(self, message: str, line: int | None, fact: str | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(self.name, message, line=line, fact=fact, field=field))

    def mapping(
        self,
        value: Any,
        rules: dict[str, Field],
        what: str,
        line: int | None,
        fact: str | None = None,
        worked_out: frozenset[str] = frozenset(),  # keys that qindu works out, refused as such
    ) -> bool:
        """Check that `value` is a mapping with the required keys and no others."""
        if not isinstance(value, Mapping):
            self.add(f"{what} must be a mapping of keys to values", getattr(value, "line", line), fact)
            return False
        for key in value:
            if key in worked_out:
                message = f"{shown(key)} is worked out by qindu, not written by hand; remove it"
                self.add(message, value.key_lines[key], fact, key)
            elif key not in rules:
                allowed = ", ".join(rules)
                self.add(f"unknown key {shown(key)} in {what} (allowed: {allowed})", value.key_lines[key], fact, key)
        for key, rule in rules.items():
            if rule.required and key not in value:
                self.add(f"missing required key {shown(key)}", value.line, fact, key)
        return True

    def text(self, owner: Mapping, key: str, fact: str | None = None, optional: bool = False) -> str | None:
        value = owner.get(key)
        if value is None and (optional or key not in owner):
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(f"must be non-empty text, not {_shown(value)}", owner.key_lines.get(key, owner.line), fact, key)
            return None
        return value

    def line_of(self, owner: Mapping, key: str) -> int:
        return owner.key_lines.get(key, owner.line)


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return shown(value) if isinstance(value, str) else clipped(str(value))


def build_book(document: Any, name: str, report: ReportText | None = None) -> FactBook:
    """A FactBook from a parsed document; raises FactFileError listing every problem.

    With the report's text, each fact's quote is placed in it (`where`) or refused: a quote
    must stand in the text, at the one place its topic's paragraph or its section decides. A
    fact whose other keys are wrong has its quote checked all the same, so every problem shows
    at once.
    """
    check = _Checker(name)
    if not isinstance(document, Mapping):
        check.add(
            "the top level must be a mapping with schema_version, source, sections and facts",
            getattr(document, "line", 1),
        )
        raise FactFileError(check.problems)
    check.mapping(document, _TOP, "the top level", 1)
    version = document.get("schema_version")
    if "schema_version" in document and version != SCHEMA_VERSION:
        check.add(
            f"schema_version {_shown(version)} is not supported; this qindu reads version {SCHEMA_VERSION}",
            check.line_of(document, "schema_version"),
            field="schema_version",
        )
    source = _source(check, document.get("source"))
    sections = _sections(
        check, document.get("sections"), check.line_of(document, "sections") if "sections" in document else 1
    )
    placing = None if report is None else _Placing(report.name, Report(report.text, tuple(sections.values())))
    facts = _facts(
        check, document.get("facts"), sections, check.line_of(document, "facts") if "facts" in document else 1, placing
    )
    if check.problems or source is None:
        raise FactFileError(check.problems)
    return FactBook(source, tuple(sections.values()), tuple(facts))


def text_named(document: Any) -> str | None:
    """The report's text a document names (`source.text`), before the document is checked."""
    source = document.get("source") if isinstance(document, Mapping) else None
    name = source.get("text") if isinstance(source, Mapping) else None
    return name if isinstance(name, str) else None


def _source(check: _Checker, value: Any) -> Source | None:
    if value is None or not check.mapping(value, _SOURCE, "source", 1):
        return None
    fields = {key: check.text(value, key, optional=not rule.required) for key, rule in _SOURCE.items()}
    if any(fields[key] is None for key, rule in _SOURCE.items() if rule.required):
        return None
    for key, rule in _SOURCE.items():
        text = fields[key]
        if text is not None and rule.pattern and not re.fullmatch(rule.pattern, text):
            check.add(rule.hint, check.line_of(value, key), field=key)
            return None
    return Source(**fields)  # type: ignore[arg-type]


def _sections(check: _Checker, value: Any, line: int) -> dict[str, Section]:
    sections = _read_sections(check, value, line)
    owners: dict[str, str] = {}
    for section in sections.values():
        for topic in section.topics:
            if topic.id in owners:
                check.add(
                    f"topic id {shown(topic.id)} is used by {owners[topic.id]} and {section.id}; "
                    "topic ids are unique in a file",
                    getattr(value, "line", line),
                    field="topics",
                )
            owners.setdefault(topic.id, section.id)
    return sections


def _read_sections(check: _Checker, value: Any, line: int) -> dict[str, Section]:
    sections: dict[str, Section] = {}
    if not isinstance(value, Sequence) or not value:
        if value is not None:
            check.add("sections must be a non-empty list", getattr(value, "line", line), field="sections")
        return sections
    for item in value:
        if not check.mapping(item, _SECTION, "a section", line):
            continue
        section_id = _slug(check, item, "id")
        title, title_en = check.text(item, "title"), check.text(item, "title_en")
        topics = _topics(check, item.get("topics"), check.line_of(item, "topics"))
        if section_id is None or title is None or title_en is None:
            continue
        if section_id in sections:
            check.add(f"duplicate section id {shown(section_id)}", check.line_of(item, "id"), field="id")
            continue
        sections[section_id] = Section(section_id, title, title_en, topics)
    return sections


def _topics(check: _Checker, value: Any, line: int) -> tuple[Topic, ...]:
    if not isinstance(value, Sequence) or not value:
        if value is not None:
            check.add("topics must be a non-empty list", line, field="topics")
        return ()
    topics: dict[str, Topic] = {}
    for item in value:
        if not check.mapping(item, _TOPIC, "a topic", line):
            continue
        topic_id = _slug(check, item, "id")
        title, title_en = check.text(item, "title"), check.text(item, "title_en")
        if topic_id is None or title is None or title_en is None:
            continue
        if topic_id in topics:
            check.add(f"duplicate topic id {shown(topic_id)}", check.line_of(item, "id"), field="id")
            continue
        topics[topic_id] = Topic(topic_id, title, title_en)
    return tuple(topics.values())


def _slug(check: _Checker, item: Mapping, key: str) -> str | None:
    value = check.text(item, key)
    if value is not None and not _SLUG.fullmatch(value):
        check.add(f"{shown(value)} must be lower-case ASCII words joined by '-'", check.line_of(item, key), field=key)
        return None
    return value


class _Placing(NamedTuple):
    name: str  # the report's text as messages name it
    report: Report


def _facts(
    check: _Checker, value: Any, sections: dict[str, Section], line: int, placing: _Placing | None
) -> list[Fact]:
    facts: list[Fact] = []
    if not isinstance(value, Sequence):
        if value is not None:
            check.add("facts must be a list", getattr(value, "line", line), field="facts")
        return facts
    seen: dict[str, int] = {}
    for item in value:
        fact = _fact(check, item, sections, line, placing)
        if fact is None:
            continue
        if fact.id in seen:
            check.add(f"duplicate id (first used on line {seen[fact.id]})", check.line_of(item, "id"), fact.id, "id")
            continue
        seen[fact.id] = item.line
        facts.append(fact)
    return facts


def _fact(check: _Checker, item: Any, sections: dict[str, Section], line: int, placing: _Placing | None) -> Fact | None:
    raw_id = item.get("id") if isinstance(item, Mapping) else None
    fact_id = raw_id if isinstance(raw_id, str) else None
    before = len(check.problems)
    if not check.mapping(item, _FACT, "a fact", line, fact_id, _WORKED_OUT):
        return None

    def field_line(key: str) -> int:
        return check.line_of(item, key)

    def problem(key: str, message: str) -> None:
        check.add(message, field_line(key), fact_id, key)

    texts = {
        key: check.text(item, key, fact_id, optional=not rule.required)
        for key, rule in _FACT.items()
        if rule.type == "text"
    }
    for key, rule in _FACT.items():
        text = texts.get(key)
        if text is not None and rule.enum and text not in rule.enum:
            problem(key, f"{shown(text)} is not one of {', '.join(rule.enum)}")
        if text is not None and rule.pattern and not re.fullmatch(rule.pattern, text):
            problem(key, rule.hint)
    kind, section_id, topic_id = texts["kind"], texts["section"], texts["topic"]
    section = sections.get(section_id or "")
    if section_id is not None and section is None and sections:
        problem("section", f"{shown(section_id)} is not a section id (known: {', '.join(sections)})")
    if section is not None and topic_id is not None and topic_id not in {t.id for t in section.topics}:
        known = ", ".join(t.id for t in section.topics)
        problem("topic", f"{shown(topic_id)} is not a topic of {section.id} (known: {known})")
    if fact_id and section_id and topic_id and not fact_id.startswith(f"{section_id}.{topic_id}."):
        problem("id", f"must start with {section_id}.{topic_id}.")
    if texts["label_en"] is not None and not _LATIN.search(texts["label_en"]):
        problem("label_en", "must be English")
    tags = _tags(item, problem)
    value = _value(item, problem)
    normalized = None
    if kind == "indicator":
        normalized = _check_figure(item, texts, value, problem)
    elif kind in KINDS:
        for key in _FIGURE_FIELDS:
            if item.get(key) is not None:
                problem(key, f"only indicators have a {key}; a {kind} has none")
    where = None
    if placing is not None and texts["quote"] is not None:
        topic = topic_id if section is not None else None
        where = _place(placing, texts["quote"], section_id, topic, lambda message: problem("quote", message))
    if len(check.problems) > before:
        return None
    values: dict[str, Any] = {**texts, "value": _plain(value), "tags": tags}
    values["normalized"] = Normalized(format(normalized[0], "f"), normalized[1]) if normalized else None
    return Fact(**values, where=where)


def _place(
    placing: _Placing, quote: str, section: str | None, topic: str | None, problem: Callable[[str], None]
) -> Place | None:
    """Where a quote stands in the report: at one place its topic or section decides (when they are known)."""
    try:
        if section is not None and topic is not None:
            return placing.report.place(quote, section, topic)
        if quote not in placing.report.text:
            raise QuoteNotPlaced("not found verbatim")
    except QuoteNotPlaced as refused:
        problem(f"quote {refused} in {placing.name}: {shown(quote, 120)}")
    return None


def _tags(item: Mapping, problem: Any) -> tuple[str, ...]:
    tags = item.get("tags")
    if "tags" not in item:
        return ()
    if not isinstance(tags, Sequence) or not tags or not all(isinstance(t, str) and t.strip() for t in tags):
        problem("tags", "must be a non-empty list of keywords")
        return ()
    if not any(_HAN.search(t) for t in tags) or not any(_LATIN.search(t) for t in tags):
        problem("tags", "must hold Chinese and English keywords both")
    return tuple(tags)


def _value(item: Mapping, problem: Any) -> Decimal | None:
    value = item.get("value")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        problem("value", f"must be a number as written in the report, not {_shown(value)}")
        return None
    number = Decimal(value)
    if len(number.as_tuple().digits) > _MAX_DIGITS:
        problem("value", f"has more than {_MAX_DIGITS} digits")
        return None
    return number


def _check_figure(
    item: Mapping, texts: dict[str, str | None], value: Decimal | None, problem: Any
) -> tuple[Decimal, str] | None:
    """An indicator's value, unit and qualifier must be what its raw figure says; its normalized value."""
    for key in ("value", "unit", "raw"):
        if item.get(key) is None:
            problem(key, f"an indicator needs a {key}")
    unit, raw, quote, qualifier = texts["unit"], texts["raw"], texts["quote"], texts["qualifier"]
    if unit is not None and lookup(unit) is None:
        problem("unit", f"{shown(unit)} is not in the unit table")
    if raw is None:
        return None
    if quote is not None and raw not in quote:
        problem("raw", f"{shown(raw)} does not appear in the quote")
    figure = parse_figure(raw)
    if figure is None:
        problem("raw", f"{shown(raw)} is not a figure of the form [qualifier]number[余|多]unit[以上|左右|以内]")
        return None
    if value is not None and figure.value != value:
        problem("value", f"{value} does not match raw {shown(raw)}, which says {clipped(str(figure.value))}")
    if unit is not None and figure.unit != unit:
        problem("unit", f"{shown(unit)} does not match raw {shown(raw)}, which says {shown(figure.unit)}")
    written = figure.qualifier
    if qualifier != written:
        problem("qualifier", f"is {qualifier or 'null'} but raw {shown(raw)} says {written or 'null (exact)'}")
    entry = lookup(figure.unit)
    if entry is None or value is None or figure.value != value:
        return None
    scaled, base = normalize(value, figure.unit)
    if entry.countable and scaled != scaled.to_integral_value():
        problem("value", f"{raw} is {scaled} {base}, not a whole number of {base}")
    if base == "%" and not Decimal(0) <= value <= Decimal(100):
        problem("value", f"{value}% is outside 0-100")
    for number in (value, scaled):
        if not _exact_in_json(number):
            problem("value", f"{number} has more significant digits than a JSON number carries exactly")
    return scaled, base


def _exact_in_json(number: Decimal) -> bool:
    """Integers are exact in JSON; other numbers must survive a trip through a double."""
    return number == number.to_integral_value() or Decimal(repr(float(number))) == number


def _plain(number: Decimal | None) -> str | None:
    return None if number is None else format(number, "f")


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a fact file, from the same Field tables the checks read."""

    def described(schema: dict[str, Any], rule: Field) -> dict[str, Any]:
        return {"description": rule.description, **schema} if rule.description else schema

    def of(rule: Field) -> dict[str, Any]:
        schema: dict[str, Any]
        if rule.type == "mapping":
            schema = mapping(rule.items or {})
        elif rule.type == "list":
            schema = {"type": "array", "minItems": 1, "items": mapping(rule.items or {})}
        elif rule.type == "tags":
            schema = {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}
        elif rule.type in ("number", "integer"):
            schema = {"type": rule.type}
        else:
            schema = {"type": "string", "minLength": 1}
            if rule.type == "slug":
                schema["pattern"] = f"^{_SLUG_PATTERN}$"
            if rule.pattern:
                schema["pattern"] = f"^{rule.pattern}$"
            if rule.enum:
                schema["enum"] = list(rule.enum)
        if not rule.required:
            schema = {"anyOf": [schema, {"type": "null"}]}
        return described(schema, rule)

    def mapping(rules: dict[str, Field]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": [key for key, rule in rules.items() if rule.required],
            "properties": {key: of(rule) for key, rule in rules.items()},
            "additionalProperties": False,
        }

    fact = mapping(_FACT)
    fact["if"] = {"properties": {"kind": {"const": "indicator"}}}
    fact["then"] = {
        "required": ["value", "unit", "raw"],
        "properties": {"value": {"type": "number"}, "unit": {"type": "string"}, "raw": {"type": "string"}},
    }
    fact["else"] = {"properties": {key: {"type": "null"} for key in _FIGURE_FIELDS}}
    document = mapping(_TOP)
    document["properties"]["schema_version"]["const"] = SCHEMA_VERSION
    document["properties"]["facts"]["items"] = fact
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "qindu fact file",
        "description": "Facts of the 2022 work report of 秦都区, each with the clause of the report it comes from.",
        **document,
    }
