"""Query folding, the search index, and ranking: pure functions over a fact book.

Both the query and every fact's searchable text are folded the same way: NFKC (full-width
to half-width), case-folded, traditional characters to simplified, punctuation dropped.
Chinese text can also be matched by its toneless pinyin (`jiuye`) and pinyin initials (`jy`).
The heavy tables (pypinyin, zhconv) are read only by `build_index`; what a query needs of
them, the readings and variants of the characters the fact file uses, lives in the index.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from qindu_cli.model import FactBook

# Fields of an index record, in order, with the score of a hit in each.
FIELDS = ("label", "label_en", "raw", "quote", "context")
_FIELD_SCORE = {"label": 80, "label_en": 60, "tag": 50, "raw": 20, "quote": 10, "context": 5}
_EXACT_BONUS = 20  # the whole label, English label or tag is the term
_FORM_FACTOR = {"text": 1.0, "traditional": 1.0, "full-width": 1.0, "plural": 0.9, "pinyin": 0.6, "initials": 0.4}
_KEEP = frozenset(".%+&")
_LETTERS = r"[a-z]+"
_HAN = r"[\u3400-\u9fff\uf900-\ufaff]"  # compiled on first use: the class costs 2 ms to build
_WORD_START = r"[a-z0-9]"
_TWO_LETTER_INITIALS = ("zh", "ch", "sh")
_PARTIAL_INITIALS = 4  # shorter initials must spell a whole label or tag


_FIELD_END = "\x1f"  # folded text has no control characters, so neither mark can occur in it
_RECORD_END = "\x1e"


class SearchIndex(NamedTuple):
    """The search-ready form of a fact book: folded text of every fact and the tables queries need.

    All folded text is one string, so that a Chinese term is found across thousands of facts by
    `str.find` rather than a loop; `starts` says where each fact's record begins. A record is
    label, label_en, raw, quote, context (topic and section titles), then each tag.
    """

    corpus: str
    starts: list[int]  # where each record starts in corpus, then the corpus's length
    readings: dict[str, tuple[str, ...]]  # Chinese character -> toneless pinyin readings
    t2s: dict[str, str]  # traditional character -> simplified, for characters the facts use

    @property
    def size(self) -> int:
        return len(self.starts) - 1

    def record(self, position: int) -> list[str]:
        return self.corpus[self.starts[position] : self.starts[position + 1] - 1].split(_FIELD_END)

    def containing(self, needle: str) -> set[int]:
        """The positions of the records whose folded text contains `needle`."""
        found: set[int] = set()
        at = self.corpus.find(needle)
        while at != -1:
            position = self._record_at(at)
            found.add(position)
            at = self.corpus.find(needle, self.starts[position + 1])
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
        return {"corpus": self.corpus, "starts": self.starts, "readings": self.readings, "t2s": self.t2s}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "SearchIndex":
        return cls(data["corpus"], data["starts"], data["readings"], data["t2s"])


class TermMatch(NamedTuple):
    """Which field and which form of the term matched: `label` by `pinyin`, say."""

    term: str
    field: str
    form: str

    def as_record(self) -> dict[str, str]:
        return {"term": self.term, "field": self.field, "form": self.form}


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
    for position, original in enumerate(text):
        for char in unicodedata.normalize("NFKC", original).casefold():
            char = t2s.get(char, char)
            category = unicodedata.category(char)
            if char not in _KEEP and (category[0] in "PSC" or (category[0] == "Z" and char != " ")):
                continue
            chars.append(char)
            origins.append(position)
    return chars, origins


def build_index(book: FactBook) -> SearchIndex:
    """Fold every fact's searchable text and gather the pinyin and variants its characters need."""
    full_t2s = _traditional_to_simplified()
    titles = {
        (section.id, topic.id): " ".join((topic.title, topic.title_en, section.title, section.title_en))
        for section in book.sections
        for topic in section.topics
    }
    texts = [
        _FIELD_END.join(
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
    used = set(re.findall(_HAN, corpus))
    return SearchIndex(
        corpus=corpus,
        starts=starts,
        readings=_readings(used),
        t2s={trad: simp for trad, simp in full_t2s.items() if simp in used and trad != simp},
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


class _Needle(NamedTuple):
    """One way a query term may stand in a fact's text."""

    text: str
    form: str


def _needles(term: str, index: SearchIndex) -> list[_Needle]:
    folded = fold(term, index.t2s)
    if not folded:
        return []
    if not _plain(term) and _nfkc(term) != term:
        form = "full-width"
    elif fold(term, {}) != folded:
        form = "traditional"
    else:
        form = "text"
    needles = [_Needle(folded, form)]
    if re.fullmatch(_LETTERS, folded) and len(folded) > 3 and folded.endswith("s"):
        singular = folded[:-3] + "y" if folded.endswith("ies") else folded[:-1]
        needles.append(_Needle(singular, "plural"))
    return needles


def _pinyin_match(
    text: str, query: str, readings: dict[str, tuple[str, ...]], initials: bool
) -> tuple[int, int] | None:
    """The span of at least two consecutive characters whose pinyin spells `query`, if any."""
    for start, char in enumerate(text):
        if char in readings:
            end = _spell(text, start, query, 0, readings, initials)
            if end is not None and end - start >= 2:
                return start, end
    return None


def _spell(
    text: str, at: int, query: str, pos: int, readings: dict[str, tuple[str, ...]], initials: bool
) -> int | None:
    if pos == len(query):
        return at
    if at >= len(text):
        return None
    for reading in readings.get(text[at], ()):
        pieces = (
            {reading[0], reading[:2]}
            if initials and reading[:2] in _TWO_LETTER_INITIALS
            else {reading[0]}
            if initials
            else {reading}
        )
        for piece in pieces:
            if query.startswith(piece, pos):
                end = _spell(text, at + 1, query, pos + len(piece), readings, initials)
                if end is not None:
                    return end
    return None


def _pattern(needle: str) -> str:
    """Latin words and numbers match from their start: `ye` is not in `year-long`, `68` not in `2.68`."""
    boundary = r"(?<![a-z0-9.])" if re.match(_WORD_START, needle) else ""
    return boundary + re.escape(needle)


def _fields(record: list[str]) -> list[tuple[str, str]]:
    return [*zip(FIELDS, record[:5], strict=True), *(("tag", tag) for tag in record[5:])]


def _score_term(
    term: str, needles: list[_Needle], record: list[str], index: SearchIndex
) -> tuple[float, TermMatch] | None:
    best: tuple[float, TermMatch] | None = None

    def consider(score: float, field: str, form: str) -> None:
        nonlocal best
        if best is None or score > best[0]:
            best = (score, TermMatch(term, field, form))

    fields = _fields(record)
    for needle in needles:
        for field, text in fields:
            if needle.text in text and re.search(_pattern(needle.text), text):
                exact = _EXACT_BONUS if text == needle.text and field in ("label", "label_en", "tag") else 0
                consider((_FIELD_SCORE[field] + exact) * _FORM_FACTOR[needle.form], field, needle.form)
    pinyin_query = needles[0].text.replace(" ", "") if needles else ""
    if len(pinyin_query) >= 2 and re.fullmatch(_LETTERS, pinyin_query):
        for form, initials in (("pinyin", False), ("initials", True)):
            for field, text in fields:
                if field == "label_en" or not re.search(_HAN, text):
                    continue
                span = _pinyin_match(text, pinyin_query, index.readings, initials)
                if span is None:
                    continue
                whole = span == (0, len(text)) and field in ("label", "tag")
                if initials and len(pinyin_query) < _PARTIAL_INITIALS and not whole:
                    continue  # `jy` alone is too loose a key unless it spells a whole label or tag
                consider((_FIELD_SCORE[field] + (_EXACT_BONUS if whole else 0)) * _FORM_FACTOR[form], field, form)
    return best


def search(
    index: SearchIndex, terms: Sequence[str], any_term: bool = False, within: set[int] | None = None
) -> list[Hit]:
    """Facts matching every term (or any, with `any_term`), best first, then in report order."""
    prepared = [(term, _needles(term, index)) for term in terms]
    prepared = [(term, needles) for term, needles in prepared if needles]
    if not prepared:
        return []
    letters_only = len(prepared) > 1 and all(re.fullmatch(_LETTERS, n[0].text) for _, n in prepared)
    phrase = "".join(n[0].text for _, n in prepared) if letters_only else None
    quick = [n[0].text for _, n in prepared if not re.fullmatch(_LETTERS, n[0].text.replace(" ", ""))]
    positions: Iterable[int] = range(index.size)
    if quick and not any_term:
        positions = sorted(set.intersection(*(index.containing(needle) for needle in quick)))
    hits: list[Hit] = []
    for position in positions:
        if within is not None and position not in within:
            continue
        record = index.record(position)
        scored = [_score_term(term, needles, record, index) for term, needles in prepared]
        found = [s for s in scored if s is not None]
        if phrase is not None and len(found) < len(prepared):
            joined = _score_term(" ".join(terms), [_Needle(phrase, "text")], record, index)
            if joined is not None:
                found = [joined]
                scored = [joined]
        if not found or (not any_term and len(found) < len(scored)):
            continue
        hits.append(Hit(position, sum(score for score, _ in found), tuple(match for _, match in found)))
    hits.sort(key=lambda hit: (-hit.score, hit.position))
    return hits


def suggestions(index: SearchIndex, book: FactBook, query: str, limit: int = 3) -> list[str]:
    """Labels or tags within a small edit distance of the query, compared as text or as pinyin."""
    import difflib

    folded = fold(query, index.t2s).replace(" ", "")
    if not folded:
        return []
    names: dict[str, str] = {}
    for fact in book.facts:
        for name in (fact.label, *fact.tags):
            names.setdefault(fold(name, index.t2s), name)
            if re.search(_HAN, name):
                spelled = "".join(index.readings.get(c, (c,))[0] for c in fold(name, index.t2s))
                names.setdefault(spelled, name)
    close = difflib.get_close_matches(folded, list(names), n=limit * 3, cutoff=0.5)
    found: list[str] = []
    for key in close:
        if names[key] not in found:
            found.append(names[key])
    return found[:limit]


def highlight_spans(text: str, terms: Sequence[str], index: SearchIndex) -> list[tuple[int, int]]:
    """Spans of `text` (original indices, end exclusive) where any query term matches."""
    chars, origins = _fold_chars(text, index.t2s)
    folded = "".join(chars)
    spans: list[tuple[int, int]] = []

    def add(start: int, end: int) -> None:
        if start < end:
            spans.append((origins[start], origins[end - 1] + 1))

    letters = [fold(t, index.t2s) for t in terms]
    phrase = "".join(letters) if len(letters) > 1 and all(re.fullmatch(_LETTERS, t) for t in letters) else None
    for term in terms:
        for needle in _needles(term, index):
            for found in re.finditer(_pattern(needle.text), folded):
                add(found.start(), found.end())
    for query in letters + ([phrase] if phrase else []):
        if len(query) >= 2 and re.fullmatch(_LETTERS, query):
            for initials in (False, True):
                span = _pinyin_match(folded, query, index.readings, initials)
                if span is not None:
                    add(*span)
                    break
    return sorted(set(spans))
