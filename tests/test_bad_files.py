"""Hostile and broken fact files: every command that reads one exits 2 with one line per problem."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import DATA, Run

SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")
COMMANDS = [
    ["sections"],
    ["section", "economy"],
    ["search", "就业"],
    ["show", "livelihood.jobs.new-urban-jobs"],
    ["indicators"],
    ["export"],
    ["validate"],
]
LAUGHS = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 12)]
)

# name -> (file contents, what stderr must say)
CASES: dict[str, tuple[bytes, str]] = {
    "yaml syntax": (SMALL.replace("tags: [资金, investment]", "tags: [资金, investment").encode(), "YAML syntax"),
    "object tag": (b"schema_version: !!python/object/apply:os.system [touch /tmp/qindu-owned]\n", "is not allowed"),
    "custom tag": (SMALL.replace("value: 9717", "value: !number 9717").encode(), "is not allowed"),
    "alias bomb": (LAUGHS.encode(), "anchors and aliases"),
    "not utf-8": (SMALL.encode("utf-8").replace("到位资金".encode(), "到位资金".encode("gb18030")), "not UTF-8"),
    "utf-16": (SMALL.encode("utf-16"), "not UTF-8"),
    "empty": (b"", "the file is empty"),
    "only a comment": (b"# nothing here\n", "the file is empty"),
    "a list": (b"- 1\n- 2\n", "the top level must be a mapping"),
    "a scalar": (b"hello\n", "the top level must be a mapping"),
    "binary noise": (bytes(range(256)) * 4, "not UTF-8"),
    "nul bytes": (b"schema_version: 1\x00\n", "YAML"),
    "deep nesting": (b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "nest"),
    "wrong figure": (SMALL.replace("value: 9717", "value: 9718").encode(), "does not match raw '9717人'"),
    "duplicate key": (SMALL.replace("    unit: 人\n", "    unit: 人\n    unit: 人\n").encode(), "duplicate key 'unit'"),
    "unknown key": (SMALL.replace("schema_version: 1", "schema_version: 1\nextra: 1").encode(), "unknown key 'extra'"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_command_refuses_a_bad_fact_file(run: Run, tmp_path: Path, name: str) -> None:
    content, message = CASES[name]
    bad = tmp_path / "facts.yaml"
    bad.write_bytes(content)
    for command in COMMANDS:
        start = time.perf_counter()
        result = run("--facts", str(bad), *command)
        assert time.perf_counter() - start < 5, (name, command)
        assert result.exit_code == 2, (name, command, result.stdout, result.stderr)
        assert message in result.stderr, (name, command, result.stderr)
        assert result.stderr.startswith(str(bad)), result.stderr  # file:line: … names the file
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
    assert not Path("/tmp/qindu-owned").exists()


def test_problems_name_the_file_line_fact_and_field(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "facts.yaml"
    bad.write_text(SMALL.replace("value: 9717", "value: 9718").replace("kind: initiative", "kind: plan"), "utf-8")
    lines = run("--facts", str(bad), "search", "就业").stderr.splitlines()
    assert len(lines) == 2
    value_line = SMALL.splitlines().index("    value: 9717") + 1
    where = f"{bad}:{value_line}: fact livelihood.jobs.new-urban-jobs: value:"
    assert lines[1] == f"{where} 9718 does not match raw '9717人', which says 9717"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "no such fact file"),
        (lambda p: (p.mkdir(), p)[1], "is a directory"),
        (lambda p: (_sparse(p, 65 * 2**20), p)[1], "over the 64 MiB limit"),
        (lambda p: Path("/dev/zero"), "not a regular file"),
    ],
    ids=["missing", "directory", "too large", "device"],
)
def test_a_fact_file_that_cannot_be_read_is_one_clear_line(run: Run, tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / "facts.yaml")
    result = run("--facts", str(path), "sections")
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


def test_an_unreadable_fact_file_is_one_clear_line(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Made unreadable by the test itself: as root, which CI is, file modes do not stop a read."""
    path = tmp_path / "facts.yaml"
    path.write_text(SMALL, "utf-8")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    result = run("--facts", str(path), "sections")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"qindu: error: {path}: permission denied\n")


def test_a_bad_source_text_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    result = run("validate", "--source", str(tmp_path / "missing.txt"))
    assert result.exit_code == 2 and "no such report text" in result.stderr


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        handle.truncate(size)
