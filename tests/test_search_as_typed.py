"""Search, section and topic names typed the way people think them: each case is a command line
as typed, its exit code, and the facts or the message it must give.

What must show is written as `ids: a b` (these facts are listed), `first: a` (a comes first),
`order: a b` (a before b), `none: a` (a is not listed) or, for a non-zero exit, text of the one
line on stderr. Ids are the last part of a fact id.
"""

from __future__ import annotations

import json
import shlex
import time

import pytest
from conftest import FACTS, ROOT, Run

from qindu_cli.load import Loaded, load
from qindu_cli.search import KIND_WORDS, find_section, highlight_spans, search, suggest

CASES = [
    # one quoted argument with spaces is the words apart
    ('search "城镇 就业"', 0, "first: new-urban-jobs"),
    ('search "就业 9717"', 0, "first: new-urban-jobs"),
    ('search "疫苗 vaccine"', 0, "first: covid-vaccine-doses"),
    ('search "就业　9717"', 0, "first: new-urban-jobs"),  # a full-width space between
    # a query of only spaces is empty
    ('search " "', 2, "the query is empty"),
    ('search "　"', 2, "the query is empty"),
    ('search " " "　 "', 2, "the query is empty"),
    ('search "　" --json', 2, "the query is empty"),
    # the report's year narrows nothing
    ("search 就业 2022", 0, "ids: new-urban-jobs urban-unemployment-rate"),
    ("search jobs 2022", 0, "ids: new-urban-jobs"),
    ("search 2022年 失业率", 0, "first: urban-unemployment-rate"),
    ("search 2022 9717", 0, "first: new-urban-jobs"),
    # pinyin as people write it
    ("search jiùyè", 0, "ids: new-urban-jobs"),
    ("search JIÙYÈ", 0, "ids: new-urban-jobs"),
    ("search lǜsè", 0, "ids: three-districts-two-cities"),
    ('search "lǜ sè"', 0, "ids: three-districts-two-cities"),
    ("search jiu4ye4", 0, "ids: new-urban-jobs"),
    ("search jiu4 ye4", 0, "ids: new-urban-jobs"),
    ("search Xue2Wei4", 0, "first: new-school-places"),
    ("search lv4se4", 0, "ids: three-districts-two-cities"),
    ("search shī yè lǜ", 0, "first: urban-unemployment-rate"),
    # a filter that hides the matches says where they are
    ("search 就业 -s economy", 1, "6 facts match '就业': 5 in livelihood, 1 in party-building"),
    ("search 稳岗 -s economy", 1, "7 facts match '稳岗' in livelihood; see them with: qindu search 稳岗 -s livelihood"),
    ("search 疫苗 -s party-building", 1, "match '疫苗' in livelihood"),
    # suggestions in the script that was typed, or plainly none
    ("search how many new urban jobs", 1, "did you mean new urban jobs?"),
    ("search revenue", 1, "the report gives no such figure"),
    ("search GDP", 1, "the report gives no such figure"),
    ("search vacine", 1, "did you mean vaccine?"),
    ("search 就业 revenue", 1, "did you mean 就业?"),
    # an exact figure before a prefix of one
    ("search 100", 0, "order: key-enterprises-served funds-in-place"),
    ("search 100", 0, "first: key-enterprises-served"),
    # sections and topics by what search takes
    ("section 經濟", 0, "ids: projects-introduced"),
    ("section jingji", 0, "ids: projects-introduced"),
    ("section JingJi", 0, "ids: projects-introduced"),
    ('section "measure of happiness"', 0, "ids: new-urban-jobs"),
    ("search 疫苗 -s minsheng", 0, "first: covid-vaccine-doses"),
    ("section jobs", 2, "qindu section livelihood --topic jobs"),
    ("section 稳岗", 2, "qindu section livelihood --topic jobs"),
    ("section livelihood --topic 稳岗", 0, "ids: new-urban-jobs"),
    ("section livelihood --topic 就业", 0, "ids: new-urban-jobs"),
    ("section livelihood --topic employment", 0, "ids: new-urban-jobs"),
    ("section livelihood --topic 稳岗", 0, "none: covid-vaccine-doses"),
    # --explain names the tag or the field that matched
    ("search jy --explain", 0, "explain: tag 就业 by initials"),
    ("search employment --explain", 0, "explain: employment: tag employment by text"),
    ("search honours --explain", 0, "explain: honours: kind milestone"),
    ("search 9717 2022 --explain", 0, "explain: 2022: period 2022"),
    # the words for a kind find it, after facts that match by their own words
    ("search honours", 0, "ids: cabling-contest-first-prize longi-ten-billion-enterprise"),
    ("search honour", 0, "none: new-urban-jobs"),
    ("search 荣誉", 0, "ids: longi-ten-billion-enterprise"),
    ("search 奖", 0, "order: investment-promotion-awards longi-ten-billion-enterprise"),
    ("search awards", 0, "order: investment-promotion-awards longi-ten-billion-enterprise"),
    ("search programme", 0, "ids: five-ones-mechanism"),
    ("search campaign", 0, "order: free-thinking-campaign five-ones-mechanism"),
    ("search initiative", 0, "ids: double-reduction"),
    ("search 举措", 0, "ids: five-ones-mechanism"),
    ("search 指标", 0, "ids: new-urban-jobs"),
    ("search indicators", 0, "none: five-ones-mechanism"),
    ("search figure", 0, "ids: funds-in-place"),
]


