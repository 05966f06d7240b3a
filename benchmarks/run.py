"""Speed and memory of qindu, each as a ratio to a baseline measured side by side in the same run.

    python benchmarks/run.py            # builds its own virtual environments in a temporary folder
    python benchmarks/run.py --pairs 15

It installs qindu from this checkout into a fresh virtual environment (as a user would, with
bytecode compiled), builds the naive baseline (benchmarks/naive_qindu.py) and a 10,000-fact
file, then times alternating pairs of runs and prints each ratio next to its goal. Standard
library only. Not part of the test suite: these machines are shared and noisy, which a ratio of
medians taken in the same run absorbs and an absolute time would not.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIG_FACTS = 10_000
# Each kind of query, measured in the big file against the shipped one.
QUERY_KINDS = [
    ("traditional", ["就業"]),
    ("pinyin", ["jiuye"]),
    ("pinyin with tones", ["jiùyè"]),
    ("initials", ["jy"]),
    ("English", ["employment"]),
    ("figure", ["100"]),
    ("kind word", ["honours"]),
    ("words and the year", ["就业", "2022"]),
]
ARTICLE_CHARS = 10_000


def run_once(command: list[str], env: dict[str, str]) -> float:
    """Wall time in seconds of one run, output discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, _ = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0,):
        raise SystemExit(f"benchmark command failed ({process.returncode}): {' '.join(command)}\n{errors}")
    return elapsed


def pairs(target: list[str], baseline: list[str], count: int, env: dict[str, str]) -> tuple[float, float, float]:
    """Median of per-pair time ratios target/baseline, and the two median times in ms."""
    run_once(target, env)
    run_once(baseline, env)  # warm: caches, page cache
    ratios, target_times, baseline_times = [], [], []
    for index in range(count):
        order = [(target, target_times), (baseline, baseline_times)]
        if index % 2:
            order.reverse()
        for command, times in order:
            times.append(run_once(command, env))
        ratios.append(target_times[-1] / baseline_times[-1])
    return statistics.median(ratios), statistics.median(target_times) * 1000, statistics.median(baseline_times) * 1000


# A child's peak RSS counts the pages of the process it was forked from, so the benchmark (tens of
# MiB) would swamp what it measures; a small interpreter starts each measured command instead.
_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_kib(command: list[str], env: dict[str, str]) -> int:
    result = subprocess.run([sys.executable, "-c", _PEAK, *command], capture_output=True, env=env, check=True)
    return int(result.stdout)


def memory(target: list[str], baseline: list[str], count: int, env: dict[str, str]) -> tuple[float, int, int]:
    """Median peak memory of each, measured alternately."""
    target_rss, baseline_rss = [], []
    for _ in range(count):
        target_rss.append(peak_kib(target, env))
        baseline_rss.append(peak_kib(baseline, env))
    a, b = statistics.median(target_rss), statistics.median(baseline_rss)
    return a / b, int(a), int(b)


def big_fact_file(path: Path) -> None:
    """The real facts replicated with new ids until there are BIG_FACTS of them."""
    text = (ROOT / "facts.yaml").read_text(encoding="utf-8")
    head, _, body = text.partition("\nfacts:\n")
    blocks = ["  - id:" + block for block in body.split("  - id:")[1:]]
    out = [head, "\nfacts:\n"]
    for index in range(BIG_FACTS):
        block = blocks[index % len(blocks)]
        copy = index // len(blocks)
        if copy:
            first, rest = block.split("\n", 1)
            block = f"{first}-copy-{copy}\n{rest}"
        out.append(block.rstrip("\n") + "\n")
    path.write_text("".join(out), encoding="utf-8")


def article(path: Path, size: int = ARTICLE_CHARS) -> None:
    """An article of `size` characters: the check corpus's sentences with no contradicted figure (so the
    run exits 0), repeated."""
    lines = (ROOT / "tests" / "data" / "check" / "claims.txt").read_text(encoding="utf-8").splitlines()
    sentences = [
        line.split("\t")[2].replace("⟦", "").replace("⟧", "")
        for line in lines
        if line and not line.startswith(("#", "contradicted"))
    ]
    text = ""
    while len(text) < size:
        text += "".join(sentence + "\n" for sentence in sentences)
    path.write_text(text[:size], encoding="utf-8")


