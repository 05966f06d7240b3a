"""The cache trusts only its owner: a folder others can write to, a link, a FIFO or a wrong shape is a miss."""

from __future__ import annotations

import marshal
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA

from qindu_cli import cache
from qindu_cli.load import load

SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")
JOBS = "livelihood.jobs.new-urban-jobs"


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    path = tmp_path / "facts.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def entry_of(facts: Path, folder: Path) -> Path:
    return folder / "qindu" / f"{cache.key_for(facts.read_bytes())}.bin"


def show_jobs(facts: Path, cache_home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`qindu show` of the jobs figure in a process of its own, stopped if it hangs or reads without end."""

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    command = [sys.executable, "-m", "qindu_cli", "--facts", str(facts), "show", JOBS, "--json"]
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache_home), **env}
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=20,
                          preexec_fn=bounded, check=False)  # fmt: skip


def forge(facts: Path, isolated_cache: Path, value: str = "9999") -> None:
    """Store, under the key of `facts`, the book of a copy whose jobs figure is `value`."""
    forged = facts.with_name("forged.yaml")
    forged.write_text(SMALL.replace("9717", value), encoding="utf-8")
    load(forged)
    data = cache.read(cache.key_for(forged.read_bytes()))
    assert data is not None
    cache.write(cache.key_for(facts.read_bytes()), data)
    assert str(load(facts).book.fact(JOBS).value) == value  # the user's own cache is the user's to change


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777, 0o1777])
def test_a_forged_entry_in_a_folder_others_can_write_is_not_used(facts: Path, isolated_cache: Path, mode: int) -> None:
    forge(facts, isolated_cache)
    (isolated_cache / "qindu").chmod(mode)
    result = show_jobs(facts, isolated_cache)
    assert result.returncode == 0 and '"value": 9717' in result.stdout, result.stdout
    assert (isolated_cache / "qindu").stat().st_mode & 0o7777 == mode  # left as the user set it


def test_a_folder_owned_by_someone_else_is_not_used(
    facts: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ownership is compared, not tried: as root, which CI is, nothing is refused for want of rights."""
    forge(facts, isolated_cache)
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(isolated_cache).st_uid + 1)
    assert str(load(facts).book.fact(JOBS).value) == "9717"
    assert cache.read(cache.key_for(facts.read_bytes())) is None


def test_a_new_cache_folder_is_the_users_alone(facts: Path, isolated_cache: Path) -> None:
    old = os.umask(0o002)
    try:
        load(facts)
    finally:
        os.umask(old)
    folder = (isolated_cache / "qindu").stat()
    assert (folder.st_mode & 0o777, folder.st_uid) == (0o700, os.geteuid())


def test_a_linked_cache_folder_is_not_used(facts: Path, isolated_cache: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (isolated_cache / "qindu").symlink_to(elsewhere)
    assert len(load(facts).book.facts) == 5
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "link to an entry", "oversized"])
def test_an_entry_that_is_not_a_regular_file_of_bounded_size_is_a_miss(
    facts: Path, isolated_cache: Path, tmp_path: Path, kind: str
) -> None:
    load(facts)
    entry = entry_of(facts, isolated_cache)
    if kind == "link to an entry":  # a good entry, reached through a link: not opened
        forge(facts, isolated_cache)
        real = tmp_path / "real.bin"
        entry.rename(real)
        entry.symlink_to(real)
    else:
        entry.unlink()
        if kind == "fifo":
            os.mkfifo(entry)
        elif kind == "oversized":
            with entry.open("wb") as handle:
                handle.truncate(cache.MAX_ENTRY_BYTES + 1)
        else:
            entry.symlink_to(kind)
    result = show_jobs(facts, isolated_cache)
    assert (result.returncode, result.stderr) == (0, "")
    assert '"value": 9717' in result.stdout


def crafted(facts: Path, isolated_cache: Path, change: Any) -> None:
    """An entry written by cache.write (so key and checksum are right) whose payload `change` reshapes."""
    load(facts)
    key = cache.key_for(facts.read_bytes())
    data = cache.read(key)
    assert data is not None
    change(data)
    cache.write(key, data)


def _starts_backwards(data: dict[str, Any]) -> None:
    starts = data["index"]["starts"]
    starts[2], starts[3] = starts[3], starts[2]


def _sections_not_tuples(data: dict[str, Any]) -> None:
    data["book"]["sections"] = [["x"]]


def _facts_not_bytes(data: dict[str, Any]) -> None:
    data["book"]["facts"] = tuple(marshal.loads(f) for f in data["book"]["facts"])


def _index_missing(data: dict[str, Any]) -> None:
    del data["index"]["readings"]


def _kinds_short(data: dict[str, Any]) -> None:
    data["index"]["kinds"] = data["index"]["kinds"][:1]


def _following_numbers(data: dict[str, Any]) -> None:
    data["index"]["following"] = {"就": 1}


def _source_numbers(data: dict[str, Any]) -> None:
    data["book"]["source"] = (1, 2, 3, 4, 5, 6)


@pytest.mark.parametrize(
    "change",
    [_starts_backwards, _sections_not_tuples, _facts_not_bytes, _index_missing, _source_numbers, _kinds_short,
     _following_numbers],
)  # fmt: skip
def test_an_entry_of_the_wrong_shape_is_a_miss(facts: Path, isolated_cache: Path, change: Any) -> None:
    crafted(facts, isolated_cache, change)
    for command in (["show", JOBS], ["search", "就业"], ["search", "jiuye"], ["search", "指标", "就业"]):
        process = subprocess.run([sys.executable, "-m", "qindu_cli", "--facts", str(facts), *command, "--json"],
                                 capture_output=True, text=True, timeout=20, check=False,
                                 env={**os.environ, "XDG_CACHE_HOME": str(isolated_cache)})  # fmt: skip
        assert (process.returncode, process.stderr) == (0, ""), command
        assert JOBS in process.stdout


