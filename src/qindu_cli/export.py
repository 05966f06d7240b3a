"""The whole dataset in one file, for other tools; written atomically when it goes to a path."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from rich.text import Text

from qindu_cli.errors import QinduError
from qindu_cli.model import FactBook
from qindu_cli.render import FACT_COLUMNS, Format, View, fact_row, render, section_record


def dataset(book: FactBook) -> dict[str, Any]:
    """`{"source": …, "sections": […], "facts": […]}`, each fact in its one JSON shape."""
    source = book.source
    return {
        "source": {
            "title": source.title,
            "title_en": source.title_en,
            "byline": source.byline,
            "region": source.region,
            "period": source.period,
            "language": source.language,
        },
        "sections": [section_record(book, section) for section in book.sections],
        "facts": [fact.as_record() for fact in book.facts],
    }


def dataset_text(book: FactBook, fmt: Format) -> str:
    records = [fact.as_record() for fact in book.facts]
    rows = [fact_row(fact) for fact in book.facts]
    view = View(dataset(book), records, list(FACT_COLUMNS), rows, lambda console: Text(""), list(FACT_COLUMNS), rows)
    return render(view, fmt)


def write_atomically(path: Path, data: bytes, force: bool) -> None:
    """Write `data` to `path` through a temporary file, refusing to replace a file unless `force`."""
    if path.is_dir():
        raise QinduError(f"{path}: is a directory; give a file name")
    if path.exists() and not force:
        raise QinduError(f"{path}: already exists; add --force to overwrite it")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise QinduError(f"{path}: cannot write: {exc.strerror or exc}") from None
