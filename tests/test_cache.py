"""The cache of checked fact books: used when the bytes match, rebuilt or skipped otherwise, never stale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA

import qindu_cli.load
from qindu_cli import cache
from qindu_cli.load import load

SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    path = tmp_path / "facts.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def entries(folder: Path) -> list[Path]:
    return sorted((folder / "qindu").glob("*.bin"))


def test_a_second_run_reads_the_cache_not_the_yaml(
    facts: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load(facts)
    assert len(entries(isolated_cache)) == 1

    def no_parsing(*_: object) -> None:
        raise AssertionError("the fact file was parsed again")

    monkeypatch.setattr(qindu_cli.load, "read_document", no_parsing)
    second = load(facts)
    assert [f.id for f in second.book.facts] == [f.id for f in first.book.facts]
    assert list(second.book.facts) == list(first.book.facts)
    assert second.search_index == first.search_index


def test_an_edited_file_is_seen_on_the_next_run(facts: Path, isolated_cache: Path) -> None:
    assert load(facts).book.fact("livelihood.jobs.new-urban-jobs").label == "新增城镇就业"
    facts.write_text(SMALL.replace("label: 新增城镇就业", "label: 城镇新增就业"), encoding="utf-8")
    os.utime(facts, ns=(0, 0))  # the same old mtime: only the bytes tell
    assert load(facts).book.fact("livelihood.jobs.new-urban-jobs").label == "城镇新增就业"
    assert len(entries(isolated_cache)) == 2


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: b"",
        lambda blob: b"garbage" * 100,
        lambda blob: blob[: len(blob) // 2],  # a torn write
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 0xFF]),  # one flipped byte
        lambda blob: blob[:20] + b"\x00" * (len(blob) - 20),
    ],
    ids=["empty", "garbage", "truncated", "flipped byte", "zeroed"],
)
def test_a_damaged_entry_is_rebuilt(facts: Path, isolated_cache: Path, damage) -> None:  # type: ignore[no-untyped-def]
    expected = [f.id for f in load(facts).book.facts]
    (entry,) = entries(isolated_cache)
    entry.write_bytes(damage(entry.read_bytes()))
    assert [f.id for f in load(facts).book.facts] == expected
    assert cache.read(entry.stem) is not None  # written afresh


def test_a_changed_figure_inside_an_entry_is_caught(facts: Path, isolated_cache: Path) -> None:
    """Damage that still unmarshals, a digit changed in place, must not reach the user as a figure."""
    load(facts)
    (entry,) = entries(isolated_cache)
    blob = entry.read_bytes()
    assert blob.count(b"9717") >= 1
    entry.write_bytes(blob.replace(b"9717", b"9718"))
    assert str(load(facts).book.fact("livelihood.jobs.new-urban-jobs").value) == "9717"


def test_an_entry_is_never_served_for_other_contents(facts: Path, isolated_cache: Path, tmp_path: Path) -> None:
    load(facts)
    (entry,) = entries(isolated_cache)
    other = tmp_path / "other.yaml"
    old, new = "9717人\n    quote: 全年新增城镇就业9717人", "9716人\n    quote: 全年新增城镇就业9716人"
    other.write_text(SMALL.replace("value: 9717", "value: 9716").replace(old, new), "utf-8")
    stolen = entry.parent / f"{cache.key_for(other.read_bytes())}.bin"
    stolen.write_bytes(entry.read_bytes())  # the first file's entry, under the second file's name
    assert str(load(other).book.fact("livelihood.jobs.new-urban-jobs").value) == "9716"


def test_another_qindu_version_has_its_own_entries(facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.key_for(facts.read_bytes())
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    assert cache.key_for(facts.read_bytes()) != key


@pytest.mark.parametrize("where", ["a file", "under a file", "unset"])
def test_a_cache_that_cannot_be_written_is_skipped_silently(
    facts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    if where == "a file":
        monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    elif where == "under a file":
        monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "deeper"))
    else:
        monkeypatch.delenv("XDG_CACHE_HOME")
        monkeypatch.setenv("HOME", str(blocker))
    for _ in range(2):
        assert len(load(facts).book.facts) == 5


def test_a_read_only_cache_directory_still_answers(
    facts: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes refused as by a read-only mount (file modes do not stop root, which CI runs as)."""
    real_open = os.open

    def refuse(*_: object, **__: object) -> None:
        raise OSError(30, "Read-only file system")

    def open_without_creating(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            refuse()
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "mkdir", refuse)
    monkeypatch.setattr(os, "open", open_without_creating)
    for _ in range(2):
        assert len(load(facts).book.facts) == 5
    assert entries(isolated_cache) == []


def test_concurrent_first_runs_all_succeed_and_agree(facts: Path, isolated_cache: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(isolated_cache)}
    command = [sys.executable, "-m", "qindu_cli", "--facts", str(facts), "search", "就业", "--json"]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(8)]
    results = [(p.communicate(timeout=120), p.returncode) for p in processes]
    assert {code for _, code in results} == {0}
    assert len({out for (out, _), _ in results}) == 1
    assert {err for (_, err), _ in results} == {b""}
    folder = isolated_cache / "qindu"
    assert [p.name for p in folder.iterdir() if not p.name.endswith(".bin")] == []  # no temporary files left
    assert len(entries(isolated_cache)) == 1


def test_an_entry_for_another_layout_of_a_fact_is_a_miss(facts: Path, isolated_cache: Path) -> None:
    """Facts are decoded lazily, so a layout change must be caught when the entry is read."""
    import marshal

    load(facts)
    (entry,) = entries(isolated_cache)
    data = cache.read(entry.stem)
    assert data is not None
    book = data["book"]
    rows = tuple(marshal.dumps(tuple(marshal.loads(packed))[:-1]) for packed in book["facts"])
    cache.write(entry.stem, {**data, "book": {**book, "fields": book["fields"][:-1], "facts": rows}})
    assert load(facts).book.fact("livelihood.jobs.new-urban-jobs").normalized == ("9717", "人")