@pytest.mark.parametrize(("typed", "code", "expected"), CASES, ids=[f"{c[0]} -> {c[1]}" for c in CASES])
def test_a_command_as_typed(run: Run, typed: str, code: int, expected: str) -> None:
    args = shlex.split(typed)
    result = run(*args, "--json") if code == 0 and "--explain" not in args else run(*args)
    assert result.exit_code == code, result.stderr
    if code != 0:
        assert expected in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert result.stdout in ("", "[]\n")
        return
    if expected.startswith("explain: "):
        assert expected.removeprefix("explain: ") in result.stdout
        return
    listed = json.loads(result.stdout)
    facts = listed["facts"] if isinstance(listed, dict) else listed
    ids = [fact["id"].rsplit(".", 1)[-1] for fact in facts]
    how, _, names = expected.partition(": ")
    wanted = names.split()
    if how == "ids":
        assert set(wanted) <= set(ids), ids
    elif how == "first":
        assert ids[:1] == wanted, ids
    elif how == "order":
        assert all(name in ids for name in wanted) and ids.index(wanted[0]) < ids.index(wanted[1]), ids
    else:
        assert how == "none" and ids and not set(wanted) & set(ids), ids


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return load(FACTS)


def test_the_year_of_the_report_matches_the_facts_for_it_and_only_them(loaded: Loaded) -> None:
    found = {loaded.book.facts[hit.position].id for hit in search(loaded.search_index, ["2022"])}
    for_the_year = {fact.id for fact in loaded.book.facts if fact.period is None}
    assert found == for_the_year
    with_period = [fact for fact in loaded.book.facts if fact.period is not None]
    assert with_period, "the case needs facts of another period"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("how many new urban jobs", "new-urban-jobs"),
        ("jiuyee", "new-urban-jobs"),
        ("employmnet", "new-urban-jobs"),
        ("vacine", "covid-vaccine-doses"),
        ("Unemploymnet rate", "urban-unemployment-rate"),
    ],
)
def test_following_a_suggestion_finds_what_was_meant(loaded: Loaded, typed: str, meant: str) -> None:
    index, book = loaded.search_index, loaded.book
    assert search(index, typed.split()) == []
    offered = suggest(index, book, typed.split()).queries
    assert offered
    found = {book.facts[hit.position].id.rsplit(".", 1)[-1] for q in offered for hit in search(index, q.split())}
    assert meant in found, offered


