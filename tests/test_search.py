"""Search as people type it: Chinese, traditional, pinyin, initials, English, full-width, figures."""

from __future__ import annotations

import pytest
from conftest import FACTS
from hypothesis import given
from hypothesis import strategies as st

from qindu_cli.load import Loaded, load
from qindu_cli.search import _fold_chars, fold, search, suggest


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    with pytest.MonkeyPatch.context() as patch:  # a cache of its own: no entry another run left is read
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        return load(FACTS)


def top(loaded: Loaded, query: str, n: int = 3, any_term: bool = False) -> list[str]:
    hits = search(loaded.search_index, query.split(), any_term=any_term)
    return [loaded.book.facts[hit.position].id.rsplit(".", 1)[-1] for hit in hits[:n]]


# query → a fact that must be among the first n results
FINDS = [
    # Chinese as written
    ("就业", "new-urban-jobs", 6),
    ("新增城镇就业", "new-urban-jobs", 1),
    ("失业率", "urban-unemployment-rate", 1),
    ("疫苗", "covid-vaccine-doses", 1),
    ("学位", "new-school-places", 1),
    ("专利", "patents", 1),
    ("网格员", "grid-workers", 1),
    ("福园巷子", "fuyuan-lane-pedestrian-street", 2),
    ("隆基", "longi-ten-billion-enterprise", 1),
    # traditional characters
    ("就業", "new-urban-jobs", 6),
    ("學位", "new-school-places", 1),
    ("疫苗接種", "covid-vaccine-doses", 1),
    ("網格員", "grid-workers", 1),
    ("養老保險", "land-lost-farmers-pension-subsidy", 1),
    # pinyin, any case, spaced or not, and initials
    ("jiuye", "new-urban-jobs", 6),
    ("JiuYe", "new-urban-jobs", 6),
    ("jiu ye", "new-urban-jobs", 6),
    ("shiyelv", "urban-unemployment-rate", 1),
    ("shiyelu", "urban-unemployment-rate", 1),
    ("yimiao", "covid-vaccine-doses", 2),
    ("xuewei", "new-school-places", 1),
    ("zhuanli", "patents", 1),
    ("qinlegou", "qinlegou", 1),
    ("xinxinqinjia", "xinxin-qinjia", 1),
    ("jy", "new-urban-jobs", 20),  # 就业, and 教育 too
    ("jy", "basic-education-three-year-action", 20),
    ("syl", "urban-unemployment-rate", 1),
    ("zhongdian", "groundbreaking-events", 2),
    ("hehuzhangzhi", "river-lake-chiefs", 1),  # 长 is read chang first; zhang matches too
    # English, any case, plural-tolerant
    ("employment", "new-urban-jobs", 3),
    ("Unemployment", "urban-unemployment-rate", 1),
    ("vaccine", "covid-vaccine-doses", 1),
    ("vaccines", "covid-vaccine-doses", 1),
    ("patent", "patents", 1),
    ("education investment", "infrastructure-investment", 1),
    ("pedestrian street", "fuyuan-lane-pedestrian-street", 1),
    ("LONGi", "longi-ten-billion-enterprise", 1),
    # full-width and half-width, figures and units
    ("９７１７", "new-urban-jobs", 1),
    ("9717", "new-urban-jobs", 1),
    ("2.68", "urban-unemployment-rate", 1),
    ("２.６８％", "urban-unemployment-rate", 1),
    ("亿元", "funds-in-place", 4),
    ("PM10", "pollutants-third-decline", 1),
    ("pm10", "pollutants-third-decline", 1),
    ("A+H", "caihong-a-h-listing", 1),
    ("Ａ＋Ｈ", "caihong-a-h-listing", 1),
    # punctuation in the query is ignored
    ("“五个一”", "five-ones-mechanism", 1),
    ("五个一", "five-ones-mechanism", 1),
    ('"秦乐购"', "qinlegou", 1),
    ("「心心秦家」", "xinxin-qinjia", 1),
    ("秦英荟·人才之家", "qinyinghui-talent-home", 1),
    ("秦英荟人才之家", "qinyinghui-talent-home", 1),
    ("双报到—为民行", "double-report-in", 1),
    ("《“三个三”激发乡村振兴“双引擎”》", "rural-talent-case", 1),
    # several terms: all must match
    ("就业 9717", "new-urban-jobs", 1),
    ("疫苗 vaccine", "covid-vaccine-doses", 1),
]


@pytest.mark.parametrize(("query", "slug", "n"), FINDS)
def test_a_query_finds_its_fact(loaded: Loaded, query: str, slug: str, n: int) -> None:
    assert slug in top(loaded, query, n), top(loaded, query, n)


# Latin words the text joins with a dash are words of their own, and letters run into digits find them
DASHED = [
    ("self governing", "jinhua-community-national-title", 1),
    ("grassroots self", "jinhua-community-national-title", 1),
    ("covid19 vaccine", "covid-vaccine-doses", 1),
    ("selfgoverning", "jinhua-community-national-title", 1),  # or typed without the dash
    ("year action basic", "basic-education-three-year-action", 1),
    ("西安咸阳", "xian-xianyang-integration", 1),  # a dash between Chinese words parts nothing
]


