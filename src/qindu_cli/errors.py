"""The errors qindu reports to people: each carries what the user must be told and an exit code."""

from collections.abc import Iterable, Sequence
from typing import NamedTuple


class Terminated(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C, so that what was half written is removed, then exit 143."""


class QinduError(Exception):
    """Something the user must fix; the command line prints it on one line and exits 2."""

    exit_code = 2

    def lines(self) -> list[str]:
        return [str(self)]


class OutputError(QinduError):
    """The output could not be written: a full disk, a quota, an I/O error (sysexits' EX_IOERR)."""

    exit_code = 74


def shown(text: str, limit: int = 60) -> str:
    """What the user typed, quoted and escaped for a message, and cut short if long."""
    return repr(clipped(text, limit))


def clipped(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters, with … where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def visible(text: str) -> str:
    """`text` with control, format and surrogate characters escaped, so none reaches a terminal raw."""
    if text.isprintable():
        return text
    import unicodedata

    out = []
    for char in text:
        if char in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[char])
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


class UnknownNameError(QinduError):
    """An id that names no section, topic or fact, with the closest names there are."""

    def __init__(self, what: str, name: str, suggestions: Sequence[str], hint: str) -> None:
        self.what = what
        self.name = name
        self.suggestions = tuple(suggestions)
        if self.suggestions:
            options = ", ".join(self.suggestions)
            tail = f"did you mean {options}?"
        else:
            tail = hint
        super().__init__(f"unknown {what} {shown(name)}: {tail}")


class Problem(NamedTuple):
    """One thing wrong with a fact file, located as precisely as the file allows."""

    file: str
    message: str
    line: int | None = None
    fact: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.fact:
            parts.append(f"fact {clipped(self.fact, 80)}")
        if self.field:
            parts.append(clipped(self.field))
        return visible(": ".join(parts) + f": {self.message}")

    def as_record(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "fact": self.fact,
            "field": self.field,
            "message": self.message,
        }


class FactFileError(QinduError):
    """A fact file that cannot be used, with every problem found in it."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(self.problems)} problems")

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]
