"""`export -o`: never over what qindu did not write, never through a name another can change, all or nothing."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FACTS, Run

from qindu_cli import export as exporting

FORMATS = ["json", "jsonl", "csv", "tsv", "markdown", "sqlite", "datapackage"]
PACKAGE = sorted(exporting.PACKAGE_FILES)


def tree(folder: Path) -> dict[str, tuple[str, ...]]:
    """Every name under `folder` with its kind, mode, owner and contents (a link's target, a file's hash)."""
    seen: dict[str, tuple[str, ...]] = {}
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(root) / name
            status = path.lstat()
            kind = stat.S_IFMT(status.st_mode)
            if stat.S_ISLNK(status.st_mode):
                what = os.readlink(path)
            elif stat.S_ISREG(status.st_mode):
                what = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                what = ""
            seen[str(path.relative_to(folder))] = (str(kind), oct(status.st_mode), str(status.st_uid), what)
    return seen


def qindu(*args: str, cwd: Path | None = None, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "qindu_cli", *args]
    return subprocess.run(command, capture_output=True, cwd=cwd, timeout=120, check=False, **kwargs)  # type: ignore[call-overload, no-any-return]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's working folder, with a repository and notes, and a sub-folder to run qindu in."""
    root = tmp_path / "work"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "notes.txt").write_text("mine\n")
    (root / "sub").mkdir()
    (root / "sub" / "draft.md").write_text("# draft\n")
    return root


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", [".", "..", "/", "", "sub/..", "../.."])
def test_a_folder_in_use_is_never_a_target(
    run: Run, project: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, name: str
) -> None:
    monkeypatch.chdir(project / "sub")
    before = tree(project)
    for force in ([], ["--force"]):
        result = run("export", "-f", fmt, "-o", name, *force)
        assert (result.exit_code, result.stdout) == (2, ""), (result.stderr, fmt, name)
        assert len(result.stderr.splitlines()) == 1 and "give a" in result.stderr
    assert tree(project) == before


def test_a_folder_that_holds_the_current_folder_or_the_fact_file_is_refused(
    run: Run, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "sub")
    facts = project / "data" / "facts.yaml"
    facts.parent.mkdir()
    facts.write_bytes(FACTS.read_bytes())
    before = tree(project)
    for target, what in [(str(project), "holds the current folder"), (str(project / "sub"), "is the current folder"),
                         (str(project / "data"), "holds the fact file in use")]:  # fmt: skip
        result = run("--facts", str(facts), "export", "-f", "datapackage", "-o", target, "--force")
        assert result.exit_code == 2 and what in result.stderr, result.stderr
    result = run("--facts", str(facts), "export", "-o", str(facts), "--force")
    assert result.exit_code == 2 and "is the fact file in use" in result.stderr
    assert tree(project) == before