def environment(folder: Path) -> Path:
    """A fresh virtual environment with qindu installed from this checkout, bytecode compiled."""
    venv.EnvBuilder(with_pip=True).create(folder)
    python = folder / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(ROOT)], check=True)
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=11, help="pairs of runs per ratio (at least 9)")
    parser.add_argument("--venv", type=Path, help="measure the qindu installed in this virtual environment instead")
    args = parser.parse_args()
    count = max(9, args.pairs)

    with tempfile.TemporaryDirectory(prefix="qindu-bench-") as scratch:
        work = Path(scratch)
        if args.venv is None:
            print(f"installing qindu into a fresh virtual environment in {work} …", file=sys.stderr)
        folder = args.venv or work / "venv"
        python = environment(folder) if args.venv is None else folder / "bin" / "python"
        qindu = [str(folder / "bin" / "qindu")]
        naive = [str(python), str(ROOT / "benchmarks" / "naive_qindu.py")]
        big = work / "big.yaml"
        big_fact_file(big)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR", "QINDU_FACTS")}
        env |= {"XDG_CACHE_HOME": str(work / "cache"), "COLUMNS": "100"}
        import_typer = [str(python), "-c", "import typer"]
        import_rich = [str(python), "-c", "import typer, rich.console, rich.table"]
        shutil.copy(ROOT / "facts.yaml", work / "facts.yaml")

        rows: list[tuple[str, str, float, str, bool]] = []

        def goal(name: str, measured: float, limit: float, detail: str, at_most: bool = True) -> None:
            met = measured <= limit if at_most else measured >= limit
            rows.append((name, f"{'≤' if at_most else '≥'} {limit:g}", measured, detail, met))

        ratio, a, b = pairs([*qindu, "search", "就业", "--json"], import_typer, count, env)
        goal("1 search 就业 --json / import typer", ratio, 1.25, f"{a:.1f} ms vs {b:.1f} ms")
        ratio, a, b = pairs([*qindu, "section", "economy", "--format", "table"], import_rich, count, env)
        goal("2 section economy (table) / import typer+rich", ratio, 1.35, f"{a:.1f} ms vs {b:.1f} ms")
        ratio, a, b = pairs([*naive, "search", "就业", "--json"], [*qindu, "search", "就业", "--json"], count, env)
        goal("3 naive search / qindu search (speed-up)", ratio, 2, f"{a:.1f} ms vs {b:.1f} ms", at_most=False)
        ratio, a, b = pairs(
            [*qindu, "--facts", str(big), "search", "就业", "--limit", "10", "--json"],
            [*qindu, "search", "就业", "--limit", "10", "--json"],
            count,
            env,
        )
        goal(f"4 search in {BIG_FACTS:,} facts / in the shipped file", ratio, 2, f"{a:.1f} ms vs {b:.1f} ms")
        for kind, query in QUERY_KINDS:
            target = [*qindu, "--facts", str(big), "search", *query, "--limit", "10", "--json"]
            shipped = [*qindu, "search", *query, "--limit", "10", "--json"]
            ratio, a, b = pairs(target, shipped, count, env)
            goal(
                f"4 {kind} ({' '.join(query)}) in {BIG_FACTS:,} facts / shipped", ratio, 2, f"{a:.1f} ms vs {b:.1f} ms"
            )
            ratio, a_kib, b_kib = memory(target, shipped, max(3, count // 3), env)
            goal(f"4 {kind}: its peak memory / shipped", ratio, 3, f"{a_kib / 1024:.1f} MiB vs {b_kib / 1024:.1f} MiB")
        ratio, a_kib, b_kib = memory([*qindu, "search", "就业", "--json"], import_typer, count, env)
        goal("5 peak memory of search / import typer", ratio, 1.35, f"{a_kib / 1024:.1f} MiB vs {b_kib / 1024:.1f} MiB")

        edited = work / "facts.yaml"
        edited.write_text(
            edited.read_text(encoding="utf-8").replace("label: 新增城镇就业", "label: 新增城镇就业岗位"), "utf-8"
        )
        seen = subprocess.run([*qindu, "--facts", str(edited), "search", "就业岗位"], capture_output=True, env=env)
        fresh = seen.returncode == 0 and "新增城镇就业岗位" in seen.stdout.decode()
        rows.append(("6 an edited fact file is seen on the next run", "yes", 1.0 if fresh else 0.0, "", fresh))

        draft = work / "article.txt"
        article(draft)
        ratio, a, b = pairs([*qindu, "check", str(draft)], [*qindu, "search", "就业"], count, env)
        goal(f"7 check a {ARTICLE_CHARS:,}-character article / search 就业", ratio, 2, f"{a:.1f} ms vs {b:.1f} ms")

    width = max(len(r[0]) for r in rows)
    print(f"{'goal':<{width}}  {'target':>7}  {'measured':>8}  detail")
    for name, target, measured, detail, met in rows:
        shown = f"{measured:.2f}" if not name.startswith("6") else ("yes" if met else "NO")
        print(f"{name:<{width}}  {target:>7}  {shown:>8}  {detail}{'' if met else '   <- missed'}")
    print(f"(median of {count} pairs each; Python {sys.version.split()[0]}, {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
