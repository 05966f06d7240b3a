"""Shell completion: section ids, topic ids, fact ids and units come from the fact file in use."""

from __future__ import annotations

import pytest
from conftest import DATA, Run


def complete(run: Run, words: str, env: dict[str, str] | None = None) -> list[str]:
    result = run(
        env={
            "_QINDU_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split(" ")) - 1),
            **(env or {}),
        }
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("qindu section ec", ["economy"]),
        ("qindu section ", ["economy", "party-building", "livelihood"]),
        ("qindu section livelihood --topic j", ["jobs"]),
        ("qindu indicators --section econ", ["economy"]),
        ("qindu indicators --topic gr", ["green"]),
        ("qindu show new-ur", ["new-urban-jobs"]),
        ("qindu show livelihood.jobs.new", ["livelihood.jobs.new-urban-jobs"]),
        ("qindu indicators --unit 亿", ["亿人次", "亿元"]),
        ("qindu chart --unit 万", ["万人", "万元", "万剂次", "万学时"]),
    ],
)
def test_names_complete_from_the_fact_file(run: Run, words: str, expected: list[str]) -> None:
    assert complete(run, words) == expected


def test_completion_reads_the_fact_file_given_with_facts(run: Run) -> None:
    small = str(DATA / "small.yaml")
    assert complete(run, f"qindu --facts {small} show ") == [
        "economy.projects.funds-in-place", "economy.projects.five-ones-mechanism", "livelihood.jobs.new-urban-jobs",
        "livelihood.jobs.urban-unemployment-rate", "livelihood.jobs.market-entities", "funds-in-place",
        "five-ones-mechanism", "new-urban-jobs", "urban-unemployment-rate", "market-entities",
    ]  # fmt: skip
    assert complete(run, "qindu section e", env={"QINDU_FACTS": small}) == ["economy"]


def test_a_broken_fact_file_completes_nothing_quietly(run: Run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("facts: [\n", encoding="utf-8")
    assert complete(run, f"qindu --facts {bad} section ") == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_can_be_shown(run: Run, shell: str) -> None:
    result = run("--show-completion", shell)
    assert result.exit_code == 0 and "_QINDU_COMPLETE" in result.stdout
