"""Reading YAML: only safe constructs, with line numbers."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from qindu_cli.yamldoc import Mapping, YamlRefused, load_document


def refused(text: str) -> str:
    with pytest.raises(YamlRefused) as caught:
        load_document(text, "f.yaml")
    return str(caught.value)


def test_values_keep_their_lines_and_numbers_stay_exact() -> None:
    document = load_document("a: 1\nb:\n  c: 100.9\n  d: [x, y]\n", "f.yaml")
    assert isinstance(document, Mapping)
    assert document["a"] == 1
    assert document["b"]["c"] == Decimal("100.9")
    assert document.key_lines == {"a": 1, "b": 2}
    assert document["b"].key_lines["d"] == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!python/object/apply:os.system [echo hi]\n", "is not allowed"),
        ("a: !!python/name:os.system\n", "is not allowed"),
        ("a: !custom 1\n", "is not allowed"),
        ("a: !!binary aGk=\n", "is not allowed"),
        ("a: &x 1\nb: *x\n", "anchors and aliases"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("? [1, 2]\n: x\n", "keys must be text"),
        ("a: 0x1F\n", "plain decimals"),
        ("a: .inf\n", "plain decimals"),
        ("a: [1, 2\n", "YAML syntax"),
        ("a: b: c\n", "YAML syntax"),
    ],
)
def test_unsafe_or_ambiguous_yaml_is_refused(text: str, message: str) -> None:
    assert message in refused(text)


def test_syntax_errors_name_their_line() -> None:
    assert refused("a: 1\nb: 2\nc: [3\n").startswith("f.yaml:")


def test_alias_expansion_bombs_are_refused_at_once() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 10)]
    start = time.perf_counter()
    assert "anchors and aliases" in refused("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2


def test_deep_nesting_is_refused_without_recursing() -> None:
    assert "nest" in refused("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nesting deeper" in refused("a: " + "[" * 50 + "]" * 50 + "\n")


def test_dates_are_read_as_the_text_written() -> None:
    assert load_document("a: 2022-01-01\n", "f.yaml")["a"] == "2022-01-01"
