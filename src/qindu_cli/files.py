"""Writing qindu's output files: never over what qindu did not write, never through a name another can change.

Each output is made complete inside a private folder (mode 0700, so no one else can plant or
swap a name in it) created beside its target, then renamed into place. A target may be
replaced (with `force`) only when it is a regular file, or a folder holding nothing but the
files qindu writes there; a symlink (dangling or not), device, FIFO or socket is refused. Every
target is checked before any is written, and again just before it is replaced. An old folder is
moved aside, the new one renamed in, and the old one removed only then: a failure at any step
leaves the old export as it was. What is created gets the user's umask.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from qindu_cli.errors import OutputError, QinduError, visible


class Output(NamedTuple):
    """One file or folder to write: where it goes and how to fill it at a given (private) path."""

    path: Path
    fill: Callable[[Path], object]
    folder_files: frozenset[str] | None = None  # a folder output: the only names it may hold


def write_outputs(outputs: Sequence[Output], force: bool, keep: Iterable[Path] = ()) -> None:
    """Write every output, or none; `keep` names paths (the current folder, the fact file) no target may hold."""
    kept = [Path(os.path.realpath(path)) for path in keep]
    for output in outputs:
        _check(output, force, kept)
    stages: list[Path] = []
    current = outputs[0].path
    try:
        for output in outputs:
            current = output.path
            stages.append(_stage(output.path))
            output.fill(stages[-1] / output.path.name)
        for output, stage in zip(outputs, stages, strict=True):
            current = output.path
            _check(output, force, kept)  # again: the run may have taken a while
            _place(output, stage, stage / output.path.name, force)
    except OSError as exc:
        raise OutputError(f"{shown_path(current)}: cannot write: {exc.strerror or exc}") from None
    finally:
        for stage in stages:
            shutil.rmtree(stage, ignore_errors=True)


def target(text: str) -> Path:
    """The path `-o TEXT` names, or a QinduError when it names no new file or folder: '', '.', '..', '/'."""
    if not text:
        raise QinduError("-o '': give a name to write to")
    path = Path(text)
    if path.name in ("", ".", ".."):
        raise QinduError(f"{shown_path(text)}: names a folder in use; give a new name")
    return path


def shown_path(path: Path | str) -> str:
    return visible(os.fsdecode(path)) or "''"


def _stage(path: Path) -> Path:
    parent = path.parent
    try:
        return Path(tempfile.mkdtemp(dir=parent, prefix=".qindu-", suffix=".tmp"))
    except OSError as exc:
        raise QinduError(f"{shown_path(path)}: cannot write in {shown_path(parent)}: {exc.strerror or exc}") from None


def _check(output: Output, force: bool, kept: list[Path]) -> None:
    """Refuse a target that is not a new name, a regular file or a previous export of the same kind."""
    path, folder = target(str(output.path)), output.folder_files is not None
    name = shown_path(path)
    real = Path(os.path.realpath(path.parent)) / path.name
    for held in kept:
        if real == held or real in held.parents:
            what = "the current folder" if held.is_dir() else "the fact file in use"
            raise QinduError(f"{name}: {'is' if real == held else 'holds'} {what}; give another name")
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise QinduError(f"{name}: cannot write: {exc.strerror or exc}") from None
    mode = status.st_mode
    if stat.S_ISLNK(mode):
        raise QinduError(f"{name}: is a symbolic link; qindu does not write through one: remove it or give a new name")
    if not (stat.S_ISDIR(mode) if folder else stat.S_ISREG(mode)):
        kind = next(what for test, what in _KINDS if test(mode))
        raise QinduError(f"{name}: is {kind}; give a new {'folder' if folder else 'file'} name")
    if folder:
        assert output.folder_files is not None
        foreign = _foreign(path, output.folder_files)
        if foreign is not None:
            raise QinduError(
                f"{name}: holds {shown_path(foreign)}, which qindu does not write there; "
                "give a new folder name (only a previous export is replaced)"
            )
        if force and not os.access(path, os.W_OK | os.X_OK):  # it could be moved aside but never emptied
            raise QinduError(f"{name}: cannot replace it: permission denied; nothing was changed")
    if not force:
        raise QinduError(f"{name}: already exists; add --force to replace it")


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISREG, "a file"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (lambda mode: True, "a device"),
)


def _foreign(folder: Path, allowed: frozenset[str]) -> str | None:
    """The first entry of `folder` that is not one of the regular files a previous export holds."""
    try:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name not in allowed or not entry.is_file(follow_symlinks=False):
                return entry.name
    except OSError as exc:
        raise QinduError(f"{shown_path(folder)}: cannot look inside: {exc.strerror or exc}") from None
    return None


def _place(output: Output, stage: Path, inner: Path, force: bool) -> None:
    path = output.path
    if output.folder_files is None:
        try:
            os.link(inner, path, follow_symlinks=False)  # fails if the name was taken meanwhile
            return
        except FileExistsError:
            if not force:
                raise QinduError(f"{shown_path(path)}: already exists; add --force to replace it") from None
            os.replace(inner, path)  # checked just now: a regular file
            return
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV):
                raise
        os.replace(inner, path)  # a file system without hard links
        return
    if not os.path.lexists(path):
        os.rename(inner, path)
        return
    aside = stage / ("old" if path.name != "old" else "previous")
    os.rename(path, aside)
    if _foreign(aside, output.folder_files) is not None:  # changed since it was checked: put it back
        os.rename(aside, path)
        raise QinduError(f"{shown_path(path)}: changed while qindu wrote; nothing was replaced")
    try:
        os.rename(inner, path)
    except BaseException:
        os.rename(aside, path)
        raise
