"""`qindu check` results as text (json, jsonl, plain, csv, tsv, markdown) or drawn for a terminal.

On a terminal the checked text comes first, each claim marked by its verdict in colour and with a
symbol and number (`9771人[✗1]`), so it reads without colour (and without any style when colour
is off); then a table of the claims. Nothing
here prints, and no text of the input or the fact file is read as Rich markup.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from qindu_cli.check import CONTRADICTED, SUPPORTED, UNVERIFIABLE, Checked
from qindu_cli.render import Format, Lang, label, visible

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

SYMBOLS = {SUPPORTED: "✓", CONTRADICTED: "✗", UNVERIFIABLE: "?"}
STYLES = {SUPPORTED: "bold green", CONTRADICTED: "bold red", UNVERIFIABLE: "bold yellow"}
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


def draw(console: "Console", text: str, results: Sequence[Checked], lang: Lang) -> "Text":
    """The text with its claims marked, then the table of claims, fitted to the console."""
    from rich.text import Text

    from qindu_cli.tables import Column, grid

    styles = {verdict: "" if console.no_color else style for verdict, style in STYLES.items()}
    marked = _marked(text, results, styles)
    lines: list[Text] = []
    for line in marked.split("\n"):
        lines.extend(line.wrap(console, console.width, overflow="fold") if line.plain else [Text("")])
    columns = [
        Column("#", justify="right"),
        Column("Claim", cap=1),
        Column("Verdict"),
        Column("Report"),
        Column("Quote, fact", share=1),
    ]
    cells: list[list[Text] | None] = []
    for number, result in enumerate(results, 1):
        fact = result.fact
        cells.append(
            [
                Text(str(number)),
                Text(visible(result.claim.text)),
                Text(f"{SYMBOLS[result.verdict]} {result.verdict}", style=styles[result.verdict]),
                Text(visible(fact.raw or "") if fact else ""),
                Text(visible(fact.quote) if fact else ""),
            ]
        )
        named = f"{fact.id.rsplit('.', 1)[-1]} · {visible(label(fact, lang))}" if fact else ""
        if result.why or named:  # a second line: why, and which fact
            cells.append([Text(""), Text(result.why), Text(""), Text(""), Text(named)])
    table = grid(console, columns, cells, title=summary(results))
    return Text("\n").join([*lines, Text(""), table])


def _marked(text: str, results: Sequence[Checked], styles: dict[str, str]) -> "Text":
    """The text, each claim in its verdict's style and followed by its symbol and number."""
    from rich.text import Text

    out = Text()
    at = 0
    for number, result in enumerate(results, 1):
        claim = result.claim
        out.append(visible_lines(text[at : claim.start]))
        style = styles[result.verdict]
        out.append(visible(claim.text), style=style and style + " underline")
        out.append(f"[{SYMBOLS[result.verdict]}{number}]", style=style)
        at = claim.end
    out.append(visible_lines(text[at:]))
    return out


def visible_lines(text: str) -> str:
    """Text with its line breaks kept and every other control character shown escaped."""
    return "\n".join(visible(line) for line in text.replace("\r\n", "\n").split("\n"))
