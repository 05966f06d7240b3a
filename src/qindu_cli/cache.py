"""The on-disk cache of validated, search-ready fact books, one entry per version of a file.

An entry is named by a BLAKE2 hash of the fact file's bytes, the qindu version and the Python
that wrote it (`marshal`'s format is stable only within one version), and holds a `marshal`
payload (plain tuples, dicts, strings and bytes: nothing in it is ever executed) behind a CRC-32
that catches a torn or damaged write. The payload keeps a hash of the report's text that the
facts' places were worked out from: with any other text beside the fact file, it is a miss.

The cache trusts only its owner. It is `$XDG_CACHE_HOME/qindu` (an absolute XDG_CACHE_HOME;
a relative one is ignored, as the XDG spec says), else `$HOME/.cache/qindu` (an absolute HOME),
else there is none. The folder is made with mode 0700 and used only while it is a folder (not a
symlink) owned by the user and not writable by group or others; every name in it is opened
relative to that one open folder. An entry is read only when it is a regular file (opened without
following a symlink, and without waiting on a FIFO) of at most MAX_ENTRY_BYTES, and used only when
its payload has exactly the shape qindu writes. Anything else is a miss: the fact file is read and
checked again. At most MAX_ENTRIES entries and MAX_TOTAL_BYTES are kept; the least recently used
go first when an entry is written.
"""

import marshal
import operator
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, overload

from qindu_cli import __version__, fields
from qindu_cli.errors import QinduError

try:  # blake2b without loading OpenSSL, which hashlib does first: 2 ms of every start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

from qindu_cli.model import Fact, FactBook, Section, Source, Topic

FORMAT = 5  # bump whenever what an entry holds changes: its shape, the folding, the placing of quotes
MAX_ENTRIES = 16
MAX_TOTAL_BYTES = 256 * 2**20
MAX_ENTRY_BYTES = 128 * 2**20
_MAGIC = b"qindu-cache\n"
_CHECK_SIZE = 4
_SUFFIX = ".bin"
_STALE_SECONDS = 3600  # a temporary file this old was left by a run that was killed


def key_for(data: bytes) -> str:
    """The cache key of a fact file's bytes under this version of qindu and of Python."""
    digest = blake2b(data, digest_size=20)
    digest.update(f"\0{__version__}\0{FORMAT}\0{sys.implementation.cache_tag}\0{marshal.version}".encode())
    return digest.hexdigest()


def digest(data: bytes) -> str:
    """A hash of other bytes an entry depends on (the report's text), for the entry to hold."""
    return blake2b(data, digest_size=20).hexdigest()


