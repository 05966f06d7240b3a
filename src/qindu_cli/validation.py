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
    """Every problem of the fact file at `target`, and with `source`, every quote not found in it."""
    from qindu_cli.load import decode, read_bytes, read_document
    from qindu_cli.schema import build_book, check_quotes
    from qindu_cli.source import text_beside

    name = str(target)
    problems: list[Problem] = []
    kinds: dict[str, int] = {}
    document = book = None
    try:
        document = read_document(read_bytes(target), name)
        book = build_book(document, name)
        for fact in book.facts:
            kinds[fact.kind] = kinds.get(fact.kind, 0) + 1
    except FactFileError as error:
        problems = list(error.problems)
    named = book.source.text if book is not None else None
    source = source or text_beside(target, named)
    if source is not None and document is not None:  # every problem at once: the quotes too
        try:
            text = decode(read_bytes(source, "source text"), str(source))
            problems += check_quotes(document, text, str(source), name, book.sections if book else None)
        except FactFileError as error:
            problems += error.problems
        problems.sort(key=lambda problem: (problem.file != name, problem.line or 0))
    return Validation(name, problems, kinds, None if source is None else str(source), named)
