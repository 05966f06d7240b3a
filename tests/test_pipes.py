"""Pipes and signals, through real processes: a reader that leaves, Ctrl-C, whole lines."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import replicate_facts


def _qindu(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "qindu_cli", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload, no-any-return]


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    many = tmp_path / "many.yaml"
    many.write_text(replicate_facts(2_000), encoding="utf-8")
    process = _qindu("--facts", str(many), "export", "--format", "jsonl")  # 1 MB: far more than a pipe holds
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read()
    assert process.wait(timeout=30) == 141
    assert json.loads(first)["id"] == "economy.projects.projects-introduced"
    assert errors == b""


def test_head_dash_1_in_a_shell_pipeline_prints_nothing_on_stderr() -> None:
    result = subprocess.run(
        f"{sys.executable} -m qindu_cli export --format jsonl | head -1",
        shell=True,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == b""
    assert len(result.stdout.splitlines()) == 1


def test_ctrl_c_while_working_ends_with_130_and_no_traceback(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(replicate_facts(20_000), encoding="utf-8")  # seconds to check on a cold cache
    process = _qindu("--facts", str(big), "search", "就业")
    time.sleep(1.0)
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    out, errors = process.communicate(timeout=60)
    assert (process.returncode, out, errors) == (130, b"", b"")


def test_output_in_a_pipe_is_whole_lines() -> None:
    result = subprocess.run([sys.executable, "-m", "qindu_cli", "search", "就业"], capture_output=True, check=False)
    assert result.stdout.endswith(b"\n")
    assert all(line.count(b"\t") == 3 for line in result.stdout.splitlines())


def test_a_closed_stdout_ends_quietly() -> None:
    for fmt in ("plain", "table", "json"):
        result = subprocess.run(
            f"{sys.executable} -m qindu_cli search 就业 --format {fmt} >&-",
            shell=True,
            capture_output=True,
            check=False,
        )
        assert (result.returncode, result.stderr) == (141, b""), fmt


def test_a_terminal_that_is_not_utf8_still_gets_utf8() -> None:
    env = {**__import__("os").environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    result = subprocess.run(
        [sys.executable, "-m", "qindu_cli", "search", "就业"], capture_output=True, env=env, check=False
    )
    assert result.returncode == 0 and "新增城镇就业".encode() in result.stdout
