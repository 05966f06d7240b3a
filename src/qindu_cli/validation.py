"""`qindu validate`: read a fact file, check it, and hold its quotes against the report's text."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from qindu_cli.errors import FactFileError, Problem


class Validation(NamedTuple):
    file: str
    problems: list[Problem]
    kinds: dict[str, int]  # how many facts of each kind, in the order first met
    source: str | None  # the report text the quotes were held against
    named: str | None = None  # the report text the fact file names, found beside it or not

    def as_record(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "valid": not self.problems,
            "facts": sum(self.kinds.values()),
            "kinds": self.kinds,
            "source": self.source,
            "problems": [p.as_record() for p in self.problems],
        }

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {kind}s" for kind, n in self.kinds.items())
        missing = f"{self.named} is not beside it; " if self.named else ""
        checked = (
            f"; every quote placed in {self.source}"
            if self.source is not None
            else f"; quotes not checked: {missing}give --source"
        )
        return f"{self.file}: valid, {sum(self.kinds.values())} facts ({kinds}){checked}"


def validate(target: Path, source: Path | None = None) -> Validation:
    """Every problem of the fact file at `target`, its quotes held against `source` or the report beside it."""
    from qindu_cli.load import read_bytes, read_document, report_beside, report_text
    from qindu_cli.schema import build_book, text_named

    name = str(target)
    problems: list[Problem] = []
    kinds: dict[str, int] = {}
    named = found = None
    try:
        document = read_document(read_bytes(target), name)
        named = text_named(document)
        found = (source, read_bytes(source, "report text")) if source else report_beside(target, named)
        report = None
        if found is not None:
            try:
                report = report_text(found)
            except FactFileError as error:  # every problem at once: the file's too
                problems += error.problems
        for fact in build_book(document, name, report).facts:
            kinds[fact.kind] = kinds.get(fact.kind, 0) + 1
    except FactFileError as error:
        problems += error.problems
    problems.sort(key=lambda problem: (problem.file != name, problem.line or 0))
    return Validation(name, problems, kinds, None if found is None else str(found[0]), named)
