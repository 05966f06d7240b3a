"""The unit table, the grammar of a written figure, and exact normalization with `Decimal`."""

import re
from decimal import Decimal
from typing import NamedTuple


class Unit(NamedTuple):
    """A unit as written in the report, and how to express it in its base unit."""

    base: str
    factor: Decimal
    countable: bool
    quantum: Decimal | None = None  # rounding step for factors that do not divide evenly


# Each base unit and its English names, singular (a plural in -s or -es is taken too), so that
# `--unit yuan` means 元. A name may stand for several units: people are counted in 人, 名 and 位.
_COUNTS = {
    "人": ("person", "people"),
    "人次": ("person-time",),
    "个": ("item", "piece"),
    "家": ("enterprise", "firm", "business"),
    "户": ("household",),
    "条": ("line",),
    "场次": ("session", "event"),
    "次": ("time",),
    "名": ("person", "people"),
    "期": ("session", "round"),
    "学时": ("class-hour", "study-hour"),
    "件": ("case", "piece"),
    "所": ("institution", "school"),
    "位": ("person", "people"),
    "项": ("item",),
    "套": ("set", "apartment"),
    "轮": ("round",),
    "剂次": ("dose",),
    "处": ("place", "site"),
    "天": ("day",),
}
_MEASURES = {
    "元": (Unit("元", Decimal(1), countable=False), ("yuan", "rmb", "cny")),
    "吨": (Unit("吨", Decimal(1), countable=False), ("tonne", "ton")),
    "%": (Unit("%", Decimal(1), countable=False), ("percent", "per cent", "pct")),
    "亩": (Unit("m²", Decimal(2000) / Decimal(3), countable=False, quantum=Decimal("0.01")), ("mu",)),
}
_BASES: dict[str, Unit] = {name: Unit(name, Decimal(1), countable=True) for name in _COUNTS}
_BASES.update({name: unit for name, (unit, _) in _MEASURES.items()})
_ENGLISH = {**_COUNTS, **{name: english for name, (_, english) in _MEASURES.items()}}
_SCALES = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8}

# How a written figure relates to the true amount, by the word that says so.
_QUALIFIER_WORDS = {
    "余": "more_than",
    "多": "more_than",
    "逾": "more_than",
    "超": "more_than",
    "超过": "more_than",
    "突破": "more_than",
    "以上": "at_least",
    "约": "approx",
    "近": "approx",
    "左右": "approx",
    "以内": "at_most",
    "不超过": "at_most",
}
_RAW = (  # compiled on first use, by re's own cache: only checking a fact file needs it
    r"(?P<before>突破|不超过|超过|逾|超|约|近)?"
    r"(?P<number>\d+(?:\.\d+)?)"
    r"(?P<middle>余|多)?"
    r"(?P<unit>[^\d\s,.，。]+?)"
    r"(?P<after>以上|左右|以内)?"
)


def lookup(unit: str) -> Unit | None:
    """The unit table's entry for `unit` as written (`亿元`, `万人`, `%`), or None."""
    if unit in _BASES:
        return _BASES[unit]
    scale, rest = unit[:1], unit[1:]
    if scale in _SCALES and rest in _BASES and _BASES[rest].quantum is None:
        base = _BASES[rest]
        return Unit(base.base, _SCALES[scale] * base.factor, base.countable)
    return None


def named(name: str) -> tuple[str, ...]:
    """The units of the table an English name stands for: `yuan` is 元, `People` is 人, 名 and 位."""
    word = " ".join(name.casefold().split())
    forms = {word, word.removesuffix("s"), word.removesuffix("es")}
    return tuple(unit for unit, english in _ENGLISH.items() if forms & set(english))


def english(unit: str) -> tuple[str, ...]:
    """The English names of a unit as written: 亿元 is yuan, rmb, cny."""
    if unit in _ENGLISH:
        return _ENGLISH[unit]
    return _ENGLISH.get(unit[1:], ()) if unit[:1] in _SCALES else ()


class Figure(NamedTuple):
    """A figure as the report writes it, taken apart: `9100余户` is 9100, 户, more than."""

    value: Decimal
    unit: str
    qualifier: str | None  # more_than, at_least, approx or at_most


def parse_figure(raw: str) -> Figure | None:
    """Read a written figure such as `突破1亿人次`; None when it is not of that shape."""
    match = re.fullmatch(_RAW, raw)
    if match is None:
        return None
    words = [w for w in (match["before"], match["middle"], match["after"]) if w]
    if len(words) > 1:
        return None
    qualifier = _QUALIFIER_WORDS[words[0]] if words else None
    return Figure(Decimal(match["number"]), match["unit"], qualifier)


def normalize(value: Decimal, unit: str) -> tuple[Decimal, str]:
    """`value unit` in its base unit: `100.9 亿元` is `10090000000 元`. Raises KeyError for unknown units."""
    entry = lookup(unit)
    if entry is None:
        raise KeyError(unit)
    scaled = value * entry.factor
    if entry.quantum is not None:
        scaled = scaled.quantize(entry.quantum)
    if scaled == scaled.to_integral_value():
        scaled = scaled.quantize(Decimal(1))
    return scaled, entry.base
