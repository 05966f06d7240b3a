"""qindu in Datasette: a database from `qindu export -f sqlite` searched with qindu's own matcher.

Datasette finds this module through the `datasette` entry point of the qindu package, so
`pip install qindu datasette` is all it takes; qindu itself never imports it. On a qindu database
(known by its application id), every connection gets `qindu_search(query)`: the ids of the facts
`qindu search` finds for the words of the query, best first, as a JSON array. `?_search=` on
the facts table keeps the rows whose id is among them, and the canned `search` query lists them.
The facts table opens with the columns a reader needs, sections and topics with their English
titles, tags as links.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments
from markupsafe import Markup, escape

from qindu_cli.export import APPLICATION_ID, READER_COLUMNS
from qindu_cli.model import Fact, FactBook, Section, Source, Topic
from qindu_cli.search import SearchIndex, build_index, search

FACTS = "facts"
# Datasette reads each database from several threads; qindu's search keeps its last prepared
# query in one place for the whole process, so one search runs at a time.
_SEARCHING = threading.Lock()
_REMEMBERED = 256  # queries whose answers a connection keeps
_MATCHING = "id in (select value from json_each(qindu_search(:qindu_search)))"


class _Matcher:
    """qindu's search over the facts one connection reads, rebuilt when another connection writes."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.version: object = None
        self.index: SearchIndex | None = None
        self.ids: list[str] = []
        self.found: dict[str, str] = {}  # a page asks once for its rows, its count and each facet

    def __call__(self, query: object) -> str:
        """The ids of the facts matching every word of the query, best first, as a JSON array."""
        if not isinstance(query, str) or not query.split():
            return "[]"
        version = self.connection.execute("pragma data_version").fetchone()
        if self.index is None or version != self.version:
            book = _searchable_book(self.connection)
            self.index, self.ids, self.version = build_index(book), [fact.id for fact in book.facts], version
            self.found = {}
        if query not in self.found:
            if len(self.found) >= _REMEMBERED:
                self.found.clear()
            with _SEARCHING:
                hits = search(self.index, query.split())
            self.found[query] = json.dumps([self.ids[hit.position] for hit in hits])
        return self.found[query]


def _searchable_book(connection: sqlite3.Connection) -> FactBook:
    """The sections, topics and facts of a qindu database, with the fields search reads."""
    topics: dict[str, list[Topic]] = {}
    for section, *topic in connection.execute("select section, id, title, title_en from topics order by position"):
        topics.setdefault(section, []).append(Topic(*topic))
    sections = tuple(
        Section(id, title, title_en, tuple(topics.get(id, ())))
        for id, title, title_en in connection.execute("select id, title, title_en from sections order by position")
    )
    facts = [
        Fact(**{
            **dict.fromkeys(Fact._fields),  # what search does not read stays unknown
            "id": id, "kind": kind, "section": section, "topic": topic, "label": label, "label_en": label_en,
            "raw": raw, "quote": quote, "tags": tuple(json.loads(tags)), "period": period,
        })
        for id, kind, section, topic, label, label_en, raw, quote, tags, period in connection.execute(
            "select id, kind, section, topic, label, label_en, raw, quote, tags, period from facts order by position"
        )
    ]  # fmt: skip
    source = connection.execute("select * from source")
    names = [column[0] for column in source.description]
    return FactBook(Source(**dict(zip(names, source.fetchone(), strict=True))), sections, facts)


def _is_qindu(connection: sqlite3.Connection) -> bool:
    return bool(connection.execute("pragma application_id").fetchone()[0] == APPLICATION_ID)


# What each database file (by name and modification time) says once, not at each table cell.
_KNOWN: dict[tuple[str, str, int], Any] = {}


async def _once(datasette: Any, database: str, question: str, sql: str, answer: Callable[[Any], Any]) -> Any:
    db = datasette.get_database(database)
    try:
        key = (question, str(db.path), os.stat(db.path).st_mtime_ns) if db.path else None
    except OSError:
        key = None
    if key is not None and key in _KNOWN:
        return _KNOWN[key]
    found = answer(await db.execute(sql))
    if key is not None:
        _KNOWN[key] = found
    return found


async def _is_qindu_database(datasette: Any, database: str) -> bool:
    """Whether the database is one qindu wrote."""
    found = await _once(datasette, database, "qindu", "pragma application_id", lambda r: r.first()[0] == APPLICATION_ID)
    return bool(found)


