"""Find the fact file and its report, read them safely, check them into a FactBook with its search index, cache both."""

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from qindu_cli import cache
from qindu_cli.errors import FactFileError, Problem, QinduError
from qindu_cli.model import TEXT_NAME_PATTERN, FactBook
from qindu_cli.search import SearchIndex

if TYPE_CHECKING:
    from qindu_cli.source import ReportText

MAX_BYTES = 64 * 1024 * 1024
ReportFile = tuple[Path, bytes]  # the report's text beside a fact file: where it is, and its bytes


class Loaded(NamedTuple):
    path: Path  # the fact file
    book: FactBook
    search_index: SearchIndex
    report: ReportFile | None  # the text its facts were placed in, when it is beside it


def shipped_path() -> Path:
    """The fact file that ships with qindu: inside the package, or at the root of a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "facts.yaml"
    return packaged if packaged.is_file() else here.parent.parent / "facts.yaml"


def read_bytes(path: Path, what: str = "fact file") -> bytes:
    """The bytes of a file the user named, or a QinduError saying why they cannot be had."""
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise QinduError(f"{path}: is a directory, not a {what}")
        if not stat.S_ISREG(status.st_mode):
            raise QinduError(f"{path}: not a regular file; give qindu a {what} on disk")
        size = status.st_size
        if size > MAX_BYTES:
            raise QinduError(f"{path}: {size:,} bytes is over the {MAX_BYTES // 2**20} MiB limit for a {what}")
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise QinduError(f"{path}: no such {what}") from None
    except PermissionError:
        raise QinduError(f"{path}: permission denied") from None
    except OSError as exc:
        raise QinduError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise QinduError(f"{path}: over the {MAX_BYTES // 2**20} MiB limit for a {what}")
    return data


def decode(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FactFileError([Problem(name, f"not UTF-8 text (byte {exc.start})", line=line)]) from None
    return text.removeprefix("\ufeff")


def read_document(data: bytes, name: str) -> Any:
    """The YAML document in a fact file's bytes, with the line of each value; not yet checked."""
    from qindu_cli.yamldoc import YamlRefused, load_document

    text = decode(data, name)
    if not text.strip():
        raise FactFileError([Problem(name, "the file is empty; a fact file is a YAML mapping")])
    try:
        return load_document(text, name)
    except YamlRefused as refused:
        raise FactFileError([refused.problem]) from None


def report_beside(fact_file: Path, named: str | None) -> ReportFile | None:
    """The report's text that a fact file names, read from beside it; None when nothing is there.

    Only a plain file name is taken (TEXT_NAME_PATTERN), so the name never leads out of the fact
    file's folder (a link there is followed, as the fact file's own path is). Anything but a
    file at that name is an error that says what is there.
    """
    import re

    if named is None or not re.fullmatch(TEXT_NAME_PATTERN, named):
        return None
    return _beside(fact_file, named)


def _beside(fact_file: Path, name: str) -> ReportFile | None:
    found = fact_file.parent / name
    if not os.path.lexists(found):
        return None
    if not found.exists():
        raise QinduError(f"{found}: a link to nothing; put the report's text there or remove the link")
    return found, read_bytes(found, "report text")


def report_text(found: ReportFile) -> "ReportText":
    """The report's text, refused where readers would count its characters differently than qindu."""
    import codecs

    from qindu_cli.source import ReportText

    path, data = found
    if data.startswith(codecs.BOM_UTF8):
        why, line = "starts with a byte-order mark; save it as UTF-8 without one", 1
    elif b"\r" in data:
        why, line = "has CR line ends; save it with LF line ends", data.count(b"\n", 0, data.index(b"\r")) + 1
    else:
        return ReportText(str(path), decode(data, str(path)))
    raise FactFileError([Problem(str(path), f"{why}, so that offsets into it count alike for every reader", line=line)])


def _digest(found: ReportFile | None) -> str | None:
    """What a cache entry keeps of the report its book was worked out from: a hash of its bytes."""
    return None if found is None else cache.digest(found[1])


def load(path: Path | None = None) -> Loaded:
    """The fact book at `path` (the shipped one by default), from the cache when its bytes are known.

    Each fact's place in the report (`where`) is worked out from the text beside the fact file, so
    a cached book is used only with the very text it was worked out from.
    """
    path = path or shipped_path()
    data = read_bytes(path)
    key = cache.key_for(data)
    cached = cache.read(key)
    if cached is not None:
        try:
            book = cache.book_from_data(cached["book"])
            named = book.source.text  # matched TEXT_NAME_PATTERN when the book was built; the entry is the user's own
            found = None if named is None else _beside(path, named)
            if cached["report"] == _digest(found):
                return Loaded(path, book, SearchIndex.from_data(cached["index"]), found)
        except (KeyError, TypeError, ValueError, IndexError, ArithmeticError):
            pass  # an entry of the wrong shape is a miss
    from qindu_cli.schema import build_book, text_named
    from qindu_cli.search import build_index

    document = read_document(data, str(path))
    found = report_beside(path, text_named(document))
    book = build_book(document, str(path), None if found is None else report_text(found))
    index = build_index(book)
    cache.write(key, {"book": cache.book_to_data(book), "index": index.to_data(), "report": _digest(found)})
    return Loaded(path, book, index, found)
