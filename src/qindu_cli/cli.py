"""The `qindu` command: options, arguments and exit codes. The only module that prints.

Exit codes: 0 found or done; 1 a valid query with no result; 2 anything the user must fix;
130 on Ctrl-C. Errors are one line each on stderr, never a traceback.
"""

import os
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import typer
from typer.core import TyperGroup

from qindu_cli import __version__
from qindu_cli.errors import FactFileError, QinduError
from qindu_cli.render import Format, Lang, View, figure, render

if TYPE_CHECKING:
    from qindu_cli.load import Loaded

EXIT_NO_RESULT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: qindu itself went wrong
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # as if ended by SIGPIPE, like any other filter whose reader went away


class QinduGroup(TyperGroup):
    """Runs a command and turns whatever goes wrong into one line on stderr and an exit code.

    Its commands are built when they are asked for (Click's lazily loaded subcommands): a run
    builds the one it invokes instead of all of them, which was most of Typer's time at start.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        one = _COMMANDS.get(cmd_name)
        if one is None:
            return None
        built = typer.main.get_command(one)
        built.name = cmd_name
        return built

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name or "qindu", complete_var, False, windows_expand_args, **extra)
        except QinduError as error:
            prefix = "" if isinstance(error, FactFileError) else "qindu: error: "
            for line in error.lines():
                _stderr(prefix + line)
            code = error.exit_code
        except typer.TyperException as error:  # a usage error from the option parser
            message = error.format_message().strip()
            context = getattr(error, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context is not None else ""
            if message:  # empty when the help was shown for want of a command
                _stderr(f"qindu: error: {message}{hint}")
            code = getattr(error, "exit_code", EXIT_USAGE)
        except (typer.Abort, KeyboardInterrupt):
            code = EXIT_INTERRUPTED
        except BrokenPipeError:
            code = _quiet_broken_pipe()
        except Exception as error:  # a bug: still one line, and a way to report it
            _stderr(
                f"qindu: internal error: {type(error).__name__}: {error}; please report it with the command you ran"
            )
            code = EXIT_INTERNAL
        if standalone_mode:
            sys.exit(code or 0)
        return code


_HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}
_COMMANDS: dict[str, typer.Typer] = {}

app = typer.Typer(
    cls=QinduGroup,
    name="qindu",
    help="Facts of the 2022 work report of 秦都区 (Qindu District, Xianyang), each with its source sentence.",
    epilog="Examples: qindu sections · qindu search 就业 · qindu show new-urban-jobs · qindu indicators --unit 亿元",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings=_HELP_OPTIONS,
)


def command(function: Callable[..., None]) -> Callable[..., None]:
    """Register a command of qindu, built only when it is invoked (see QinduGroup)."""
    one = typer.Typer(add_completion=False, pretty_exceptions_enable=False, context_settings=_HELP_OPTIONS)
    one.command(name=function.__name__)(function)
    _COMMANDS[function.__name__] = one
    return function


class Settings(NamedTuple):
    facts: Path | None = None
    lang: Lang = Lang.ZH
    no_color: bool = False


def _stderr(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass


def _quiet_broken_pipe() -> int:
    """Point stdout at /dev/null so the interpreter's last flush says nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_BROKEN_PIPE


CHUNK = 1 << 15


def _out(text: str) -> None:
    """Write to stdout in UTF-8, in flushed chunks that end at line ends.

    A reader never sees half a line, and a reader that goes away is noticed at the next chunk
    whatever the buffering (one large write to a closed pipe can report success). It ends the
    run quietly with EXIT_BROKEN_PIPE.
    """
    stream = sys.stdout
    if stream is None:  # started with stdout closed: nobody to write to
        raise typer.Exit(EXIT_BROKEN_PIPE)
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
    if encoding != "utf8" and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")
    start = 0
    try:
        while start < len(text):
            end = text.rfind("\n", start, start + CHUNK) + 1 or min(len(text), start + CHUNK)
            stream.write(text[start:end])
            stream.flush()
            start = end
    except BrokenPipeError:
        raise typer.Exit(_quiet_broken_pipe()) from None