async def _english_titles(datasette: Any, database: str) -> dict[tuple[str, str], str]:
    """The English title of every section and topic, by table and id."""
    sql = "select 'sections', id, title_en from sections union all select 'topics', id, title_en from topics"
    titles = await _once(datasette, database, "titles", sql, lambda r: {(t, i): en for t, i, en in r.rows})
    return dict(titles)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    if _is_qindu(conn):
        conn.create_function("qindu_search", 1, _Matcher(conn), deterministic=True)


@hookimpl(trylast=True)  # last, so that its search box is the one the page draws
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Callable[[], Awaitable[Any]]:
    async def inner() -> Any:
        if table != FACTS or not await _is_qindu_database(datasette, database):
            return None
        query = request.args.get("_search") or ""
        context = {"supports_search": True, "search": query}
        if not query.strip():  # an empty box asks for every fact
            return FilterArguments([], extra_context=context)
        return FilterArguments([_MATCHING], {"qindu_search": query}, [f'search matches "{query}"'], context)

    return inner


_LINKED = {"section": "sections", "topic": "topics"}  # columns of facts that hold the id of a row elsewhere


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Sections and topics with their English titles, tags as links, figures whole, fact ids in queries as links."""
    render: Callable[[Any, str, str, Any], Awaitable[Markup | None]]
    if table == FACTS and column in _LINKED and isinstance(value, dict):
        render = _titled_link
    elif table == FACTS and column == "tags" and isinstance(value, str):
        render = _tag_links
    elif (table, column) in ((FACTS, "raw"), (None, "figure")) and isinstance(value, str):
        render = _whole_figure
    elif table is None and column == "id" and isinstance(value, str):
        render = _fact_link
    else:
        return None

    async def inner() -> Markup | None:
        if not await _is_qindu_database(datasette, database):
            return None
        return await render(value, column, database, datasette)

    return inner


async def _titled_link(value: dict[str, Any], column: str, database: str, datasette: Any) -> Markup:
    """Datasette's link to the section or topic, its English title after the Chinese one."""
    other = _LINKED[column]
    english = (await _english_titles(datasette, database)).get((other, value["value"]), "")
    href = f"{datasette.urls.table(database, other)}/{_tilde(str(value['value']))}"
    return Markup(f'<a href="{escape(href)}">{escape(value["label"])}</a>&nbsp;<em>{escape(english)}</em>')


async def _tag_links(value: str, column: str, database: str, datasette: Any) -> Markup:
    facts = datasette.urls.table(database, FACTS)
    links = (f'<a href="{escape(facts)}?{escape(urlencode({"tags__arraycontains": tag}))}">{escape(tag)}</a>'
             for tag in json.loads(value))  # fmt: skip
    return Markup(", ".join(links))


async def _whole_figure(value: str, column: str, database: str, datasette: Any) -> Markup:
    return Markup(f'<span style="white-space: nowrap">{escape(value)}</span>')  # never 9717 / 人


async def _fact_link(value: str, column: str, database: str, datasette: Any) -> Markup | None:
    found = await datasette.get_database(database).execute("select 1 from facts where id = ?", [value])
    if not found.rows:
        return None
    href = f"{datasette.urls.table(database, FACTS)}/{_tilde(value)}"
    return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')


def _tilde(text: str) -> str:
    from datasette.utils import tilde_encode

    return str(tilde_encode(text))


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """The facts table, asked for with no options at all, opens with the columns a reader needs.

    The address it sends the browser to names them (`_col=`) and sorts in report order, so that
    Datasette's own column menu can show every column again.
    """

    def wrap(app: Any) -> Any:
        async def opened(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("query_string"):
                database = _facts_page(scope["path"], datasette)
                if database is not None and await _is_qindu_database(datasette, database):
                    # Datasette 0.65 draws no page that sorts by a column it was not asked to show.
                    columns = [("_col", c) for c in (*READER_COLUMNS, "position") if c != "id"]
                    target = f"{scope['path']}?{urlencode([('_sort', 'position'), *columns])}"
                    await send({"type": "http.response.start", "status": 302,
                                "headers": [(b"location", target.encode()), (b"content-length", b"0")]})  # fmt: skip
                    await send({"type": "http.response.body", "body": b""})
                    return
            await app(scope, receive, send)

        return opened

    return wrap


def _facts_page(path: str, datasette: Any) -> str | None:
    """The name of the database whose facts table page `path` is, if it is one."""
    for name in datasette.databases:
        if path == datasette.urls.table(name, FACTS):
            return str(name)
    return None
