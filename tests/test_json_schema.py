"""The JSON Schema of the fact file: the file in the repository is current, and it agrees with the loader."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import DATA, FACTS, ROOT, Run, parse
from jsonschema import Draft202012Validator

from qindu_cli.errors import FactFileError
from qindu_cli.schema import json_schema

SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")


def test_the_schema_file_in_the_repository_is_what_qindu_schema_prints(run: Run) -> None:
    printed = run("schema").stdout
    assert json.loads(printed) == json_schema()
    assert (ROOT / "qindu.schema.json").read_text(encoding="utf-8") == printed


def test_facts_yaml_points_editors_at_the_schema() -> None:
    first = FACTS.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=qindu.schema.json"


def test_the_schema_is_a_valid_draft_2020_12_schema_and_accepts_the_shipped_facts() -> None:
    Draft202012Validator.check_schema(json_schema())
    document = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(json_schema()).iter_errors(document)) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("kind: initiative", "kind: programme"),
        ("    unit: 人\n", ""),
        ("    tags: [资金, investment]", "    tags: [资金, investment]\n    colour: red"),
        ("qualifier: more_than", "qualifier: lots"),
        ("id: livelihood.jobs.new-urban-jobs", "id: Livelihood.Jobs"),
        ("    tags: [五个一, mechanism]", "    tags: [五个一, mechanism]\n    value: 5"),
        ("schema_version: 1", "schema_version: 2"),
        ('  period: "2022"', "  period: 2022"),
        ("tags: [就业, employment, jobs]", "tags: []"),
        ("  - id: economy\n", "  - id: Economy\n"),
    ],
)
def test_the_schema_and_the_loader_refuse_the_same_structural_mistakes(old: str, new: str) -> None:
    assert old in SMALL
    text = SMALL.replace(old, new, 1)
    schema_errors = list(Draft202012Validator(json_schema()).iter_errors(yaml.safe_load(text)))
    with pytest.raises(FactFileError):
        parse(text.encode(), "f.yaml")
    assert schema_errors, "the loader refuses it, so the schema must too"
