"""Query folding, the search index and the one matcher: pure functions over a fact book.

Both the query and every fact's searchable text are folded the same way: NFKC (full-width
to half-width), case-folded, traditional characters to simplified, punctuation dropped.
Chinese text can also be matched by its pinyin, with or without tones (`jiuye`, `jiùyè`,
`jiu4ye4`, `lvse`), and by its initials (`jy`). A pinyin term is first spelled out as the
strings of Chinese characters of the fact file it can stand for (`jiuye` → 就业), using the
readings of those characters and which character follows which; the strings are then found
like any Chinese term. Scoring (`search`) and highlighting (`highlight_spans`) both ask
`_spans` where a term stands in a field, so what is highlighted is exactly what matched.

The heavy tables (pypinyin, zhconv) are read only by `build_index`; what a query needs of
them lives in the index, which the cache stores through `to_data` and `from_data`.
"""

import re
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, TypeVar

from qindu_cli.errors import QinduError, UnknownNameError, shown
from qindu_cli.model import KINDS, FactBook, Section, Topic

# Fields of an index record, in order, with the score of a hit in each. After them come the tags.
FIELDS = ("label", "label_en", "raw", "quote", "context")
_NAMES = ("label", "label_en", "tag")  # a term that is the whole of one of these is an exact hit
_FIELD_SCORE = {"label": 80, "label_en": 60, "tag": 50, "raw": 20, "quote": 10, "context": 5, "kind": 3, "period": 1}
_EXACT_BONUS = 20  # the whole label, English label or tag is the term; or the whole number of a figure
_FORM_FACTOR = {"text": 1.0, "traditional": 1.0, "full-width": 1.0, "plural": 0.9, "pinyin": 0.6, "initials": 0.4}

# The words people use for each kind of fact. A term that is one of them finds every fact of
# that kind, ranked below the facts that match by their own words.
KIND_WORDS = {
    "indicator": ("indicator", "figure", "指标", "数据"),
    "milestone": ("milestone", "honour", "honor", "award", "荣誉", "奖", "获奖"),
    "initiative": ("initiative", "programme", "program", "campaign", "举措", "措施"),
}

_KEEP = frozenset(".%+&")
_LETTERS = r"[a-z]+"
_HAN = r"[\u3400-\u9fff\uf900-\ufaff]"  # compiled on first use: the class costs 2 ms to build
_TWO_LETTER_INITIALS = ("zh", "ch", "sh")
_PARTIAL_INITIALS = 4  # shorter initials must spell a whole label or tag
_LONGEST_SYLLABLE = 6  # zhuang
_MOST_STEPS = 20_000  # a pinyin term that takes more steps to spell out is too loose to use

_FIELD_END = "\x1f"  # folded text has no control characters, so neither mark can occur in it
_RECORD_END = "\x1e"
_UNDATED = "1"


