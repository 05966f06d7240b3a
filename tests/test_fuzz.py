"""Property tests: any query gives exit 0 or 1 (2 when only spaces); any mangling of facts.yaml gives 0 or a clear 2."""

from __future__ import annotations

import json
import time
from pathlib import Path

from conftest import FACTS, Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SPECIAL = [
    "[bold]x[/bold]", "[/]", "[link=file:///etc/passwd]x[/link]", "\x1b[2J", "\x00", "\r\n", "\u202e",
    ".*", "(a|b)*c", "\\d+", "%s%n", "{0}{1}", "'; DROP TABLE facts; --", "${HOME}", "$(id)", "`id`",
    "就業", "jiuye", "ＪＩＵＹＥ", "９７１７", "“五个一”", "🀄", "\ud800", "a" * 10_000, "就" * 10_000, "jy" * 5_000,
]  # fmt: skip
queries = st.lists(
    st.one_of(st.sampled_from(SPECIAL), st.text(min_size=1, max_size=40), st.text(max_size=10_000)),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(terms=queries)
def test_any_query_exits_0_or_1_and_never_raises(run: Run, terms: list[str]) -> None:
    start = time.perf_counter()
    result = run("search", "--json", "--", *terms)  # after --, even -0 or --help is a query
    if not "".join(terms).split():  # nothing but spaces: an empty query, for the user to fix
        assert result.exit_code == 2 and result.stdout == "" and result.stderr.count("\n") == 1
        return
    assert result.exit_code in (0, 1), result.stderr
    facts = json.loads(result.stdout)
    assert (result.exit_code == 0) == bool(facts)
    table = run("search", "--format", "table", "--", *terms)
    assert table.exit_code == result.exit_code
    assert time.perf_counter() - start < 10


LINES = FACTS.read_text(encoding="utf-8").splitlines(keepends=True)


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["drop", "duplicate", "retype", "swap", "bytes", "indent"]))
        if how == "drop":
            del lines[at]
        elif how == "duplicate":
            lines[at:at] = lines[at : at + draw(st.integers(1, 14))]
        elif how == "retype" and ": " in lines[at]:
            key = lines[at].split(": ", 1)[0]
            value = draw(
                st.sampled_from(["null", "[]", "{}", "-1", "1e9", "true", '"x"', "2022-01-01", "[a, b]", "0x10"])
            )
            lines[at] = f"{key}: {value}\n"
        elif how == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif how == "indent":
            lines[at] = " " * draw(st.integers(1, 3)) + lines[at]
        else:
            lines[at] = lines[at][: len(lines[at]) // 2] + draw(st.binary(min_size=1, max_size=8)).decode("latin-1")
    data = "".join(lines).encode("utf-8", errors="surrogateescape")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=16)) + data[cut:]
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mangled())
def test_a_mangled_fact_file_is_valid_or_refused_clearly(run: Run, tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = Path(tmp_path_factory.mktemp("mangled")) / "facts.yaml"
    path.write_bytes(data)
    for command in (["validate", str(path)], ["--facts", str(path), "search", "就业"]):
        start = time.perf_counter()
        result = run(*command)
        assert time.perf_counter() - start < 10
        assert result.exit_code in (0, 2), (command, result.stderr)
        if result.exit_code == 2:
            assert result.stderr.strip() and result.stdout == ""
            assert all(line.startswith(str(path)) for line in result.stderr.splitlines()), result.stderr
        assert "Traceback" not in result.stderr