def test_a_word_typed_a_thousand_times_counts_once(run: Run, loaded: Loaded) -> None:
    once = run("search", "就业", "jiuye", "--json").stdout
    start = time.perf_counter()
    result = run("search", *(["就业", "jiuye"] * 1000), "--json")
    assert time.perf_counter() - start < 2
    assert result.exit_code == 0 and result.stdout == once
    assert search(loaded.search_index, ["就业"] * 1000) == search(loaded.search_index, ["就业"])


def test_short_initials_highlight_only_what_matched(loaded: Loaded) -> None:
    index = loaded.search_index
    jy = search(index, ["jy"])
    rate = next(hit for hit in jy if loaded.book.facts[hit.position].label == "城镇登记失业率")
    assert rate.matches[0].field == "tag"  # it matched by its tag 就业, spelled jy
    assert highlight_spans("城镇登记失业率", ["jy"], index, "label") == []
    assert highlight_spans("城镇登记失业率控制在2.68%", ["jy"], index, "quote") == []
    assert highlight_spans("就业", ["jy"], index, "label") == [(0, 2)]
    assert highlight_spans("全年新增城镇就业9717人", ["jiùyè"], index) == [(6, 8)]
    assert highlight_spans("全年新增城镇就业9717人", ["9717"], index) == [(8, 12)]


def test_what_scores_is_what_is_highlighted(loaded: Loaded) -> None:
    """For every fact a query finds, the field that matched has a highlight, and a fact it does
    not find has none in its label."""
    index, book = loaded.search_index, loaded.book
    for query in ["jy", "jiuye", "就業", "employment", "syl", "9717", "vaccines"]:
        found = {hit.position: hit for hit in search(index, [query])}
        for position, fact in enumerate(book.facts):
            spans = highlight_spans(fact.label, [query], index, "label")
            hit = found.get(position)
            if hit is not None and hit.matches[0].field == "label":
                assert spans, (query, fact.label)
            if hit is None:
                assert spans == [], (query, fact.label)


def test_a_section_is_found_by_what_search_takes(loaded: Loaded) -> None:
    index, book = loaded.search_index, loaded.book
    assert find_section(book, index, "經濟").id == "economy"
    assert find_section(book, index, "party building").id == "party-building"
    assert find_section(book, index, "minsheng").id == "livelihood"


def test_the_readme_and_help_name_every_word_for_each_kind(run: Run) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    help_text = " ".join(run("search", "--help").stdout.split())
    for kind, words in KIND_WORDS.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{kind}` |"))
        assert all(word in row for word in words), (kind, row)
        assert f"find {kind}s" in help_text


def _everywhere(loaded: Loaded, terms: list[str]) -> list[tuple[int, float]]:
    """What search finds when every record is read: the index must find the same."""
    from qindu_cli.search import _fields, _prepare_query, _score

    index = loaded.search_index
    prepared, phrase = _prepare_query(terms, index)
    found = []
    for position in range(index.size):
        fields, kind = _fields(index.record(position)), index.kinds[position]
        undated = index.undated[position] == "1"
        scored = [_score(term, fields, kind, undated, index) for term in prepared]
        if None in scored and phrase is not None:
            scored = [_score(phrase, fields, kind, undated, index)]
        if scored and None not in scored:
            found.append((position, sum(s[0] for s in scored if s is not None)))
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def test_the_index_finds_what_reading_every_fact_finds(loaded: Loaded) -> None:
    index, book = loaded.search_index, loaded.book
    queries = ["就业", "就業", "jiuye", "jiùyè", "jy", "syl", "jyfw", "employment", "vaccines", "100", "2.68"]
    queries += ["honours", "荣誉", "指标", "campaign", "2022", "jiu ye", "pedestrian street", "lvse", "9717 2022"]
    for fact in book.facts[::7]:  # tags and labels as typed, in pinyin and in initials
        for name in (fact.label, *fact.tags[:2]):
            spelled = [index.readings.get(char, ("",))[0] for char in name]
            queries += [name, "".join(spelled), "".join(s[:1] for s in spelled)]
    for query in dict.fromkeys(q for q in queries if q.split()):
        hits = [(hit.position, hit.score) for hit in search(index, query.split())]
        assert hits == _everywhere(loaded, query.split()), query