class SearchIndex(NamedTuple):
    """The search-ready form of a fact book: folded text of every fact and the tables queries need.

    All folded text is one string, so that a term is found across thousands of facts by
    `str.find` rather than a loop; `starts` says where each fact's record begins. A record is
    a field mark, then label, label_en, raw, quote, context (topic and section titles) and
    each tag, separated by field marks, then a record mark: a whole field is found as the term
    between marks.
    """

    corpus: str
    starts: list[int]  # where each record starts in corpus, then the corpus's length
    readings: dict[str, tuple[str, ...]]  # Chinese character -> toneless pinyin readings
    t2s: dict[str, str]  # traditional character -> simplified, for characters the facts use
    following: dict[str, str]  # Chinese character -> the characters that follow it in some field
    dashed: dict[str, str]  # a dashed Latin word of the text, typed without its dashes -> as written (covid19)
    kinds: str  # one character a record: the index of its kind in KINDS
    undated: str  # one character a record: _UNDATED when the fact is for the report's period
    year: str  # the report's period, "2022"

    @property
    def size(self) -> int:
        return len(self.starts) - 1

    def record(self, position: int) -> list[str]:
        return self.corpus[self.starts[position] + 1 : self.starts[position + 1] - 1].split(_FIELD_END)

    def containing(self, *needles: str, whole: bool = False) -> set[int]:
        """The positions of the records whose folded text contains any of `needles` (as a whole field)."""
        found: set[int] = set()
        if len(needles) <= 2 and not whole:
            for needle in needles:
                at = self.corpus.find(needle)
                while at != -1:
                    position = self._record_at(at)
                    found.add(position)
                    at = self.corpus.find(needle, self.starts[position + 1])
            return found
        # One pass for all of them. The pattern starts with the needles themselves, so the regular
        # expression engine skips ahead by their first characters; the field marks are checked after.
        ends = f"(?=[{_FIELD_END}{_RECORD_END}])" if whole else ""
        pattern = re.compile(
            "(?:" + "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)) + ")" + ends
        )
        match = pattern.search(self.corpus)
        while match is not None:
            if whole and self.corpus[match.start() - 1] != _FIELD_END:
                match = pattern.search(self.corpus, match.start() + 1)
                continue
            position = self._record_at(match.start())
            found.add(position)
            match = pattern.search(self.corpus, self.starts[position + 1])
        return found

    def _record_at(self, offset: int) -> int:
        """The record the corpus offset falls in, by binary search over `starts`."""
        low, high = 0, len(self.starts) - 2
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low

    def to_data(self) -> dict[str, Any]:
        return dict(self._asdict())

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "SearchIndex":
        """The index `to_data` gave; a KeyError or TypeError when `data` is not of that shape."""
        values = [data[name] for name in cls._fields]
        for value, kind in zip(values, (str, list, dict, dict, dict, dict, str, str, str), strict=True):
            if not isinstance(value, kind):
                raise TypeError(f"a search index field of type {type(value).__name__}")
        return cls(*values)


class TermMatch(NamedTuple):
    """Which field matched a term, in which form, and what matched: the tag `就业优先`, say."""

    term: str
    field: str  # label, label_en, raw, quote, context, tag; kind or period for the words of those
    form: str  # text, traditional, full-width, plural, pinyin, initials
    text: str  # the tag, the part of another field, the kind or the year that matched

    def as_record(self) -> dict[str, str]:
        return {"term": self.term, "field": self.field, "form": self.form, "text": self.text}

    def describe(self) -> str:
        """`就业: tag 就业优先 by text`, `honours: kind milestone`, `jiuye: label by pinyin`."""
        if self.field == "tag":
            return f"{self.term}: tag {self.text} by {self.form}"
        if self.field in ("kind", "period"):
            return f"{self.term}: {self.field} {self.text}"
        return f"{self.term}: {self.field} by {self.form}"


class Hit(NamedTuple):
    position: int  # index of the fact in the book
    score: float
    matches: tuple[TermMatch, ...]


def fold(text: str, t2s: dict[str, str]) -> str:
    """The form text is compared in: NFKC, case-folded, simplified, without punctuation."""
    if _plain(text):
        return "".join(t2s.get(char, char) for char in text.lower())
    return "".join(_fold_chars(text, t2s)[0])


def _plain(text: str) -> bool:
    """Only Chinese ideographs and ASCII letters and digits, which NFKC leaves alone and folding keeps.

    Most queries are such text, and for it the Unicode database (a shared library to load) is not needed.
    """
    return all("\u4e00" <= char <= "\u9fff" or (char.isascii() and char.isalnum()) for char in text)


def _nfkc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text)


