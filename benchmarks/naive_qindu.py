"""The baseline: qindu as one would first write it on the same stack.

Typer + Rich, `yaml.safe_load` of the whole fact file on every run, substring search over
a few fields, `json.dumps` of the hits. Only `search QUERY --json [--limit N]` and
`section ID --format table`, which is what the benchmark compares.
"""

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import rich.console
import rich.table
import typer
import yaml

app = typer.Typer()
FACTS = Path(__file__).resolve().parent.parent / "facts.yaml"


def facts_file() -> Path:
    return Path(sys.argv[sys.argv.index("--facts") + 1]) if "--facts" in sys.argv else FACTS


@app.callback()
def main(facts: Annotated[Optional[Path], typer.Option("--facts")] = None) -> None:  # noqa: UP045
    """Naive qindu."""


@app.command()
def search(
    query: str,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    limit: Annotated[Optional[int], typer.Option("--limit")] = None,  # noqa: UP045
) -> None:
    data = yaml.safe_load(facts_file().read_text(encoding="utf-8"))
    hits = [
        fact
        for fact in data["facts"]
        if any(query in str(fact.get(key) or "") for key in ("label", "label_en", "quote", "raw", "tags"))
    ][:limit]
    print(json.dumps(hits, ensure_ascii=False, indent=2, default=str))


@app.command()
def section(name: str, fmt: Annotated[str, typer.Option("--format")] = "table") -> None:
    data = yaml.safe_load(facts_file().read_text(encoding="utf-8"))
    table = rich.table.Table()
    for column in ("ID", "Label", "Figure", "Quote"):
        table.add_column(column)
    for fact in data["facts"]:
        if fact["section"] == name:
            table.add_row(fact["id"], fact["label"], fact.get("raw") or "", fact["quote"])
    rich.console.Console().print(table)


if __name__ == "__main__":
    app()
