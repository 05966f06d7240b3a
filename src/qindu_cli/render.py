"""Output formats: one view per command, written as plain text, JSON, CSV… or drawn as a table.

A `View` holds what a command shows in the forms the formats need; `render` turns it into
the text of one format, and `View.table` draws it for a console (see `tables`, loaded only
then). Nothing here prints. Control characters are shown escaped in tables and plain text;
JSON and CSV keep the exact string.
"""

from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

from qindu_cli.errors import visible as visible  # re-exported: escaping lives in errors
from qindu_cli.model import Fact, FactBook, Section
from qindu_cli.search import Hit, SearchIndex

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


class Format(str, Enum):
    TABLE = "table"
    PLAIN = "plain"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    MARKDOWN = "markdown"


class Lang(str, Enum):
    ZH = "zh"
    EN = "en"


# The columns of a fact in CSV and TSV: every field of the JSON object, flattened.
FACT_COLUMNS = (
    "id", "kind", "section", "topic", "label", "label_en", "value", "unit", "qualifier", "raw",
    "normalized_value", "normalized_unit", "quote", "tags", "period", "change", "note",
)  # fmt: skip


class View(NamedTuple):
    """What one command shows: JSON, display rows, full rows for CSV, and a table built on demand."""

    json: Any
    jsonl: list[Any]
    columns: list[str]
    rows: list[list[str]]
    table: "Callable[[Console], Text]"  # the table, drawn to the console's width
    csv_columns: list[str]
    csv_rows: list[list[str]]


def render(view: View, fmt: Format) -> str:
    """The text of `view` in any format but `table`, ending with a newline."""
    if fmt in (Format.JSON, Format.JSONL):
        import json

        if fmt is Format.JSON:
            return json.dumps(view.json, ensure_ascii=False, indent=2) + "\n"
        return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in view.jsonl)
    if fmt is Format.CSV:
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(view.csv_columns)
        writer.writerows(view.csv_rows)
        return out.getvalue()
    if fmt is Format.TSV:
        return _lines([view.csv_columns, *view.csv_rows], visible)
    if fmt is Format.MARKDOWN:
        return _markdown(view.columns, view.rows)
    if fmt is Format.PLAIN:
        return _lines([view.columns, *view.rows], visible)
    raise ValueError(f"{fmt} is drawn for a console, not rendered as text")


def _lines(rows: Sequence[Sequence[str]], cell: Callable[[str], str]) -> str:
    return "".join("\t".join(cell(value) for value in row) + "\n" for row in rows)