def _fold_chars(text: str, t2s: dict[str, str]) -> tuple[list[str], list[int]]:
    """Folded characters and, for each, the index of the original character it came from."""
    import unicodedata

    chars: list[str] = []
    origins: list[int] = []
    dash = -1  # where a dash was left out: between Latin words and numbers it stays, as "-" (COVID-19)
    for position, original in enumerate(text):
        for char in unicodedata.normalize("NFKC", original).casefold():
            char = t2s.get(char, char)
            category = unicodedata.category(char)
            if char not in _KEEP and (category[0] in "PSC" or (category[0] == "Z" and char != " ")):
                dash = position if category == "Pd" and chars and chars[-1].isascii() and chars[-1].isalnum() else -1
                continue
            if dash >= 0 and char.isascii() and char.isalnum():
                chars.append("-")
                origins.append(dash)
            dash = -1
            chars.append(char)
            origins.append(position)
    return chars, origins


def toneless(text: str) -> str:
    """Pinyin as people write it, without tones: jiùyè, jiu4ye4, lǜsè, lu:se → jiuye, jiuye, lvse, luse.

    Empty when the text is not letters (with tone marks or numbers) alone.
    """
    if text.isascii():
        letters = text.lower()
    elif _plain(text):  # Chinese: no pinyin, and no need to load the Unicode database
        return ""
    else:
        import unicodedata

        letters = unicodedata.normalize("NFD", _nfkc(text).casefold()).replace("u\u0308", "v")
        letters = "".join(char for char in letters if not unicodedata.combining(char))
    letters = re.sub(r"(?<=[a-z])[1-5]|[\s:'’]", "", letters)
    return letters if re.fullmatch(_LETTERS, letters) else ""


