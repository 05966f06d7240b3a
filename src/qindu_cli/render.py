"""Output formats: one view per command, drawn as a Rich table or written as plain text, JSON, CSV…

A `View` holds what a command shows in the forms the formats need; `render` turns it into
the text of one format, and `View.table` into a Rich renderable. Nothing here prints.
Text from the fact file is never read as Rich markup, and control characters are shown
escaped in tables and plain text (JSON and CSV keep the exact string).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

from qindu_cli.model import Fact, FactBook, Section
from qindu_cli.search import Hit, SearchIndex, highlight_spans

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
HIGHLIGHT = "bold reverse"


class View(NamedTuple):
    """What one command shows: JSON, display rows, full rows for CSV, and a table built on demand."""

    json: Any
    jsonl: list[Any]
    columns: list[str]
    rows: list[list[str]]
    table: Callable[[Console], Text]  # the table, drawn to the console's width
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
        return _lines([view.csv_columns, *view.csv_rows], _tsv_cell)
    if fmt is Format.MARKDOWN:
        return _markdown(view.columns, view.rows)
    if fmt is Format.PLAIN:
        return _lines([view.columns, *view.rows], visible)
    raise ValueError(f"{fmt} is drawn for a console, not rendered as text")


_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def visible(text: str) -> str:
    """`text` with control and format characters escaped, so none reaches the terminal raw."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[char])
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def _tsv_cell(text: str) -> str:
    return visible(text) if not text.isprintable() else text


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
    normalized = fact.normalized
    if normalized is None:
        return ""
    value, unit = normalized
    return f"{value:,} {unit}"


def label(fact: Fact, lang: Lang) -> str:
    return fact.label_en if lang is Lang.EN else fact.label


def fact_row(fact: Fact) -> list[str]:
    """Every field of a fact as text, in FACT_COLUMNS order."""
    normalized = fact.normalized
    return [
        fact.id, fact.kind, fact.section, fact.topic, fact.label, fact.label_en,
        "" if fact.value is None else str(fact.value), fact.unit or "", fact.qualifier or "",
        fact.raw or "", "" if normalized is None else str(normalized[0]),
        "" if normalized is None else normalized[1], fact.quote, ";".join(fact.tags),
        fact.period or "", fact.change or "", fact.note or "",
    ]  # fmt: skip


def _text(value: str, spans: Sequence[tuple[int, int]] = (), style: str = "") -> Text:
    """A cell of data: never read as markup, control characters shown escaped, matches highlighted."""
    from rich.text import Text

    shown = visible(value)
    text = Text(shown, style=style)
    if shown == value:
        for start, end in spans:
            text.stylize(HIGHLIGHT, start, end)
    return text


def _joined(parts: Sequence[str]) -> Text:
    """Several strings of data, one a line."""
    from rich.text import Text

    return Text("\n").join(_text(part) for part in parts)


def _spans_of(needle: str | None, text: str) -> list[tuple[int, int]]:
    if not needle:
        return []
    start = text.find(needle)
    return [] if start < 0 else [(start, start + len(needle))]


# ── tables ────────────────────────────────────────────────────────────────────
#
# A table is composed line by line from Rich Text: Rich measures, wraps and styles each cell,
# and qindu lays the cells side by side. Drawing the same rows with rich.table.Table took two to
# three times as long, most of a run's time on a terminal.

_GAP = "   "  # between columns; one space of margin on each side of the table
_LEFT, _RIGHT = "left", "right"


class Column(NamedTuple):
    header: str
    share: int = 0  # 0: as wide as its widest cell; otherwise a share of the room the others leave
    justify: str = _LEFT
    cap: int = 0  # the most of the table's width a share-0 column may take, in quarters; 0: no cap


# A row is a list of cells, or None for a blank line between groups.
Row = list["Text"] | None


