"""Figures found in a text, held against the facts: the claim finder, the matcher and the verdicts.

Pure functions. `find_claims` reads every figure a text states (digits half- or full-width,
thousands separators, decimals, 万/亿/千 and thousand/million/billion, percent, a unit in Chinese
or English, a qualifier); years, dates, ordinals, list numbers and names such as PM10 are not
claims. `check` holds each claim against the fact book: the words around it, folded as search
folds them, say which fact it is about; its value, normalized exactly, says whether it agrees.
A claim is `supported` only when both agree; when the words do not point clearly at one fact,
or the report's figure cannot settle the claim, it is `unverifiable`, with the reason.
"""

import bisect
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from qindu_cli.errors import QinduError
from qindu_cli.model import Fact, FactBook
from qindu_cli.search import SearchIndex, fold
from qindu_cli.units import lookup

MAX_BYTES = 512 * 1024  # a long article is tens of kilobytes; past this `check` refuses the input


def text_of(data: bytes, name: str) -> str:
    """The text to check in `data`, or a QinduError saying why it is not UTF-8 text of a fair size."""
    if len(data) > MAX_BYTES:
        raise QinduError(f"{name}: over the {MAX_BYTES // 1024} KiB limit for a text to check; split it")
    if b"\0" in data:
        raise QinduError(f"{name}: binary data, not text; give qindu check a UTF-8 text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text (byte {exc.start}); convert it first, e.g. with iconv -t UTF-8"
        raise QinduError(f"{name}:{line}: {message}") from None


SUPPORTED, CONTRADICTED, UNVERIFIABLE = "supported", "contradicted", "unverifiable"
VERDICTS = (SUPPORTED, CONTRADICTED, UNVERIFIABLE)

# The likely error named in a contradicted claim's reason.
SCALE, TRANSPOSED, WRONG_UNIT, ROUNDING, OTHER_FACT, DIFFERENT = (
    "scale slip",
    "transposed digits",
    "wrong unit",
    "rounding beyond the written precision",
    "another fact's figure",
    "a different figure",
)

# ── the claim finder ──────────────────────────────────────────────────────────

# Full-width ASCII to half-width, one character for one, so offsets stay those of the input.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_NUMBER = re.compile(r"(?<![A-Za-z0-9.])(?<!\d,)(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_SCALES = {"千": Decimal(10) ** 3, "万": Decimal(10) ** 4, "亿": Decimal(10) ** 8}
_EN_SCALES = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
}
_ZH_BEFORE = re.compile(  # not the 约 of 签约 or the 近 of 附近
    r"(突破|不超过|超过|不足|不到|将近|接近|大约|约为|逾|(?<![签合节制预履公条邀违])约|(?<![附最临邻靠亲])近|(?<![赶])超)\s*$"
)
_EN_BEFORE = re.compile(
    r"(?<![a-z])(more than|over|just over|in excess of|nearly|almost|close to|about|around|approximately|roughly|"
    r"some|topped|exceeded|surpassed|at least|no fewer than|no less than|up to|at most|no more than|less than|"
    r"fewer than|under)\s+$",
    re.IGNORECASE,
)
_QUALIFIER_WORDS = {
    "more_than": "突破 超过 逾 超 余 多|more than|over|just over|in excess of|topped|exceeded|surpassed",
    "at_least": "以上|at least|no fewer than|no less than",
    "approx": "约 约为 大约 近 将近 接近 左右|nearly|almost|close to|about|around|approximately|roughly|some",
    "at_most": "不超过 以内 不足 不到|up to|at most|no more than|less than|fewer than|under",
}
_QUALIFIERS = {
    word: qualifier
    for qualifier, words in _QUALIFIER_WORDS.items()
    for group in words.split("|")
    for word in ([group] if group.isascii() else group.split())
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What a unit measures: figures compare only within one kind. Counts of people and counts of
# things are apart (9717人 is not 9717户); the counters of things (个, 家, 所…) are one kind.
_PERSON_UNITS = frozenset(("人", "名", "位", "人次"))
_BASE_KINDS = {"元": "money", "m²": "area", "吨": "mass", "%": "percent", "学时": "hours", "天": "days"}
# Chinese units that the unit table does not hold, as (base unit, factor, kind).
_ZH_EXTRA = {
    "美元": ("美元", Decimal(1), "dollars"),
    "个百分点": ("百分点", Decimal(1), "points"),
    "百分点": ("百分点", Decimal(1), "points"),
    "公顷": ("m²", Decimal(10000), "area"),
    "平方米": ("m²", Decimal(1), "area"),
    "平方公里": ("m²", Decimal(10) ** 6, "area"),
    "公斤": ("吨", Decimal("0.001"), "mass"),
    "小时": ("学时", Decimal(1), "hours"),
    "座": ("座", Decimal(1), "things"),
    "辆": ("辆", Decimal(1), "things"),
    "台": ("台", Decimal(1), "things"),
    "间": ("间", Decimal(1), "things"),
    "张": ("张", Decimal(1), "things"),
    "份": ("份", Decimal(1), "things"),
    "栋": ("栋", Decimal(1), "things"),
    "批": ("批", Decimal(1), "things"),
}
_EN_UNITS = {
    "yuan": ("元", Decimal(1), "money"),
    "rmb": ("元", Decimal(1), "money"),
    "dollars": ("美元", Decimal(1), "dollars"),
    "usd": ("美元", Decimal(1), "dollars"),
    "mu": ("m²", Decimal(2000) / Decimal(3), "area"),
    "hectares": ("m²", Decimal(10000), "area"),
    "acres": ("m²", Decimal("4046.8564224"), "area"),
    "square": ("m²", Decimal(1), "area"),
    "tonnes": ("吨", Decimal(1), "mass"),
    "tons": ("吨", Decimal(1), "mass"),
    "percent": ("%", Decimal(1), "percent"),
    "hours": ("学时", Decimal(1), "hours"),
    "days": ("天", Decimal(1), "days"),
}
_EN_PEOPLE = _words(
    "people persons residents jobs workers officials cadres members talents researchers doctors teachers "
    "students farmers employees staff person-times graduates volunteers"
)
# Words after a number that make it a time or a rank rather than an amount.
_ZH_NOT_AMOUNT = tuple("年月日号时点分秒岁届级楼层倍周代版路")
_EN_NOT_AMOUNT = _words("years year months month weeks week am pm a.m. p.m. st nd rd th o'clock")
_MONTHS = _words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_EN_STOP = _words(
    "a an the and or of in on at to for by with from as is was were be been are has have had it its this that "
    "these those than which who what per each all their our his her more new also into over under about some"
)
_EN_BREAK = _words(
    "a an the and or of in on at to for by with from as is was were be been are has have had it its this that "
    "than which who what per"
)  # a word that ends the search for a unit after a number
# Unit words that say how a figure is counted, not what it is about.
_GENERIC = _words("peopl perso resid yuan rmb perce cent")
_WORD = re.compile(r"[a-z][a-z'-]*")


_HUNDREDTH = Decimal("0.01")


class Claim(NamedTuple):
    """A figure stated in a text, where it stands and what it says."""

    text: str  # as written, with its qualifier and unit
    line: int  # 1-based
    start: int  # code-point offsets into the input, end exclusive
    end: int
    number: str  # the digits as written, without separators: 9717, 10.09
    unit: str | None  # as written, with its scale: 亿元, billion yuan, jobs; None for a bare number
    qualifier: str | None  # more_than, at_least, approx or at_most
    scale: Decimal  # 万, million…: what the number is multiplied by before its unit
    base_unit: str | None
    factor: Decimal  # one of the unit in its base unit
    kind: str | None  # money, area, people, things…: what the unit measures

    @property
    def value(self) -> Decimal:
        return Decimal(self.number)

    @property
    def normalized(self) -> tuple[Decimal, str] | None:
        if self.base_unit is None:
            return None
        value = self.value * self.scale * self.factor
        if self.base_unit == "m²":
            value = value.quantize(_HUNDREDTH)  # as the unit table rounds 亩
        return _exact(value), self.base_unit

    @property
    def step(self) -> Decimal:
        """The place of the last significant digit written, in the base unit: 9,700 is 100; 100.9亿元 is 10^7."""
        return _last_place(self.number) * self.scale * self.factor


def _exact(number: Decimal) -> Decimal:
    """A Decimal without trailing zeros or exponent noise: 10090000000, not 1.009E+10."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def _last_place(number: str) -> Decimal:
    if "." in number:
        return Decimal(1).scaleb(-len(number.split(".")[1]))
    stripped = number.rstrip("0")
    return Decimal(1).scaleb(len(number) - len(stripped)) if stripped else Decimal(1)


def unit_kind(unit: str) -> tuple[str, Decimal, str] | None:
    """A unit as written (亿元, 人, jobs, hectares) as its base unit, factor and kind, or None."""
    entry = lookup(unit)
    if entry is not None:
        kind = _BASE_KINDS.get(entry.base) or ("people" if entry.base in _PERSON_UNITS else "things")
        return entry.base, entry.factor, kind
    if unit in _ZH_EXTRA:
        return _ZH_EXTRA[unit]
    lowered = unit.lower()
    if lowered in _EN_UNITS:
        return _EN_UNITS[lowered]
    if lowered in _EN_PEOPLE:
        return "人", Decimal(1), "people"
    return None


_ZH_UNITS_LONGEST = 4


def _zh_unit(text: str, at: int) -> str | None:
    for length in range(_ZH_UNITS_LONGEST, 0, -1):
        candidate = text[at : at + length]
        if len(candidate) == length and unit_kind(candidate) is not None and not candidate.isascii():
            return candidate
    return None


def find_claims(text: str) -> list[Claim]:
    """Every figure the text states, in order. Bare numbers are included with no unit; `check`
    keeps one only when its words point at a fact."""
    half = text.translate(_HALF_WIDTH)
    lines = _line_starts(text)
    claims: list[Claim] = []
    for found in _NUMBER.finditer(half):
        claim = _claim_at(half, found, text)
        if claim is not None:
            claims.append(claim._replace(line=bisect.bisect_right(lines, claim.start)))
    return claims


def _line_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find("\n")
    while at != -1:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def _claim_at(half: str, found: re.Match[str], text: str) -> Claim | None:
    start, end = found.span()
    number = found.group().replace(",", "")
    before = half[max(0, start - 16) : start]
    if _not_an_amount(half, start, end, number, before, half[end : end + 40]):
        return None
    qualifier: str | None = None
    scale = Decimal(1)
    unit: str | None = None
    measure: tuple[str, Decimal, str] | None = None
    at = end
    # Chinese: 余 or 多, a scale, 余 or 多, a unit, then 以上, 左右 or 以内
    middle = re.match(r"(余|多)?([千万亿]{1,2})?(余|多)?", half[at:])
    assert middle is not None
    scales = middle.group(2) or ""
    zh_at = at + middle.end()
    zh_unit = "%" if half[zh_at : zh_at + 1] == "%" else _zh_unit(half, zh_at)
    if zh_unit is not None or scales:
        for char in scales:
            scale *= _SCALES[char]
        if middle.group(1) or middle.group(3):
            qualifier = "more_than"
        at = zh_at
        unit = scales or None
        if zh_unit is not None:
            measure = unit_kind(zh_unit)
            unit = scales + zh_unit
            at += len(zh_unit)
        tail = re.match(r"以上|左右|以内", half[at:])
        if tail and qualifier is None:
            qualifier = _QUALIFIERS[tail.group()]
            at += tail.end()
    else:
        english = _english_unit(half, end)
        if english is not None:
            at, unit, scale, measure = english
    first = start
    zh = _ZH_BEFORE.search(before)
    en = _EN_BEFORE.search(before)
    if qualifier is None and (zh or en):
        written = zh or en
        assert written is not None
        qualifier = _QUALIFIERS[written.group(1).lower()]
        first = start - (len(before) - written.start())
    currency = re.search(r"(?:RMB|CNY|¥)\s*$", before)
    if currency and measure is None:
        measure = ("元", Decimal(1), "money")
        unit = " ".join(part for part in (currency.group().strip(), unit) if part)
        first = min(first, start - (len(before) - currency.start()))
    if before.endswith("百分之") and measure is None:
        measure, unit = ("%", Decimal(1), "percent"), "%"
        first = min(first, start - 3)
    base, factor, kind = measure if measure is not None else (None, Decimal(1), None)
    return Claim(text[first:at], 0, first, at, number, unit, qualifier, scale, base, factor, kind)


def _not_an_amount(half: str, start: int, end: int, number: str, before: str, after: str) -> bool:
    """Years, dates, times, ordinals, list numbers, and digits inside names (PM10, 1号线)."""
    if before.endswith(("第", "No.", "No. ", "#")) or after.startswith(tuple(_ZH_NOT_AMOUNT)):
        return True
    if re.match(r"[A-Za-z]", after[:1]) and not re.match(r"(?:bn|mn)\b", after, re.IGNORECASE):
        return True  # 5G, 10km, 1st: part of a word
    if re.search(r"[A-Za-z][-‐]$", before):
        return True  # COVID-19, G-20: part of a name
    if re.match(r"[-–—/:~～]\d", after) or re.search(r"\d[-–—/:~～]$", before):
        return True  # 2022-23, 12/5, 10:30
    if re.match(r"\s*[-‐–]?\s*(?:year|month|week|day)-?old\b", after, re.IGNORECASE):
        return True
    words = _WORD.findall(after[:16].lower())
    if words and words[0] in _EN_NOT_AMOUNT:
        return True
    previous = re.findall(r"[A-Za-z]+", before[-12:])
    if (previous and previous[-1].lower() in _MONTHS) or (words and words[0] in _MONTHS):
        return True
    line_start = half.rfind("\n", 0, start) + 1
    at_line_start = re.fullmatch(r"\s*[(（]?", half[line_start:start]) is not None
    if at_line_start and re.match(r"[.、)）](?!\d)", after):
        return True  # 1. 1、 (1): a list number
    if "." not in number and re.fullmatch(r"(19|20)\d\d", number) and not re.match(r"\s*[千万亿]", after):
        return _zh_unit(half, end) is None and not re.match(r"\s*[a-zA-Z%]", after)
    return False


def _english_unit(half: str, at: int) -> tuple[int, str, Decimal, tuple[str, Decimal, str] | None] | None:
    """After a number: a scale word, then `%`/percent or a unit word within four words."""
    scale = Decimal(1)
    rest = half[at:]
    scale_match = re.match(r"\s*(thousand|million|billion|mn|bn)\b", rest, re.IGNORECASE)
    offset = 0
    scale_text = ""
    if scale_match:
        scale = _EN_SCALES[scale_match.group(1).lower()]
        scale_text = scale_match.group(1)
        offset = scale_match.end()
    percent = re.match(r"\s*(%|percent\b|per cent\b)", rest[offset:], re.IGNORECASE)
    if percent:
        end = at + offset + percent.end()
        return end, (scale_text + " " + percent.group(1)).strip(), scale, ("%", Decimal(1), "percent")
    position = offset
    for _ in range(4):
        word = re.match(r"\s+([A-Za-z][A-Za-z'-]*)", rest[position:])
        if word is None:
            break
        name = word.group(1).lower()
        position += word.end()
        if name == "square" and re.match(r"\s+(?:metres|meters|kilometres|kilometers)", rest[position:]):
            square = re.match(r"\s+\w+", rest[position:])
            assert square is not None
            position += square.end()
            factor = Decimal(10) ** 6 if "kilo" in square.group() else Decimal(1)
            return at + position, (scale_text + " square" + square.group()).strip(), scale, ("m²", factor, "area")
        shown = f"{scale_text} {word.group(1)}".strip()
        known = unit_kind(name)
        if known is not None:
            return at + position, shown, scale, known
        if name in _EN_BREAK or name in _EN_NOT_AMOUNT:
            break
        if len(name) > 3 and name.endswith("s") and not name.endswith("ss"):  # a plural noun: a count of them
            return at + position, shown, scale, ("个", Decimal(1), "things")
    if scale_text:
        return at + offset, scale_text, scale, None
    return None


# ── the matcher ───────────────────────────────────────────────────────────────

_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_EN_WORD = re.compile(r"[a-z][a-z'&-]*")
_SENTENCE_END = re.compile(r"[。！？!?;；\n]|\.(?=\s|$)")
_CLAUSE_END = re.compile(r"[，、：:]|,(?!\d{3})")
_FIELD_WEIGHT = {"label": 1.0, "tag": 0.8, "quote": 0.5}
# Words too common in the report or in news copy to say which fact a figure is about.
_COMMON = frozenset(("秦都", "都区", "全区", "全年", "去年", "今年", "累计", "共计", "qindu", "distr", "total"))


_STEM = 5
_FUNCTION = frozenset("的和与及等了在对为是")  # a pair with one of these says nothing of its own: 到的, 的社
_ENDINGS = ("ation", "ing", "ion", "ed")


def terms(folded: str) -> set[str]:
    """What a folded text is compared by: pairs of adjacent Chinese characters and English word stems."""
    found: set[str] = set()
    for run in _HAN_RUN.findall(folded):
        found.update(pair for i in range(max(1, len(run) - 1)) if not _FUNCTION & set(pair := run[i : i + 2]))
    for word in _EN_WORD.findall(folded):
        word = word.strip("'-").removesuffix("'s")
        if len(word) < 3 or word in _EN_STOP:
            continue
        if word.endswith("ies") and len(word) > 4:
            word = word[:-3] + "y"
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            word = word[:-1]
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
        found.add(word[:_STEM])  # vaccine, vaccinated, vaccination; tested, testing: one stem
    return found - _COMMON


class Folder:
    """`search.fold`, a character at a time, each distinct character folded once.

    fold works character by character (NFKC, case, traditional to simplified, punctuation out, but
    a dash between Latin words and numbers), so folding a text is folding each of its characters;
    an article has a few hundred distinct ones.
    """

    __slots__ = ("_dashes", "_folded", "_t2s", "_words")

    def __init__(self, t2s: dict[str, str]) -> None:
        self._t2s = t2s
        self._folded: dict[str, str] = {}
        self._dashes: set[str] = set()  # characters that fold keeps as "-" between Latin words and numbers
        self._words: set[str] = set()  # characters before which such a dash is kept

    def __call__(self, text: str) -> str:
        folded = self._folded
        out: list[str] = []
        dash = False
        for char in text:
            done = folded.get(char)
            if done is None:
                done = folded[char] = fold(char, self._t2s)
                if fold(f"a{char}a", self._t2s) == "a-a":
                    self._dashes.add(char)
                if done and fold(f"a-{char}", self._t2s) == f"a-{done}":
                    self._words.add(char)
            if not done:
                dash = char in self._dashes and bool(out) and out[-1][-1].isascii() and out[-1][-1].isalnum()
                continue
            if dash and char in self._words:
                out.append("-")
            dash = False
            out.append(done)
        return "".join(out)


class Profile(NamedTuple):
    """What the matcher knows of one indicator: its terms, each with the weight of where it stands."""

    fact: Fact
    weights: dict[str, float]
    labels: tuple[frozenset[str], ...]  # the terms of its Chinese and of its English label
    measure: tuple[Decimal, Decimal, str]  # its normalized value, the step of its last digit, its unit's kind


class Matcher(NamedTuple):
    """Profiles of every indicator of a book, and for each term the profiles that have it and how much it counts."""

    profiles: list[Profile]
    postings: dict[str, list[tuple[int, float]]]  # term -> (profile, weight times rarity)
    label_terms: dict[str, list[tuple[int, int]]]  # term -> (profile, which label)
    fold: Folder


def matcher(book: FactBook, index: SearchIndex) -> Matcher:
    """Derived from the book at each run: folding 80 labels, tags and quotes costs a few milliseconds."""
    profiles: list[Profile] = []
    folder = Folder(index.t2s)
    for fact in book.facts:
        if fact.kind != "indicator" or fact.normalized is None:
            continue
        weights: dict[str, float] = {}
        quote = fact.quote.replace(fact.raw or "", " ")
        for field, text in (("label", fact.label), ("label", fact.label_en), ("quote", quote)):
            for term in terms(folder(text)):
                weights[term] = max(weights.get(term, 0.0), _FIELD_WEIGHT[field])
        for tag in fact.tags:
            for term in terms(folder(tag)):
                weights[term] = max(weights.get(term, 0.0), _FIELD_WEIGHT["tag"])
        labels = [frozenset(terms(folder(text))) for text in (fact.label, fact.label_en)]
        # a tag of several English words is a name of the fact too: `COVID-19 testing`, `investment funds`
        labels += [frozenset(terms(folder(tag))) for tag in fact.tags if tag.isascii() and " " in tag.strip()]
        profiles.append(Profile(fact, weights, tuple(label for label in labels if label), _fact_measure(fact)))
    counts: dict[str, int] = {}
    for profile in profiles:
        for term in profile.weights:
            counts[term] = counts.get(term, 0) + 1
    postings: dict[str, list[tuple[int, float]]] = {}
    label_terms: dict[str, list[tuple[int, int]]] = {}
    for number, profile in enumerate(profiles):
        for term, weight in profile.weights.items():
            postings.setdefault(term, []).append((number, weight * math.log(1 + len(profiles) / counts[term])))
        for which, label in enumerate(profile.labels):
            for term in label:
                label_terms.setdefault(term, []).append((number, which))
    return Matcher(profiles, postings, label_terms, folder)


class Scored(NamedTuple):
    score: float
    profile: Profile
    cover: float  # the largest share of one of its labels found around the claim


_WHOLE_LABEL = 4.0  # every word of a label in the claim's clause
_WEIGHTS = (1.5, 1.0, 0.6, 0.3)  # a term of the claim itself, next to it, in its clause, in its sentence


def rank(context: Sequence[set[str]], known: Matcher) -> list[Scored]:
    """The indicators sharing terms with the claim's surroundings (nearest first), best first."""
    scores: dict[int, float] = {}
    seen: set[str] = set()
    for terms_at, closeness in zip(context, _WEIGHTS, strict=True):
        if closeness == _WEIGHTS[0]:
            terms_at = terms_at - _GENERIC  # `people` in `9,717 people` says how, not what; it still covers a label
        for term in terms_at - seen:
            for number, weight in known.postings.get(term, ()):
                scores[number] = scores.get(number, 0.0) + weight * closeness
        seen |= terms_at
    seen |= context[0]
    near = context[0] | context[1] | context[2]
    found: dict[tuple[int, int], int] = {}
    found_near: dict[tuple[int, int], int] = {}
    for term in seen:
        for key in known.label_terms.get(term, ()):
            found[key] = found.get(key, 0) + 1
            if term in near:
                found_near[key] = found_near.get(key, 0) + 1
    covers: dict[int, float] = {}
    for (number, which), count in found.items():
        size = len(known.profiles[number].labels[which])
        covers[number] = max(covers.get(number, 0.0), count / size)
        if found_near.get((number, which)) == size and number in scores:
            scores[number] += _WHOLE_LABEL
    order = sorted(scores, key=lambda n: (-scores[n], n))  # among equals, report order
    return [Scored(scores[n], known.profiles[n], covers.get(n, 0.0)) for n in order]


def _spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    spans, start = [], 0
    for found in pattern.finditer(text):
        spans.append((start, found.end()))
        start = found.end()
    spans.append((start, len(text)))
    return spans


class Context(NamedTuple):
    """The words around a claim: next to it, in its clause up to its neighbours, elsewhere in its sentence."""

    own: str  # the claim's own words: `jobs` in `9,717 jobs`
    next_to: str
    clause: str
    sentence: str


_NEXT_TO_HAN, _NEXT_TO_LATIN = 8, 30  # characters on each side that count as next to a claim


def contexts(text: str, claims: Sequence[Claim]) -> list[Context]:
    """For each claim, the words around it (the claim's own unit words count as next to it)."""
    out = []
    sentences = _spans(text, _SENTENCE_END)
    ends = [end for _, end in sentences]
    for number, claim in enumerate(claims):
        s_start, s_end = sentences[min(bisect.bisect_right(ends, claim.start), len(sentences) - 1)]
        clauses = [(a + s_start, b + s_start) for a, b in _spans(text[s_start:s_end], _CLAUSE_END)]
        c_start, c_end = next(((a, b) for a, b in clauses if a <= claim.start < b), (s_start, s_end))
        left = max(c_start, claims[number - 1].end) if number else c_start
        right = min(c_end, claims[number + 1].start) if number + 1 < len(claims) else c_end
        before = _word_edge(text, max(left, claim.start - _reach(text[left : claim.start][-3:])), left)
        after = _word_edge(text, min(right, claim.end + _reach(text[claim.end : right][:3])), right, forward=True)
        next_to = text[before : claim.start] + " " + text[claim.end : after]
        clause = text[left:before] + " " + text[after:right]
        sentence = text[s_start:left] + " " + text[right:s_end]
        out.append(Context(claim.text, next_to, clause, sentence))
    return out


def _reach(edge: str) -> int:
    return _NEXT_TO_LATIN if re.search(r"[A-Za-z]", edge) else _NEXT_TO_HAN


def _word_edge(text: str, at: int, limit: int, forward: bool = False) -> int:
    """`at` moved out to the edge of the Latin word it falls in, not past `limit`."""
    step = 1 if forward else -1
    while at != limit and 0 < at < len(text) and text[at - 1 : at + 1].isascii() and text[at - 1 : at + 1].isalpha():
        at += step
    return at


# ── the verdicts ──────────────────────────────────────────────────────────────

# Score thresholds, set on the corpus in tests/data/check (see score.py there). A rare two-character
# word of a fact's label scores about 4; a label found whole, 10 and more.
_WEAK = 3.0  # below this, no fact is about the claim
_SHARED = 1.0  # a fact sharing a word with the claim: enough to say that the claim took its figure
_CLEAR = 5.0  # at least this, and _MARGIN times the next fact: the words point at one fact
_STRONG = 9.0  # a figure that differs for no nameable reason needs words this clear to be called wrong
_MARGIN = 1.5
_COVER = 0.5  # at least this share of one of its labels is found around the claim, to support or contradict
_CLOSE = 0.8  # a fact whose figure agrees must score this share of the best to be the one meant
_PART_WORDS = re.compile(r"其中|中有|包括|含|\b(?:of whom|of which|including|among them)\b")
_CHANGE_WORDS = re.compile(
    r"减少|下降|降低|增加|增长|提高|上升|\b(?:fewer|less|decreas\w*|drop\w*|fell|down|more|increas\w*|rose|up)\b"
)


class Checked(NamedTuple):
    """A claim and its verdict: the fact it was held against, why, and the runners-up."""

    claim: Claim
    verdict: str
    reason: str
    fact: Fact | None = None
    why: str = ""  # the reason in a few words: the kind of error of a contradicted claim, say
    candidates: tuple[str, ...] = ()

    def as_record(self) -> dict[str, object]:
        from qindu_cli.fields import json_number

        claim = self.claim
        normalized = claim.normalized
        return {
            "text": claim.text,
            "line": claim.line,
            "start": claim.start,
            "end": claim.end,
            "value": json_number(claim.number),
            "unit": claim.unit,
            "qualifier": claim.qualifier,
            "normalized": {
                "value": json_number(str(normalized[0] if normalized else _exact(claim.value * claim.scale))),
                "unit": normalized[1] if normalized else None,
            },
            "verdict": self.verdict,
            "reason": self.reason,
            "fact": None if self.fact is None else self.fact.as_record(),
            "candidates": list(self.candidates),
        }


class _Range(NamedTuple):
    """The values a figure allows: low and high (None for unbounded), each included or not."""

    low: Decimal | None
    low_in: bool
    high: Decimal | None
    high_in: bool

    def within(self, other: "_Range") -> bool:
        if other.low is not None and (
            self.low is None or self.low < other.low or (self.low == other.low and self.low_in and not other.low_in)
        ):
            return False
        return not (
            other.high is not None
            and (
                self.high is None
                or self.high > other.high
                or (self.high == other.high and self.high_in and not other.high_in)
            )
        )

    def apart(self, other: "_Range") -> bool:
        def below(a: "_Range", b: "_Range") -> bool:
            return (
                a.high is not None
                and b.low is not None
                and (a.high < b.low or (a.high == b.low and not (a.high_in and b.low_in)))
            )

        return below(self, other) or below(other, self)


def _range(value: Decimal, qualifier: str | None, step: Decimal, some: bool = False) -> _Range:
    """What a written figure allows. `some` (余, 多): no more than the next step of the last digit."""
    if qualifier == "more_than":
        return _Range(value, False, value + step if some else None, False)
    if qualifier == "at_least":
        return _Range(value, True, None, False)
    if qualifier == "at_most":
        return _Range(None, False, value, True)
    if qualifier == "approx":
        half = min(step / 2, value / 10)
        return _Range(value - half, True, value + half, True)
    return _Range(value, True, value, True)


def _fact_measure(fact: Fact) -> tuple[Decimal, Decimal, str]:
    """A fact's normalized value, the step of its last written digit in the base unit, and its unit's kind."""
    assert fact.normalized is not None and fact.value is not None and fact.unit is not None
    normalized = Decimal(fact.normalized.value), fact.normalized.unit
    factor = normalized[0] / Decimal(fact.value) if Decimal(fact.value) else Decimal(1)
    measure = unit_kind(fact.unit)
    kind = measure[2] if measure else "things"
    return normalized[0], _last_place(fact.value) * factor, kind


def _claim_in(claim: Claim, fact: Fact) -> tuple[Decimal, Decimal]:
    """The claim's value and step in the fact's base unit; a bare number is read in the fact's unit."""
    if claim.normalized is not None:
        return claim.normalized[0], claim.step
    assert fact.value is not None and fact.unit is not None
    _, factor, _ = unit_kind(fact.unit) or ("", Decimal(1), "")
    if claim.scale != 1:  # 22万 is read in the fact's base unit; 100.9 alone in its unit as written, 亿元
        factor = factor / (_SCALES.get(fact.unit[0], Decimal(1)))
    return _exact(claim.value * claim.scale * factor), _last_place(claim.number) * claim.scale * factor


def _digits(value: Decimal) -> str:
    return str(_exact(value)).replace(".", "").strip("0")


def _error_kind(claim: Claim, fact: Fact, value: Decimal, step: Decimal) -> str | None:
    """The likely slip that turns the report's figure into the claim's, when one fits."""
    assert fact.normalized is not None
    true = Decimal(fact.normalized.value)
    if claim.number == fact.value:  # the digits are right: the scale word or the unit is not
        fact_scale = _fact_amount(fact) / Decimal(fact.value) if Decimal(fact.value) else Decimal(1)
        return SCALE if claim.scale != fact_scale else WRONG_UNIT
    if value and true:
        ratio = value / true
        exponent = round(math.log10(ratio)) if ratio > 0 else 0
        if exponent and ratio == Decimal(10) ** exponent:
            return SCALE
    a, b = _digits(value), _digits(true)
    if a != b and len(a) == len(b) and sorted(a) == sorted(b):
        return TRANSPOSED
    if claim.qualifier is None and step > 0 and (true / step).to_integral_value() * step == value:
        return ROUNDING
    return None


def _shown(fact: Fact) -> str:
    return f"{fact.label} {fact.raw}"


def judge(claim: Claim, ranked: Sequence[Scored], sentence: str) -> Checked | None:
    """The verdict on one claim from the facts its words point at; None for a bare number about nothing."""
    bare = claim.kind is None
    top = ranked[0].score if ranked else 0.0
    if top < _WEAK:
        if bare:
            return None
        return Checked(claim, UNVERIFIABLE, "no figure of the report is about these words", why="not in the report")
    fitting = [s for s in ranked if bare or s.profile.measure[2] == claim.kind]
    runners = tuple(s.profile.fact.id for s in ranked[:4] if s.score >= _WEAK)
    best = fitting[0] if fitting else None
    for scored in fitting:
        if best is None or scored.score < max(_WEAK, _CLOSE * best.score, top / 2):
            break
        if scored.cover < _COVER:
            continue  # a word or two in common: the same figure may be about something else
        fact = scored.profile.fact
        value, step, _ = scored.profile.measure
        claimed = _claim_in(claim, fact)
        if value and _range(value, fact.qualifier, step, _some(fact)).within(
            _range(claimed[0], claim.qualifier, claimed[1], _claim_some(claim))
        ):
            others = tuple(r for r in runners if r != fact.id)
            if fact.change and not _CHANGE_WORDS.search(sentence.lower()):
                reason = f"the report's {fact.raw} is a change from the year before; the claim does not say so"
                return Checked(claim, UNVERIFIABLE, reason, fact, "a change, not a total", others)
            note = f"; the claim gives no unit, read as {fact.unit}" if bare else ""
            return Checked(claim, SUPPORTED, f"the report says {_shown(fact)}{note}", fact, candidates=others)
    lead = ranked[0].profile.fact
    if lead.id != (best.profile.fact.id if best else None) and _clear(ranked):
        if not bare and _amount(claim) == _fact_amount(lead):
            reason = f"{WRONG_UNIT}: the report says {_shown(lead)}, not {claim.unit}"
            return Checked(claim, CONTRADICTED, reason, lead, WRONG_UNIT, runners[1:])
        if best is None or best.score < _WEAK:
            reason = f"the words point at {_shown(lead)}, which the report counts in another unit than {claim.unit}"
            return Checked(claim, UNVERIFIABLE, reason, lead, "counted in another unit", runners[1:])
    if best is None or not _clear(fitting):
        if bare:
            return None
        alike = best is not None and len(fitting) > 1 and best.score < _MARGIN * fitting[1].score
        match = "match several facts alike" if alike else "match no fact clearly"
        reason = f"the words {match}; the report cannot settle this figure"
        return Checked(claim, UNVERIFIABLE, reason, None, "several facts alike" if alike else "no clear fact", runners)
    return _against(claim, best.profile.fact, best.score, runners, fitting, sentence)


def _clear(ranked: Sequence[Scored]) -> bool:
    """The words point at one fact: it scores well, and well ahead of any other."""
    if not ranked or ranked[0].score < _CLEAR or ranked[0].cover < _COVER:
        return False
    second = next((s.score for s in ranked[1:] if s.profile.fact.id != ranked[0].profile.fact.id), 0.0)
    return ranked[0].score >= _MARGIN * second


def _amount(claim: Claim) -> Decimal:
    return _exact(claim.value * claim.scale)


def _fact_amount(fact: Fact) -> Decimal:
    """The fact's number with its scale (152万剂次 is 1520000), whatever its unit."""
    assert fact.value is not None and fact.unit is not None
    scale = _SCALES.get(fact.unit[0], Decimal(1)) if len(fact.unit) > 1 else Decimal(1)
    return _exact(Decimal(fact.value) * scale)


def _some(fact: Fact) -> bool:
    """余 and 多 say `and some`: 3500多 is under 3600."""
    return fact.qualifier == "more_than" and any(mark in (fact.raw or "") for mark in ("余", "多"))


def _claim_some(claim: Claim) -> bool:
    return claim.qualifier == "more_than" and any(mark in claim.text for mark in ("余", "多"))


def _against(
    claim: Claim, fact: Fact, top: float, runners: tuple[str, ...], ranked: Sequence[Scored], sentence: str
) -> Checked:
    """A claim whose words point clearly at `fact`, and whose figure does not agree with it."""
    runners = tuple(r for r in runners if r != fact.id)
    true, fact_step, _ = _fact_measure(fact)
    value, step = _claim_in(claim, fact)
    claimed = _range(value, claim.qualifier, step, _claim_some(claim))
    reported = _range(true, fact.qualifier, fact_step, _some(fact))
    if fact.qualifier is not None and claim.qualifier is None and value == true:
        bound = f"{fact.qualifier.replace('_', ' ')} {fact.value}"
        reason = f"the report says only {fact.raw} ({bound}), not an exact figure: {_shown(fact)}"
        return Checked(claim, UNVERIFIABLE, reason, fact, "the report gives a bound", runners)
    if not reported.apart(claimed):
        reason = f"the report's {fact.raw} neither confirms nor rules out the claim: {_shown(fact)}"
        return Checked(claim, UNVERIFIABLE, reason, fact, "neither confirmed nor ruled out", runners)
    if claim.qualifier is None and step < fact_step and abs(value - true) * 2 <= fact_step and fact_step > 1:
        reason = f"the report gives {fact.raw}, to the nearest {fact_step:,}; the claim is more precise than that"
        return Checked(claim, UNVERIFIABLE, f"{reason}: {_shown(fact)}", fact, "the report is rounded", runners)
    if _PART_WORDS.search(sentence.lower()):
        reason = f"the claim may count a part of what the report counts: {_shown(fact)}"
        return Checked(claim, UNVERIFIABLE, reason, fact, "may be a part", runners)
    error = _error_kind(claim, fact, value, step)
    if error is not None:
        return Checked(claim, CONTRADICTED, f"{error}: the report says {_shown(fact)}", fact, error, runners)
    if top < _STRONG:
        reason = f"the words point at {_shown(fact)}, but not clearly enough to call a different figure wrong"
        return Checked(claim, UNVERIFIABLE, reason, fact, "words not clear enough", runners)
    other = _figure_of_another(claim, ranked, fact)
    if other is not None:
        reason = f"{OTHER_FACT}: {claim.text} is the report's {_shown(other)}; for this it says {_shown(fact)}"
        return Checked(claim, CONTRADICTED, reason, fact, OTHER_FACT, runners)
    return Checked(claim, CONTRADICTED, f"{DIFFERENT}: the report says {_shown(fact)}", fact, DIFFERENT, runners)


def _figure_of_another(claim: Claim, ranked: Sequence[Scored], meant: Fact) -> Fact | None:
    for scored in ranked:
        fact = scored.profile.fact
        if fact.id == meant.id or scored.score < _SHARED:
            continue
        value, _, kind = scored.profile.measure
        if (claim.kind is None or claim.kind == kind) and _claim_in(claim, fact)[0] == value:
            return fact
    return None


def check(text: str, book: FactBook, index: SearchIndex) -> list[Checked]:
    """Every claim of `text` with its verdict, in the order of the text."""
    claims = find_claims(text)
    if not claims:
        return []
    known = matcher(book, index)
    results = []
    for claim, context in zip(claims, contexts(text, claims), strict=True):
        found = [terms(known.fold(part)) for part in context]
        checked = judge(claim, rank(found, known), " ".join(context))
        if checked is not None:
            results.append(checked)
    return results
