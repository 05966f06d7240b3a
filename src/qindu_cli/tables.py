"""Tables and charts for a terminal: a small grid that never splits a figure or an id.

A table keeps ids and figures whole on one line and folds labels and quotes. As the terminal
narrows it leaves out the least useful columns first (the quote, then the normalized value),
and when even the id, the label and the figure no longer fit side by side it draws one block
per fact instead, as `show` draws one. No line is wider than the terminal; a cell of several
lines is as wide as its widest line; Chinese characters take two cells.

Styles are ANSI escapes written here, only when colour is on: bold headers, dim rules,
matches in reverse video. Text from the fact file is shown through `visible`, never read as
markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from qindu_cli.fields import INDICATORS, About, field
from qindu_cli.model import Fact, FactBook
from qindu_cli.render import Lang, header, show_lines, shown_fields, value_text, visible
from qindu_cli.results import FactList, FactsInFull, SectionFacts, SectionList, Spans, section_record

if TYPE_CHECKING:
    from qindu_cli.source import Context

# ── cells of text ─────────────────────────────────────────────────────────────

_SGR = {
    "bold": "1",
    "dim": "2",
    "mark": "1;7",
    "bar": "36",
    "supported": "1;32",
    "contradicted": "1;31",
    "unverifiable": "1;33",
}
_WIDE = ("W", "F")


def char_width(char: str) -> int:
    """Terminal cells a character takes: two for wide East Asian characters, none for combining marks."""
    if " " <= char < "\u0300":
        return 1
    import unicodedata

    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in _WIDE else 1


def width_of(text: str) -> int:
    """The cells a line of text takes."""
    return len(text) if text.isascii() else sum(char_width(char) for char in text)


class Cell(NamedTuple):
    """Text for one place in a table: lines of it, a style, and spans of the first line to mark."""

    text: str
    style: str = ""
    marks: tuple[tuple[int, int], ...] = ()  # spans shown in reverse video: what matched, a figure
    keep: tuple[tuple[int, int], ...] = ()  # spans never cut across lines: a figure in its quote

    @property
    def width(self) -> int:
        return max(width_of(line) for line in self.text.split("\n"))


def cell(
    value: str, marks: Sequence[tuple[int, int]] = (), style: str = "", keep: Sequence[tuple[int, int]] = ()
) -> Cell:
    """Data from the fact file as a cell: control characters escaped; spans kept when nothing was."""
    shown = visible(value)
    if shown != value:
        return Cell(shown, style)
    return Cell(shown, style, tuple(sorted(marks)), tuple(keep))


def lines_of(value: Sequence[str], style: str = "") -> Cell:
    """Several strings of data, one a line."""
    return Cell("\n".join(visible(part) for part in value), style)


def fold(text: str, width: int, keep: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Where to cut `text` into lines of at most `width` cells: (start, end) of each.

    Words of Latin letters and digits, and the spans in `keep` (a figure in its quote), move
    whole to the next line when they fit there; Chinese, and words longer than a line, are cut
    between any two characters. Spaces at a cut are dropped.
    """
    width = max(width, 2)
    kept = dict(keep)
    out: list[tuple[int, int]] = []
    start = used = 0
    position = 0
    while position < len(text):
        end = position
        while end < len(text) and text[end] != " " and text[end].isascii():
            end += 1
        word_end = max(end, position + 1, kept.get(position, 0))  # a word, a kept span, or one character
        word = width_of(text[position:word_end])
        if used + word <= width:
            used += word
            position = word_end
            continue
        if text[position] == " ":
            out.append((start, position))
            start = position = position + 1
            used = 0
            continue
        if word <= width and used:  # a whole word fits on the next line
            out.append((start, position))
            start, used = position, 0
            continue
        for char_end in range(position + 1, word_end + 1):  # cut inside the word
            step = char_width(text[char_end - 1])
            if used + step > width and used:
                out.append((start, char_end - 1))
                start, used = char_end - 1, 0
            used += step
        position = word_end
    out = [(a, a + len(text[a:b].rstrip(" "))) for a, b in out]  # a line ends at its last word
    out.append((start, len(text)))
    return [(a, b) for a, b in out if b > a or len(out) == 1]


class Painter(NamedTuple):
    colour: bool

    def __call__(self, text: str, style: str) -> str:
        if not self.colour or not style or not text:
            return text
        return f"\x1b[{_SGR[style]}m{text}\x1b[0m"

    def line(self, one: Cell, start: int, end: int) -> str:
        """Part of a cell's text, its marks shown."""
        if not self.colour or not one.marks:
            return self(one.text[start:end], one.style)
        out, at = [], start
        for mark_start, mark_end in one.marks:
            a, b = max(mark_start, start), min(mark_end, end)
            if a >= b or a < at:
                continue
            out.append(self(one.text[at:a], one.style))
            out.append(self(one.text[a:b], "mark"))
            at = b
        out.append(self(one.text[at:end], one.style))
        return "".join(out)