def directory() -> str | None:
    """Where the cache is, or None when the environment names no absolute place for it."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(base):
        return os.path.join(base, "qindu")
    home = os.environ.get("HOME", "")
    return os.path.join(home, ".cache", "qindu") if os.path.isabs(home) else None


@contextmanager
def _folder(create: bool) -> Iterator[int | None]:
    """The cache folder, open, when it is one the user alone can write to; else None."""
    path = directory()
    if path is None:
        yield None
        return
    try:
        if create:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with suppress(FileExistsError):
                os.mkdir(path, 0o700)
        handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        yield None
        return
    try:
        status = os.fstat(handle)
        yield handle if status.st_uid == os.geteuid() and not status.st_mode & 0o022 else None
    finally:
        os.close(handle)


def read(key: str) -> dict[str, Any] | None:
    """The entry for `key` when the cache holds one qindu wrote, of the shape it writes; else None."""
    with _folder(create=False) as folder:
        if folder is None:
            return None
        try:
            entry = os.open(key + _SUFFIX, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
        except OSError:
            return None
        try:
            status = os.fstat(entry)
            if not (status.st_mode & 0o170000 == 0o100000 and status.st_size <= MAX_ENTRY_BYTES):
                return None
            with open(entry, "rb", closefd=False) as handle:
                blob = handle.read(status.st_size + 1)
            with suppress(OSError):  # a read-only cache is still read
                os.utime(entry)  # used now: the last to be evicted
        except OSError:
            return None
        finally:
            os.close(entry)
    header = len(_MAGIC) + _CHECK_SIZE
    payload = memoryview(blob)[header:]  # not a copy: an entry can be megabytes
    if not blob.startswith(_MAGIC) or blob[len(_MAGIC) : header] != _check(payload):
        return None
    try:
        data = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return data if _well_formed(data, key) else None


def write(key: str, data: dict[str, Any]) -> None:
    """Store an entry, then evict the least recently used beyond the bounds; skipped when the cache cannot be used."""
    blob = b""
    with _folder(create=True) as folder:
        if folder is None:
            return
        payload = marshal.dumps({**data, "key": key})
        blob = _MAGIC + _check(payload) + payload
        if len(blob) > MAX_ENTRY_BYTES:
            return
        temporary = f".{key}.{os.urandom(6).hex()}.tmp"
        try:
            handle = os.open(
                temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder
            )
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(blob)
                os.replace(temporary, key + _SUFFIX, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                _remove(temporary, folder)
                raise
            _evict(folder)
        except OSError:
            return


def _evict(folder: int) -> None:
    """Keep the MAX_ENTRIES most recently used entries that fit in MAX_TOTAL_BYTES; drop stale temporaries."""
    import time

    entries = []
    stale = time.time() - _STALE_SECONDS
    with os.scandir(folder) as listing:
        for item in listing:
            if not item.is_file(follow_symlinks=False):
                continue
            status = item.stat(follow_symlinks=False)
            if item.name.endswith(_SUFFIX):
                entries.append((status.st_mtime, status.st_size, item.name))
            elif item.name.startswith(".") and item.name.endswith(".tmp") and status.st_mtime < stale:
                _remove(item.name, folder)
    entries.sort(reverse=True)
    total = 0
    for count, (_, size, name) in enumerate(entries, 1):
        total += size
        if count > MAX_ENTRIES or total > MAX_TOTAL_BYTES:
            _remove(name, folder)


def _remove(name: str, folder: int) -> None:
    with suppress(OSError):
        os.unlink(name, dir_fd=folder)


def _check(payload: bytes | memoryview) -> bytes:
    """A checksum that catches a torn or damaged entry; the key already names the contents."""
    import zlib

    return zlib.crc32(payload).to_bytes(_CHECK_SIZE, "big")


def _well_formed(data: Any, key: str) -> bool:
    """Whether an entry has the shape `write` gives it; facts are checked one by one as they are decoded."""
    try:
        book, index = data["book"], data["index"]
        facts, corpus, starts = book["facts"], index["corpus"], index["starts"]
        return (
            data["key"] == key
            and book["fields"] == fields.layout()
            and _strings(book["source"], len(Source._fields), optional=True)
            and type(book["sections"]) is tuple
            and all(
                type(s) is tuple and len(s) == 4 and _strings(s[:3], 3)
                and type(s[3]) is tuple and all(_strings(t, 3) for t in s[3])
                for s in book["sections"]
            )
            and type(facts) is tuple
            and set(map(type, facts)) <= {bytes}
            and type(corpus) is str
            and type(starts) is list
            and len(starts) == len(facts) + 1
            and set(map(type, starts)) == {int}
            and all(map(operator.lt, starts, starts[1:]))  # strictly increasing: a search always moves on
            and starts[0] == 0
            and starts[-1] == len(corpus)
            and type(index["readings"]) is dict
            and all(type(c) is str and _strings(r, len(r)) for c, r in index["readings"].items())
            and all(_text_table(index[name]) for name in ("t2s", "following", "dashed"))
            and all(type(index[name]) is str and len(index[name]) == len(facts) for name in ("kinds", "undated"))
        )  # fmt: skip
    except (KeyError, TypeError, IndexError):
        return False


def _text_table(value: Any) -> bool:
    return type(value) is dict and all(type(a) is str and type(b) is str for a, b in value.items())


def _strings(value: Any, count: int, optional: bool = False) -> bool:
    return (
        type(value) is tuple and len(value) == count and all(type(v) is str or (optional and v is None) for v in value)
    )


def _fact(row: Any) -> Fact:
    """A decoded fact, when each field has the type its kind declares (`fields.KINDS`), or None."""
    if type(row) is not tuple or len(row) != len(fields.fields()):
        raise DamagedEntry
    for about, value in zip(fields.fields(), row, strict=True):
        if value is None:
            continue
        if about.parts:  # an object: a tuple of its parts, each of its own kind
            kinds = [kind for _, kind in about.parts]
        elif about.kind == "tags":  # a tuple of strings
            kinds = ["text"] * len(value) if type(value) is tuple else []
        elif type(value) is fields.KINDS[about.kind][2]:
            continue
        else:
            raise DamagedEntry
        if type(value) is not tuple or len(value) != len(kinds):
            raise DamagedEntry
        if not all(type(part) is fields.KINDS[kind][2] for part, kind in zip(value, kinds, strict=True)):
            raise DamagedEntry
    return fields.unpack(row)


class DamagedEntry(QinduError):
    """A fact in a cache entry that passed every other check has the wrong shape: made by hand."""

    def __init__(self) -> None:
        super().__init__(
            f"an entry of the cache in {directory()} is damaged; delete that folder (it may be deleted at any time)"
        )


def book_to_data(book: FactBook) -> dict[str, Any]:
    return {
        "source": tuple(book.source),
        "sections": tuple(
            (sec.id, sec.title, sec.title_en, tuple(tuple(topic) for topic in sec.topics)) for sec in book.sections
        ),
        "facts": tuple(marshal.dumps(fields.pack(fact)) for fact in book.facts),
        "fields": fields.layout(),  # an entry written for another layout of a fact is a miss
    }


def book_from_data(data: dict[str, Any]) -> FactBook:
    """The book of an entry `read` returned (and so checked)."""
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
            try:
                fact = _fact(marshal.loads(self._packed[index]))
            except (ValueError, EOFError, TypeError):
                raise DamagedEntry from None
            self._decoded[index] = fact
        return fact
