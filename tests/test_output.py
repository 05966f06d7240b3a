"""Formats as scripts and readers use them: plain for cut and xargs, markdown that stays text, --explain everywhere."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, Run

from qindu_cli.render import Format

SMALL = (DATA / "small.yaml").read_text(encoding="utf-8")


def test_plain_ids_feed_show_through_xargs(run: Run) -> None:
    """`qindu search 就业 | cut -f1 | xargs qindu show`: every first field is an id show takes."""
    lines = run("search", "就业").stdout.splitlines()
    ids = [line.split("\t")[0] for line in lines]
    assert len(ids) >= 6
    shown = json.loads(run("show", *ids, "--json").stdout)
    assert [fact["id"] for fact in shown] == ids


def test_plain_numbers_sum_with_awk(run: Run) -> None:
    """`qindu indicators --unit 元 | awk -F'\\t' '{s += $4}'`: no thousands marks to stop a sum."""
    lines = run("indicators", "--unit", "元").stdout.splitlines()
    normalized = [line.split("\t")[3] for line in lines]
    assert "10090000000 元" in normalized and not any("," in n for n in normalized)
    total = sum(float(n.split()[0]) for n in normalized)
    assert total == sum(f["normalized"]["value"] for f in json.loads(run("indicators", "-u", "元", "--json").stdout))


def test_tsv_and_csv_keep_their_header(run: Run) -> None:
    assert run("search", "就业", "--format", "tsv").stdout.startswith("id\tkind\tsection\t")
    assert run("search", "就业", "--format", "csv").stdout.startswith("id,kind,section,")


def test_sort_label_orders_chinese_by_pinyin(run: Run) -> None:
    from pypinyin import Style, pinyin

    def spelled(label: str) -> list[str]:
        return [pinyin(char, style=Style.NORMAL)[0][0].lower() for char in label if char.isalnum()]

    labels = [f["label"] for f in json.loads(run("indicators", "--sort", "label", "--json").stdout)]
    assert [spelled(label) for label in labels] == sorted(spelled(label) for label in labels)
    assert labels != sorted(labels)  # code-point order differs
    desc = [f["label"] for f in json.loads(run("indicators", "--sort", "label", "--desc", "--json").stdout)]
    assert [spelled(label) for label in desc] == sorted((spelled(label) for label in labels), reverse=True)


HOSTILE = {
    "label": '"<img src=x onerror=alert(1)> [点此](https://example.invalid) `code` *粗体* _斜_ a|b ~~删~~ &amp;"',
    "label_en": '"Visit www.example.invalid or https://example.invalid/x"',
}


def test_markdown_renders_labels_as_the_text_they_are(run: Run, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    text = SMALL.replace("label: 到位资金", f"label: {HOSTILE['label']}").replace(
        "label_en: Investment funds secured", f"label_en: {HOSTILE['label_en']}"
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    for lang in ("zh", "en"):
        out = run("--facts", str(path), "--lang", lang, "search", "100.9", "--format", "markdown").stdout
        html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(out)
        for tag in ("<a", "<img", "<code", "<em", "<strong", "<s>", "<del"):
            assert tag not in html, (tag, html)
        assert html.count("<td>") == 4  # the | in the label did not open a fifth cell
        assert "&lt;img src=x onerror=alert(1)&gt;" in html or lang == "en"


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_explain_is_carried_by_every_format(run: Run, fmt: Format) -> None:
    result = run("search", "jiuye", "--explain", "--format", fmt.value, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    if fmt is Format.JSON:
        assert json.loads(out)[0]["match"] == [{"term": "jiuye", "field": "label", "form": "pinyin", "text": "就业"}]
    elif fmt is Format.JSONL:
        assert json.loads(out.splitlines()[0])["match"][0]["form"] == "pinyin"
    elif fmt is Format.CSV:
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows[0]["match"] == "jiuye: label by pinyin"
    elif fmt is Format.TABLE:
        assert "jiuye: label by pinyin" in out and "匹配" in out
    else:
        assert "jiuye: label by pinyin" in re.sub(r"\\(.)", r"\1", out)


def test_traceback_shows_the_real_error_of_a_bug(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import qindu_cli.load

    def broken(*_: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(qindu_cli.load, "load", broken)
    assert run("search", "就业").exit_code == 70
    with pytest.raises(ZeroDivisionError):
        run("--traceback", "search", "就业")
    with pytest.raises(ZeroDivisionError):
        run("search", "就业", env={"QINDU_DEBUG": "1"})


def test_the_chart_title_is_the_same_whatever_the_hash_seed() -> None:
    titles = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        result = subprocess.run(
            [sys.executable, "-m", "qindu_cli", "chart", "--unit", "人次"],
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"},
            check=True,
        )
        titles.add(result.stdout.decode().splitlines()[0])
    assert len(titles) == 1, titles
