"""Shared fixtures: an isolated cache, a runner at a fixed width, and the paths tests read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from qindu_cli.cli import app
from qindu_cli.load import read_document
from qindu_cli.model import FactBook
from qindu_cli.schema import build_book
from qindu_cli.source import ReportText

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
FACTS = ROOT / "facts.yaml"
SOURCE = ROOT / "qindu-2022-report.txt"  # the report, shipped beside the facts (CI compares it with ../shared)
WIDTH = 100

Run = Callable[..., Result]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite the golden tables from today's output")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own empty cache directory and no stray settings from the environment."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    for name in ("QINDU_FACTS", "QINDU_LANG", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    yield cache


@pytest.fixture
def run() -> Run:
    """Invoke qindu as a user would, stdout and stderr apart, in a 100-column terminal."""
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
        return runner.invoke(
            app, list(args), input=input, env={"COLUMNS": str(WIDTH), **(env or {})}, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


def parse(data: bytes, name: str, report: ReportText | None = None) -> FactBook:
    """The book in a fact file's bytes, built as `load` builds it but with no cache and no file around it."""
    return build_book(read_document(data, name), name, report)


def replicate_facts(count: int) -> str:
    """The shipped fact file with its facts repeated under new ids until there are `count`."""
    text = FACTS.read_text(encoding="utf-8")
    head, _, body = text.partition("\nfacts:\n")
    blocks = ["  - id:" + block for block in body.split("  - id:")[1:]]
    out = [head, "\nfacts:\n"]
    for index in range(count):
        first, rest = blocks[index % len(blocks)].split("\n", 1)
        copy = index // len(blocks)
        out.append((f"{first}-copy-{copy}" if copy else first) + "\n" + rest.rstrip("\n") + "\n")
    return "".join(out)
