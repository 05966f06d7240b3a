"""Find the fact file, read it safely, check it into a FactBook with its search index, and cache both."""

import stat
from pathlib import Path
from typing import Any, NamedTuple

from qindu_cli import cache
from qindu_cli.errors import FactFileError, Problem, QinduError
from qindu_cli.model import FactBook
from qindu_cli.search import SearchIndex

MAX_BYTES = 64 * 1024 * 1024


class Loaded(NamedTuple):
    book: FactBook
    search_index: SearchIndex


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


def parse(data: bytes, name: str) -> tuple[FactBook, Any]:
    """The FactBook in a fact file's bytes, and the YAML document it came from."""
    from qindu_cli.schema import build_book

    document = read_document(data, name)
    return build_book(document, name), document


def load(path: Path | None = None) -> Loaded:
    """The fact book at `path` (the shipped one by default), from the cache when its bytes are known."""
    path = path or shipped_path()
    data = read_bytes(path)
    key = cache.key_for(data)
    cached = cache.read(key)
    if cached is not None:
        try:
            return Loaded(cache.book_from_data(cached["book"]), SearchIndex.from_data(cached["index"]))
        except (KeyError, TypeError, ValueError, IndexError, ArithmeticError):
            pass  # an entry of the wrong shape is a miss
    from qindu_cli.search import build_index

    book, _ = parse(data, str(path))
    index = build_index(book)
    cache.write(key, {"book": cache.book_to_data(book), "index": index.to_data()})
    return Loaded(book, index)
