"""A real Datasette serving `qindu export -f sqlite`: its search is qindu's, its metadata explains every column."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

import pytest
from conftest import Run

from qindu_cli.export import READER_COLUMNS
from qindu_cli.schema import json_schema

WAIT = 60.0  # seconds for Datasette to answer after it starts

# Every kind of query `qindu search` takes, each as a user types it in the search box.
QUERIES = [
    "就业",  # a Chinese word
    "失业率",
    "新增城镇就业",  # a phrase
    "就业 服务",  # two words ...
    "服务 就业",  # ... in either order
    "jiuye",  # pinyin
    "jiu ye",  # pinyin in syllables
    "xzczjy",  # initials
    "jy",  # initials that must spell a whole label or tag
    "就業",  # traditional characters
    "醫療",
    "jobs",  # English
    "Employment",
    "solar investment",
    "9717",  # figures
    "2.68%",
    "100.9",
    "９７１７",  # full-width digits
    "就业 jobs",  # mixed
    "jiùyè",  # pinyin with tones
    "jiu4ye4",
    "2022",  # the report's year
    "就业 2022",
    "honour",  # words for a kind of fact
    "指标",
    "xyzzy",  # nothing
    '"',  # punctuation only
    "。，“”",
    "!!!",
]


class Server(NamedTuple):
    url: str
    database: Path

    def get(self, path: str, **params: str) -> Any:
        address = f"{self.url}{path}" + (f"?{urlencode(params)}" if params else "")
        with urllib.request.urlopen(address, timeout=WAIT) as response:
            body = response.read().decode("utf-8")
        return json.loads(body) if ".json" in path else body


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`qindu export -f sqlite -o qindu.db`, then `datasette qindu.db -m qindu.metadata.json` on a free port."""
    command = [sys.executable, "-m", "datasette"]  # the test extra installs it
    folder = tmp_path_factory.mktemp("published")
    env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache")}
    database = folder / "qindu.db"
    subprocess.run([sys.executable, "-m", "qindu_cli", "export", "-f", "sqlite", "-o", str(database)],
                   check=True, capture_output=True, env=env, timeout=120)  # fmt: skip
    other = folder / "other.db"  # a database qindu did not write, with a table of the same name
    with sqlite3.connect(other) as db:
        db.execute("create table facts (id text primary key, label text, tags text)")
        db.execute("""insert into facts values ('a', '就业', '["就业"]'), ('b', 'other', '[]')""")
    db.close()
    port = _free_port()
    metadata = folder / "qindu.metadata.json"
    log = (folder / "datasette.log").open("wb")  # a file, not a pipe nobody reads that could fill and stall it
    process = subprocess.Popen(
        [*command, "serve", str(database), str(other), "-m", str(metadata), "-h", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + WAIT
        while True:
            if process.poll() is not None:
                pytest.fail(f"datasette stopped: {(folder / 'datasette.log').read_text(errors='replace')[-2000:]}")
            try:
                urllib.request.urlopen(f"{url}/-/versions.json", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"datasette did not answer on port {port} within {WAIT:.0f} s")
                time.sleep(0.2)
        yield Server(url, database)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _qindu_search(run: Run, query: str) -> list[str]:
    """The ids `qindu search` lists for the words of the query, best first."""
    words = query.split()
    if not words:
        return []
    result = run("search", "--json", "--", *words)
    assert result.exit_code in (0, 1), result.stderr
    return [fact["id"] for fact in json.loads(result.stdout)] if result.exit_code == 0 else []


@pytest.mark.parametrize("query", QUERIES)
def test_table_search_and_the_canned_query_find_what_qindu_search_finds(server: Server, run: Run, query: str) -> None:
    expected = _qindu_search(run, query)
    table = server.get("/qindu/facts.json", _search=query, _shape="array", _size="max", _col="position")
    assert sorted(row["id"] for row in table) == sorted(expected)
    assert [row["position"] for row in table] == sorted(row["position"] for row in table)  # report order
    canned = server.get("/qindu/search.json", q=query, _shape="array")
    assert [row["id"] for row in canned] == expected  # best first, as qindu ranks them


def test_the_query_table_covers_every_kind_and_finds_something(run: Run) -> None:
    found = {query: _qindu_search(run, query) for query in QUERIES}
    assert len(QUERIES) >= 15
    assert sum(1 for ids in found.values() if ids) >= 15
    assert found["jiuye"] and found["就業"] == found["就业"] and found["就业 服务"] == found["服务 就业"]
    assert found['"'] == found["xyzzy"] == []


def test_an_empty_search_box_lists_every_fact(server: Server) -> None:
    every = server.get("/qindu/facts.json", _size="0")["filtered_table_rows_count"]
    assert server.get("/qindu/facts.json", _search=" ", _size="0")["filtered_table_rows_count"] == every > 100


def test_the_search_box_is_drawn_and_keeps_the_query(server: Server) -> None:
    page = server.get("/qindu/facts", _search="就業")
    assert 'name="_search" value="就業"' in page
    assert "search matches &#34;就業&#34;" in page


def test_canned_query_links_ids_to_their_rows_shows_label_figure_section_and_hides_sql(server: Server) -> None:
    result = server.get("/qindu/search.json", q="9717")
    assert result["columns"] == ["id", "label", "label_en", "figure", "section"]
    assert result["rows"][0][:4] == ["livelihood.jobs.new-urban-jobs", "新增城镇就业", "New urban jobs", "9717人"]
    page = server.get("/qindu/search", q="9717")
    assert '<a href="/qindu/facts/livelihood~2Ejobs~2Enew-urban-jobs">livelihood.jobs.new-urban-jobs</a>' in page
    assert "<textarea" not in page and "_show_sql=1" in page  # the SQL is hidden until asked
    assert '<span style="white-space: nowrap">9717人</span>' in page  # a figure is never split


def test_tags_show_as_a_list_of_links(server: Server) -> None:
    page = server.get("/qindu/facts/livelihood~2Ejobs~2Enew-urban-jobs")
    assert f'<a href="/qindu/facts?tags__arraycontains={quote("就业")}">就业</a>, ' in page
    assert "[&#34;" not in page.split('class="col-tags type-str">')[1].split("</td>")[0]  # not the JSON text


def test_the_facts_table_opens_with_the_columns_a_reader_needs(server: Server) -> None:
    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(Stay).open(f"{server.url}/qindu/facts", timeout=WAIT)
    assert redirect.value.code == 302
    location = redirect.value.headers["location"]
    assert location.startswith("/qindu/facts?_sort=position&")
    shown = server.get(location.replace("/qindu/facts?", "/qindu/facts.json?"))["columns"]
    assert shown == [*READER_COLUMNS, "position"] and "tags" not in shown
    page = server.get(location)  # the page itself draws, sections and topics as labelled links
    assert '<a href="/qindu/sections/economy">' in page and 'data-column="tags"' not in page
    assert "</a>&nbsp;<em>Economy: " in page and "<em>Projects and investment</em>" in page  # English titles too
    every = server.get("/qindu/facts.json", _sort="position")["columns"]  # the column menu's "Show all columns"
    assert len(every) > len(READER_COLUMNS) and "tags" in every


def test_metadata_describes_every_column_of_every_table(server: Server) -> None:
    metadata = server.get("/-/metadata.json")["databases"]["qindu"]
    tables = server.get("/qindu.json")["tables"]
    assert {t["name"] for t in tables} == {"source", "sections", "topics", "facts"}
    for table in tables:
        described = metadata["tables"][table["name"]]["columns"]
        assert set(described) == set(table["columns"]), table["name"]
        assert all(text.strip() for text in described.values()), table["name"]
    declared = json_schema()["properties"]["facts"]["items"]["properties"]
    facts = metadata["tables"]["facts"]
    for name in ("label", "quote", "raw", "kind", "note"):
        assert facts["columns"][name] == declared[name]["description"]  # from the one declaration
    assert "亿元" in facts["columns"]["unit"]


def test_metadata_gives_source_licence_facets_order_and_english_titles(server: Server) -> None:
    metadata = server.get("/-/metadata.json")
    assert "通讯员" in metadata["source"] and metadata["license"]
    tables = metadata["databases"]["qindu"]["tables"]
    assert tables["facts"]["facets"] == ["section", "kind", "unit"]
    assert tables["facts"]["label_column"] == "label"
    facets = server.get("/qindu/facts.json", _size="0")["facet_results"]
    assert set(facets) == {"section", "kind", "unit"}
    sections = server.get("/qindu/sections.json", _shape="array")
    assert [s["id"] for s in sections] == ["economy", "party-building", "livelihood"]
    assert all(s["title_en"] for s in sections)
    topics = server.get("/qindu/topics.json", _shape="array", _labels="on")
    assert [t["id"] for t in topics][:3] == ["projects", "innovation", "commerce"]
    assert topics[0]["section"]["label"] == sections[0]["title"] and topics[0]["title_en"]


def test_a_database_qindu_did_not_write_is_left_alone(server: Server) -> None:
    rows = server.get("/other/facts.json", _search="就业", _shape="array")
    assert [row["id"] for row in rows] == ["a", "b"]  # Datasette's own answer: no full-text table, no search
    assert 'name="_search"' not in server.get("/other/facts")  # opened as it is: no columns chosen for it
    assert "[&#34;就业&#34;]" in server.get("/other/facts")  # its tags column as Datasette draws it
    with pytest.raises(urllib.error.HTTPError):
        server.get("/other.json", sql="select qindu_search('就业')")


def test_qindu_starts_without_loading_datasette() -> None:
    code = "import sys; from qindu_cli.cli import main; print('datasette' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip() == "False"
