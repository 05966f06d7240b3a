"""Which indicators a bar chart compares, in what order, and its title: rules, not drawing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from qindu_cli.errors import QinduError
from qindu_cli.model import Fact


class Chart(NamedTuple):
    facts: list[Fact]  # largest first
    title: str


def chart_of(facts: Sequence[Fact]) -> Chart:
    """The facts of one base unit, largest first, under a title that names their units.

    Facts in several base units do not compare: that is refused with the units on offer, most
    used first. The title names each unit as written, most used first, then by first use.
    """
    if len({f.normalized.unit for f in facts if f.normalized}) > 1:
        raise QinduError(
            "a chart compares one unit and these indicators are in several; "
            f"add --unit with one of {', '.join(f'{unit} ({n})' for unit, n in _by_use(facts))}"
        )
    ordered = sorted(facts, key=lambda f: -(f.normalized.number if f.normalized else 0))
    written = [unit for unit, _ in _by_use(ordered)]
    base = ordered[0].normalized.unit if ordered[0].normalized else ""
    units = written[0] if len(written) == 1 else f"{' and '.join(written)}, compared in {base}"
    return Chart(ordered, f"{len(ordered)} indicators in {units}; the largest is {ordered[0].raw}")


def _by_use(facts: Sequence[Fact]) -> list[tuple[str, int]]:
    """Units as written with how many facts use each: most used first, then in order of first use."""
    counts: dict[str, int] = {}
    for fact in facts:
        counts[fact.unit or ""] = counts.get(fact.unit or "", 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])
