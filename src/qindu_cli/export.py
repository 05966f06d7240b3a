"""The whole dataset for other tools: JSON, JSONL, CSV, TSV, Markdown, SQLite, a Frictionless data package.

The functions here fill a path they are given; `files.write_outputs` decides where that is and
what may be replaced.
"""

from __future__ import annotations

import csv
import errno
import json
import sqlite3
from pathlib import Path
from typing import Any

from qindu_cli import __version__, fields
from qindu_cli.model import FactBook
from qindu_cli.render import Format, render
from qindu_cli.results import Dataset, every_column

# SQLite's tokenizers do not split Chinese into words, and its trigram tokenizer cannot match
# fewer than three characters, so the full-text table holds text split into single characters:
# a phrase of characters then finds any run of them, 就业 as well as 新增城镇就业.
SEARCH_SQL = """with recursive chars(i, c) as (
  select 1, substr(lower(:q), 1, 1)
  union all select i + 1, substr(lower(:q), i + 1, 1) from chars where i < length(:q)
), phrase as (
  select '"' || group_concat(c, ' ') || '"' as words from chars where c not in (' ', '"')
)
select facts.id, facts.label, facts.label_en, facts.raw, facts.quote
from facts_fts join facts on facts.id = facts_fts.id, phrase
where facts_fts match phrase.words
order by facts_fts.rank"""

LICENCE = {
    "name": "other-closed",
    "title": "Quotes are from a news report whose rights remain with its publisher; ask before reuse",
}


def dataset(book: FactBook) -> dict[str, Any]:
    """`{"source": …, "sections": […], "facts": […]}`, each fact in its one JSON shape."""
    return Dataset(book).json()


def dataset_text(book: FactBook, fmt: Format) -> str:
    return render(Dataset(book), fmt)


def search_text(texts: list[str]) -> str:
    """Text for the full-text table: folded as qindu's own search folds it, a character a token."""
    from qindu_cli.search import fold

    return " ".join(char for text in texts for char in fold(text, {}) if char != " ")


def write_sqlite(book: FactBook, path: Path) -> None:
    """Tables sections, topics and facts with keys, and facts_fts for full-text search."""
    try:
        _write_sqlite(book, path)
    except sqlite3.OperationalError as exc:  # a full disk, an I/O error: an OSError to the caller
        raise OSError(errno.ENOSPC if "full" in str(exc) else errno.EIO, str(exc)) from None