def test_a_fact_of_the_wrong_shape_in_an_entry_is_one_clear_line(facts: Path, isolated_cache: Path) -> None:
    """Facts are decoded as they are shown; one made by hand is reported, not a bug of qindu."""

    def short_fact(data: dict[str, Any]) -> None:
        data["book"]["facts"] = tuple(marshal.dumps(marshal.loads(f)[:3]) for f in data["book"]["facts"])

    crafted(facts, isolated_cache, short_fact)
    result = show_jobs(facts, isolated_cache)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("qindu: error: an entry of the cache in ") and "delete" in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("where", [("1", "2", "3"), (1, 2), (1, 2, None), "1 2 3"])
def test_a_place_of_the_wrong_shape_in_an_entry_is_one_clear_line(
    facts: Path, isolated_cache: Path, where: object
) -> None:
    def placed(data: dict[str, Any]) -> None:
        data["book"]["facts"] = tuple(marshal.dumps((*marshal.loads(f)[:-1], where)) for f in data["book"]["facts"])

    crafted(facts, isolated_cache, placed)
    result = show_jobs(facts, isolated_cache)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("qindu: error: an entry of the cache in ") and "delete" in result.stderr


def test_the_cache_keeps_a_bounded_number_of_entries_least_recently_used_first(
    facts: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    versions = []
    for number in range(6):
        version = facts.with_name(f"v{number}.yaml")
        version.write_text(SMALL.replace("title: 测试", f"title: 测试{number}", 1), encoding="utf-8")
        versions.append(version)
        load(version)
        if number >= 1:
            load(versions[0])  # used again each time: kept
    names = {p.name for p in (isolated_cache / "qindu").iterdir()}
    assert len(names) == 3
    assert entry_of(versions[0], isolated_cache).name in names
    assert entry_of(versions[5], isolated_cache).name in names


def test_the_cache_keeps_a_bounded_number_of_bytes(
    facts: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(facts)
    size = entry_of(facts, isolated_cache).stat().st_size
    monkeypatch.setattr(cache, "MAX_TOTAL_BYTES", int(size * 2.5))
    for number in range(5):
        version = facts.with_name(f"v{number}.yaml")
        version.write_text(SMALL.replace("title: 测试", f"title: 测试{number}", 1), encoding="utf-8")
        load(version)
    assert len(list((isolated_cache / "qindu").iterdir())) == 2


def test_twenty_edits_leave_at_most_the_documented_bound(facts: Path, isolated_cache: Path) -> None:
    for number in range(20):
        facts.write_text(SMALL.replace("title: 测试", f"title: 测试{number}", 1), encoding="utf-8")
        load(facts)
    entries = list((isolated_cache / "qindu").iterdir())
    assert len(entries) == cache.MAX_ENTRIES == 16
    assert sum(p.stat().st_size for p in entries) <= cache.MAX_TOTAL_BYTES
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"{cache.MAX_ENTRIES} entries" in readme and f"{cache.MAX_TOTAL_BYTES // 2**20} MiB" in readme


@pytest.mark.parametrize(
    ("xdg", "home", "expected"),
    [
        ("relative/cache", "/home/someone", "/home/someone/.cache/qindu"),
        ("", "/home/someone", "/home/someone/.cache/qindu"),
        ("/var/cache/me", "", "/var/cache/me/qindu"),
        ("relative", "", None),
        (None, "", None),
        (None, "relative-home", None),
    ],
)
def test_the_cache_folder_follows_the_xdg_spec(
    monkeypatch: pytest.MonkeyPatch, xdg: str | None, home: str, expected: str | None
) -> None:
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME")
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    monkeypatch.setenv("HOME", home)
    found = cache.directory()
    assert (str(found) if found is not None else None) == expected


def test_no_home_and_a_relative_xdg_write_no_cache_anywhere(facts: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    root_cache = Path("/.cache")
    existed = root_cache.exists()
    for xdg in ("relative", ""):
        env = {**os.environ, "HOME": "", "XDG_CACHE_HOME": xdg}
        command = [sys.executable, "-m", "qindu_cli", "--facts", str(facts), "show", JOBS]
        assert subprocess.run(command, cwd=work, env=env, capture_output=True, check=False).returncode == 0
    assert list(work.iterdir()) == []
    assert root_cache.exists() == existed


def test_the_key_depends_on_the_python_that_wrote_the_entry(facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.key_for(facts.read_bytes())
    monkeypatch.setattr(sys.implementation, "cache_tag", "cpython-399")
    assert cache.key_for(facts.read_bytes()) != key


def test_an_entry_on_a_read_only_file_system_is_still_used(
    facts: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Marking an entry as used may fail; reading it must not."""
    import qindu_cli.load

    load(facts)

    def refuse(*_: object, **__: object) -> None:
        raise OSError(30, "Read-only file system")

    def no_parsing(*_: object) -> None:
        raise AssertionError("the fact file was parsed again")

    monkeypatch.setattr(os, "utime", refuse)
    monkeypatch.setattr(qindu_cli.load, "read_document", no_parsing)
    assert str(load(facts).book.fact(JOBS).value) == "9717"