def _version(value: bool) -> None:
    if value:
        _out(f"qindu {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    ctx: typer.Context,
    facts: Path | None = typer.Option(
        None,
        "--facts",
        envvar="QINDU_FACTS",
        show_default=False,
        help="Read this fact file instead of the one qindu ships.",
    ),
    lang: Lang = typer.Option(
        Lang.ZH, "--lang", envvar="QINDU_LANG", help="Labels and titles in tables: zh or en. JSON carries both."
    ),
    no_color: bool = typer.Option(False, "--no-color", help="No colour in tables (NO_COLOR is honoured too)."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Facts of the 2022 work report of 秦都区, each with the exact sentence it comes from."""
    ctx.obj = Settings(facts=facts, lang=lang, no_color=no_color or bool(os.environ.get("NO_COLOR")))


# Completion of names from the fact file in use (--facts or QINDU_FACTS, else the shipped one).


def _book_for_completion(ctx: typer.Context) -> Any:
    from qindu_cli.load import load

    chosen = ctx.find_root().params.get("facts") or os.environ.get("QINDU_FACTS")
    try:
        return load(Path(chosen) if chosen else None).book
    except QinduError:
        return None


def complete_section(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    book = _book_for_completion(ctx)
    return [(s.id, s.title_en) for s in book.sections if s.id.startswith(incomplete)] if book else []


def complete_topic(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    book = _book_for_completion(ctx)
    if book is None:
        return []
    section = ctx.params.get("name") or ctx.params.get("section_name")
    sections = [s for s in book.sections if section in (None, s.id)]
    return [(t.id, t.title_en) for s in sections for t in s.topics if t.id.startswith(incomplete)]


def complete_fact(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Full ids, and the last part of an id alone when it names one fact (show takes either)."""
    book = _book_for_completion(ctx)
    if book is None:
        return []
    slugs: dict[str, list[str]] = {}
    for fact in book.facts:
        slugs.setdefault(fact.id.rsplit(".", 1)[-1], []).append(fact.label_en)
    found = [(f.id, f.label_en) for f in book.facts if f.id.startswith(incomplete)]
    if "." not in incomplete:
        found += [
            (slug, labels[0]) for slug, labels in slugs.items() if slug.startswith(incomplete) and len(labels) == 1
        ]
    return found


def complete_unit(ctx: typer.Context, incomplete: str) -> list[str]:
    book = _book_for_completion(ctx)
    return [u for u in book.units() if u.startswith(incomplete)] if book else []


# The output options every listing command takes, declared once. Parameters are declared by
# their defaults rather than with Annotated: each Annotated[...] costs 40 µs at every start.
FORMAT = typer.Option(
    None, "--format", "-f", case_sensitive=False, show_default=False,
    help="table, plain, json, jsonl, csv, tsv or markdown. Default: table on a terminal, plain in a pipe.",
)  # fmt: skip
JSON = typer.Option(False, "--json", help="The same as --format json.")
# The selection options of indicators, chart and search, declared once too.
SECTION = typer.Option(
    None, "--section", "-s", metavar="ID", help="Only this section.", autocompletion=complete_section
)
TOPIC = typer.Option(None, "--topic", "-t", help="Only this topic.", autocompletion=complete_topic)
UNIT = typer.Option(
    None,
    "--unit",
    "-u",
    help="Only this unit, as written (亿元) or a base unit (元) for all its scales.",
    autocompletion=complete_unit,
)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.find_object(Settings)
    return settings if settings is not None else Settings()


def _loaded(ctx: typer.Context) -> "Loaded":
    from qindu_cli.load import load

    return load(_settings(ctx).facts)


def _format(fmt: Format | None, as_json: bool) -> Format:
    if as_json and fmt not in (None, Format.JSON):
        raise QinduError(f"--json and --format {fmt.value} ask for two formats; give one")
    if as_json:
        return Format.JSON
    if fmt is not None:
        return fmt
    return Format.TABLE if sys.stdout is not None and sys.stdout.isatty() else Format.PLAIN


def _emit(ctx: typer.Context, view: View, fmt: Format) -> None:
    """Write a view to stdout in `fmt`; a reader that goes away ends the run quietly."""
    if fmt is not Format.TABLE:
        _out(render(view, fmt))
        return
    _draw(ctx, view.table)


def _draw(ctx: typer.Context, drawing: Callable[[Any], Any]) -> None:
    """Draw for the terminal (its width, colour unless turned off) and write it in whole lines."""
    from rich.console import Console

    console = Console(no_color=_settings(ctx).no_color, highlight=False, emoji=False, markup=False, soft_wrap=False)
    with console.capture() as captured:
        console.print(drawing(console), no_wrap=True, crop=False)
    _out(captured.get())


def _no_result(message: str, output: Format | None = None) -> NoReturn:
    """A valid query found nothing: an empty list for JSON, the reason on stderr, exit 1."""
    if output is Format.JSON:
        _out("[]\n")
    _stderr(message)
    raise typer.Exit(EXIT_NO_RESULT)


@command
def sections(ctx: typer.Context, fmt: Format | None = FORMAT, as_json: bool = JSON) -> None:
    """The report's three parts, their topics and how many facts each holds.

    Example:  qindu sections --lang en
    """
    from qindu_cli.render import sections_view

    loaded = _loaded(ctx)
    _emit(ctx, sections_view(loaded.book, _settings(ctx).lang), _format(fmt, as_json))


@command
def section(
    ctx: typer.Context,
    name: str = typer.Argument(
        ...,
        metavar="ID",
        autocompletion=complete_section,
        help="economy, party-building or livelihood; a prefix (econ) or words of the title as search takes them "
        "(民生, 經濟, jingji, public services) will do.",
    ),
    topic: str | None = typer.Option(
        None,
        "--topic",
        "-t",
        help="Only this topic of the section: its id or words of its title (稳岗, employment).",
        autocompletion=complete_topic,
    ),
    fmt: Format | None = FORMAT,
    as_json: bool = JSON,
) -> None:
    """One part of the report: its heading, topics and every fact, grouped by topic.

    Examples:  qindu section economy   ·   qindu section 民生 --topic jobs
    """
    from qindu_cli.render import section_view
    from qindu_cli.search import find_section, find_topic

    output = _format(fmt, as_json)
    loaded = _loaded(ctx)
    book = loaded.book
    found = find_section(book, loaded.search_index, name)
    topic_id = find_topic(book, loaded.search_index, found, topic).id if topic is not None else None
    facts = list(book.facts_of(found.id, topic_id))
    _emit(ctx, section_view(book, found, facts, _settings(ctx).lang), output)


@command
def search(
    ctx: typer.Context,
    query: list[str] = typer.Argument(
        ...,
        metavar="QUERY...",
        help="Words to find: Chinese, traditional, pinyin (jiuye, jiùyè, jiu4ye4, jy), English or figures.",
    ),
    section_name: str | None = SECTION,
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, help="At most this many facts."),
    any_term: bool = typer.Option(False, "--any", help="Facts matching any word, not every word."),
    explain: bool = typer.Option(
        False, "--explain", help="Say which field (and tag) and form matched (JSON: a `match` list)."
    ),
    fmt: Format | None = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Facts matching every word of QUERY, best first, with the matches highlighted.

    Words for a kind find it, after the facts that match by their own words:
    honour, award, 荣誉, 奖 find milestones (honours, firsts, rankings);
    programme, campaign, initiative, 举措 find initiatives (named programmes);
    figure, indicator, 指标 find indicators (facts with a number).
    The report's year (2022) matches every fact for that year.

    Examples:  qindu search 就业   ·   qindu search jiuye   ·   qindu search employment --json   ·   qindu search 荣誉
    """
    from qindu_cli.render import facts_view
    from qindu_cli.search import find_section, nothing_found, query_terms
    from qindu_cli.search import search as find

    output = _format(fmt, as_json)
    terms = query_terms(query)
    loaded = _loaded(ctx)
    book = loaded.book
    chosen = None if section_name is None else find_section(book, loaded.search_index, section_name).id
    within = None if chosen is None else {i for i, fact in enumerate(book.facts) if fact.section == chosen}
    hits = find(loaded.search_index, terms, any_term=any_term, within=within)[:limit]
    facts = [book.facts[hit.position] for hit in hits]
    if not facts:
        _no_result("qindu: " + nothing_found(loaded.search_index, book, terms, any_term, chosen), output)
    view = facts_view(book, facts, _settings(ctx).lang, terms, loaded.search_index, hits, explain)
    _emit(ctx, view, output)


@command
def show(
    ctx: typer.Context,
    fact_id: str = typer.Argument(
        ..., metavar="FACT_ID", help="A fact id, or its last part when that is unique.", autocompletion=complete_fact
    ),
    fmt: Format | None = FORMAT,
    as_json: bool = JSON,
) -> None:
    """One fact in full: figure, normalized value, section, topic, tags and its exact quote.

    Examples:  qindu show livelihood.jobs.new-urban-jobs   ·   qindu show new-urban-jobs --json
    """
    from qindu_cli.render import fact_view

    output = _format(fmt, as_json)
    book = _loaded(ctx).book
    fact = book.fact_by_slug(fact_id)
    _emit(ctx, fact_view(book, fact, _settings(ctx).lang), output)


class Sort(str, Enum):
    REPORT = "report"
    VALUE = "value"
    LABEL = "label"


@command
def indicators(
    ctx: typer.Context,
    section_name: str | None = SECTION,
    topic: str | None = TOPIC,
    unit: str | None = UNIT,
    sort: Sort = typer.Option(
        Sort.REPORT, "--sort", case_sensitive=False, help="report, value (normalized, grouped by base unit) or label."
    ),
    desc: bool = typer.Option(False, "--desc", help="Largest or last first."),
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, help="At most this many."),
    fmt: Format | None = FORMAT,
    as_json: bool = JSON,
) -> None:
    """The numeric facts, with their normalized values, filtered and sorted.

    Examples:  qindu indicators --unit 亿元   ·   qindu indicators --unit 元 --sort value --desc
    """
    from qindu_cli.render import indicators_view

    output = _format(fmt, as_json)
    book = _loaded(ctx).book
    facts = book.indicators(section_name, topic, unit)
    if sort is Sort.VALUE:
        facts.sort(key=lambda f: (f.normalized or (0, ""))[::-1], reverse=desc)
    elif sort is Sort.LABEL:
        facts.sort(key=lambda f: f.label_en.casefold() if _settings(ctx).lang is Lang.EN else f.label, reverse=desc)
    elif desc:
        facts.reverse()
    facts = facts[:limit]
    if not facts:
        _no_result("qindu: no indicator matches these filters", output)
    _emit(ctx, indicators_view(book, facts, _settings(ctx).lang), output)


@command
def chart(
    ctx: typer.Context,
    unit: str | None = UNIT,
    section_name: str | None = SECTION,
    topic: str | None = TOPIC,
) -> None:
    """A bar chart of the indicators that share a unit, largest first, bars to scale.

    Examples:  qindu chart --unit 万元  ·  qindu chart --unit 元  ·  qindu chart -s livelihood -t jobs --unit 元
    """
    book = _loaded(ctx).book
    facts = book.indicators(section_name, topic, unit)
    if not facts:
        _no_result("qindu: no indicator matches these filters")
    bases = {f.base_unit for f in facts}
    if len(bases) > 1:
        counts: dict[str, int] = {}
        for fact in facts:
            counts[fact.unit or ""] = counts.get(fact.unit or "", 0) + 1
        offered = ", ".join(f"{name} ({n})" for name, n in sorted(counts.items(), key=lambda c: -c[1]))
        raise QinduError(
            f"a chart compares one unit and these indicators are in several; add --unit with one of {offered}"
        )
    facts.sort(key=lambda f: -float(f.base_value or 0))
    written = sorted({f.unit or "" for f in facts}, key=lambda u: -sum(f.unit == u for f in facts))
    units = written[0] if len(written) == 1 else f"{' and '.join(written)}, compared in {facts[0].base_unit}"
    title = f"{len(facts)} indicators in {units}; the largest is {figure(facts[0])}"

    from qindu_cli.tables import bar_chart

    _draw(ctx, lambda console: bar_chart(console, facts, title))


@command
def validate(
    ctx: typer.Context,
    path: Path | None = typer.Argument(
        None, metavar="[PATH]", help="The fact file to check; default: the one in use.", show_default=False
    ),
    source: Path | None = typer.Option(
        None,
        "--source",
        metavar="TEXT_FILE",
        help="Check every quote against this report text; default: the one the fact file names, beside it.",
    ),
    as_json: bool = JSON,
) -> None:
    """Check a fact file: schema, ids, units, figures against their raw text, and quotes.

    Examples:  qindu validate   ·   qindu validate my-facts.yaml --source ../shared/source/qindu-2022-report.txt
    """
    import json

    from qindu_cli.load import decode, parse, read_bytes, shipped_path
    from qindu_cli.schema import check_quotes, fact_lines
    from qindu_cli.source import text_beside

    target = path or _settings(ctx).facts or shipped_path()
    name = str(target)
    problems = []
    book = None
    try:
        book, document = parse(read_bytes(target), name)
        source = source or text_beside(target, book.source.text)
        if source is not None:
            text = decode(read_bytes(source, "source text"), str(source))
            problems = check_quotes(book, text, str(source), name, fact_lines(document))
    except FactFileError as error:
        problems = list(error.problems)
    counts: dict[str, int] = {}
    if book is not None:
        for fact in book.facts:
            counts[fact.kind] = counts.get(fact.kind, 0) + 1
    if as_json:
        report = {
            "file": name,
            "valid": not problems,
            "facts": sum(counts.values()),
            "kinds": counts,
            "source": None if source is None else str(source),
            "problems": [p.as_record() for p in problems],
        }
        _out(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    if problems:
        raise FactFileError(problems)
    if not as_json:
        kinds = ", ".join(f"{n} {k}s" for k, n in counts.items())
        named = book.source.text if book is not None else None
        missing = f"{named} is not beside it; " if named else ""
        checked = f"; every quote placed in {source}" if source else f"; quotes not checked: {missing}give --source"
        _out(f"{name}: valid, {sum(counts.values())} facts ({kinds}){checked}\n")


@command
def schema() -> None:
    """The JSON Schema (draft 2020-12) of a fact file, for editors that check YAML as it is typed.

    Example:  qindu schema > qindu.schema.json
    """
    import json

    from qindu_cli.schema import json_schema

    _out(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n")


class ExportFormat(str, Enum):
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    MARKDOWN = "markdown"
    SQLITE = "sqlite"
    DATAPACKAGE = "datapackage"


@command
def export(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(
        ExportFormat.JSON,
        "--format",
        "-f",
        case_sensitive=False,
        help="json, jsonl, csv, tsv, markdown; sqlite (a database, with NAME.metadata.json for Datasette) or "
        "datapackage (a folder with datapackage.json and CSV files), which need -o.",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to this file (or folder) instead of stdout."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the output if it exists."),
) -> None:
    """The whole normalized dataset: source, sections and every fact.

    Examples:  qindu export > qindu.json  ·  qindu export -f sqlite -o qindu.db  ·  qindu export -f datapackage -o qindu
    """
    import json

    from qindu_cli import export as exporting

    book = _loaded(ctx).book
    if fmt in (ExportFormat.SQLITE, ExportFormat.DATAPACKAGE) and output is None:
        raise QinduError(f"--format {fmt.value} writes files: give -o PATH")
    if fmt is ExportFormat.SQLITE:
        assert output is not None
        metadata = output.with_name(f"{output.stem}.metadata.json")
        text = json.dumps(exporting.datasette_metadata(book, output.stem), ensure_ascii=False, indent=2) + "\n"
        if metadata.exists() and not force:
            raise QinduError(f"{metadata}: already exists; add --force to overwrite it")
        exporting.write_atomically(output, force, lambda path: exporting.write_sqlite(book, path))
        exporting.write_atomically(metadata, True, lambda path: path.write_text(text, "utf-8"))
        _stderr(f"qindu: wrote {len(book.facts)} facts to {output}; open it with: datasette {output} -m {metadata}")
        return
    if fmt is ExportFormat.DATAPACKAGE:
        assert output is not None
        exporting.write_atomically(output, force, lambda path: exporting.write_datapackage(book, path), folder=True)
        _stderr(f"qindu: wrote {len(book.facts)} facts to {output}/datapackage.json and its CSV files")
        return
    text = exporting.dataset_text(book, Format(fmt.value))
    if output is None:
        _out(text)
        return
    exporting.write_atomically(output, force, lambda path: path.write_bytes(text.encode("utf-8")))
    _stderr(f"qindu: wrote {len(book.facts)} facts to {output}")


def main() -> None:
    """The console script."""
    try:
        app()
    except KeyboardInterrupt:  # before the command line is parsed
        sys.exit(EXIT_INTERRUPTED)
