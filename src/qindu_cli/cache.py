"""The on-disk cache of validated, search-ready fact books, one entry per version of a file.

An entry is named by a BLAKE2 hash of the fact file's bytes and the qindu version, holds a
`marshal` payload (plain tuples, dicts, strings and bytes: nothing in it is ever executed)
behind a CRC-32 of that payload, and is written to a temporary file then renamed into place. An entry
that is missing, corrupt, from another format or unreadable is a miss; a cache directory that
cannot be written is skipped. Either way the fact file itself is read and checked again.
"""

import marshal
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

from qindu_cli import __version__

try:  # blake2b without loading OpenSSL, which hashlib does first: 2 ms of every start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b
from qindu_cli.model import Fact, FactBook, Section, Source, Topic

FORMAT = 2
_MAGIC = b"qindu-cache\n"
_CHECK_SIZE = 4


def key_for(data: bytes) -> str:
    """The cache key of a fact file's bytes under this version of qindu."""
    digest = blake2b(data, digest_size=20)
    digest.update(f"\0{__version__}\0{FORMAT}".encode())
    return digest.hexdigest()


def directory() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "qindu"
    try:
        return Path.home() / ".cache" / "qindu"
    except (RuntimeError, KeyError):
        return None


def read(key: str) -> dict[str, Any] | None:
    folder = directory()
    if folder is None:
        return None
    try:
        blob = (folder / f"{key}.bin").read_bytes()
    except OSError:
        return None
    header = len(_MAGIC) + _CHECK_SIZE
    payload = blob[header:]
    if not blob.startswith(_MAGIC) or blob[len(_MAGIC) : header] != _check(payload):
        return None
    try:
        data = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    return data


def write(key: str, data: dict[str, Any]) -> None:
    folder = directory()
    if folder is None:
        return
    import tempfile

    payload = marshal.dumps({**data, "key": key})
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_MAGIC + _check(payload) + payload)
            os.replace(temporary, folder / f"{key}.bin")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return


def _check(payload: bytes) -> bytes:
    """A checksum that catches a torn or damaged entry; the key already names the contents."""
    import zlib

    return zlib.crc32(payload).to_bytes(_CHECK_SIZE, "big")


def book_to_data(book: FactBook) -> dict[str, Any]:
    return {
        "source": tuple(book.source),
        "sections": tuple(
            (sec.id, sec.title, sec.title_en, tuple(tuple(topic) for topic in sec.topics)) for sec in book.sections
        ),
        "facts": tuple(marshal.dumps(tuple(fact)) for fact in book.facts),
        "fields": Fact._fields,  # an entry written for another layout of a fact is a miss
    }


def book_from_data(data: dict[str, Any]) -> FactBook:
    if data["fields"] != Fact._fields:
        raise ValueError("an entry for another layout of a fact")
    sections = tuple(
        Section(sid, title, title_en, tuple(Topic(*topic) for topic in topics))
        for sid, title, title_en, topics in data["sections"]
    )
    return FactBook(Source(*data["source"]), sections, PackedFacts(data["facts"]))


class PackedFacts(Sequence[Fact]):
    """Facts kept as marshal bytes until each is first asked for: a search in 10,000 facts decodes ten."""

    __slots__ = ("_decoded", "_packed")

    def __init__(self, packed: tuple[bytes, ...]) -> None:
        self._packed = packed
        self._decoded: list[Fact | None] = [None] * len(packed)

    def __len__(self) -> int:
        return len(self._packed)

    @overload
    def __getitem__(self, index: int) -> Fact: ...
    @overload
    def __getitem__(self, index: slice) -> list[Fact]: ...
    def __getitem__(self, index: int | slice) -> Fact | list[Fact]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        fact = self._decoded[index]
        if fact is None:
            fact = Fact._make(marshal.loads(self._packed[index]))
            self._decoded[index] = fact
        return fact
