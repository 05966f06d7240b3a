"""`qindu check` results as text (json, jsonl, plain, csv, tsv, markdown) or drawn for a terminal.

On a terminal the checked text comes first, each claim marked by its verdict in colour and with a
symbol and number (`9771人[✗1]`), so it reads without colour (and without any style when colour
is off); then a table of the claims. Nothing
here prints, and no text of the input or the fact file is read as Rich markup.
"""

from collections.abc import Sequence

from qindu_cli.check import CONTRADICTED, SUPPORTED, UNVERIFIABLE, Checked
from qindu_cli.model import Fact
from qindu_cli.render import Format, Lang, visible

SYMBOLS = {SUPPORTED: "✓", CONTRADICTED: "✗", UNVERIFIABLE: "?"}
STYLES = {SUPPORTED: "supported", CONTRADICTED: "contradicted", UNVERIFIABLE: "unverifiable"}
COLUMNS = ("line", "start", "end", "claim", "verdict", "report", "fact", "reason")


def rows(results: Sequence[Checked]) -> list[list[str]]:
    """One row a claim, in COLUMNS order."""
    return [
        [
            str(r.claim.line),
            str(r.claim.start),
            str(r.claim.end),
            r.claim.text,
            r.verdict,
            (r.fact.raw or "") if r.fact else "",
            r.fact.id if r.fact else "",
            r.reason,
        ]
        for r in results
    ]


def render_text(results: Sequence[Checked], fmt: Format) -> str:
    """The claims in any format but `table`, ending with a newline (JSON: a list, maybe empty)."""
    if fmt in (Format.JSON, Format.JSONL):
        import json

        records = [r.as_record() for r in results]
        if fmt is Format.JSON:
            return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    table = [list(COLUMNS), *rows(results)]
    if fmt is Format.CSV:
        import csv
        import io

        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(table)
        return out.getvalue()
    if fmt is Format.MARKDOWN:
        lines = ["| " + " | ".join(row) + " |" for row in _escaped(table, markdown=True)]
        lines.insert(1, "|" + "---|" * len(COLUMNS))
        return "\n".join(lines) + "\n"
    if fmt in (Format.PLAIN, Format.TSV):
        return "".join("\t".join(row) + "\n" for row in _escaped(table))
    raise ValueError(f"{fmt} is drawn for a console, not rendered as text")


def _escaped(table: list[list[str]], markdown: bool = False) -> list[list[str]]:
    return [[visible(cell).replace("|", "\\|") if markdown else visible(cell) for cell in row] for row in table]


def summary(results: Sequence[Checked]) -> str:
    counts = {verdict: sum(r.verdict == verdict for r in results) for verdict in SYMBOLS}
    shown = ", ".join(f"{n} {verdict}" for verdict, n in counts.items() if n)
    return f"{len(results)} claim{'s' if len(results) != 1 else ''}: {shown}"


def draw(text: str, results: Sequence[Checked], lang: Lang, width: int, colour: bool) -> str:
    """The text with its claims marked, then the table of claims, fitted to `width`."""
    from qindu_cli.tables import Cell, Column, Painter, cell, cell_lines, grid

    paint = Painter(colour)
    lines = [shown for shown, _ in cell_lines(Cell(*_marked(text.rstrip("\n"), results, colour)), width, paint)]
    columns = [
        Column("#", whole=True, right=True),
        Column("Claim", whole=True),
        Column("Verdict", whole=True),
        Column("Report", whole=True),
        Column("Quote, fact", share=1, drop=1),
    ]
    rows: list[list[Cell]] = []
    for number, result in enumerate(results, 1):
        fact = result.fact
        verdict = f"{SYMBOLS[result.verdict]} {result.verdict}"
        rows.append(
            [
                cell(str(number)),
                cell(visible(result.claim.text)),
                cell(verdict, style=STYLES[result.verdict]),
                cell(visible(fact.raw or "") if fact else ""),
                cell(visible(fact.quote) if fact else ""),
            ]
        )
        named = f"{fact.id.rsplit('.', 1)[-1]} · {visible(label(fact, lang))}" if fact else ""
        if result.why or named:  # a second line: why, and which fact
            rows.append([cell(""), cell(result.why), cell(""), cell(""), cell(named)])
    table = grid(width, columns, rows, paint)
    drawn = table[0] if table is not None else [" ".join(r.text for r in row if r.text) for row in rows]
    return "\n".join([*lines, "", summary(results), *drawn]) + "\n"


def _marked(text: str, results: Sequence[Checked], colour: bool) -> tuple[str, str, tuple[tuple[int, int], ...]]:
    """The text, each claim followed by its verdict's symbol and number, and the spans of the claims."""
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    at = length = 0
    for number, result in enumerate(results, 1):
        claim = result.claim
        before = visible_lines(text[at : claim.start])
        shown = visible(claim.text)
        out += [before, shown, f"[{SYMBOLS[result.verdict]}{number}]"]
        length += len(before)
        marks.append((length, length + len(shown)))
        length += len(shown) + len(out[-1])
        at = claim.end
    out.append(visible_lines(text[at:]))
    return "".join(out), "", tuple(marks) if colour else ()


def label(fact: Fact, lang: Lang) -> str:
    return fact.label_en if lang is Lang.EN else fact.label


def visible_lines(text: str) -> str:
    """Text with its line breaks kept and every other control character shown escaped."""
    return "\n".join(visible(line) for line in text.replace("\r\n", "\n").split("\n"))