@pytest.mark.parametrize(("query", "slug", "n"), DASHED)
def test_a_dash_between_latin_words_parts_them(loaded: Loaded, query: str, slug: str, n: int) -> None:
    assert slug in top(loaded, query, n), top(loaded, query, n)


# query → nothing at all
FINDS_NOTHING = ["jiu", "xyzzy", "就业 xyzzy", "9718", "", "“”", "***", "employmentt"]


@pytest.mark.parametrize("query", FINDS_NOTHING)
def test_a_query_with_no_fact_finds_nothing(loaded: Loaded, query: str) -> None:
    assert top(loaded, query, 200) == []


# query → facts that must not be among its results at all
NOT_AMONG = [
    ("jiuye", "old-compounds-renovation"),  # 旧 is jiu too, but 旧小 is not jiuye
    ("jiuye", "covid-vaccine-doses"),
    ("ye", "new-urban-jobs"),  # one syllable is too loose a key for pinyin
    ("68", "urban-unemployment-rate"),  # numbers match from their start
    ("717", "new-urban-jobs"),
    ("jy", "opinions-heard"),  # 建议 spells jy, but only inside a label: short initials need a whole word
    ("就业", "covid-vaccine-doses"),
    ("9717", "workers-trained-for-enterprises"),
    ("employment", "covid-vaccine-doses"),
    ("亿元", "new-urban-jobs"),
    ("19", "covid-vaccine-doses"),  # a number after a word and a dash is part of a name: COVID-19
]


def test_a_term_with_tone_numbers_is_never_read_as_initials(loaded: Loaded) -> None:
    """SO2 is sulphur dioxide, not 社区 (she qu, whose 区 also reads ou) with a tone number."""
    forms = {match.form for hit in search(loaded.search_index, ["SO2"]) for match in hit.matches}
    assert "initials" not in forms
    assert "pinyin" in {match.form for hit in search(loaded.search_index, ["jiu4ye4"]) for match in hit.matches}


@pytest.mark.parametrize(("query", "slug"), NOT_AMONG)
def test_a_query_does_not_drag_in_unrelated_facts(loaded: Loaded, query: str, slug: str) -> None:
    assert slug not in top(loaded, query, 200)


def test_exact_label_comes_first_then_labels_then_tags_then_quotes(loaded: Loaded) -> None:
    assert top(loaded, "新增城镇就业", 1) == ["new-urban-jobs"]
    ranked = top(loaded, "就业", 10)
    label_hits = [slug for slug in ranked if "就业" in loaded.book.fact_by_slug(slug).label]
    assert ranked[: len(label_hits)] == label_hits
    assert ranked[-1] == "urban-unemployment-rate"  # only a tag says 就业


def test_equal_scores_keep_report_order_and_runs_agree(loaded: Loaded) -> None:
    hits = search(loaded.search_index, ["就业"])
    assert len({h.score for h in hits}) < len(hits), "the case needs ties"
    for score in {h.score for h in hits}:
        tied = [h.position for h in hits if h.score == score]
        assert tied == sorted(tied)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits == search(loaded.search_index, ["就业"])


def test_any_switches_to_or(loaded: Loaded) -> None:
    assert top(loaded, "专利 疫苗", 10) == []
    assert set(top(loaded, "专利 疫苗", 10, any_term=True)) == {"patents", "covid-vaccine-doses"}


def test_the_match_says_which_field_and_form(loaded: Loaded) -> None:
    def first(query: str) -> tuple[str, str]:
        match = search(loaded.search_index, [query])[0].matches[0]
        return match.field, match.form

    assert first("新增城镇就业") == ("label", "text")
    assert first("就業") == ("label", "traditional")
    assert first("shiyelv") == ("label", "pinyin")
    assert first("９７１７") == ("raw", "full-width")
    assert first("vaccines") == ("tag", "plural")
    assert first("jy") == ("tag", "initials")


def test_suggestions_come_from_labels_and_tags_as_text_or_pinyin(loaded: Loaded) -> None:
    assert "就业" in suggest(loaded.search_index, loaded.book, ["jiuyee"]).queries
    assert "employment" in suggest(loaded.search_index, loaded.book, ["employmnet"]).queries
    assert suggest(loaded.search_index, loaded.book, ["“”"]).queries == []


def test_folding_keeps_figures_and_drops_quotes() -> None:
    assert fold("“五个一”包抓", {}) == "五个一包抓"
    assert fold("２.６８％ A+H PM10", {}) == "2.68% a+h pm10"
    assert fold("學位", {"學": "学"}) == "学位"


PLAIN = st.text(st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), st.sampled_from("aZ09xQ")))


@given(text=st.one_of(PLAIN, st.text()))
def test_the_quick_fold_of_plain_text_is_the_full_fold(text: str) -> None:
    t2s = {"業": "业", "學": "学"}
    assert fold(text, t2s) == "".join(_fold_chars(text, t2s)[0])
