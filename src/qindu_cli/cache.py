"""The on-disk cache of validated, search-ready fact books, one entry per version of a file.

An entry is named by a hash of the fact file's bytes and the qindu version, holds a
`marshal` payload (plain tuples, dicts and strings: nothing in it is ever executed) behind a
digest of that payload, and is written to a temporary file then renamed into place. An entry
that is missing, corrupt, from another format or unreadable is a miss; a cache directory that
cannot be written is skipped. Either way the fact file itself is read and checked again.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from qindu_cli import __version__
from qindu_cli.model import Fact, FactBook, Section, Source, Topic

FORMAT = 1
_MAGIC = b"qindu-cache\n"
_DIGEST_SIZE = 32


def key_for(data: bytes) -> str:
    """The cache key of a fact file's bytes under this version of qindu."""
    digest = hashlib.blake2b(data, digest_size=20)
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
    header = len(_MAGIC) + _DIGEST_SIZE
    payload = blob[header:]
    if not blob.startswith(_MAGIC) or blob[len(_MAGIC) : header] != _digest(payload):
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
    payload = marshal.dumps({**data, "key": key})
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_MAGIC + _digest(payload) + payload)
            os.replace(temporary, folder / f"{key}.bin")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest()


def book_to_data(book: FactBook) -> dict[str, Any]:
    s = book.source
    return {
        "source": (s.title, s.title_en, s.byline, s.region, s.period, s.language),
        "sections": tuple(
            (sec.id, sec.title, sec.title_en, tuple((t.id, t.title, t.title_en) for t in sec.topics))
            for sec in book.sections
        ),
        "facts": tuple(
            (
                f.id,
                f.kind,
                f.section,
                f.topic,
                f.label,
                f.label_en,
                None if f.value is None else str(f.value),
                f.unit,
                f.qualifier,
                f.raw,
                f.quote,
                f.tags,
                f.period,
                f.change,
                f.note,
            )
            for f in book.facts
        ),
    }


def book_from_data(data: dict[str, Any]) -> FactBook:
    sections = tuple(
        Section(sid, title, title_en, tuple(Topic(*topic) for topic in topics))
        for sid, title, title_en, topics in data["sections"]
    )
    facts = tuple(
        Fact(f[0], f[1], f[2], f[3], f[4], f[5], None if f[6] is None else Decimal(f[6]), *f[7:]) for f in data["facts"]
    )
    return FactBook(Source(*data["source"]), sections, facts)