def cell_lines(one: Cell, width: int, paint: Painter, whole: bool = False) -> list[tuple[str, int]]:
    """A cell as painted lines no wider than `width` (a whole cell is never cut), with their widths."""
    out = []
    offset = 0
    for raw in one.text.split("\n"):
        keep = [(a - offset, b - offset) for a, b in one.keep if offset <= a and b <= offset + len(raw)]
        pieces = [(0, len(raw))] if whole else fold(raw, width, keep)
        for start, end in pieces:
            out.append((paint.line(one, offset + start, offset + end), width_of(raw[start:end])))
        offset += len(raw) + 1
    return out


# ── the grid ──────────────────────────────────────────────────────────────────

_GAP = 3  # cells between columns; one of margin on the left


class Column(NamedTuple):
    header: str
    whole: bool = False  # never folded: ids, figures, counts
    share: int = 1  # of the room left, for a folding column
    drop: int = 0  # the highest leaves first as the terminal narrows; 0: never
    right: bool = False
    least: int = 16  # the narrowest a folding column may be before columns are left out


# A row is cells, or a single Cell drawn across the table (a topic heading).
Row = list[Cell] | Cell


class Drawing(NamedTuple):
    text: str
    left_out: list[str]  # headers of the columns left out for want of room


def plan(width: int, columns: Sequence[Column], natural: Sequence[int]) -> dict[int, int] | None:
    """Widths of the columns that fit `width`, by index; None when the kept ones do not fit."""
    kept = list(range(len(columns)))

    def least(i: int) -> int:
        return natural[i] if columns[i].whole else min(natural[i], columns[i].least)

    while 1 + _GAP * (len(kept) - 1) + sum(least(i) for i in kept) > width:
        droppable = [i for i in kept if columns[i].drop]
        if not droppable:
            return None
        kept.remove(max(droppable, key=lambda i: (columns[i].drop, i)))
    widths = {i: least(i) for i in kept}
    left = width - 1 - _GAP * (len(kept) - 1) - sum(widths.values())
    growing = [i for i in kept if widths[i] < natural[i]]
    while growing and left > 0:
        shares = sum(columns[i].share for i in growing)
        for i in list(growing):
            grant = min(max(1, left * columns[i].share // shares), natural[i] - widths[i], left)
            widths[i] += grant
            left -= grant
            if widths[i] >= natural[i]:
                growing.remove(i)
    return widths


def grid(
    width: int, columns: Sequence[Column], rows: Sequence[Row], paint: Painter, header: bool = True
) -> tuple[list[str], list[str]] | None:
    """The lines of a table and the headers left out, or None when it cannot be drawn in `width`."""
    cells = [row for row in rows if isinstance(row, list)]
    natural = [
        max([width_of(c.header) if header else 0, *(row[i].width for row in cells if i < len(row))])
        for i, c in enumerate(columns)
    ]
    widths = plan(width, columns, natural)
    if widths is None:
        return None
    kept = sorted(widths)
    lines = []
    if header:
        heads = [Cell(columns[i].header, "bold") for i in kept]
        lines += _row(heads, [columns[i] for i in kept], [widths[i] for i in kept], paint)
        ruled = 1 + _GAP * (len(kept) - 1) + sum(widths.values())
        lines.append(paint("─" * min(width, ruled), "dim"))
    for row in rows:
        if isinstance(row, Cell):
            lines += [f" {text}" if text else "" for text, _ in cell_lines(row, width - 1, paint)]
        else:
            lines += _row([row[i] for i in kept], [columns[i] for i in kept], [widths[i] for i in kept], paint)
    return lines, [c.header for i, c in enumerate(columns) if i not in widths]


def _row(row: Sequence[Cell], columns: Sequence[Column], widths: Sequence[int], paint: Painter) -> list[str]:
    drawn = [cell_lines(c, w, paint, whole=col.whole) for c, col, w in zip(row, columns, widths, strict=True)]
    out = []
    for depth in range(max(len(lines) for lines in drawn)):
        pieces = []
        for lines, column, w in zip(drawn, columns, widths, strict=True):
            text, used = lines[depth] if depth < len(lines) else ("", 0)
            pad = " " * max(0, w - used)
            pieces.append(pad + text if column.right else text + pad)
        out.append((" " + (" " * _GAP).join(pieces)).rstrip())
    return out


def blocks(width: int, items: Sequence[tuple[Cell, list[tuple[str, Cell, bool]]]], paint: Painter) -> list[str]:
    """One block a fact: its id on a line of its own, then a line for each field (name, value, whole)."""
    out: list[str] = []
    key_width = max((width_of(key) for _, fields_ in items for key, _, _ in fields_), default=0)
    for heading, lines in items:
        if out:
            out.append("")
        out += [" " + text for text, _ in cell_lines(heading, width - 1, paint)]
        room = width - 3 - key_width - 2
        for key, value, whole in lines:
            if not value.text:
                continue
            drawn = cell_lines(value, room, paint, whole=whole and width_of(value.text) <= room)
            for depth, (text, _) in enumerate(drawn):
                name = paint(key.ljust(key_width - width_of(key) + len(key)), "bold") if depth == 0 else " " * key_width
                out.append(f"   {name}  {text}".rstrip())
    return out


# ── what each result draws ────────────────────────────────────────────────────


def _figure_in(quote: str, raw: str | None) -> Spans:
    """Where a fact's figure stands in its quote."""
    start = quote.find(raw) if raw else -1
    return [(start, start + len(raw))] if raw and start >= 0 else []


def _context_cell(context: Context, fact: Fact, book: FactBook, colour: bool) -> Cell:
    """A quote's paragraph, the quote in reverse video (between 【 】 without colour), and every
    figure the report states in it, the fact's own and its neighbours', kept whole."""
    text, start, end = context
    assert fact.where is not None  # a context is of a placed fact
    opens = fact.where.start - start  # where the paragraph starts in the report
    figures = [
        (other.where.start - opens + a, other.where.start - opens + b)
        for other in book.facts
        if other.where and other.where.paragraph == fact.where.paragraph
        for a, b in _figure_in(other.quote, other.raw)
    ]
    if colour:
        return cell(text, [(start, end)], keep=figures)

    def moved(at: int) -> int:  # an offset once 【 and 】 are in
        return at + (at >= start) + (at >= end)

    marked = f"{text[:start]}【{text[start:end]}】{text[end:]}"
    return cell(marked, [(start + 1, end + 1)], keep=[(moved(a), moved(b)) for a, b in figures])


def _fact_cells(fact: Fact, shown: Sequence[About], highlight: Callable[[str, str], Spans] | None) -> list[Cell]:
    """A fact's cells: what matched marked (else its figure in its quote), the figure never cut."""
    out = []
    for about in shown:
        text = value_text(fact, about, thousands=True)
        figure = _figure_in(text, fact.raw) if about.name == "quote" else []
        if highlight is not None and about.name in ("label", "label_en", "quote"):
            out.append(cell(text, highlight(text, about.name), keep=figure))
        else:
            out.append(cell(text, figure, keep=figure))
    return out


def _fact_columns(listing: str, lang: Lang, explain: bool) -> tuple[list[About], list[Column]]:
    shown = shown_fields(listing, lang)
    right = listing == INDICATORS
    least = {"quote": 20, "label": 12, "label_en": 12}  # narrower than this, a column reads badly
    columns = [
        Column(
            header(f, lang),
            whole=f.whole,
            share=3 if f.name == "quote" else 2,
            drop=f.drop,
            right=right and f.whole,
            least=least.get(f.name, 16),
        )
        for f in shown
    ]
    columns[0] = columns[0]._replace(right=False)  # the id reads from the left
    if explain:
        columns.append(Column("匹配" if lang is Lang.ZH else "Match", share=2, drop=1))
    return shown, columns


def draw(result: FactList | SectionFacts | SectionList | FactsInFull, lang: Lang, width: int, colour: bool) -> Drawing:
    """A result as the terminal shows it, no line wider than `width`."""
    paint = Painter(colour)
    width = max(width, 20)
    if isinstance(result, SectionList):
        return _sections(result, lang, width, paint)
    if isinstance(result, FactsInFull):
        items = []
        for i, fact in enumerate(result.facts):
            lines = show_lines(result.book, fact, lang, thousands=True)
            described = []
            for key, value in lines[1:]:
                figure = _figure_in(value, fact.raw) if key == "quote" else []
                described.append((key, cell(value, figure, keep=figure), field(key).whole))
            if result.contexts is not None:
                context = _context_cell(result.contexts[i], fact, result.book, paint.colour)
                described.append(("context", context, False))
            items.append((Cell(visible(fact.id), "bold"), described))
        return Drawing("\n".join(blocks(width, items, paint)) + "\n", [])
    return _facts(result, lang, width, paint)


def _facts(result: FactList | SectionFacts, lang: Lang, width: int, paint: Painter) -> Drawing:
    """A list of facts as a table, or as blocks when the table cannot fit; a section's grouped by topic."""
    highlight = result.highlight if isinstance(result, FactList) else None
    reasons = result.explained() if isinstance(result, FactList) else None
    shown, columns = _fact_columns(result.listing, lang, reasons is not None)
    rows = [_fact_cells(fact, shown, highlight) for fact in result.facts]
    if reasons is not None:
        rows = [[*row, cell(reason)] for row, reason in zip(rows, reasons, strict=True)]
    title: list[str] = []
    groups: list[tuple[Cell | None, list[list[Cell]]]] = [(None, rows)]
    if isinstance(result, SectionFacts):
        section = result.section
        named = section.title_en if lang is Lang.EN else f"{section.title} · {section.title_en}"
        title = [text for text, _ in cell_lines(Cell(visible(named), "bold"), width, paint)]
        groups = []
        for topic in section.topics:
            members = [row for fact, row in zip(result.facts, rows, strict=True) if fact.topic == topic.id]
            name = topic.title_en if lang is Lang.EN else topic.title
            if members:
                groups.append((Cell(visible(f"{topic.id} · {name}"), "bold"), members))
    table: list[Row] = []
    for heading, members in groups:
        table += [*([Cell("")] if table else []), *([heading] if heading else []), *members]
    drawn = grid(width, columns, table, paint)
    if drawn is not None:
        return Drawing("\n".join([*title, *drawn[0]]) + "\n", drawn[1])
    out = list(title)
    for heading, members in groups:
        if heading is not None:
            out += ["", *(" " + text for text, _ in cell_lines(heading, width - 1, paint)), ""]
        items = [(Cell(row[0].text, "bold"), _described(columns[1:], row[1:])) for row in members]
        out += blocks(width, items, paint)
    return Drawing("\n".join(out) + "\n", [])


def _described(columns: Sequence[Column], row: Sequence[Cell]) -> list[tuple[str, Cell, bool]]:
    """A row's cells as a block's lines: header, cell, whether it is kept whole."""
    return [(c.header, one, c.whole) for c, one in zip(columns, row, strict=True)]


def _sections(result: SectionList, lang: Lang, width: int, paint: Painter) -> Drawing:
    zh = lang is Lang.ZH
    columns = [
        Column("编号" if zh else "ID", whole=True),
        Column("标题" if zh else "Title", share=1),
        Column("专题" if zh else "Topics", share=2, drop=1, least=20),
        Column("条数" if zh else "Facts", whole=True, right=True),
    ]
    rows: list[Row] = []
    for section in result.book.sections:
        one = section_record(result.book, section)
        topics = [f"{t['id']}  {t['title_en'] if not zh else t['title']}" for t in one["topics"]]
        title = [one["title"], one["title_en"]] if zh else [one["title_en"]]
        rows.append([cell(one["id"]), lines_of(title), lines_of(topics), Cell(str(one["facts"]))])
    drawn = grid(width, columns, rows, paint)
    if drawn is not None:
        return Drawing("\n".join(drawn[0]) + "\n", drawn[1])
    items = [(Cell(row[0].text, "bold"), _described(columns[1:], row[1:])) for row in rows if isinstance(row, list)]
    return Drawing("\n".join(blocks(width, items, paint)) + "\n", [])


# ── the bar chart ─────────────────────────────────────────────────────────────

_EIGHTHS = " ▏▎▍▌▋▊▉█"


def _fit(text: str, width: int) -> str:
    """The text cut to `width` cells with an ellipsis, or padded to it."""
    if width_of(text) <= width:
        return text + " " * (width - width_of(text))
    out, used = "", 0
    for char in text:
        if used + char_width(char) > width - 1:
            break
        out += char
        used += char_width(char)
    return out + "…" + " " * (width - 1 - used)


def bar_chart(facts: Sequence[Fact], title: str, width: int, colour: bool) -> str:
    """A horizontal bar for each fact, scaled to the largest, with its Chinese and English labels."""
    paint = Painter(colour)
    values = [float(f.normalized.value) if f.normalized else 0.0 for f in facts]
    largest = max(values) or 1.0
    chinese = min(max(width_of(visible(f.label)) for f in facts), max(8, width // 4))
    english = min(max(width_of(visible(f.label_en)) for f in facts), max(10, width // 4))
    figures = max(width_of(f.raw or "") for f in facts)
    room = width - chinese - english - figures - 8  # a margin, two gaps of two, a space before the figure
    if room < 10:  # too narrow for both labels: keep the Chinese
        room, english = room + english + 2, 0
    lines = [paint(visible(title), "bold"), ""]
    for fact, value in zip(facts, values, strict=True):
        eighths = round(value / largest * max(room, 1) * 8)
        bar = "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")
        line = " " + _fit(visible(fact.label), chinese)
        if english:
            line += "  " + _fit(visible(fact.label_en), english)
        lines.append(f"{line}  {paint(bar or '▏', 'bar')} {visible(fact.raw or '')}")
    return "\n".join(lines) + "\n"
