"""qindu in Datasette: a database from `qindu export -f sqlite` searched with qindu's own matcher.

Datasette finds this module through the `datasette` entry point of the qindu package, so
`pip install qindu datasette` is all it takes; qindu itself never imports it. On a qindu database
(known by its application id), every connection gets `qindu_search(query)`: the ids of the facts
`qindu search` finds for the words of the query, best first, as a JSON array. `?_search=` on
the facts table keeps the rows whose id is among them, and the canned `search` query lists them.
The facts table opens with the columns a reader needs, and tags show as links.
"""

from __future__ import annotations

import json
import os
import sqlite3
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
            self.found[query] = json.dumps([self.ids[hit.position] for hit in search(self.index, query.split())])
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
        Fact(
            id=id, kind=kind, section=section, topic=topic, label=label, label_en=label_en, value=None, unit=None,
            qualifier=None, raw=raw, quote=quote, tags=tuple(json.loads(tags)),
        )
        for id, kind, section, topic, label, label_en, raw, quote, tags in connection.execute(
            "select id, kind, section, topic, label, label_en, raw, quote, tags from facts order by position"
        )
    ]  # fmt: skip
    return FactBook(Source("", None, "", "", "", ""), sections, facts)


def _is_qindu(connection: sqlite3.Connection) -> bool:
    return bool(connection.execute("pragma application_id").fetchone()[0] == APPLICATION_ID)


_KNOWN: dict[tuple[str, int], bool] = {}  # (file, modification time) -> whether it is a qindu database


async def _is_qindu_database(datasette: Any, database: str) -> bool:
    """Whether the database is one qindu wrote; asked of each file once, not at each table cell."""
    db = datasette.get_database(database)
    try:
        key = (str(db.path), os.stat(db.path).st_mtime_ns) if db.path else None
    except OSError:
        key = None
    if key is None or key not in _KNOWN:
        result = await db.execute("pragma application_id")
        if key is None:
            return bool(result.first()[0] == APPLICATION_ID)
        _KNOWN[key] = result.first()[0] == APPLICATION_ID
    return _KNOWN[key]


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
        if not query:
            return FilterArguments([], extra_context=context)
        return FilterArguments([_MATCHING], {"qindu_search": query}, [f'search matches "{query}"'], context)

    return inner


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Tags as links to the facts with that tag; a fact id a query returns as a link to its row; figures whole."""
    cell = (table, column)
    if cell not in ((FACTS, "tags"), (FACTS, "raw"), (None, "id"), (None, "figure")) or not isinstance(value, str):
        return None

    async def inner() -> Markup | None:
        if not await _is_qindu_database(datasette, database):
            return None
        if column in ("raw", "figure"):  # a figure is never split across lines: 9717人
            return Markup(f'<span style="white-space: nowrap">{escape(value)}</span>')
        facts = datasette.urls.table(database, FACTS)
        if table == FACTS:
            tags = json.loads(value)
            links = (f'<a href="{escape(facts)}?{escape(urlencode({"tags__arraycontains": t}))}">{escape(t)}</a>'
                     for t in tags)  # fmt: skip
            return Markup(", ".join(links))
        found = await datasette.get_database(database).execute("select 1 from facts where id = ?", [value])
        if not found.rows:
            return None
        return Markup(f'<a href="{escape(facts)}/{escape(_tilde(value))}">{escape(value)}</a>')

    return inner


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
