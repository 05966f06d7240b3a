"""Exports for other tools: SQLite with Chinese full-text search, a Frictionless data package, Datasette."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import Run

from qindu_cli.export import APPLICATION_ID


@pytest.fixture
def database(run: Run, tmp_path: Path) -> Path:
    path = tmp_path / "qindu.db"
    result = run("export", "--format", "sqlite", "-o", str(path))
    assert result.exit_code == 0 and "datasette" in result.stderr
    return path


@pytest.fixture
def package(run: Run, tmp_path: Path) -> Path:
    folder = tmp_path / "qindu"
    assert run("export", "--format", "datapackage", "-o", str(folder)).exit_code == 0
    return folder


def facts_json(run: Run) -> list[dict[str, object]]:
    return json.loads(run("export").stdout)["facts"]  # type: ignore[no-any-return]


def test_sqlite_has_keys_counts_and_typed_columns(database: Path, run: Run) -> None:
    expected = facts_json(run)
    with sqlite3.connect(database) as db:
        primary = {
            t: [r[1] for r in db.execute(f"pragma table_info({t})") if r[5]] for t in ("sections", "topics", "facts")
        }
        assert primary == {"sections": ["id"], "topics": ["id"], "facts": ["id"]}
        keys = {(r[2], r[3], r[4]) for r in db.execute("pragma foreign_key_list(facts)")}
        assert keys == {("sections", "section", "id"), ("topics", "topic", "id")}
        assert db.execute("pragma foreign_key_check").fetchall() == []
        assert db.execute("pragma application_id").fetchone() == (APPLICATION_ID,)  # qindu's Datasette plugin
        assert [n for (n,) in db.execute("select count(*) from facts")] == [len(expected)]
        assert db.execute("select count(*) from sections").fetchone() == (3,)
        assert db.execute("select count(*) from topics").fetchone() == (12,)
        row = db.execute(
            "select value, typeof(value), normalized_value, normalized_unit, tags from facts where id = ?",
            ("economy.projects.funds-in-place",),
        ).fetchone()
        assert row[:4] == (100.9, "real", 10090000000, "元")
        tags = next(f["tags"] for f in expected if f["id"] == "economy.projects.funds-in-place")
        assert json.loads(row[4]) == tags and "investment" in tags  # a JSON array, in the file's order
        ids = [i for (i,) in db.execute("select id from facts order by position")]
        assert ids == [f["id"] for f in expected]


def test_datapackage_descriptor_describes_every_field(package: Path, run: Run) -> None:
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] and descriptor["sources"][0]["title"]
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(resources) == {"sections", "topics", "facts"}
    fields = {f["name"]: f for f in resources["facts"]["schema"]["fields"]}
    assert fields["kind"]["constraints"]["enum"] == ["indicator", "milestone", "initiative"]
    assert fields["qualifier"]["constraints"]["enum"] == ["more_than", "at_least", "approx", "at_most"]
    assert fields["section"]["constraints"]["enum"] == ["economy", "party-building", "livelihood"]
    assert fields["value"]["type"] == fields["normalized_value"]["type"] == "number"
    assert {k["reference"]["resource"] for k in resources["facts"]["schema"]["foreignKeys"]} == {"sections", "topics"}
    for name, resource in resources.items():
        with (package / resource["path"]).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert list(rows[0]) == [f["name"] for f in resource["schema"]["fields"]], name
    with (package / "facts.csv").open(encoding="utf-8", newline="") as handle:
        assert [r["id"] for r in csv.DictReader(handle)] == [f["id"] for f in facts_json(run)]


def test_files_are_not_overwritten_without_force(run: Run, database: Path, package: Path) -> None:
    for fmt, path in (("sqlite", database), ("datapackage", package)):
        again = run("export", "--format", fmt, "-o", str(path))
        assert again.exit_code == 2 and "already exists; add --force" in again.stderr
        assert run("export", "--format", fmt, "-o", str(path), "--force").exit_code == 0
    assert sorted(p.name for p in database.parent.iterdir()) == ["qindu", "qindu.db", "qindu.metadata.json"]


@pytest.mark.parametrize("fmt", ["sqlite", "datapackage"])
def test_binary_formats_need_an_output_path(run: Run, fmt: str) -> None:
    result = run("export", "--format", fmt)
    assert (result.exit_code, result.stdout) == (2, "") and "give -o PATH" in result.stderr


def test_frictionless_finds_the_data_package_valid(package: Path) -> None:
    from frictionless import validate

    report = validate(str(package / "datapackage.json"))
    assert report.valid, json.dumps(report.to_dict(), ensure_ascii=False)[:2000]
    assert report.stats["tasks"] == 3  # facts, sections and topics, each checked against its schema


def test_the_datasette_metadata_says_where_the_report_text_is() -> None:
    from qindu_cli.export import datasette_metadata
    from qindu_cli.load import load

    book = load().book
    assert book.source.text == "qindu-2022-report.txt"
    assert "qindu-2022-report.txt" in datasette_metadata(book, "qindu")["source"]
