"""The unit table and the grammar of written figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qindu_cli.units import english, lookup, named, normalize, parse_figure


@pytest.mark.parametrize(
    ("raw", "value", "unit", "qualifier"),
    [
        ("9717人", "9717", "人", None),
        ("100.9亿元", "100.9", "亿元", None),
        ("2.68%", "2.68", "%", None),
        ("9100余户", "9100", "户", "more_than"),
        ("3500多名", "3500", "名", "more_than"),
        ("突破1亿人次", "1", "亿人次", "more_than"),
        ("逾50家", "50", "家", "more_than"),
        ("100家以上", "100", "家", "at_least"),
        ("约30个", "30", "个", "approx"),
        ("近20个", "20", "个", "approx"),
        ("20个左右", "20", "个", "approx"),
        ("不超过3天", "3", "天", "at_most"),
        ("5天以内", "5", "天", "at_most"),
        ("8.5万学时", "8.5", "万学时", None),
    ],
)
def test_a_written_figure_is_taken_apart(raw: str, value: str, unit: str, qualifier: str | None) -> None:
    figure = parse_figure(raw)
    assert figure is not None
    assert (figure.value, figure.unit, figure.qualifier) == (Decimal(value), unit, qualifier)


@pytest.mark.parametrize("raw", ["", "人", "九千人", "约9100余户", "9,717人", "97 17人"])
def test_what_is_not_a_figure_is_refused(raw: str) -> None:
    assert parse_figure(raw) is None


@pytest.mark.parametrize(
    ("value", "unit", "expected", "base"),
    [
        ("100.9", "亿元", "10090000000", "元"),
        ("22", "万人", "220000", "人"),
        ("6797.36", "万元", "67973600", "元"),
        ("152", "万剂次", "1520000", "剂次"),
        ("1", "亿人次", "100000000", "人次"),
        ("2.68", "%", "2.68", "%"),
        ("9717", "人", "9717", "人"),
        ("5200", "亩", "3466666.67", "m²"),
        ("3", "亩", "2000", "m²"),
    ],
)
def test_normalization_is_exact_decimal_arithmetic(value: str, unit: str, expected: str, base: str) -> None:
    scaled, scaled_unit = normalize(Decimal(value), unit)
    assert isinstance(scaled, Decimal)
    assert (scaled, scaled_unit) == (Decimal(expected), base)
    assert str(scaled) == expected


def test_unknown_units_are_not_in_the_table() -> None:
    assert lookup("公里") is None
    assert lookup("万亩") is None  # an area scale the report never uses is not guessed at
    with pytest.raises(KeyError):
        normalize(Decimal(1), "公里")


@pytest.mark.parametrize(
    ("name", "units"),
    [
        ("yuan", ("元",)),
        ("Households", ("户",)),
        ("household", ("户",)),
        ("people", ("人", "名", "位")),
        ("percent", ("%",)),
        ("per  cent", ("%",)),
        ("mu", ("亩",)),
        ("times", ("次",)),
        ("furlongs", ()),
        ("元", ()),
    ],
)
def test_english_names_stand_for_units_of_the_table(name: str, units: tuple[str, ...]) -> None:
    assert named(name) == units


def test_a_unit_as_written_has_the_english_names_of_its_base() -> None:
    assert english("亿元")[0] == "yuan" and english("万人") == english("人") and english("%")[0] == "percent"
    assert english("公里") == () and english("万") == ()
