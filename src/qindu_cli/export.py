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
from qindu_cli.model import FactBook, Source
from qindu_cli.render import Format, render
from qindu_cli.results import Dataset, every_column

# A database written by write_sqlite says so in its header ("qndu"), so that qindu's Datasette
# plugin answers search on it and on nothing else.
APPLICATION_ID = 0x716E6475

# The canned query of the Datasette metadata: qindu_search() is qindu's own matcher, which the
# plugin (datasette_plugin.py) gives every connection to a qindu database.
SEARCH_SQL = """select facts.id, facts.label, facts.label_en, facts.raw as figure, sections.title as section
from json_each(qindu_search(:q)) as found
join facts on facts.id = found.value
join sections on sections.id = facts.section
order by found.key"""

LICENCE = {
    "name": "other-closed",
    "title": "Quotes are from a news report whose rights remain with its publisher; ask before reuse",
}


def dataset(book: FactBook) -> dict[str, Any]:
    """`{"source": …, "sections": […], "facts": […]}`, each fact in its one JSON shape."""
    return Dataset(book).json()


def dataset_text(book: FactBook, fmt: Format) -> str:
    return render(Dataset(book), fmt)


def write_sqlite(book: FactBook, path: Path) -> None:
    """Tables sections, topics and facts with keys, marked as qindu's by APPLICATION_ID."""
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
            """
        )
        topics = [(section, topic) for section in book.sections for topic in section.topics]
        for number, section in enumerate(book.sections):
            connection.execute(
                "insert into sections values (?, ?, ?, ?)", (section.id, section.title, section.title_en, number)
            )
        for number, (section, topic) in enumerate(topics):
            connection.execute(
                "insert into topics values (?, ?, ?, ?, ?)", (topic.id, section.id, topic.title, topic.title_en, number)
            )
        names = [column.name for column in fields.columns()]
        insert = f"insert into facts ({', '.join(names)}, position) values ({', '.join('?' * (len(names) + 1))})"
        for number, fact in enumerate(book.facts):
            connection.execute(insert, [*fields.sql_values(fact), number])
        write_source(connection, book.source)
        connection.execute(f"pragma application_id = {APPLICATION_ID}")
        connection.commit()
    finally:
        connection.close()


# Columns the export adds to what a fact file holds; a fact's fields are described once, where
# `model.Fact` declares them, and the file's other keys in schema.py: `column_descriptions` reads both.
_EXPORTED_COLUMNS: dict[str, dict[str, str]] = {
    "source": {},
    "sections": {"position": "Its place in the report: 0 is the first part"},
    "topics": {
        "section": "The id of the part of the report it is under",
        "position": "Its place in the report, counted through all parts",
    },
    "facts": {"position": "Its place in the report: the facts read in this order"},
}
# The columns the facts table opens with; the others are a click away.
READER_COLUMNS = ("id", "label", "raw", "quote", "section", "topic")


def column_descriptions(book: FactBook) -> dict[str, dict[str, str]]:
    """A description of every column of sections, topics and facts, from the fact file's declaration."""
    from qindu_cli.schema import json_schema

    declared = json_schema()["properties"]
    section = declared["sections"]["items"]["properties"]
    declarations = {
        "source": declared["source"]["properties"],
        "sections": section,
        "topics": section["topics"]["items"]["properties"],
    }
    units = "、".join(book.units())
    described = {}
    for table, properties in declarations.items():
        columns = {name: rule["description"] for name, rule in properties.items() if name != "topics"}
        described[table] = {**columns, **_EXPORTED_COLUMNS[table]}
    described["facts"] = {**fields.descriptions(), **_EXPORTED_COLUMNS["facts"]}
    described["facts"]["unit"] += f" (in this file: {units})"
    described["facts"]["tags"] += "; a JSON array, shown as a list of links to the facts with that tag"
    return described


def write_source(connection: sqlite3.Connection, source: Source) -> None:
    """Table source: one row saying which report the facts come from (search reads its period)."""
    names = ", ".join(source._fields)
    connection.execute(f"create table source ({names})")
    connection.execute(f"insert into source ({names}) values ({', '.join('?' * len(source))})", tuple(source))


def datasette_metadata(book: FactBook, database: str) -> dict[str, Any]:
    """Titles, descriptions, facets and qindu's search for `datasette DB -m METADATA`."""
    source = book.source
    parts = "; ".join(f"{s.title} ({s.title_en})" for s in book.sections)
    columns = column_descriptions(book)
    report = f"{source.title} ({source.title_en})" if source.title_en else source.title
    return {
        "title": f"qindu: {source.title}",
        "description": f"Every figure, honour and named programme of the report, each with its quote. Parts: {parts}.",
        "source": f"{report}, {source.byline}"
        + (f"; its text is {source.text} in qindu's repository" if source.text else ""),
        "license": LICENCE["title"],
        "databases": {
            database: {
                "title": report,
                "description": (
                    f"{len(book.facts)} facts of {source.title}, {source.region}, {source.period}. "
                    "Search the facts table in Chinese, pinyin (jiuye), initials, traditional characters, "
                    "English or figures: it finds what “qindu search” finds."
                ),
                "tables": {
                    "source": {
                        "title": "Source",
                        "description": "The report every fact comes from, in one row.",
                        "columns": columns["source"],
                    },
                    "facts": {
                        "title": "Facts",
                        "description": (
                            "One row a fact, in report order: a figure as written (raw), its value and unit, "
                            "normalized to a base unit, and the clause of the report it comes from (quote)."
                        ),
                        "sort": "position",
                        "label_column": "label",
                        "facets": ["section", "kind", "unit"],
                        "columns": columns["facts"],
                    },
                    "sections": {
                        "title": "Sections",
                        "description": f"The parts of the report, in report order: {parts}.",
                        "sort": "position",
                        "label_column": "title",
                        "columns": columns["sections"],
                    },
                    "topics": {
                        "title": "Topics",
                        "description": "The sub-headings of each part, in report order, in Chinese and English.",
                        "sort": "position",
                        "label_column": "title",
                        "columns": columns["topics"],
                    },
                },
                "queries": {
                    "search": {
                        "title": "Search the facts",
                        "description": (
                            "Facts matching every word, best first, as “qindu search” finds them: "
                            "Chinese (就业), pinyin (jiuye), initials, traditional characters, English or figures."
                        ),
                        "sql": SEARCH_SQL,
                        "hide_sql": True,
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
