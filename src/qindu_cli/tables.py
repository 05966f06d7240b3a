"""Tables for a terminal, composed line by line from Rich Text; loaded only when a table is drawn.

Rich measures, wraps and styles each cell; qindu lays the cells side by side. Drawing the same
rows with rich.table.Table took two to three times as long, most of a run's time on a terminal.
Text from the fact file is never read as Rich markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.text import Text

from qindu_cli.model import Fact
from qindu_cli.render import Lang, figure, label, normalized_text, visible
from qindu_cli.search import highlight_spans

if TYPE_CHECKING:
    from rich.console import Console

    from qindu_cli.search import SearchIndex

HIGHLIGHT = "bold reverse"


def _text(value: str, spans: Sequence[tuple[int, int]] = (), style: str = "") -> Text:
    """A cell of data: never read as markup, control characters shown escaped, matches highlighted."""
    shown = visible(value)
    text = Text(shown, style=style)
    if shown == value:
        for start, end in spans:
            text.stylize(HIGHLIGHT, start, end)
    return text


def _joined(parts: Sequence[str]) -> Text:
    """Several strings of data, one a line."""
    return Text("\n").join(_text(part) for part in parts)


def _spans_of(needle: str | None, text: str) -> list[tuple[int, int]]:
    if not needle:
        return []
    start = text.find(needle)
    return [] if start < 0 else [(start, start + len(needle))]


_GAP = "   "  # between columns; one space of margin on each side of the table
_LEFT, _RIGHT = "left", "right"


class Column(NamedTuple):
    header: str
    share: int = 0  # 0: as wide as its widest cell; otherwise a share of the room the others leave
    justify: str = _LEFT
    cap: int = 0  # the most of the table's width a share-0 column may take, in quarters; 0: no cap


# A row is a list of cells, or None for a blank line between groups.
Row = list[Text] | None


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
    wrapped = []
    for index, width in enumerate(widths):
        cell = row[index] if index < len(row) else Text("")
        wrapped.append(
            cell.wrap(console, width, overflow="fold") if cell.cell_len > width or "\n" in cell.plain else [cell]
        )
    out = []
    for depth in range(max(len(lines) for lines in wrapped)):
        pieces = []
        for lines, width, column in zip(wrapped, widths, columns, strict=True):
            piece = lines[depth].copy() if depth < len(lines) else Text("")
            gap = " " * max(0, width - piece.cell_len)
            pieces.append(Text(gap) + piece if column.justify == _RIGHT else piece + gap)
        out.append(Text(" ") + Text(_GAP).join(pieces) + Text(" "))
    return Text("\n").join(out)


def fact_table(
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
            label_spans = highlight_spans(shown, terms, index, "label_en" if lang is Lang.EN else "label")
            quote_spans = highlight_spans(fact.quote, terms, index, "quote")
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


def indicator_table(console: Console, facts: Sequence[Fact], lang: Lang) -> Text:
    layout = [Column("ID", cap=1), Column("Label", share=1), Column("Figure", justify=_RIGHT)]
    layout.append(Column("Normalized", justify=_RIGHT))
    cells: list[Row] = [
        [_text(f.id.rsplit(".", 1)[-1]), _text(label(f, lang)), _text(figure(f)), _text(normalized_text(f))]
        for f in facts
    ]
    return grid(console, layout, cells)


def sections_table(console: Console, records: Sequence[dict[str, Any]], lang: Lang) -> Text:
    layout = [Column("ID"), Column("Title", share=1), Column("Topics", share=1), Column("Facts", justify=_RIGHT)]
    cells: list[Row] = []
    for record in records:
        topics = [f"{t['id']}  {t['title_en'] if lang is Lang.EN else t['title']}" for t in record["topics"]]
        title = [record["title_en"]] if lang is Lang.EN else [record["title"], record["title_en"]]
        cells.append([_text(record["id"]), _joined(title), _joined(topics), _text(str(record["facts"]))])
    return grid(console, layout, cells)


def field_table(console: Console, pairs: Sequence[tuple[str, str]], raw: str | None) -> Text:
    """One fact, a field a line, its figure highlighted in the quote."""
    cells: list[Row] = [
        [_text(key, style="bold"), _text(value, _spans_of(raw, value) if key == "quote" else [])]
        for key, value in pairs
    ]
    return grid(console, [Column("field"), Column("value", share=1)], cells, header=False)


_EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar_chart(console: Console, facts: Sequence[Fact], title: str) -> Text:
    """A horizontal bar for each fact, scaled to the largest, with its Chinese and English labels."""
    from rich.cells import cell_len

    width = console.width
    values = [float(f.base_value or 0) for f in facts]
    largest = max(values) or 1.0
    chinese = min(max(cell_len(visible(f.label)) for f in facts), max(8, width // 4))
    english = min(max(cell_len(visible(f.label_en)) for f in facts), max(10, width // 4))
    figures = max(cell_len(figure(f)) for f in facts)
    room = width - chinese - english - figures - 8  # a margin, two gaps of two, a space before the figure
    if room < 10:  # too narrow for both labels: keep the Chinese
        room, english = room + english + 2, 0
    lines = [_text(title, style="bold"), Text("")]
    for fact, value in zip(facts, values, strict=True):
        eighths = round(value / largest * max(room, 1) * 8)
        bar = "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")
        line = Text(" ")
        line.append_text(_fit(_text(fact.label), chinese))
        if english:
            line.append("  ")
            line.append_text(_fit(_text(fact.label_en), english))
        line.append("  ")
        line.append(bar or "▏", style="cyan")
        line.append(" ")
        line.append_text(_text(figure(fact)))
        lines.append(line)
    return Text("\n").join(lines)


def _fit(text: Text, width: int) -> Text:
    """The text cut to `width` cells with an ellipsis, or padded to it."""
    fitted = text.copy()
    fitted.truncate(width, overflow="ellipsis", pad=True)
    return fitted