def _write_sqlite(book: FactBook, path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.executescript(
            f"""
            pragma foreign_keys = on;
            create table sections (
                id text primary key, title text not null, title_en text not null, position integer not null
            );
            create table topics (
                id text primary key, section text not null references sections(id),
                title text not null, title_en text not null, position integer not null
            );
            create table facts (
                {", ".join(fields.sql_columns())},
                position integer not null
            );
            create index facts_section on facts(section);
            create index facts_topic on facts(topic);
            create virtual table facts_fts using fts5(id unindexed, text, tokenize = 'unicode61');
            """
        )
        titles = {}
        for number, section in enumerate(book.sections):
            connection.execute(
                "insert into sections values (?, ?, ?, ?)", (section.id, section.title, section.title_en, number)
            )
            for topic in section.topics:
                titles[topic.id] = (topic.title, topic.title_en, section.title, section.title_en)
                connection.execute(
                    "insert into topics values (?, ?, ?, ?, ?)",
                    (topic.id, section.id, topic.title, topic.title_en, len(titles) - 1),
                )
        names = [column.name for column in fields.columns()]
        insert = f"insert into facts ({', '.join(names)}, position) values ({', '.join('?' * (len(names) + 1))})"
        for number, fact in enumerate(book.facts):
            connection.execute(insert, [*fields.sql_values(fact), number])
            texts = [fact.label, fact.label_en, fact.raw or "", fact.quote, *fact.tags, *titles[fact.topic]]
            connection.execute("insert into facts_fts (id, text) values (?, ?)", (fact.id, search_text(texts)))
        connection.commit()
    finally:
        connection.close()


def datasette_metadata(book: FactBook, database: str) -> dict[str, Any]:
    """Titles, descriptions and a Chinese search query for `datasette DB -m METADATA`."""
    source = book.source
    return {
        "title": f"qindu: {source.title}",
        "description": f"Every figure, honour and named programme of the report, with its quote. {source.byline}.",
        "license": LICENCE["title"],
        "databases": {
            database: {
                "tables": {
                    "facts": {
                        "title": "Facts",
                        "description": "One row a fact; value and unit as written, normalized in base units.",
                        "sort": "position",
                        "label_column": "label",
                    },
                    "sections": {"title": "Sections", "description": "The three parts of the report."},
                    "topics": {"title": "Topics", "description": "One a sub-heading of the report."},
                    "facts_fts": {"hidden": True},
                },
                "queries": {
                    "search": {
                        "title": "Search the facts",
                        "description": "Any run of characters, Chinese as written (就业) or Latin (jobs).",
                        "sql": SEARCH_SQL,
                    }
                },
            }
        },
    }


PACKAGE_TABLES = ("sections", "topics", "facts")
PACKAGE_FILES = frozenset({"datapackage.json", *(f"{name}.csv" for name in PACKAGE_TABLES)})


def write_datapackage(book: FactBook, folder: Path) -> None:
    """A new folder: datapackage.json with a Table Schema for each of PACKAGE_TABLES, and its CSV file."""
    folder.mkdir()
    topics = [(t.id, s.id, t.title, t.title_en) for s in book.sections for t in s.topics]
    tables: dict[str, tuple[list[str], list[Any]]] = {
        "sections": (["id", "title", "title_en"], [[s.id, s.title, s.title_en] for s in book.sections]),
        "topics": (["id", "section", "title", "title_en"], topics),
        "facts": (every_column(), [fields.cells(f) for f in book.facts]),
    }
    assert tuple(tables) == PACKAGE_TABLES
    for name, (header, rows) in tables.items():
        with (folder / f"{name}.csv").open("x", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
    sections = [s.id for s in book.sections]

    def field(name: str, kind: str = "string", required: bool = False, enum: list[str] | None = None) -> dict[str, Any]:
        constraints: dict[str, Any] = {}
        if required:
            constraints["required"] = True
        if enum:
            constraints["enum"] = enum
        return {"name": name, "type": kind, **({"constraints": constraints} if constraints else {})}

    def resource(
        name: str, description: str, fields: list[dict[str, Any]], keys: list[tuple[str, str]]
    ) -> dict[str, Any]:
        return {
            "name": name,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": description,
            "schema": {
                "fields": fields,
                "primaryKey": ["id"],
                "foreignKeys": [{"fields": [key], "reference": {"resource": to, "fields": ["id"]}} for key, to in keys],
            },
        }

    text = {name: field(name, required=True) for name in ("title", "title_en")}
    identifier = field("id", required=True)
    descriptor = {
        "profile": "tabular-data-package",
        "name": "qindu-facts",
        "title": f"{book.source.title}: facts",
        "description": "Every figure, honour and named programme of the report, each with the clause it comes from.",
        "version": __version__,
        "licenses": [LICENCE],
        "sources": [{"title": f"{book.source.title} ({book.source.byline})"}],
        "resources": [
            resource("sections", "The parts of the report", [identifier, text["title"], text["title_en"]], []),
            resource(
                "topics", "The sub-headings of each part",
                [identifier, field("section", required=True, enum=sections), text["title"], text["title_en"]],
                [("section", "sections")],
            ),
            resource(
                "facts", "One row a fact; tags joined by ;",
                fields.table_schema({"section": sections}),
                [(c.name, c.about.references) for c in fields.columns() if c.about.references],
            ),
        ],
    }  # fmt: skip
    with (folder / "datapackage.json").open("x", encoding="utf-8") as out:
        out.write(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n")
