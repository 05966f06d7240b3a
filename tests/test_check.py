"""qindu check: the claim finder, the matcher, the verdicts, the scored corpus, and the command."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DATA, Run
from hypothesis import given, settings
from hypothesis import strategies as st

from qindu_cli.check import (
    CONTRADICTED,
    MAX_BYTES,
    ROUNDING,
    SCALE,
    SUPPORTED,
    TRANSPOSED,
    UNVERIFIABLE,
    WRONG_UNIT,
    Checked,
    check,
    contexts,
    find_claims,
    matcher,
    rank,
    terms,
)
from qindu_cli.load import Loaded, load

CORPUS = DATA / "check"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The shipped facts, through a cache of this module's own (the autouse one is per test)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield load()


def _found(text: str) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """Each claim as (text, number, unit, qualifier, normalized value and unit)."""
    out = []
    for claim in find_claims(text):
        normalized = claim.normalized
        shown = f"{normalized[0]} {normalized[1]}" if normalized else None
        out.append((claim.text, claim.number, claim.unit, claim.qualifier, shown))
    return out


# ── the claim finder ──────────────────────────────────────────────────────────

FINDER = [
    ("全年新增城镇就业9717人", [("9717人", "9717", "人", None, "9717 人")]),
    ("到位资金100.9亿元", [("100.9亿元", "100.9", "亿元", None, "10090000000 元")]),
    ("失业率２.６８％", [("２.６８％", "2.68", "%", None, "2.68 %")]),
    ("新增城镇就业９７１７人", [("９７１７人", "9717", "人", None, "9717 人")]),
    ("新增市场主体9100余户", [("9100余户", "9100", "户", "more_than", "9100 户")]),
    ("3500多名党员干部", [("3500多名", "3500", "名", "more_than", "3500 名")]),
    ("检测人数突破1亿人次", [("突破1亿人次", "1", "亿人次", "more_than", "100000000 人次")]),
    (
        "约30个项目，50家以上企业",
        [("约30个", "30", "个", "approx", "30 个"), ("50家以上", "50", "家", "at_least", "50 家")],
    ),
    ("家庭医生签约22万人", [("22万人", "22", "万人", None, "220000 人")]),
    ("培训5千人次", [("5千人次", "5", "千人次", None, "5000 人次")]),
    ("新增建设用地5200亩", [("5200亩", "5200", "亩", None, "3466666.67 m²")]),
    ("Qindu created 9,717 new urban jobs", [("9,717 new urban jobs", "9717", "jobs", None, "9717 人")]),
    ("It secured 10.09 billion yuan", [("10.09 billion yuan", "10.09", "billion yuan", None, "10090000000 元")]),
    ("a rate of 2.68 percent", [("2.68 percent", "2.68", "percent", None, "2.68 %")]),
    ("more than 9,000 entities", [("more than 9,000 entities", "9000", "entities", "more_than", "9000 个")]),
    ("nearly 1.52 million doses", [("nearly 1.52 million doses", "1.52", "million doses", "approx", "1520000 个")]),
    ("at least 300 households", [("at least 300 households", "300", "households", "at_least", "300 个")]),
    ("RMB 45 million", [("RMB 45 million", "45", "RMB million", None, "45000000 元")]),
    ("5,200 acres", [("5,200 acres", "5200", "acres", None, "21043653.4 m²")]),
    ("百分之2.68", [("百分之2.68", "2.68", "%", None, "2.68 %")]),
    # not claims: years, dates, times, ordinals, list numbers, names with digits
    ("2022年，在多重风险挑战下", []),
    ("In 2022, the district grew.", []),
    ("12月5日召开", []),
    ("on March 5 and 10 May", []),
    ("at 10:30 on 2023-01-05", []),
    ("第三个百亿级企业，排名第1", []),
    ("the 3rd meeting and the 21st century", []),
    ("1. 引言\n2、方法\n(3) 结论", []),
    ("PM10、PM2.5和地铁1号线", []),
    ("COVID-19 vaccines", []),
    ("5G networks", []),
]


@pytest.mark.parametrize(("text", "expected"), FINDER, ids=[t for t, _ in FINDER])
def test_the_claim_finder(text: str, expected: list[tuple[str, str, str | None, str | None, str | None]]) -> None:
    assert _found(text) == expected


def test_claims_know_their_place_in_the_input() -> None:
    text = "第一行没有数字\n全年新增城镇就业９７１７人，\r\nand 2.68 percent."
    claims = find_claims(text)
    assert [(c.line, text[c.start : c.end]) for c in claims] == [(2, "９７１７人"), (3, "2.68 percent")]


def test_a_bare_number_is_a_claim_only_when_its_words_point_at_a_fact(loaded: Loaded) -> None:
    about = check("全年新增城镇就业9717，形势稳定。", loaded.book, loaded.search_index)
    assert [(r.claim.text, r.verdict) for r in about] == [("9717", SUPPORTED)]
    assert check("他说了42遍。", loaded.book, loaded.search_index) == []
    assert check("这座楼有42", loaded.book, loaded.search_index) == []


# ── the matcher ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("秦都区全年新增城镇就业9771人", "new-urban-jobs"),
        ("城镇登记失业率为3%", "urban-unemployment-rate"),
        ("The district secured 1 billion yuan of investment funds", "funds-in-place"),
        ("1.5 million COVID-19 vaccine doses were given", "covid-vaccine-doses"),
        ("全区110个机关党组织、3500多名党员干部奔赴112个社区", "party-organizations-reporting"),
    ],
)
def test_the_matcher_ranks_the_fact_the_words_are_about_first(loaded: Loaded, text: str, fact: str) -> None:
    known = matcher(loaded.book, loaded.search_index)
    claims = find_claims(text)
    context = contexts(text, claims)[0]
    ranked = rank([terms(known.fold(part)) for part in context], known)
    assert ranked[0].profile.fact.id.endswith("." + fact)


def test_words_next_to_a_claim_outweigh_the_rest_of_its_sentence(loaded: Loaded) -> None:
    text = "全区110个机关党组织、3500多名党员干部奔赴112个社区进行线下报到"
    found = {
        r.claim.text: r.fact.id.rsplit(".", 1)[-1] for r in check(text, loaded.book, loaded.search_index) if r.fact
    }
    assert found == {
        "110个": "party-organizations-reporting",
        "3500多名": "party-members-reporting",
        "112个": "communities-reported-to",
    }


# ── the verdicts ──────────────────────────────────────────────────────────────


def _one(loaded: Loaded, text: str) -> Checked:
    results = check(text, loaded.book, loaded.search_index)
    assert len(results) == 1, results
    return results[0]


@pytest.mark.parametrize(
    ("text", "verdict", "why"),
    [
        ("秦都区全年新增城镇就业9717人。", SUPPORTED, ""),
        ("Qindu created more than 9,000 new urban jobs.", SUPPORTED, ""),
        ("Qindu created over 10,000 new urban jobs.", CONTRADICTED, "a different figure"),
        ("秦都区全年新增城镇就业约1万人。", SUPPORTED, ""),
        ("秦都区全年新增城镇就业9771人。", CONTRADICTED, TRANSPOSED),
        ("秦都区全年新增城镇就业97170人。", CONTRADICTED, SCALE),
        ("到位资金100.9万元。", CONTRADICTED, SCALE),
        ("秦都区全年新增城镇就业9717户。", CONTRADICTED, WRONG_UNIT),
        ("到位资金101亿元。", CONTRADICTED, ROUNDING),
        ("秦都区地区生产总值增长5.2%。", UNVERIFIABLE, "not in the report"),
        ("秦都全年完成投资20亿元。", UNVERIFIABLE, "no clear fact"),  # 投资: three facts, half a label of none
        ("秦都区全年新增企业500家。", UNVERIFIABLE, "several facts alike"),
        ("秦都区累计接种流感疫苗152万剂次。", UNVERIFIABLE, "no clear fact"),  # the figure of 新冠疫苗, not 流感
        ("秦都区新增城镇就业人口中有1226人是高校毕业生。", UNVERIFIABLE, "may be a part"),
        ("全年新增市场主体9100户。", UNVERIFIABLE, "the report gives a bound"),
        ("全区累计接种新冠疫苗1523456剂次。", UNVERIFIABLE, "the report is rounded"),
        ("秦都区全年重污染天数为2天。", UNVERIFIABLE, "a change, not a total"),
        ("秦都重污染天数同比减少2天。", SUPPORTED, ""),
    ],
)
def test_verdicts(loaded: Loaded, text: str, verdict: str, why: str) -> None:
    result = _one(loaded, text)
    assert (result.verdict, result.why) == (verdict, why), result.reason
    assert result.reason


def test_a_supported_claim_names_its_fact_and_an_unverifiable_one_may_not(loaded: Loaded) -> None:
    supported = _one(loaded, "秦都区全年新增城镇就业9717人。")
    assert supported.fact is not None and supported.fact.id == "livelihood.jobs.new-urban-jobs"
    assert _one(loaded, "秦都区常住人口约100万人。").fact is None


# ── the corpus ────────────────────────────────────────────────────────────────


def _score_module() -> object:
    spec = importlib.util.spec_from_file_location("score", CORPUS / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_corpus_meets_its_targets() -> None:
    score = _score_module()
    cases = score.cases()  # type: ignore[attr-defined]
    assert len(cases) >= 60
    assert {c.verdict for c in cases} == {SUPPORTED, CONTRADICTED, UNVERIFIABLE}
    kinds = {c.error for c in cases if c.verdict == CONTRADICTED}
    assert {SCALE, TRANSPOSED, WRONG_UNIT, ROUNDING} <= kinds
    assert any(c.text.isascii() for c in cases) and any(not c.text.isascii() for c in cases)
    results = score.outcomes(cases)  # type: ignore[attr-defined]
    false_supported = [r for r in results if r.verdict == SUPPORTED and r.case.verdict != SUPPORTED]
    assert false_supported == [], "a false or unverifiable claim was called supported"
    wrong = [f"line {r.case.line}: {r.case.text} -> {r.verdict} ({r.reason})" for r in results if not r.right]
    assert len(wrong) <= len(results) * 0.05, "\n".join(wrong)


# ── the command ───────────────────────────────────────────────────────────────

DRAFT = "2022年，秦都区全年新增城镇就业9771人，城镇登记失业率控制在2.68%。\nIts GDP grew 5.2%.\n"
KEYS = ["text", "line", "start", "end", "value", "unit", "qualifier", "normalized", "verdict", "reason", "fact"]


def _draft(tmp_path: Path, text: str = DRAFT) -> str:
    path = tmp_path / "draft.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_check_json_gives_each_claim_in_the_documented_shape(run: Run, tmp_path: Path) -> None:
    result = run("check", _draft(tmp_path), "--json")
    assert result.exit_code == 1  # a contradicted figure
    claims = json.loads(result.stdout)
    assert [c["verdict"] for c in claims] == [CONTRADICTED, SUPPORTED, UNVERIFIABLE]
    for claim in claims:
        assert list(claim)[: len(KEYS)] == KEYS and set(claim) <= {*KEYS, "candidates"}
        assert DRAFT[claim["start"] : claim["end"]] == claim["text"]
    first = claims[0]
    assert (first["line"], first["value"], first["unit"], first["normalized"]) == (
        1,
        9771,
        "人",
        {"value": 9771, "unit": "人"},
    )
    shown = json.loads(run("show", "new-urban-jobs", "--json").stdout)
    assert first["fact"] == shown and claims[2]["fact"] is None


def test_check_reads_stdin_and_speaks_every_text_format(run: Run) -> None:
    runner_input = "秦都区全年新增城镇就业9717人。\n"
    from typer.testing import CliRunner

    from qindu_cli.cli import app

    for fmt in ("json", "jsonl", "plain", "csv", "tsv", "markdown"):
        result = CliRunner().invoke(app, ["check", "-", "--format", fmt], input=runner_input)
        assert result.exit_code == 0, (fmt, result.stderr)
        assert "9717人" in result.stdout and result.stdout.endswith("\n")
    plain = CliRunner().invoke(app, ["check"], input=runner_input).stdout.splitlines()
    assert plain[0].split("\t") == ["line", "start", "end", "claim", "verdict", "report", "fact", "reason"]
    assert plain[1].split("\t")[3:5] == ["9717人", SUPPORTED]


def test_the_terminal_view_marks_each_claim_with_a_symbol_that_reads_without_colour(run: Run, tmp_path: Path) -> None:
    env = {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}
    result = run("--no-color", "check", _draft(tmp_path), "--format", "table", env=env)
    out = result.stdout
    assert result.exit_code == 1
    assert "9771人[✗1]" in out and "2.68%[✓2]" in out and "5.2%[?3]" in out
    assert "transposed digits" in out and "全年新增城镇就业9717人" in out
    assert not re.search(r"\x1b\[[0-9;]*3[0-7]m", out)  # no colour codes, whatever the terminal
    assert "\x1b" not in out.split("\n\n")[0]  # nor any style in the marked text
    coloured = run("check", _draft(tmp_path), "--format", "table", env=env).stdout
    assert "31m" in coloured and "32m" in coloured and "33m" in coloured  # red, green, yellow
    english = run("--lang", "en", "check", _draft(tmp_path), "--format", "table").stdout
    assert "New urban jobs" in english


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00a", "binary data"),
        (b"\xe6\x96\xb0\xe5\xa2\x9e \xff", "not UTF-8"),
        (b"a" * (MAX_BYTES + 1), "KiB limit"),
    ],
    ids=["binary", "not-utf8", "too-big"],
)
def test_bad_input_exits_2_with_one_line(run: Run, tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "input"
    path.write_bytes(data)
    result = run("check", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


def test_missing_file_and_folder_exit_2(run: Run, tmp_path: Path) -> None:
    assert run("check", str(tmp_path / "nope.txt")).exit_code == 2
    assert run("check", str(tmp_path)).exit_code == 2


def test_empty_input_and_text_without_figures_exit_0_with_a_note(run: Run, tmp_path: Path) -> None:
    empty = run("check", _draft(tmp_path, "  \n"), "--json")
    assert (empty.exit_code, empty.stdout) == (0, "[]\n") and "empty" in empty.stderr
    none = run("check", _draft(tmp_path, "今天天气很好。\n"), "--json")
    assert (none.exit_code, none.stdout) == (0, "[]\n") and "no figures" in none.stderr
    assert run("check", _draft(tmp_path, "今天天气很好。\n")).stdout == ""


def test_exit_0_when_nothing_is_contradicted(run: Run, tmp_path: Path) -> None:
    result = run("check", _draft(tmp_path, "城镇登记失业率控制在2.68%。GDP增长5.2%。"), "--json")
    assert result.exit_code == 0
    assert [c["verdict"] for c in json.loads(result.stdout)] == [SUPPORTED, UNVERIFIABLE]


def test_check_help_has_an_example(run: Run) -> None:
    result = run("check", "--help")
    assert result.exit_code == 0 and "Example" in result.stdout


def test_normalized_values_are_exact(loaded: Loaded) -> None:
    claim = find_claims("10.09 billion yuan")[0]
    assert claim.normalized == (Decimal("10090000000"), "元")


# ── the README ────────────────────────────────────────────────────────────────


def test_the_readme_shows_the_measured_scores() -> None:
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    score = _score_module()
    measured = score.table(score.outcomes(score.cases())).split("\n\n")[0]  # type: ignore[attr-defined]
    assert measured in readme


def test_the_readme_tour_of_check_is_what_qindu_prints(run: Run, tmp_path: Path) -> None:
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"\$ cat draft.txt\n(.*?)\n\n\$ qindu check draft.txt\n(.*?)\n\$ echo \$\?\n(\d)\n", readme, re.S)
    assert found is not None
    draft, shown, code = found.groups()
    path = tmp_path / "draft.txt"
    path.write_text(draft + "\n", encoding="utf-8")
    result = run("--no-color", "check", str(path), "--format", "table")
    printed = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert [line.rstrip() for line in printed.splitlines()] == shown.splitlines()
    assert result.exit_code == int(code)
    verdicts = {r["verdict"] for r in json.loads(run("check", str(path), "--json").stdout)}
    assert verdicts == {SUPPORTED, CONTRADICTED, UNVERIFIABLE}


# ── any text ──────────────────────────────────────────────────────────────────

PIECES = [
    "9717", "９７１７", "9,717", "2.68", "100.9", "1,2345", "2022", "0", "00", "1.", "(1)", "第3", "3rd", "PM10",
    "人", "万", "亿", "千", "元", "亿元", "%", "％", "余", "多", "以上", "约", "近", "签约", "突破", "百分之",
    " million", " billion", " yuan", " jobs", " people", " percent", "more than ", "about ", "RMB ",
    "新增城镇就业", "到位资金", "失业率", "，", "。", "\n", "\r\n", " ", ".", ",", "-", ":", "/", "\x00", "\u202e",
    "[bold]", "就業",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=30))
def test_any_text_gives_claims_at_their_place_and_never_raises(pieces: list[str]) -> None:
    book = load()
    text = "".join(pieces)
    for result in check(text, book.book, book.search_index):
        claim = result.claim
        assert text[claim.start : claim.end] == claim.text and claim.text
        assert claim.line == text.count("\n", 0, claim.start) + 1
        assert result.verdict in (SUPPORTED, CONTRADICTED, UNVERIFIABLE) and result.reason
        json.dumps(result.as_record(), ensure_ascii=False)


def test_the_input_is_never_read_as_markup_or_sent_raw(run: Run, tmp_path: Path) -> None:
    text = "[bold]注意[/bold] \x1b[2J新增城镇就业9717人\u202e\n"
    result = run("check", _draft(tmp_path, text), "--format", "table")
    assert "[bold]注意[/bold]" in result.stdout and "\\x1b[2J" in result.stdout and "\\u202e" in result.stdout
    assert "\x1b[2J" not in result.stdout and "\u202e" not in result.stdout
    assert "\x1b" not in run("check", _draft(tmp_path, text)).stdout


def test_folding_a_character_at_a_time_is_folding_the_text(loaded: Loaded, source_text: str) -> None:
    from qindu_cli.check import Folder
    from qindu_cli.search import fold

    folder = Folder(loaded.search_index.t2s)
    for text in [source_text, DRAFT, "就業９７１７ＪＩＵＹＥ，Ａ＋Ｈ “五个一” Ⅻ ﬁ ß İ", *(c for c, _ in FINDER)]:
        assert folder(text) == fold(text, loaded.search_index.t2s)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ09 就業-–—‐﹣－(.⑴⒜℃ﬁ%Ⅻ"), max_size=12))
def test_folding_a_character_at_a_time_is_folding_the_text_around_dashes(text: str) -> None:
    from qindu_cli.check import Folder
    from qindu_cli.search import fold

    assert Folder({"業": "业"})(text) == fold(text, {"業": "业"})