def _markdown(columns: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return visible(text).replace("|", "\\|")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ── the pieces of a fact ──────────────────────────────────────────────────────


def figure(fact: Fact) -> str:
    """The figure as the report writes it, or an empty string for milestones and initiatives."""
    return fact.raw or ""


def normalized_text(fact: Fact) -> str:
    """The value in its base unit with thousands marked: `10,090,000,000 元`."""
    if fact.base_value is None:
        return ""
    whole, _, part = fact.base_value.partition(".")
    return f"{int(whole):,}{'.' + part if part else ''} {fact.base_unit}"


def label(fact: Fact, lang: Lang) -> str:
    return fact.label_en if lang is Lang.EN else fact.label


def fact_row(fact: Fact) -> list[str]:
    """Every field of a fact as text, in FACT_COLUMNS order."""
    return [
        fact.id, fact.kind, fact.section, fact.topic, fact.label, fact.label_en,
        fact.value or "", fact.unit or "", fact.qualifier or "",
        fact.raw or "", fact.base_value or "", fact.base_unit or "", fact.quote, ";".join(fact.tags),
        fact.period or "", fact.change or "", fact.note or "",
    ]  # fmt: skip


# ── views, one per command ────────────────────────────────────────────────────


def facts_view(
    book: FactBook,
    facts: Sequence[Fact],
    lang: Lang,
    terms: Sequence[str] = (),
    index: SearchIndex | None = None,
    hits: Sequence[Hit] | None = None,
    explain: bool = False,
) -> View:
    """A list of facts, as `search` shows it; with `explain`, each says why it matched."""
    records = [fact.as_record() for fact in facts]
    columns = ["id", "label", "figure", "quote"]
    rows = [[f.id, label(f, lang), figure(f), f.quote] for f in facts]
    if explain and hits is not None:
        for record, row, hit in zip(records, rows, hits, strict=True):
            record["match"] = [m.as_record() for m in hit.matches]
            row.append("; ".join(m.describe() for m in hit.matches))
        columns.append("match")

    def table(console: "Console") -> "Text":
        from qindu_cli.tables import fact_table

        reasons = [row[-1] for row in rows] if explain and hits is not None else None
        return fact_table(console, facts, lang, terms, index, reasons=reasons)

    return View(records, records, columns, rows, table, list(FACT_COLUMNS), [fact_row(f) for f in facts])


def indicators_view(book: FactBook, facts: Sequence[Fact], lang: Lang) -> View:
    records = [fact.as_record() for fact in facts]
    columns = ["id", "label", "figure", "normalized"]
    rows = [[f.id, label(f, lang), figure(f), normalized_text(f)] for f in facts]

    def table(console: "Console") -> "Text":
        from qindu_cli.tables import indicator_table

        return indicator_table(console, facts, lang)

    return View(records, records, columns, rows, table, list(FACT_COLUMNS), [fact_row(f) for f in facts])


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


def sections_view(book: FactBook, lang: Lang) -> View:
    records = [section_record(book, section) for section in book.sections]
    columns = ["id", "title", "title_en", "topics", "facts"]
    rows = [[r["id"], r["title"], r["title_en"], str(len(r["topics"])), str(r["facts"])] for r in records]

    def table(console: "Console") -> "Text":
        from qindu_cli.tables import sections_table

        return sections_table(console, records, lang)

    return View(records, records, columns, rows, table, columns, rows)


def section_view(book: FactBook, section: Section, facts: Sequence[Fact], lang: Lang) -> View:
    record = section_record(book, section)
    record["facts"] = [fact.as_record() for fact in facts]
    titles = {t.id: (t.title_en if lang is Lang.EN else t.title) for t in section.topics}
    columns = ["topic", "id", "label", "figure", "quote"]
    rows = [[f.topic, f.id, label(f, lang), figure(f), f.quote] for f in facts]

    def table(console: "Console") -> "Text":
        from qindu_cli.tables import fact_table

        groups = [((topic.id, titles[topic.id]), [f for f in facts if f.topic == topic.id]) for topic in section.topics]
        heading = section.title_en if lang is Lang.EN else f"{section.title} · {section.title_en}"
        return fact_table(console, facts, lang, groups=[g for g in groups if g[1]], title=heading)

    return View(record, record["facts"], columns, rows, table, list(FACT_COLUMNS), [fact_row(f) for f in facts])


def fact_view(book: FactBook, fact: Fact, lang: Lang) -> View:
    record = fact.as_record()
    section = book.section(fact.section)
    topic = section.topic(fact.topic)
    pairs = [
        ("id", fact.id),
        ("kind", fact.kind),
        ("label", fact.label),
        ("label_en", fact.label_en),
        ("figure", figure(fact)),
        ("value", fact.value or ""),
        ("unit", fact.unit or ""),
        ("qualifier", fact.qualifier or ""),
        ("normalized", normalized_text(fact)),
        ("section", f"{section.id} · {section.title_en if lang is Lang.EN else section.title}"),
        ("topic", f"{topic.id} · {topic.title_en if lang is Lang.EN else topic.title}"),
        ("period", fact.period or ""),
        ("change", fact.change or ""),
        ("note", fact.note or ""),
        ("tags", ", ".join(fact.tags)),
        ("quote", fact.quote),
    ]
    pairs = [(key, value) for key, value in pairs if value or key in ("id", "quote")]

    def table(console: "Console") -> "Text":
        from qindu_cli.tables import field_table

        return field_table(console, pairs, fact.raw)

    return View(
        record, [record], ["field", "value"], [list(p) for p in pairs], table, list(FACT_COLUMNS), [fact_row(fact)]
    )