def test_force_never_deletes_a_folder_qindu_did_not_write(run: Run, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.txt").write_text("mine\n")
    (docs / "facts.csv").write_text("also mine\n")
    before = tree(tmp_path)
    result = run("export", "-f", "datapackage", "-o", str(docs), "--force")
    assert result.exit_code == 2
    assert result.stderr == f"qindu: error: {docs}: holds notes.txt, which qindu does not write there; " \
        "give a new folder name (only a previous export is replaced)\n"  # fmt: skip
    assert tree(tmp_path) == before


def test_a_previous_package_is_replaced_and_a_folder_inside_it_is_not(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "qindu"
    assert run("export", "-f", "datapackage", "-o", str(folder)).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == PACKAGE
    (folder / "facts.csv").write_text("old\n")
    assert run("export", "-f", "datapackage", "-o", str(folder), "--force").exit_code == 0
    assert (folder / "facts.csv").read_text(encoding="utf-8").startswith("id,")
    (folder / "extra").mkdir()
    before = tree(tmp_path)
    result = run("export", "-f", "datapackage", "-o", str(folder), "--force")
    assert result.exit_code == 2 and "holds extra" in result.stderr
    assert tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qindu"]  # nothing left beside it


def test_a_failure_while_writing_leaves_the_old_package_as_it_was(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "qindu"
    assert run("export", "-f", "datapackage", "-o", str(folder)).exit_code == 0
    before = tree(tmp_path)
    real = exporting.write_datapackage

    def fail_halfway(book: object, path: Path) -> None:
        real(book, path)  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exporting, "write_datapackage", fail_halfway)
    result = run("export", "-f", "datapackage", "-o", str(folder), "--force")
    assert (result.exit_code, result.stderr) == (74, f"qindu: error: {folder}: cannot write: No space left on device\n")
    assert tree(tmp_path) == before


def test_a_failure_while_swapping_puts_the_old_package_back(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "qindu"
    assert run("export", "-f", "datapackage", "-o", str(folder)).exit_code == 0
    (folder / "facts.csv").write_text("old\n")
    before = tree(tmp_path)
    real = os.rename
    calls: list[str] = []

    def second_rename_fails(source: object, target: object, *args: object, **kwargs: object) -> None:
        calls.append(str(target))
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real(source, target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", second_rename_fails)
    result = run("export", "-f", "datapackage", "-o", str(folder), "--force")
    assert result.exit_code == 74 and "Input/output error" in result.stderr
    assert tree(tmp_path) == before


def test_a_package_that_could_not_be_emptied_is_not_moved(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rights are asked, not tried: as root, which CI is, a folder of mode 0555 can still be emptied."""
    folder = tmp_path / "qindu"
    assert run("export", "-f", "datapackage", "-o", str(folder)).exit_code == 0
    before = tree(tmp_path)
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != folder and real(path, mode, **kw))
    result = run("export", "-f", "datapackage", "-o", str(folder), "--force")
    assert (result.exit_code, result.stderr) == (2, f"qindu: error: {folder}: cannot replace it: permission denied; "
                                                    "nothing was changed\n")  # fmt: skip
    assert tree(tmp_path) == before


def test_every_output_is_made_in_a_private_folder(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is opened by a name in the target's folder, where another user could plant a link."""
    tmp_path.chmod(0o777)
    seen: list[tuple[Path, int, int]] = []
    real_sqlite, real_package = exporting.write_sqlite, exporting.write_datapackage

    def noted(real: Callable[[object, Path], None]) -> Callable[[object, Path], None]:
        def fill(book: object, path: Path) -> None:
            status = path.parent.lstat()
            seen.append((path.parent, stat.S_IMODE(status.st_mode), status.st_uid))
            real(book, path)

        return fill

    monkeypatch.setattr(exporting, "write_sqlite", noted(real_sqlite))  # type: ignore[arg-type]
    monkeypatch.setattr(exporting, "write_datapackage", noted(real_package))  # type: ignore[arg-type]
    assert run("export", "-f", "sqlite", "-o", str(tmp_path / "q.db")).exit_code == 0
    assert run("export", "-f", "datapackage", "-o", str(tmp_path / "pkg")).exit_code == 0
    assert len(seen) == 2
    for parent, mode, owner in seen:
        assert parent != tmp_path and parent.parent == tmp_path
        assert (mode, owner) == (0o700, os.geteuid())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg", "q.db", "q.metadata.json"]


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_outputs_get_the_users_umask(run: Run, tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        for fmt, name in [("datapackage", "pkg"), ("sqlite", "q.db"), ("json", "q.json")]:
            assert run("export", "-f", fmt, "-o", str(tmp_path / name)).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "pkg").stat().st_mode) == 0o777 & ~umask
    for path in [*(tmp_path / "pkg").iterdir(), tmp_path / "q.json", tmp_path / "q.metadata.json"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    assert stat.S_IMODE((tmp_path / "q.db").stat().st_mode) == 0o644 & ~umask  # SQLite's own default


def plant(kind: str, path: Path, outside: Path) -> None:
    """Something at `path` that qindu did not write: a link to a file outside, a FIFO or a folder."""
    if kind == "symlink":
        path.symlink_to(outside)
    elif kind == "dangling symlink":
        path.symlink_to(outside.parent / "nowhere")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
        (path / "notes.txt").write_text("someone's\n")
    else:
        path.write_text("someone's file\n")


@pytest.mark.parametrize("kind", ["symlink", "dangling symlink", "fifo", "folder", "foreign file"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_write_path_leaves_what_is_planted_as_it_was(tmp_path: Path, kind: str, fmt: str) -> None:
    """With --force, only a regular file (or a previous package) is replaced; nothing else changes."""
    work, outside = tmp_path / "work", tmp_path / "outside.txt"
    work.mkdir()
    outside.write_text("precious\n")
    name = {"sqlite": "q.db", "datapackage": "pkg"}.get(fmt, f"q.{fmt}")
    plant(kind, work / name, outside)
    if fmt == "sqlite":  # the second file of a SQLite export too
        plant(kind, work / "q.metadata.json", outside)
    before = tree(tmp_path)
    result = qindu("export", "-f", fmt, "-o", name, "--force", cwd=work)
    if kind == "foreign file" and fmt != "datapackage":  # a regular file: what --force replaces
        assert result.returncode == 0, result.stderr
        assert (outside.read_text(), sorted(os.listdir(work))) == ("precious\n", sorted(before_names(before)))
        return
    assert (result.returncode, result.stdout) == (2, b""), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert tree(tmp_path) == before


def before_names(before: dict[str, tuple[str, ...]]) -> list[str]:
    return [name.removeprefix("work/") for name in before if name.startswith("work/")]


def test_every_target_is_checked_before_any_is_replaced(run: Run, tmp_path: Path) -> None:
    database = tmp_path / "q.db"
    database.write_bytes(b"the user's old database")
    (tmp_path / "q.metadata.json").mkdir()
    before = tree(tmp_path)
    result = run("export", "-f", "sqlite", "-o", str(database), "--force")
    assert result.exit_code == 2 and "q.metadata.json: is a folder" in result.stderr
    assert tree(tmp_path) == before


@pytest.mark.parametrize("fmt", ["json", "sqlite", "datapackage"])
def test_a_long_name_works(run: Run, tmp_path: Path, fmt: str) -> None:
    name = "q" * 237 + ".db" if fmt == "sqlite" else "q" * 250  # and q…q.metadata.json is 251 bytes
    result = run("export", "-f", fmt, "-o", str(tmp_path / name))
    assert result.exit_code == 0, result.stderr
    assert name in os.listdir(tmp_path) and not [n for n in os.listdir(tmp_path) if n.startswith(".")]


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))


@pytest.mark.parametrize("fmt", ["json", "sqlite", "datapackage"])
def test_a_full_disk_is_74_in_one_line_and_the_old_export_stays(tmp_path: Path, fmt: str) -> None:
    """A file-size limit stands in for a full disk: writes past it fail with EFBIG."""
    name = {"sqlite": "q.db", "datapackage": "pkg"}.get(fmt, "q.json")
    assert qindu("export", "-f", fmt, "-o", name, cwd=tmp_path).returncode == 0
    before = tree(tmp_path)
    result = qindu("export", "-f", fmt, "-o", name, "--force", cwd=tmp_path, preexec_fn=_limit_file_size)
    assert (result.returncode, result.stdout) == (74, b""), result.stderr
    assert result.stderr.startswith(f"qindu: error: {name}: cannot write: ".encode())
    assert len(result.stderr.splitlines()) == 1
    assert tree(tmp_path) == before


# Run qindu with the function called once per fact slowed at the 100th fact: halfway through the
# export, a SQLite journal open, it says so in a file and waits to be stopped.
HALFWAY = """
import pathlib, sys, time
from qindu_cli import cli, fields
name = {"sqlite": "sql_values", "datapackage": "cells"}[sys.argv.pop(1)]
halfway = pathlib.Path(sys.argv.pop(1))
real, calls = getattr(fields, name), []
def slowed(*args):
    calls.append(1)
    if len(calls) == 100:
        halfway.write_text("halfway")
        time.sleep(60)
    return real(*args)
setattr(fields, name, slowed)
cli.main()
"""


@pytest.mark.parametrize("fmt", ["sqlite", "datapackage"])
def test_sigterm_during_an_export_removes_what_was_half_written(tmp_path: Path, fmt: str) -> None:
    out, halfway = tmp_path / "out", tmp_path / "halfway"
    out.mkdir()
    command = [sys.executable, "-c", HALFWAY, fmt, str(halfway), "export", "-f", fmt, "-o", "q"]
    process = subprocess.Popen(command, cwd=out, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not halfway.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "the export ended before it could be stopped"
    assert os.listdir(out), "nothing was being written"
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stdout, stderr) == (143, b"", b"")
    assert os.listdir(out) == []