def build_index(book: FactBook) -> SearchIndex:
    """Fold every fact's searchable text and gather the pinyin and variants its characters need."""
    full_t2s = _traditional_to_simplified()
    titles = {
        (section.id, topic.id): " ".join((topic.title, topic.title_en, section.title, section.title_en))
        for section in book.sections
        for topic in section.topics
    }
    texts = [
        _FIELD_END
        + _FIELD_END.join(
            fold(text, full_t2s)
            for text in (
                fact.label,
                fact.label_en,
                fact.raw or "",
                fact.quote,
                titles[(fact.section, fact.topic)],
                *fact.tags,
            )
        )
        + _RECORD_END
        for fact in book.facts
    ]
    starts = [0]
    for text in texts:
        starts.append(starts[-1] + len(text))
    corpus = "".join(texts)
    kind_words = _FIELD_END.join(word for words in KIND_WORDS.values() for word in words)
    following: dict[str, set[str]] = {}
    for pair in re.findall(f"(?=({_HAN}{_HAN}))", corpus + _FIELD_END + kind_words):
        following.setdefault(pair[0], set()).add(pair[1])
    used = set(re.findall(_HAN, corpus + kind_words))
    return SearchIndex(
        corpus=corpus,
        starts=starts,
        readings=_readings(used),
        t2s={trad: simp for trad, simp in full_t2s.items() if simp in used and trad != simp},
        following={char: "".join(sorted(chars)) for char, chars in following.items()},
        dashed={word.replace("-", ""): word for word in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", corpus)},
        kinds="".join(str(KINDS.index(fact.kind)) for fact in book.facts),
        undated="".join(_UNDATED if fact.period is None else "0" for fact in book.facts),
        year=fold(book.source.period, {}),
    )


def _traditional_to_simplified() -> dict[str, str]:
    import json
    from importlib.resources import files

    table = json.loads(files("zhconv").joinpath("zhcdict.json").read_text(encoding="utf-8"))
    return {trad: simp for trad, simp in table["zh2Hans"].items() if len(trad) == 1 and len(simp) == 1}


def _readings(chars: set[str]) -> dict[str, tuple[str, ...]]:
    from pypinyin import Style, pinyin

    readings: dict[str, tuple[str, ...]] = {}
    for char in sorted(chars):
        found: list[str] = []
        for reading in pinyin(char, style=Style.NORMAL, heteronym=True)[0]:
            for spelling in (reading, reading.replace("v", "u"), reading.replace("ü", "u")):
                if re.fullmatch(_LETTERS, spelling) and spelling not in found:
                    found.append(spelling)
        if found:
            readings[char] = tuple(found)
    return readings


# ── a query, prepared ─────────────────────────────────────────────────────────


class _Needle(NamedTuple):
    """One way a query term may stand in a fact's text."""

    text: str
    form: str


class _Term(NamedTuple):
    """A query term and every way it can match: as text, spelled in Chinese, as a kind, as the year."""

    term: str
    needles: tuple[_Needle, ...]
    spellings: dict[str, str]  # Chinese string its pinyin spells -> "pinyin" or "initials"
    whole_only: bool  # short initials: a spelling counts only as a whole label or tag
    kinds: str  # the kinds (indices in KINDS) it names: "honours" names milestones
    year: bool  # it is the report's year
    letters: str  # its toneless pinyin, when it is letters alone

    @property
    def usable(self) -> bool:
        return bool(self.needles or self.spellings or self.kinds or self.year)


class _Speller:
    """Which characters of the fact file each pinyin syllable or initial stands for."""

    def __init__(self, index: SearchIndex) -> None:
        self.following = index.following
        self.by_syllable: dict[str, set[str]] = {}
        self.by_initial: dict[str, set[str]] = {}
        for char, readings in index.readings.items():
            for reading in readings:
                self.by_syllable.setdefault(reading, set()).add(char)
                self.by_initial.setdefault(reading[0], set()).add(char)
                if reading[:2] in _TWO_LETTER_INITIALS:
                    self.by_initial.setdefault(reading[:2], set()).add(char)

    def spell(self, letters: str, initials: bool) -> set[str]:
        """The strings of two or more characters, each following the one before somewhere in the
        fact file, whose pinyin (or initials) is `letters`; none when there are too many ways."""
        pieces = self.by_initial if initials else self.by_syllable
        longest = 2 if initials else _LONGEST_SYLLABLE
        found: set[str] = set()
        stack = [(0, "")]
        steps = 0
        while stack:
            at, prefix = stack.pop()
            if at == len(letters):
                if len(prefix) >= 2:
                    found.add(prefix)
                continue
            steps += 1
            if steps > _MOST_STEPS:
                return set()
            allowed = self.following.get(prefix[-1], "") if prefix else None
            for size in range(1, min(longest, len(letters) - at) + 1):
                for char in pieces.get(letters[at : at + size], ()):
                    if allowed is None or char in allowed:
                        stack.append((at + size, prefix + char))
        return found


_KIND_OF_WORD = {word: str(KINDS.index(kind)) for kind, words in KIND_WORDS.items() for word in words}


def _prepare(term: str, index: SearchIndex, speller: "_Speller | None") -> _Term:
    folded = fold(term, index.t2s)
    needles: list[_Needle] = []
    if folded.strip():
        if not _plain(term) and _nfkc(term) != term:
            form = "full-width"
        elif fold(term, {}) != folded:
            form = "traditional"
        else:
            form = "text"
        needles.append(_Needle(folded, form))
        if folded in index.dashed:  # typed without the dashes the text writes: covid19, selfgoverning
            needles.append(_Needle(index.dashed[folded], form))
        if len(folded) > 3 and folded.endswith("s") and re.fullmatch(_LETTERS, folded):
            singular = folded[:-3] + "y" if folded.endswith("ies") else folded[:-1]
            needles.append(_Needle(singular, "plural"))
    letters = toneless(term)
    spellings: dict[str, str] = {}
    if len(letters) >= 2 and speller is not None:
        numbered = any(char.isdigit() for char in term)  # tone numbers follow whole syllables: SO2 is no initials
        for spelled in () if numbered else speller.spell(letters, initials=True):
            spellings[spelled] = "initials"
        for spelled in speller.spell(letters, initials=False):
            spellings[spelled] = "pinyin"
    kinds = {_KIND_OF_WORD[n.text] for n in needles if n.text in _KIND_OF_WORD}
    kinds |= {_KIND_OF_WORD[s] for s in spellings if s in _KIND_OF_WORD}
    year = folded in (index.year, index.year + "年") and bool(index.year)
    whole_only = len(letters) < _PARTIAL_INITIALS
    return _Term(term, tuple(needles), spellings, whole_only, "".join(sorted(kinds)), year, letters)


def query_terms(words: Sequence[str]) -> list[str]:
    """The terms of a query: each argument split at spaces (full-width ones too), each term once.

    A query of nothing but spaces is an error: there is nothing to search for.
    """
    terms = list(dict.fromkeys(term for word in words for term in word.split()))
    if not terms:
        raise QinduError("the query is empty; give a word to search for, e.g. qindu search 就业")
    return terms


_last_query: list[Any] = [None, (), ([], None)]  # index, terms, prepared: a table asks for each cell


def _prepare_query(terms: Sequence[str], index: SearchIndex) -> tuple[list[_Term], _Term | None]:
    """The usable terms, each once, and the phrase they make when all are letters (`jiu ye`)."""
    if _last_query[0] is not index or _last_query[1] != tuple(terms):
        _last_query[:] = [index, tuple(terms), _prepare_terms(terms, index)]
    prepared: tuple[list[_Term], _Term | None] = _last_query[2]
    return prepared


def _prepare_terms(terms: Sequence[str], index: SearchIndex) -> tuple[list[_Term], _Term | None]:
    unique = list(dict.fromkeys(terms))
    speller = _Speller(index) if any(toneless(term) for term in unique) else None
    prepared = [term for term in (_prepare(t, index, speller) for t in unique) if term.usable]
    phrase = None
    if len(prepared) > 1 and all(term.letters for term in prepared):
        phrase = _prepare(" ".join(term.term for term in prepared), index, speller)
    return prepared, phrase


# ── the one matcher ───────────────────────────────────────────────────────────


def _pattern(needle: str) -> str:
    """Latin words and numbers match from their start: `ye` is not in `year-long`, `68` not in `2.68`,
    `19` not in `covid-19` (a number after a word and a dash is part of a name)."""
    first = needle[:1]
    boundary = r"(?<![a-z0-9.])" if first.isascii() and first.isalnum() else ""  # folded: no capitals
    return boundary + (r"(?<![a-z]-)" if first.isdigit() else "") + re.escape(needle)


def _spans(term: _Term, field: str, text: str) -> Iterator[tuple[int, int, str]]:
    """Where `term` stands in the folded `text` of `field`: start, end (exclusive) and form."""
    for needle in term.needles:
        if needle.text in text:
            for found in re.finditer(_pattern(needle.text), text):
                yield found.start(), found.end(), needle.form
    if field == "label_en":
        return
    for spelled, form in term.spellings.items():
        if form == "initials" and term.whole_only:
            if text == spelled and field in ("label", "tag"):
                yield 0, len(text), form
            continue
        at = text.find(spelled)
        while at != -1:
            yield at, at + len(spelled), form
            at = text.find(spelled, at + 1)


def _fields(record: list[str]) -> list[tuple[str, str]]:
    return [*zip(FIELDS, record[:5], strict=True), *(("tag", tag) for tag in record[5:])]


def _score(
    term: _Term, fields: list[tuple[str, str]], kind: str, undated: bool, index: SearchIndex
) -> tuple[float, TermMatch] | None:
    """The best match of `term` in one fact, and its score."""
    best: tuple[float, TermMatch] | None = None
    for field, text in fields:
        for start, end, form in _spans(term, field, text):
            whole = (start, end) == (0, len(text)) and field in _NAMES
            whole_number = field == "raw" and text[start].isdigit() and text[end : end + 1] not in tuple("0123456789.")
            score = (_FIELD_SCORE[field] + (_EXACT_BONUS if whole or whole_number else 0)) * _FORM_FACTOR[form]
            if best is None or score > best[0]:
                best = (score, TermMatch(term.term, field, form, text if field == "tag" else text[start:end]))
    if kind in term.kinds and (best is None or best[0] < _FIELD_SCORE["kind"]):
        best = (_FIELD_SCORE["kind"], TermMatch(term.term, "kind", "text", KINDS[int(kind)]))
    if term.year and undated and best is None:
        best = (_FIELD_SCORE["period"], TermMatch(term.term, "period", "text", index.year))
    return best


def _candidates(term: _Term, index: SearchIndex) -> tuple[set[int], set[int]]:
    """The records `term` may match by their text, and those it matches by kind or year alone:
    supersets, found without reading each record."""
    loose = term.whole_only and "initials" in term.spellings.values()
    wholes = [spelled for spelled, form in term.spellings.items() if form == "initials" and loose]
    parts = [needle.text for needle in term.needles] + [spelled for spelled in term.spellings if spelled not in wholes]
    by_text = index.containing(*dict.fromkeys(parts))
    if wholes:
        by_text |= index.containing(*wholes, whole=True)
    by_facet = (
        {
            position
            for position, (kind, undated) in enumerate(zip(index.kinds, index.undated, strict=True))
            if kind in term.kinds or (term.year and undated == _UNDATED)
        }
        if term.kinds or term.year
        else set()
    )
    return by_text, by_facet


def search(
    index: SearchIndex, terms: Sequence[str], any_term: bool = False, within: set[int] | None = None
) -> list[Hit]:
    """Facts matching every term (or any, with `any_term`), best first, then in report order.

    A term given twice counts once. Several terms of letters alone also match as one phrase
    (`jiu ye` as `jiuye`, `pedestrian street` as the words together).
    """
    prepared, phrase = _prepare_query(terms, index)
    if not prepared:
        return []
    found_by = [_candidates(term, index) for term in prepared]
    sets = [by_text | by_facet for by_text, by_facet in found_by]
    positions = set.union(*sets) if any_term else set.intersection(*sets)
    by_text = set.union(*(by_text for by_text, _ in found_by))
    if phrase is not None:
        phrase_text, phrase_facet = _candidates(phrase, index)
        positions |= phrase_text | phrase_facet
        by_text |= phrase_text
    if within is not None:
        positions &= within
    hits: list[Hit] = []
    for position in sorted(positions):
        # A record no term can match by its text matches by kind or year alone: no need to read it.
        fields = _fields(index.record(position)) if position in by_text else []
        kind, undated = index.kinds[position], index.undated[position] == _UNDATED
        scored = [_score(term, fields, kind, undated, index) for term in prepared]
        found = [s for s in scored if s is not None]
        if phrase is not None and len(found) < len(prepared):
            joined = _score(phrase, fields, kind, undated, index)
            if joined is not None:
                found, scored = [joined], [joined]
        if not found or (not any_term and len(found) < len(scored)):
            continue
        hits.append(Hit(position, sum(score for score, _ in found), tuple(match for _, match in found)))
    hits.sort(key=lambda hit: (-hit.score, hit.position))
    return hits


def highlight_spans(text: str, terms: Sequence[str], index: SearchIndex, field: str = "quote") -> list[tuple[int, int]]:
    """Spans of `text` (original indices, end exclusive) where a query term matches, as `search` matches it.

    `field` is the field `text` is shown as (label, label_en, quote…): the rules differ by field,
    as short initials count only as a whole label or tag.
    """
    chars, origins = _fold_chars(text, index.t2s)
    folded = "".join(chars)
    prepared, phrase = _prepare_query(terms, index)
    spans = {
        (origins[start], origins[end - 1] + 1)
        for term in [*prepared, *([phrase] if phrase else [])]
        for start, end, _ in _spans(term, field, folded)
        if start < end
    }
    return sorted(spans)


# ── when nothing matches ──────────────────────────────────────────────────────


def nothing_found(
    index: SearchIndex,
    book: FactBook,
    terms: Sequence[str],
    any_term: bool,
    section: str | None,
    kind: str | None = None,
) -> str:
    """Why a query found nothing, and what to try, in one line: where the kind or section filter
    hid the matches, queries close to it, or that the report gives no such figure."""
    typed = shown(" ".join(terms))
    if kind is not None:
        within = {i for i, fact in enumerate(book.facts) if section in (None, fact.section)}
        kinds: dict[str, int] = {}
        for hit in search(index, terms, any_term=any_term, within=within):
            other = book.facts[hit.position].kind
            kinds[other] = kinds.get(other, 0) + 1
        if kinds:
            where, see = ("", "") if section is None else (f" in {section}", f" -s {section}")
            total = sum(kinds.values())
            counted = ", ".join(f"{n} {other}{'s' if n > 1 else ''}" for other, n in sorted(kinds.items()))
            return (
                f"no {kind}{where} matches {typed}; {total} fact{'s' if total > 1 else ''} of other kinds do "
                f"({counted}); see them with: qindu search {' '.join(terms)}{see}"
            )
    if section is not None:
        elsewhere: dict[str, int] = {}
        for hit in search(index, terms, any_term=any_term):
            place = book.facts[hit.position].section
            elsewhere[place] = elsewhere.get(place, 0) + 1
        if elsewhere:
            total = sum(elsewhere.values())
            counted = f"{total} fact{'s' if total > 1 else ''} match {typed}"
            see = f"qindu search {' '.join(terms)}"
            if len(elsewhere) == 1:
                place = next(iter(elsewhere))
                counted, see = f"{counted} in {place}", f"{see} -s {place}"
            else:
                counted += ": " + ", ".join(f"{n} in {place}" for place, n in elsewhere.items())
            return f"no fact in {section} matches {typed}; {counted}; see them with: {see}"
    advice = suggest(index, book, terms)
    if advice.queries:
        return f"no fact matches {typed}; did you mean {', '.join(advice.queries)}?"
    unlike = "" if len(advice.unknown) == len(terms) else f" like {', '.join(map(shown, advice.unknown))}"
    return f"no fact matches {typed}; the report gives no such figure{unlike}; see what it covers with: qindu sections"


class Suggestion(NamedTuple):
    """What to try instead of a query that found nothing: queries that find facts, or the words
    of the query that nothing in the fact file is like."""

    queries: list[str]
    unknown: list[str]


def suggest(index: SearchIndex, book: FactBook, terms: Sequence[str], limit: int = 3) -> Suggestion:
    """Queries close to `terms` that find facts, compared as the term was typed.

    The words that match together are kept (`how many new urban jobs` → `new urban jobs`);
    a word that matches nothing is compared with labels and tags in its own script: Chinese
    with Chinese, pinyin with their readings, English with English labels and tags.
    """
    unique = list(dict.fromkeys(terms))
    matching = [term for term in unique if search(index, [term])]
    kept: list[str] = []
    for term in matching:
        if search(index, [*kept, term]):
            kept.append(term)
    if kept and len(kept) < len(unique):
        return Suggestion([" ".join(kept)], [])
    queries: list[str] = []
    unknown: list[str] = []
    for term in unique:
        if term in matching:
            continue
        close = _close_names(index, book, term, limit)
        queries += [name for name in close if name not in queries]
        if not close:
            unknown.append(term)
    return Suggestion(queries[:limit], unknown)


def _close_names(index: SearchIndex, book: FactBook, term: str, limit: int) -> list[str]:
    """Labels and tags close to `term` in its own script: Chinese to Chinese; letters to the
    readings of Chinese ones (a pinyin typo) or to English ones and their words (an English typo)."""
    import difflib

    folded = fold(term, index.t2s).replace(" ", "")
    letters = toneless(term)
    if not folded:
        return []
    chinese = {fold(name, index.t2s): name for f in book.facts for name in (f.label, *f.tags) if re.search(_HAN, name)}
    groups: list[tuple[str, dict[str, str], float]] = []
    if re.search(_HAN, folded) or not letters:
        groups.append((folded, chinese, 0.5))
    else:
        readings = {"".join(index.readings.get(c, ("",))[0] for c in key): name for key, name in chinese.items()}
        english = {word: word for words in KIND_WORDS.values() for word in words if word.isascii()}
        for fact in book.facts:
            for name in (fact.label_en, *fact.tags):
                if not re.search(_HAN, name):
                    english.setdefault(fold(name, {}), name)
                    for word in re.findall(r"[a-z]{3,}", fold(name, {})):
                        english.setdefault(word, word)
        same_start = {key: name for key, name in english.items() if key[:1] == letters[:1]}  # a typo keeps the first
        groups += [(letters, readings, 0.7), (letters, same_start, 0.75)]
    ranked: list[tuple[float, str]] = []
    for key, names, cutoff in groups:
        for close in difflib.get_close_matches(key, list(names), n=limit * 3, cutoff=cutoff):
            ranked.append((difflib.SequenceMatcher(None, key, close).ratio(), names[close]))
    found: list[str] = []
    for _, name in sorted(ranked, key=lambda pair: -pair[0]):
        if name not in found and search(index, name.split()):
            found.append(name)
    return found[:limit]


# ── sections and topics by the words people use for them ──────────────────────


def find_section(book: FactBook, index: SearchIndex, name: str) -> Section:
    """The section `name` means: its id, a prefix of it, or words of its title as search takes
    them (經濟, jingji, public services). A topic's name gets a pointer to the topic."""
    try:
        return book.section(name)
    except UnknownNameError as unknown:
        chosen = _by_title(index, name, [(s, (s.id, s.title, s.title_en)) for s in book.sections])
        if len(chosen) == 1:
            return chosen[0]
        topics = [(s, t) for s in book.sections for t in _topics_named(index, s, name)]
        if len(topics) == 1:
            section, topic = topics[0]
            raise QinduError(
                f"{topic.id} is a topic of {section.id}; see it with: qindu section {section.id} --topic {topic.id}"
            ) from None
        if len(chosen) > 1:
            raise UnknownNameError("section", name, [s.id for s in chosen], "") from None
        raise unknown from None


def find_topic(book: FactBook, index: SearchIndex, section: Section, name: str) -> Topic:
    """The topic of `section` that `name` means: its id, words of its title (稳岗, employment),
    or a word all of whose facts in the section are in that one topic (就业 → jobs)."""
    try:
        return section.topic(name)
    except UnknownNameError as unknown:
        named = _topics_named(index, section, name)
        if len(named) == 1:
            return named[0]
        if not name.split():
            raise unknown from None
        positions = {i for i, fact in enumerate(book.facts) if fact.section == section.id}
        found = search(index, query_terms([name]), within=positions)
        holding = list(dict.fromkeys(book.facts[hit.position].topic for hit in found))
        if len(holding) == 1:
            return section.topic(holding[0])
        if len(named) > 1 or len(holding) > 1:
            several = [t.id for t in named] or holding
            raise UnknownNameError("topic", name, several, "") from None
        raise unknown from None


def _topics_named(index: SearchIndex, section: Section, name: str) -> list[Topic]:
    exact = [t for t in section.topics if t.id == name]
    return exact or _by_title(index, name, [(t, (t.id, t.title, t.title_en)) for t in section.topics])


_Named = TypeVar("_Named", Section, Topic)


def _by_title(index: SearchIndex, name: str, named: list[tuple[_Named, tuple[str, str, str]]]) -> list[_Named]:
    """The things every word of `name` matches by id, title or English title, as search matches."""
    terms = name.split()
    prepared, phrase = _prepare_query(terms, index)
    if not prepared:
        return []
    chosen = []
    for thing, texts in named:
        fields = [("label", fold(text, index.t2s)) for text in texts]
        every = all(any(True for field, text in fields for _ in _spans(term, field, text)) for term in prepared)
        joined = phrase is not None and any(True for field, text in fields for _ in _spans(phrase, field, text))
        if every or joined:
            chosen.append(thing)
    return chosen
