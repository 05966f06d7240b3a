"""Score `qindu check` on the claims in claims.txt: precision and recall per verdict, as a Markdown table.

    python tests/data/check/score.py            # the table, then every claim it got wrong
    python tests/data/check/score.py --all      # every claim with its verdict and reason

A claim is right when its verdict is the one expected and, for a supported or contradicted claim,
it names the expected fact (and, when contradicted, the expected kind of error).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NamedTuple

from qindu_cli.check import CONTRADICTED, SUPPORTED, VERDICTS, check
from qindu_cli.load import load

CLAIMS = Path(__file__).resolve().parent / "claims.txt"
OPEN, CLOSE = "⟦", "⟧"
KINDS = {
    "scale": "scale slip",
    "transposed": "transposed digits",
    "unit": "wrong unit",
    "rounding": "rounding beyond the written precision",
    "other": "another fact's figure",
    "-": "a different figure",
}


class Case(NamedTuple):
    line: int
    verdict: str
    error: str | None
    fact: str | None
    text: str
    start: int
    end: int


class Outcome(NamedTuple):
    case: Case
    verdict: str  # "missed" when no claim was found at the marked place
    fact: str | None
    error: str | None
    reason: str
    right: bool


def cases(path: Path = CLAIMS) -> list[Case]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        expected, fact, marked = line.split("\t")
        verdict, _, kind = expected.partition(":")
        start = marked.index(OPEN)
        end = marked.index(CLOSE) - 1
        text = marked.replace(OPEN, "").replace(CLOSE, "")
        found.append(
            Case(number, verdict, KINDS[kind] if kind else None, None if fact == "-" else fact, text, start, end)
        )
    return found


def outcomes(all_cases: list[Case]) -> list[Outcome]:
    loaded = load()
    out = []
    for case in all_cases:
        results = check(case.text, loaded.book, loaded.search_index)
        hit = next((r for r in results if r.claim.start < case.end and case.start < r.claim.end), None)
        if hit is None:
            out.append(Outcome(case, "missed", None, None, "no claim found there", False))
            continue
        fact = hit.fact.id.rsplit(".", 1)[-1] if hit.fact else None
        right = hit.verdict == case.verdict
        if right and case.verdict in (SUPPORTED, CONTRADICTED):
            right = fact == case.fact
        if right and case.verdict == CONTRADICTED:
            right = hit.why == case.error
        out.append(Outcome(case, hit.verdict, fact, hit.why, hit.reason, right))
    return out


def table(results: list[Outcome]) -> str:
    lines = ["| verdict | claims | precision | recall |", "|---|---:|---:|---:|"]
    for verdict in VERDICTS:
        expected = [r for r in results if r.case.verdict == verdict]
        given = [r for r in results if r.verdict == verdict]
        right = [r for r in given if r.right]
        precision = f"{len(right) / len(given):.0%}" if given else "–"
        recall = f"{sum(r.right for r in expected) / len(expected):.0%}" if expected else "–"
        lines.append(f"| {verdict} | {len(expected)} | {precision} | {recall} |")
    total = sum(r.right for r in results)
    false_supported = sum(r.case.verdict != SUPPORTED and r.verdict == SUPPORTED for r in results)
    lines.append(f"| all | {len(results)} | {total}/{len(results)} right ({total / len(results):.1%}) | |")
    lines.append(f"\nfalse or unverifiable claims called supported: {false_supported}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="show every claim, not only those got wrong")
    args = parser.parse_args()
    results = outcomes(cases())
    print(table(results))
    for r in results:
        if args.all or not r.right:
            mark = "ok " if r.right else "BAD"
            expected = r.case.verdict + (f" ({r.case.error})" if r.case.error else "")
            print(f"{mark} line {r.case.line}: expected {expected} {r.case.fact or ''}; got {r.verdict} {r.fact or ''}")
            print(f"      {r.case.text}\n      {r.reason}")
    sys.exit(0)


if __name__ == "__main__":
    main()
