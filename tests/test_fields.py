"""The one declaration of a fact's fields: every list derived from it has every field, in every format."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

from conftest import Run

from qindu_cli import fields
from qindu_cli.fields import columns, record
from qindu_cli.load import load
from qindu_cli.model import Fact
from qindu_cli.schema import _FACT

NAMES = list(Fact._fields)


def flat_names() -> list[str]:
    """What the columns of a flat format must be: each field, or each part of an object."""
    out = []
    for about in fields.fields():
        out += [f"{about.name}_{part}" for part, _ in about.parts] if about.parts else [about.name]
    return out


def test_every_field_is_declared_and_described_in_one_sentence() -> None:
    assert [f.name for f in fields.fields()] == NAMES
    for about in fields.fields():
        assert about.kind in (*fields.KINDS, "object"), about.name
        assert about.description.endswith(".") and about.description[0].isupper(), about.name
        assert about.description.count(". ") == 0, f"{about.name}: one sentence"
        assert about.zh and about.en, about.name
        assert bool(about.parts) == (about.kind == "object"), about.name
        assert all(kind in fields.KINDS for _, kind in about.parts), about.name


def test_every_derived_list_has_every_field() -> None:
    book = load().book
    fact = book.fact("economy.projects.funds-in-place")
    assert list(record(fact)) == NAMES
    assert [c.name for c in columns()] == flat_names()
    assert len(fields.cells(fact)) == len(fields.sql_values(fact)) == len(flat_names())
    assert [d.split()[0] for d in fields.sql_columns()] == flat_names()
    assert [f["name"] for f in fields.table_schema({})] == flat_names()
    assert list(fields.descriptions()) == flat_names()
    assert list(_FACT) == [f.name for f in fields.fields() if not f.computed]
    assert [name for name, _ in fields.layout()] == NAMES
    for one in book.facts:
        assert fields.unpack(fields.pack(one)) == one


def test_an_object_field_is_an_object_in_json_and_columns_flat(run: Run, tmp_path: Path) -> None:
    fact_id = "economy.projects.funds-in-place"
    shown = json.loads(run("show", fact_id, "--json").stdout)
    assert shown["normalized"] == {"value": 10090000000, "unit": "元"}
    assert json.loads(run("show", "employment-first", "--json").stdout)["normalized"] is None
    row = next(csv.DictReader(io.StringIO(run("show", fact_id, "--format", "csv").stdout)))
    assert (row["normalized_value"], row["normalized_unit"]) == ("10090000000", "元")


def test_every_format_carries_every_field(run: Run, tmp_path: Path) -> None:
    fact_id = "livelihood.jobs.new-urban-jobs"
    assert list(json.loads(run("show", fact_id, "--json").stdout)) == NAMES
    assert list(json.loads(run("export", "--format", "jsonl").stdout.splitlines()[0])) == NAMES
    for fmt, separator in (("csv", ","), ("tsv", "\t")):
        header = run("section", "livelihood", "--format", fmt).stdout.splitlines()[0]
        assert header.split(separator) == flat_names(), fmt
    database = tmp_path / "q.db"
    assert run("export", "--format", "sqlite", "-o", str(database)).exit_code == 0
    with sqlite3.connect(database) as db:
        assert [r[1] for r in db.execute("pragma table_info(facts)")] == [*flat_names(), "position"]
    package = tmp_path / "pkg"
    assert run("export", "--format", "datapackage", "-o", str(package)).exit_code == 0
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    facts = next(r for r in descriptor["resources"] if r["name"] == "facts")
    assert [f["name"] for f in facts["schema"]["fields"]] == flat_names()
    assert all(f["description"] for f in facts["schema"]["fields"])
    shown = [line.split("\t")[0] for line in run("show", fact_id, "--format", "plain").stdout.splitlines()]
    assert set(shown) <= set(NAMES) and {"id", "raw", "quote", "normalized"} <= set(shown)


def test_the_readme_lists_the_columns_of_tsv_and_csv_as_they_are() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"`{', '.join(flat_names())}`" in readme
