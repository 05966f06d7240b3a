"""The whole dataset for other tools: JSON, JSONL, CSV, TSV, Markdown, SQLite, a Frictionless data package.

Files are written through a temporary file or folder beside the target and moved into place,
and an existing target is replaced only when asked.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qindu_cli import __version__
from qindu_cli.errors import QinduError
from qindu_cli.model import CHANGES, KINDS, QUALIFIERS, FactBook, Source, json_number
from qindu_cli.render import FACT_COLUMNS, Format, View, fact_row, render, section_record

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
    source = book.source
    return {
        "source": {
            "title": source.title,
            "title_en": source.title_en,
            "byline": source.byline,
            "region": source.region,
            "period": source.period,
            "language": source.language,
        },
        "sections": [section_record(book, section) for section in book.sections],
        "facts": [fact.as_record() for fact in book.facts],
    }


def dataset_text(book: FactBook, fmt: Format) -> str:
    records = [fact.as_record() for fact in book.facts]
    rows = [fact_row(fact) for fact in book.facts]
    columns = list(FACT_COLUMNS)
    view = View(dataset(book), records, columns, rows, _no_table, columns, rows)
    return render(view, fmt)


def _no_table(console: Any) -> Any:
    raise ValueError("an export is not drawn as a table")


def write_sqlite(book: FactBook, path: Path) -> None:
    """Tables sections, topics and facts with keys, marked as qindu's by APPLICATION_ID."""
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
                id text primary key,
                kind text not null check (kind in ({", ".join(repr(k) for k in KINDS)})),
                section text not null references sections(id),
                topic text not null references topics(id),
                label text not null, label_en text not null,
                value numeric, unit text,
                qualifier text check (qualifier in ({", ".join(repr(q) for q in QUALIFIERS)})),
                raw text, quote text not null,
                tags text not null,  -- a JSON array
                period text, change text check (change in ({", ".join(repr(c) for c in CHANGES)})), note text,
                normalized_value numeric, normalized_unit text,
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
        for number, fact in enumerate(book.facts):
            connection.execute(
                "insert into facts values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    fact.id, fact.kind, fact.section, fact.topic, fact.label, fact.label_en,
                    json_number(fact.value), fact.unit, fact.qualifier, fact.raw, fact.quote,
                    json.dumps(list(fact.tags), ensure_ascii=False), fact.period, fact.change, fact.note,
                    json_number(fact.base_value), fact.base_unit, number,
                ),
            )  # fmt: skip
        write_source(connection, book.source)
        connection.execute(f"pragma application_id = {APPLICATION_ID}")
        connection.commit()
    finally:
        connection.close()


# Columns the export adds to what a fact file holds; the fact file's own keys are described once,
# where they are declared, and read from there by `column_descriptions`.
_EXPORTED_COLUMNS: dict[str, dict[str, str]] = {
    "source": {},
    "sections": {"position": "Its place in the report: 0 is the first part"},
    "topics": {
        "section": "The id of the part of the report it is under",
        "position": "Its place in the report, counted through all parts",
    },
    "facts": {
        "normalized_value": "The value in its base unit (normalized_unit): 100.9 亿元 is 10090000000 元",
        "normalized_unit": "The base unit of normalized_value; figures in one base unit compare",
        "position": "Its place in the report: the facts read in this order",
    },
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
        "facts": declared["facts"]["items"]["properties"],
    }
    units = "、".join(book.units())
    described = {}
    for table, properties in declarations.items():
        columns = {name: rule["description"] for name, rule in properties.items() if name != "topics"}
        described[table] = {**columns, **_EXPORTED_COLUMNS[table]}
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
        "source": f"{report}, {source.byline}",
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


def write_datapackage(book: FactBook, folder: Path) -> None:
    """datapackage.json with a Table Schema for sections.csv, topics.csv and facts.csv."""
    folder.mkdir(exist_ok=True)
    topics = [(t.id, s.id, t.title, t.title_en) for s in book.sections for t in s.topics]
    tables: dict[str, tuple[list[str], list[Any]]] = {
        "sections": (["id", "title", "title_en"], [[s.id, s.title, s.title_en] for s in book.sections]),
        "topics": (["id", "section", "title", "title_en"], topics),
        "facts": (list(FACT_COLUMNS), [fact_row(f) for f in book.facts]),
    }
    for name, (header, rows) in tables.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as out:
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

    text = {name: field(name, required=True) for name in ("title", "title_en", "label", "label_en", "quote")}
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
                [
                    field("id", required=True), field("kind", required=True, enum=list(KINDS)),
                    field("section", required=True, enum=sections), field("topic", required=True),
                    text["label"], text["label_en"], field("value", "number"), field("unit"),
                    field("qualifier", enum=list(QUALIFIERS)), field("raw"), field("normalized_value", "number"),
                    field("normalized_unit"), text["quote"], field("tags", required=True), field("period"),
                    field("change", enum=list(CHANGES)), field("note"),
                ],
                [("section", "sections"), ("topic", "topics")],
            ),
        ],
    }  # fmt: skip
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", "utf-8")


def write_atomically(path: Path, force: bool, fill: Callable[[Path], object], folder: bool = False) -> None:
    """Fill a temporary file (or folder) beside `path`, then move it into place.

    An existing `path` is replaced only with `force`, and never when it is a folder and a file
    was asked for, or the other way round.
    """
    if path.exists() and path.is_dir() != folder:
        raise QinduError(f"{path}: is a {'file' if folder else 'folder'}; give a {'folder' if folder else 'file'} name")
    if path.exists() and not force:
        raise QinduError(f"{path}: already exists; add --force to overwrite it")
    parent = path.parent if str(path.parent) else Path(".")
    try:
        if folder:
            temporary = Path(tempfile.mkdtemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp"))
        else:
            handle, name = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(handle)
            temporary = Path(name)
            temporary.unlink()  # filled afresh: sqlite3 wants to create its own file
        try:
            fill(temporary)
            if folder and path.exists():
                shutil.rmtree(path)
            os.replace(temporary, path)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True) if temporary.is_dir() else temporary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise QinduError(f"{path}: cannot write: {exc.strerror or exc}") from None
