"""Exit codes and messages at the edges, through real processes: full disks, closed streams, odd locales and bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, FACTS, Run

SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")
PYTHON = f"{sys.executable} -m qindu_cli"
NOT_UTF8 = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def shell(command: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(command, shell=True, capture_output=True, timeout=60, check=False,
                          env={**os.environ, **env})  # fmt: skip


def qindu(*args: str | bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "qindu_cli", *args], capture_output=True, timeout=60, check=False,
                          env={**os.environ, **env})  # fmt: skip


@pytest.mark.parametrize(
    "command", ["sections", "search 就业 --json", "export", "export -f csv", "section economy --format table"]
)
def test_a_full_disk_is_74_and_one_line(command: str) -> None:
    result = shell(f"{PYTHON} {command} > /dev/full")
    assert result.returncode == 74, result.stderr
    assert result.stderr == b"qindu: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ("sections", 0),
        ("search xyzzy", 1),
        ("show no-such-fact", 2),
        ("--bogus", 2),
        ("export -f sqlite", 2),
        ("sections > /dev/full", 74),
        ("search 就业 >&-", 141),
    ],
)
def test_the_exit_code_does_not_depend_on_stderr(command: str, code: int) -> None:
    assert shell(f"{PYTHON} {command}").returncode == code
    assert shell(f"{PYTHON} {command} 2>&-").returncode == code
    assert shell(f"{PYTHON} {command} 2>/dev/full").returncode == code


@pytest.mark.parametrize("columns", ["0", "", "abc", "-5"])
@pytest.mark.parametrize("command", ["sections", "section economy", "search 就业", "indicators", "chart --unit 万元"])
def test_a_width_that_is_not_one_is_an_unknown_width(columns: str, command: str) -> None:
    result = shell(f"{PYTHON} {command} --format table" if not command.startswith("chart") else f"{PYTHON} {command}",
                   COLUMNS=columns)  # fmt: skip
    assert result.returncode == 0
    assert all(line.startswith(b"qindu: left out ") for line in result.stderr.splitlines())  # a note, no error
    lines = result.stdout.decode().splitlines()
    assert len(lines) >= 3 and max(len(line) for line in lines) <= 200


def test_chinese_queries_match_in_a_locale_that_is_not_utf8() -> None:
    probe = subprocess.run([sys.executable, "-c", "import sys; print(sys.getfilesystemencoding())"],
                           capture_output=True, text=True, env={**os.environ, **NOT_UTF8}, check=True)  # fmt: skip
    assert probe.stdout.strip() != "utf-8"  # the locale really is not UTF-8
    found = json.loads(qindu("search", "就业", "--json", **NOT_UTF8).stdout)
    assert "livelihood.jobs.new-urban-jobs" in {fact["id"] for fact in found}
    units = json.loads(qindu("indicators", "--unit", "亿元", "--json", **NOT_UTF8).stdout)
    assert units and {fact["unit"] for fact in units} == {"亿元"}
    section = json.loads(qindu("section", "民生", "--topic", "jobs", "--json", **NOT_UTF8).stdout)
    assert section["id"] == "livelihood"


@pytest.mark.parametrize("env", [{}, {"PYTHONIOENCODING": "utf-8:strict"}, NOT_UTF8], ids=["utf-8", "strict", "C"])
def test_output_is_valid_utf8_whatever_bytes_the_arguments_hold(tmp_path: Path, env: dict[str, str]) -> None:
    name = os.fsencode(tmp_path) + b"/facts-\xff\xfe.yaml"
    Path(os.fsdecode(name)).write_bytes(FACTS.read_bytes())
    plain = qindu("validate", name, **env)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.decode("utf-8").startswith(f"{tmp_path}/facts-\\udcff\\udcfe.yaml: valid")
    report = qindu("validate", name, "--json", **env)
    assert report.returncode == 0
    assert json.loads(report.stdout.decode("utf-8"))["valid"] is True
    missing = qindu("search", b"\xff\xfe", "--json", **env)
    assert (missing.returncode, missing.stdout) == (1, b"[]\n")
    missing.stderr.decode("utf-8")


def hostile_file(tmp_path: Path) -> Path:
    text = (
        SMALL.replace("schema_version: 1", 'schema_version: 1\n"bad\\e[31mkey\\u202e": 1')
        .replace("id: livelihood.jobs.new-urban-jobs", 'id: "livelihood.jobs.new-urban-jobs\\e[2J"')
        .replace("label: 新增城镇就业", 'label: "新增城镇就业\\e]0;pwned\\a"')
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_what_comes_from_a_file_is_escaped_in_validate_problems(tmp_path: Path) -> None:
    result = qindu("validate", str(hostile_file(tmp_path)))
    assert result.returncode == 2
    errors = result.stderr.decode()
    assert "\x1b" not in errors and "\u202e" not in errors and "\x07" not in errors
    assert "bad\\x1b[31mkey\\u202e" in errors and "new-urban-jobs\\x1b[2J" in errors


def test_did_you_mean_labels_are_escaped(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(SMALL.replace("label: 新增城镇就业", 'label: "新增城镇就业\\e]0;pwned\\a"'), encoding="utf-8")
    result = qindu("--facts", str(facts), "search", "新增城镇就叶")
    assert result.returncode == 1 and b"did you mean" in result.stderr
    assert b"\x1b" not in result.stderr and b"\x07" not in result.stderr
    assert b"\\x1b]0;pwned\\x07" in result.stderr


@pytest.mark.parametrize("args", [["--facts", "{p}", "sections"], ["validate", "{p}"], ["export", "-o", "{p}/x.json"]])
def test_paths_are_escaped_in_messages(tmp_path: Path, args: list[str]) -> None:
    path = f"{tmp_path}/\x1b[31mred\u202e"
    result = qindu(*[a.replace("{p}", path) for a in args])
    assert result.returncode == 2
    assert b"\x1b" not in result.stderr and "\u202e".encode() not in result.stderr
    assert b"\\x1b[31mred\\u202e" in result.stderr


@pytest.mark.parametrize(("before", "line"), [("", 3), ("# 就业就业就业就业就业就业\n", 4), ("note: 就业\u2028x\n", 4)])
def test_a_control_character_is_reported_at_its_line(run: Run, tmp_path: Path, before: str, line: int) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(f"{before}schema_version: 1\n# 中文注释\nsource: \x01\n", encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:{line}: YAML does not allow the character")


def test_validate_shows_the_first_100_problems_and_counts_the_rest(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(SMALL + "".join(f"unknown{i}: 1\n" for i in range(500)), encoding="utf-8")
    result = run("validate", str(path))
    lines = result.stderr.splitlines()
    assert result.exit_code == 2 and len(lines) == 101
    assert lines[-1] == "… and 400 more problems; `qindu validate --json` lists them all"
    report = json.loads(run("validate", str(path), "--json").stdout)
    assert len(report["problems"]) == 500
    assert run("--facts", str(path), "sections").stderr.splitlines()[-1].startswith("… and 400 more")


def test_a_long_key_or_value_is_shortened_in_messages(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    key, value = "k" * 2_000_000, "v" * 100_000
    path.write_text(SMALL.replace("schema_version: 1", f"schema_version: 1\n? {key}\n: {value}"), encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2 and len(result.stderr) < 1_000
    assert "kkkk…" in result.stderr
    report = json.loads(run("validate", str(path), "--json").stdout)
    assert key in {problem["field"] for problem in report["problems"]}  # JSON carries it whole


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("value: 9717", "value: " + "9" * 5000),
        ("schema_version: 1", "schema_version: " + "1" * 4301),
        ("value: 9717", "value: 0." + "1" * 5000),
        ("value: 9717", "value: " + "9" * 200),
    ],
    ids=["5,000-digit value", "4,301-digit schema version", "5,000-digit decimal", "200-digit value"],
)
def test_a_number_too_long_for_python_is_a_problem_at_its_line(run: Run, tmp_path: Path, old: str, new: str) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(SMALL.replace(old, new), encoding="utf-8")
    line = SMALL.splitlines().index(next(x for x in SMALL.splitlines() if x.strip() == old)) + 1
    for command in (["validate", str(path)], ["--facts", str(path), "show", "new-urban-jobs"]):
        result = run(*command)
        assert (result.exit_code, result.stdout) == (2, ""), result.stderr
        assert result.stderr.startswith(f"{path}:{line}: ") and len(result.stderr) < 300, result.stderr