def fit_widths(total: int, columns: Sequence[tuple[int, int]]) -> list[int]:
    """Column widths for a table `total` cells wide, from each column's (natural width, share).

    Columns of share 0 keep their natural width; the others split what is left by share, none
    wider than its natural width.
    """
    room = max(0, total - (3 * len(columns) - 1))  # a cell of margin each side, three between
    widths = [natural if share == 0 else 0 for natural, share in columns]
    open_columns = [i for i, (_, share) in enumerate(columns) if share]
    left = room - sum(widths)
    while open_columns and left > 0:
        shares = sum(columns[i][1] for i in open_columns)
        grant = {i: max(1, left * columns[i][1] // shares) for i in open_columns}
        for i in list(open_columns):
            widths[i] += min(grant[i], columns[i][0] - widths[i], left)
            left = room - sum(widths)
            if widths[i] >= columns[i][0]:
                open_columns.remove(i)
    return [max(1, w) for w in widths]


def grid(
    console: Console, columns: Sequence[Column], rows: Sequence[Row], title: str | None = None, header: bool = True
) -> Text:
    """Rows of cells laid out in columns that fit the console, long cells wrapped, as one Text."""
    from rich.text import Text

    width = console.width
    cells = [row for row in rows if row is not None]
    natural = []
    for index, column in enumerate(columns):
        widest = max([len(column.header) if header else 0, *(row[index].cell_len for row in cells if index < len(row))])
        if column.cap:
            widest = min(widest, max(8, width * column.cap // 4))
        natural.append((widest, column.share))
    widths = fit_widths(width, natural)
    lines: list[Text] = []
    if title:
        lines.extend(_text(title).wrap(console, width, overflow="fold"))
    if header:
        lines.append(_line([Text(c.header, style="bold") for c in columns], columns, widths, console))
        lines.append(Text("─" * min(width, sum(widths) + 3 * len(widths) - 1), style="dim"))
    for row in rows:
        lines.append(Text("") if row is None else _line(row, columns, widths, console))
    return Text("\n").join(lines)


def _line(row: list[Text], columns: Sequence[Column], widths: list[int], console: Console) -> Text:
    from rich.text import Text

    wrapped = []
    for index, width in enumerate(widths):
        cell = row[index] if index < len(row) else Text("")
        wrapped.append(cell.wrap(console, width, overflow="fold") if cell.cell_len > width or "\n" in cell.plain else [cell])
    out = []
    for depth in range(max(len(lines) for lines in wrapped)):
        pieces = []
        for lines, width, column in zip(wrapped, widths, columns, strict=True):
            piece = lines[depth].copy() if depth < len(lines) else Text("")
            gap = " " * max(0, width - piece.cell_len)
            pieces.append(Text(gap) + piece if column.justify == _RIGHT else piece + gap)
        out.append(Text(" ") + Text(_GAP).join(pieces) + Text(" "))
    return Text("\n").join(out)


def _fact_table(
    console: Console,
    facts: Sequence[Fact],
    lang: Lang,
    terms: Sequence[str] = (),
    index: SearchIndex | None = None,
    groups: Sequence[tuple[tuple[str, str], list[Fact]]] | None = None,
    title: str | None = None,
    reasons: Sequence[str] | None = None,
) -> Text:
    columns = [Column("ID", cap=1), Column("Label", share=2), Column("Figure"), Column("Quote", share=3)]
    if reasons is not None:
        columns.append(Column("Match", share=2))
    why = dict(zip((f.id for f in facts), reasons or (), strict=False))

    def row(fact: Fact) -> list[Text]:
        shown = label(fact, lang)
        if terms and index is not None:
            label_spans = highlight_spans(shown, terms, index)
            quote_spans = highlight_spans(fact.quote, terms, index)
        else:
            label_spans, quote_spans = [], _spans_of(fact.raw, fact.quote)
        cells = [
            _text(fact.id.rsplit(".", 1)[-1]),
            _text(shown, label_spans),
            _text(figure(fact)),
            _text(fact.quote, quote_spans),
        ]
        if reasons is not None:
            cells.append(_text(why.get(fact.id, "")))
        return cells

    rows: list[Row] = []
    if groups is None:
        rows = [row(fact) for fact in facts]
    else:
        for (topic_id, heading), members in groups:
            if rows:
                rows.append(None)
            rows.append([_text(topic_id, style="bold"), _text(heading, style="bold")])
            rows.extend(row(fact) for fact in members)
    return grid(console, columns, rows, title=title)


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
            row.append("; ".join(f"{m.term}: {m.field} by {m.form}" for m in hit.matches))
        columns.append("match")

    def table(console: Console) -> Text:
        reasons = [row[-1] for row in rows] if explain and hits is not None else None
        return _fact_table(console, facts, lang, terms, index, reasons=reasons)

    return View(records, records, columns, rows, table, list(FACT_COLUMNS), [fact_row(f) for f in facts])


def indicators_view(book: FactBook, facts: Sequence[Fact], lang: Lang) -> View:
    records = [fact.as_record() for fact in facts]
    columns = ["id", "label", "figure", "normalized"]
    rows = [[f.id, label(f, lang), figure(f), normalized_text(f)] for f in facts]

    def table(console: Console) -> Text:
        layout = [Column("ID", cap=1), Column("Label", share=1), Column("Figure", justify=_RIGHT)]
        layout.append(Column("Normalized", justify=_RIGHT))
        cells: list[Row] = [
            [_text(f.id.rsplit(".", 1)[-1]), _text(label(f, lang)), _text(figure(f)), _text(normalized_text(f))]
            for f in facts
        ]
        return grid(console, layout, cells)

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

    def table(console: Console) -> Text:
        layout = [Column("ID"), Column("Title", share=1), Column("Topics", share=1), Column("Facts", justify=_RIGHT)]
        cells: list[Row] = []
        for record in records:
            topics = [f"{t['id']}  {t['title_en'] if lang is Lang.EN else t['title']}" for t in record["topics"]]
            title = [record["title_en"]] if lang is Lang.EN else [record["title"], record["title_en"]]
            cells.append([_text(record["id"]), _joined(title), _joined(topics), _text(str(record["facts"]))])
        return grid(console, layout, cells)

    return View(records, records, columns, rows, table, columns, rows)


def section_view(book: FactBook, section: Section, facts: Sequence[Fact], lang: Lang) -> View:
    record = section_record(book, section)
    record["facts"] = [fact.as_record() for fact in facts]
    titles = {t.id: (t.title_en if lang is Lang.EN else t.title) for t in section.topics}
    columns = ["topic", "id", "label", "figure", "quote"]
    rows = [[f.topic, f.id, label(f, lang), figure(f), f.quote] for f in facts]

    def table(console: Console) -> Text:
        groups = [((topic.id, titles[topic.id]), [f for f in facts if f.topic == topic.id]) for topic in section.topics]
        heading = section.title_en if lang is Lang.EN else f"{section.title} · {section.title_en}"
        return _fact_table(console, facts, lang, groups=[g for g in groups if g[1]], title=heading)

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
        ("value", "" if fact.value is None else str(fact.value)),
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

    def table(console: Console) -> Text:
        cells: list[Row] = [
            [_text(key, style="bold"), _text(value, _spans_of(fact.raw, value) if key == "quote" else [])]
            for key, value in pairs
        ]
        return grid(console, [Column("field"), Column("value", share=1)], cells, header=False)

    return View(record, [record], ["field", "value"], [list(p) for p in pairs], table, list(FACT_COLUMNS), [fact_row(fact)])
