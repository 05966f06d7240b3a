"""Text formats: one function per format turns a result into text; nothing here prints.

`plain` is for `cut`, `awk` and `xargs`: one record per line, tab-separated, no header line,
numbers without thousands marks. `tsv` and `csv` carry every field of a fact with a header;
`markdown` is the columns of `plain` under a header, escaped so no text becomes markup.
Control characters are shown escaped in plain, tsv and markdown; JSON and CSV keep the exact
string. The terminal's table is drawn by `tables`, which reads this module, never the reverse.
"""

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

from qindu_cli.errors import visible as visible  # re-exported: escaping lives in errors
from qindu_cli.fields import About, field, listed
from qindu_cli.model import Fact, FactBook
from qindu_cli.results import (
    SECTION_COLUMNS,
    Dataset,
    FactList,
    FactsInFull,
    Result,
    SectionFacts,
    SectionList,
    every_column,
    section_cells,
)


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


# ── a fact's fields as text ───────────────────────────────────────────────────


def with_thousands(number: str) -> str:
    whole, _, part = number.partition(".")
    return f"{int(whole):,}{'.' + part if part else ''}"


def value_text(fact: Fact, about: About, thousands: bool = False) -> str:
    """A field of a fact as one string: empty when unknown, tags joined, an object's parts spaced."""
    value = getattr(fact, about.name)
    if value is None:
        return ""
    if about.kind == "tags":
        return ", ".join(value)
    if about.reads:
        return about.reads.format(**value._asdict())
    if about.parts:
        kinds = [kind for _, kind in about.parts]
        return " ".join(
            with_thousands(v) if thousands and k == "number" else v for v, k in zip(value, kinds, strict=True)
        )
    return str(value)


def shown_fields(listing: str, lang: Lang) -> list[About]:
    """The columns a listing shows, the English label standing in for the label with --lang en."""
    english = field("label_en").replace(listings=field("label").listings)
    return [english if lang is Lang.EN and f.name == "label" else f for f in listed(listing)]


def header(about: About, lang: Lang) -> str:
    return about.en if lang is Lang.EN else about.zh


def show_lines(book: FactBook, fact: Fact, lang: Lang, thousands: bool) -> list[tuple[str, str]]:
    """`show`'s lines: every field that has a value, by name; section and topic with their titles."""
    section = book.section(fact.section)
    topic = section.topic(fact.topic)
    titles = {
        "section": section.title_en if lang is Lang.EN else section.title,
        "topic": topic.title_en if lang is Lang.EN else topic.title,
    }
    from qindu_cli.fields import fields

    lines = []
    for about in fields():
        text = value_text(fact, about, thousands)
        if about.name in titles:
            text = f"{text} · {titles[about.name]}"
        if text:
            lines.append((about.name, text))
    return lines


# ── the columns of plain and markdown ─────────────────────────────────────────


def display(result: Result, lang: Lang, thousands: bool = False) -> tuple[list[str], list[list[str]]]:
    """The columns of a result as plain and markdown show them: names and rows of text."""
    if isinstance(result, SectionList):
        return list(SECTION_COLUMNS), [section_cells(one) for one in result.json()]
    if isinstance(result, FactsInFull):
        added = result.context_columns()
        lines = []
        for i, fact in enumerate(result.facts):
            described = show_lines(result.book, fact, lang, thousands)
            if added is not None:
                described += list(zip(added[0], added[1][i], strict=True))
            lines += [[fact.id, *line] for line in described]
        if len(result.facts) == 1:  # one fact: a line a field; several: each line led by its fact's id
            return ["field", "value"], [line[1:] for line in lines]
        return ["fact", "field", "value"], lines
    if isinstance(result, Dataset):
        return every_field(result)
    shown = shown_fields(result.listing, lang)
    names = [f.name for f in shown]
    rows = [[value_text(fact, f, thousands) for f in shown] for fact in result.facts]
    reasons = result.explained() if isinstance(result, FactList) else None
    if reasons is not None:
        names.append("match")
        rows = [[*row, reason] for row, reason in zip(rows, reasons, strict=True)]
    return names, rows


def every_field(result: Result) -> tuple[list[str], list[list[str]]]:
    """Every field of each fact (csv, tsv), the reasons each matched with --explain."""
    from qindu_cli.fields import cells
    from qindu_cli.results import facts_of

    if isinstance(result, SectionList):
        return list(SECTION_COLUMNS), [section_cells(one) for one in result.json()]
    names = every_column()
    rows = [cells(fact) for fact in facts_of(result)]
    reasons = result.explained() if isinstance(result, FactList) else None
    if reasons is not None:
        names.append("match")
        rows = [[*row, reason] for row, reason in zip(rows, reasons, strict=True)]
    added = result.context_columns() if isinstance(result, FactsInFull) else None
    if added is not None:
        names += added[0]
        rows = [[*row, *more] for row, more in zip(rows, added[1], strict=True)]
    return names, rows


# ── one function per format ───────────────────────────────────────────────────


def as_json(result: Result, lang: Lang) -> str:
    import json

    return json.dumps(result.json(), ensure_ascii=False, indent=2) + "\n"


def as_jsonl(result: Result, lang: Lang) -> str:
    import json

    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in result.jsonl())


def as_csv(result: Result, lang: Lang) -> str:
    return csv_text(*every_field(result))


def csv_text(names: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)
    return out.getvalue()


def as_tsv(result: Result, lang: Lang) -> str:
    names, rows = every_field(result)
    return tab_lines([names, *rows])


def as_plain(result: Result, lang: Lang) -> str:
    return tab_lines(display(result, lang)[1])


def tab_lines(rows: Sequence[Sequence[str]]) -> str:
    return "".join("\t".join(visible(value) for value in row) + "\n" for row in rows)


_MARKDOWN = r"[\\`*_\[\]<>|~&:]|(?<=www)\."


def markdown_escaped(text: str) -> str:
    """Text a Markdown renderer shows as written: no link, emphasis, HTML, code or cell break in it."""
    import re

    return re.sub(_MARKDOWN, lambda found: "\\" + found.group(), visible(text), flags=re.IGNORECASE)


def as_markdown(result: Result, lang: Lang) -> str:
    names, rows = display(result, lang, thousands=True)
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(markdown_escaped(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


FORMATS: dict[Format, Callable[[Any, Lang], str]] = {
    Format.PLAIN: as_plain,
    Format.JSON: as_json,
    Format.JSONL: as_jsonl,
    Format.CSV: as_csv,
    Format.TSV: as_tsv,
    Format.MARKDOWN: as_markdown,
}


def render(result: Result, fmt: Format, lang: Lang = Lang.ZH) -> str:
    """The text of a result in any format but `table` (see `tables`), ending with a newline."""
    return FORMATS[fmt](result, lang)


__all__ = ["Format", "Lang", "SectionFacts", "render", "visible"]
