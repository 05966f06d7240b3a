"""The `qindu` command: options, arguments and exit codes. The only module that prints.

Exit codes: 0 found or done; 1 a valid query with no result; 2 anything the user must fix;
70 a bug in qindu; 74 the output could not be written; 130 on Ctrl-C; 141 when the reader went
away; 143 on SIGTERM. Errors are one line each on stderr, escaped, never a traceback; the exit
code does not depend on stderr being open.
"""

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

from qindu_cli import __version__
from qindu_cli.errors import FactFileError, OutputError, QinduError, Terminated, shown, visible
from qindu_cli.model import KIND_MEANINGS, KINDS
from qindu_cli.render import Format, Lang

if TYPE_CHECKING:
    from qindu_cli.load import Loaded
    from qindu_cli.model import Fact, FactBook
    from qindu_cli.results import Result
    from qindu_cli.source import Context

EXIT_NO_RESULT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: qindu itself went wrong
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # as if ended by SIGPIPE, like any other filter whose reader went away
EXIT_TERMINATED = 143  # as if ended by SIGTERM, once what was half written is removed
MAX_PROBLEM_LINES = 100  # of a fact file's problems on stderr; `validate --json` carries them all


def _value_options(params: Sequence[Any]) -> dict[str, str]:
    """Each spelling of an option that takes one value, to its long name: `-t` and `--topic` to `--topic`."""
    return {
        spelling: max(param.opts, key=len)
        for param in params
        if isinstance(param, TyperOption) and not (param.is_flag or param.multiple or param.count)
        for spelling in param.opts
    }


def _refuse_repeats(ctx: Any, params: Sequence[Any], args: Sequence[str]) -> None:
    """An option of one value given twice is an error, never silently the last one."""
    spellings = _value_options(params)
    seen: dict[str, str] = {}
    words = iter(args)
    for word in words:
        if word == "--":
            return
        spelling, equals, value = word.partition("=")
        if spelling not in spellings and word[:2] in spellings and not word.startswith("--"):
            spelling, equals, value = word[:2], "=", word[2:]  # -tjobs
        name = spellings.get(spelling)
        if name is None:
            continue
        if not equals:
            value = next(words, "")
        if name in seen:
            ctx.fail(f"{name} was given twice ({seen[name]!r}, {value!r}); give it once")
        seen[name] = value


class QinduCommand(TyperCommand):
    """A command of qindu: refuses an option of one value given twice; its help names qindu's own options."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing:
            _refuse_repeats(ctx, self.get_params(ctx), args)
        return super().parse_args(ctx, args)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        group = ctx.parent.command if ctx.parent is not None else None
        if isinstance(group, QinduGroup) and not self.epilog:
            names = ", ".join(max(p.opts, key=len) for p in group.anywhere())
            self.epilog = f"qindu's own options ({names}) go before or after the command: see qindu --help."
        super().format_help(ctx, formatter)


class QinduGroup(TyperGroup):
    """Runs a command and turns whatever goes wrong into one line on stderr and an exit code.

    Its commands are built when they are asked for (Click's lazily loaded subcommands): a run
    builds the one it invokes instead of all of them, which was most of Typer's time at start.
    Its own options (--lang, --no-color, --facts) may come before or after the command.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        return list(_COMMANDS)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            if isinstance(param, TyperOption) and param.name in _SHELL_NAMED:
                param.help = f"{_SHELL_NAMED[param.name]} for the current shell, or the one named after it (zsh)."
        return params

    def anywhere(self) -> list[TyperOption]:
        """qindu's own options that may come after the command: --facts, --lang, --no-color."""
        return [p for p in self.params if isinstance(p, TyperOption) and not p.is_eager and p.name not in _SHELL_NAMED]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Move qindu's own options, wherever they were typed, in front of the command."""
        self._complete_for_shell_named(ctx, args)
        anywhere = self.anywhere()
        takes_value = {spelling: not p.is_flag for p in anywhere for spelling in p.opts}
        front: list[str] = []
        rest: list[str] = []
        words = iter(args)
        for word in words:
            if word == "--":
                rest += [word, *words]
                break
            spelling = word.partition("=")[0]
            if spelling not in takes_value:
                rest.append(word)
                continue
            front.append(word)
            if takes_value[spelling] and spelling == word:
                following = next(words, None)
                if following is None and not ctx.resilient_parsing:
                    ctx.fail(f"Option '{spelling}' requires an argument.")
                if following is not None:
                    front.append(following)
        if not ctx.resilient_parsing:
            _refuse_repeats(ctx, anywhere, front)
        return super().parse_args(ctx, front + rest)

    def _complete_for_shell_named(self, ctx: Any, args: list[str]) -> None:
        """`--install-completion zsh`: Typer's completion flags take no shell, so a shell named is handed
        to their callbacks (else the current shell's completion was installed, whatever was named)."""
        options = {"--" + name.replace("_", "-"): name for name in _SHELL_NAMED}
        for index, word in enumerate(args):
            if word == "--":
                return
            option, equals, shell = word.partition("=")
            if option not in options:
                continue
            if not equals:
                shell = args[index + 1] if index + 1 < len(args) else ""
            from typer import completion
            from typer._completion_shared import Shells  # the shells Typer has scripts for

            if shell not in {one.value for one in Shells}:
                if equals:
                    ctx.fail(f"{option}: {shell!r} is not one of {', '.join(one.value for one in Shells)}")
                return
            param = next(p for p in self.params if p.name == options[option])
            callback = completion.install_callback if param.name == "install_completion" else completion.show_callback
            callback(ctx, param, shell)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As Click's, with the commands closest to a mistyped one."""
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as error:
            import difflib

            close = difflib.get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if close and hasattr(error, "message") and "Did you mean" not in error.message:
                error.message = f"{error.message.rstrip('.')}. Did you mean {', '.join(map(repr, close))}?"
            raise

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
        signal.signal(signal.SIGTERM, _terminate)
        _unknown_width_unset()
        try:
            code = super().main(args, prog_name or "qindu", complete_var, False, windows_expand_args, **extra)
        except QinduError as error:
            prefix = "" if isinstance(error, FactFileError) else "qindu: error: "
            lines = error.lines()
            for line in lines[:MAX_PROBLEM_LINES]:
                _stderr(prefix + line)
            if len(lines) > MAX_PROBLEM_LINES:
                more = len(lines) - MAX_PROBLEM_LINES
                _stderr(f"… and {more:,} more problems; `qindu validate --json` lists them all")
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
        except Terminated:
            code = EXIT_TERMINATED
        except BrokenPipeError:
            code = _quiet_broken_pipe()
        except Exception as error:  # a bug: still one line, and a way to report it
            if _wants_traceback(args):
                raise
            _stderr(
                f"qindu: internal error: {type(error).__name__}: {error}; please report it with the command you ran"
            )
            code = EXIT_INTERNAL
        if standalone_mode:
            sys.exit(code or 0)
        return code


def _wants_traceback(args: Sequence[str] | None) -> bool:
    """`--traceback` or QINDU_DEBUG=1: show the real error of a bug, not the one-line message."""
    given = sys.argv[1:] if args is None else args
    return "--traceback" in given or os.environ.get("QINDU_DEBUG", "") not in ("", "0")


_HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}
_SHELL_NAMED = {"install_completion": "Install completion", "show_completion": "Show the completion script"}
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
    one.command(name=function.__name__, cls=QinduCommand)(function)
    _COMMANDS[function.__name__] = one
    return function


class Settings(NamedTuple):
    facts: Path | None = None
    lang: Lang = Lang.ZH
    no_color: bool = False


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _unknown_width_unset() -> None:
    """COLUMNS that is not a width (0, empty, a word) means the width is unknown, as unset does."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and not (columns.isdigit() and int(columns) > 0):
        del os.environ["COLUMNS"]


def _stderr(line: str) -> None:
    """One line on stderr, escaped; nothing if stderr is closed or full (the exit code still tells)."""
    if sys.stderr is None:
        return
    try:
        sys.stderr.write(visible(line) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _quiet_broken_pipe() -> int:
    _discard_stdout()
    return EXIT_BROKEN_PIPE


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush says nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


CHUNK = 1 << 15


def _out(text: str) -> None:
    """Write to stdout in UTF-8, in flushed chunks that end at line ends.

    A reader never sees half a line, and a reader that goes away is noticed at the next chunk
    whatever the buffering (one large write to a closed pipe can report success). It ends the
    run quietly with EXIT_BROKEN_PIPE; a full disk ends it with OutputError's 74. What cannot be
    UTF-8 (the lone surrogates that stand for bytes of an argument that were not) is written as
    a backslash escape, so the output is always valid UTF-8.
    """
    stream = sys.stdout
    if stream is None:  # started with stdout closed: nobody to write to
        raise typer.Exit(EXIT_BROKEN_PIPE)
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
    if (encoding, getattr(stream, "errors", None)) != ("utf8", "backslashreplace") and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    start = 0
    try:
        while start < len(text):
            end = text.rfind("\n", start, start + CHUNK) + 1 or min(len(text), start + CHUNK)
            stream.write(text[start:end])
            stream.flush()
            start = end
    except OSError as exc:
        _not_written(exc)


def _not_written(exc: OSError) -> NoReturn:
    """Stdout failed: its reader went away (EXIT_BROKEN_PIPE, quietly) or it is full (74)."""
    if isinstance(exc, BrokenPipeError):
        raise typer.Exit(_quiet_broken_pipe()) from None
    _discard_stdout()
    raise OutputError(f"cannot write the output: {exc.strerror or exc}") from None


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
    lang: str = typer.Option(
        Lang.ZH.value,
        "--lang",
        envvar="QINDU_LANG",
        metavar="[zh|en]",
        help="Labels and titles in tables: zh or en, in any case. JSON carries both.",
    ),
    no_color: bool = typer.Option(
        False, "--no-color", help="No colour, bold or reverse video: no escape codes at all (NO_COLOR is honoured too)."
    ),
    traceback: bool = typer.Option(
        False, "--traceback", help="On a bug in qindu, show the Python traceback (QINDU_DEBUG=1 does too)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Facts of the 2022 work report of 秦都区, each with the exact sentence it comes from."""
    ctx.obj = Settings(facts=facts, lang=_language(ctx, lang), no_color=no_color or bool(os.environ.get("NO_COLOR")))


def _language(ctx: typer.Context, value: str) -> Lang:
    """--lang or QINDU_LANG in any case; a bad value is named where it was given."""
    try:
        return Lang(value.strip().lower())
    except ValueError:
        source = ctx.get_parameter_source("lang")
        where = "QINDU_LANG" if source is not None and source.name == "ENVIRONMENT" else "'--lang'"
        known = ", ".join(repr(lang.value) for lang in Lang)
        raise typer.BadParameter(f"{value!r} is not one of {known}", ctx, param_hint=where) from None


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


def typed(value: Any) -> Any:
    """Words as typed: an argument whose bytes are UTF-8 is read as UTF-8 whatever the locale says.

    In a locale that is not UTF-8, Python reads 就业 as lone surrogates that match nothing. Paths
    are left as the locale reads them, which is how the system will be asked for them.
    """
    if isinstance(value, list):
        return [typed(item) for item in value]
    if not isinstance(value, str) or value.isascii():
        return value
    try:
        return os.fsencode(value).decode("utf-8")
    except UnicodeError:
        return value


# The output options every listing command takes, declared once. Parameters are declared by
# their defaults rather than with Annotated: each Annotated[...] costs 40 µs at every start.
FORMAT = typer.Option(
    None, "--format", "-f", case_sensitive=False, show_default=False,
    help="table, plain, json, jsonl, csv, tsv or markdown. Default: table on a terminal, plain in a pipe.",
)  # fmt: skip
JSON = typer.Option(False, "--json", help="The same as --format json.")
# The selection options of indicators, chart and search, declared once too.
SECTION = typer.Option(
    None, "--section", "-s", metavar="ID", help="Only this section.", autocompletion=complete_section, callback=typed
)
TOPIC = typer.Option(None, "--topic", "-t", help="Only this topic.", autocompletion=complete_topic, callback=typed)


def _kind(value: str | None) -> str | None:
    if value is None:
        return None
    if value.strip().lower() not in KINDS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, KINDS))}")
    return value.strip().lower()


KIND = typer.Option(
    None,
    "--kind",
    "-k",
    metavar="KIND",
    callback=_kind,
    autocompletion=lambda: list(KINDS),
    help="Only facts of this kind: " + "; ".join(f"{kind} ({meaning})" for kind, meaning in KIND_MEANINGS.items()),
)
UNIT = typer.Option(
    None,
    "--unit",
    "-u",
    help="Only this unit, as written (亿元), a base unit (元) for all its scales, or in English (yuan, people, mu).",
    autocompletion=complete_unit,
    callback=typed,
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


def _emit(ctx: typer.Context, result: "Result", fmt: Format) -> None:
    """Write a result to stdout in `fmt`; a table says on stderr which columns it left out."""
    lang = _settings(ctx).lang
    if fmt is not Format.TABLE:
        from qindu_cli.render import render

        _out(render(result, fmt, lang))
        return
    from qindu_cli.results import Dataset
    from qindu_cli.tables import draw

    assert not isinstance(result, Dataset), "an export is never drawn as a table"
    width = _terminal_width()
    drawing = draw(result, lang, width, _colour(ctx))
    _out(drawing.text)
    if drawing.left_out:
        _stderr(
            f"qindu: left out {', '.join(drawing.left_out)} to fit {width} columns; "
            "see every column in a wider terminal or with --format plain"
        )


def _terminal_width() -> int:
    """COLUMNS when set, else the terminal's width, else 80."""
    try:
        return max(20, int(os.environ["COLUMNS"]))
    except (KeyError, ValueError):
        import shutil

        return shutil.get_terminal_size((80, 24)).columns


def _colour(ctx: typer.Context) -> bool:
    """Escape codes only for a terminal (or FORCE_COLOR), never with --no-color, NO_COLOR or TERM=dumb."""
    if _settings(ctx).no_color or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout is not None and sys.stdout.isatty()


def _no_result(message: str, output: Format | None = None) -> NoReturn:
    """A valid query found nothing: an empty list for JSON, the reason on stderr, exit 1."""
    if output is Format.JSON:
        _out("[]\n")
    _stderr(message)
    raise typer.Exit(EXIT_NO_RESULT)


def _tell_limited(shown_count: int, every: int, what: str) -> None:
    """On a terminal, say on stderr how many more --limit left out; a script has asked for the cut."""
    if shown_count < every and sys.stdout is not None and sys.stdout.isatty():
        _stderr(f"qindu: {shown_count} of {every} {what} shown; {every - shown_count} more without --limit")


@command
def sections(ctx: typer.Context, fmt: Format | None = FORMAT, as_json: bool = JSON) -> None:
    """The report's three parts, their topics and how many facts each holds.

    Example:  qindu sections --lang en
    """
    from qindu_cli.results import SectionList

    output = _format(fmt, as_json)
    _emit(ctx, SectionList(_loaded(ctx).book), output)


@command
def section(
    ctx: typer.Context,
    name: str = typer.Argument(
        ...,
        metavar="ID",
        autocompletion=complete_section,
        help="economy, party-building or livelihood; a prefix (econ) or words of the title as search takes them "
        "(民生, 經濟, jingji, public services) will do.",
        callback=typed,
    ),
    topic: str | None = typer.Option(
        None,
        "--topic",
        "-t",
        help="Only this topic of the section: its id or words of its title (稳岗, employment).",
        autocompletion=complete_topic,
        callback=typed,
    ),
    kind: str | None = KIND,
    fmt: Format | None = FORMAT,
    as_json: bool = JSON,
) -> None:
    """One part of the report: its heading, topics and every fact, grouped by topic.

    Examples:  qindu section economy   ·   qindu section 民生 --topic jobs   ·   qindu section economy --kind milestone
    """
    from qindu_cli.results import SectionFacts
    from qindu_cli.search import find_section, find_topic

    output = _format(fmt, as_json)
    loaded = _loaded(ctx)
    book = loaded.book
    found = find_section(book, loaded.search_index, name)
    topic_id = find_topic(book, loaded.search_index, found, topic).id if topic is not None else None
    facts = list(book.of_kind(kind).facts_of(found.id, topic_id))
    if kind is not None and not facts:
        _no_result(f"qindu: no {kind} in {found.id}" + (f" --topic {topic_id}" if topic_id else ""), output)
    _emit(ctx, SectionFacts(book, found, facts), output)


@command
def search(
    ctx: typer.Context,
    query: list[str] = typer.Argument(
        ...,
        metavar="QUERY...",
        help="Words to find: Chinese, traditional, pinyin (jiuye, jiùyè, jiu4ye4, jy), English or figures.",
        callback=typed,
    ),
    section_name: str | None = SECTION,
    kind: str | None = KIND,
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
    ·   qindu search 光伏 --kind milestone
    """
    from qindu_cli.results import FactList
    from qindu_cli.search import find_section, highlight_spans, nothing_found, query_terms
    from qindu_cli.search import search as find

    output = _format(fmt, as_json)
    terms = query_terms(query)
    loaded = _loaded(ctx)
    book = loaded.book
    chosen = None if section_name is None else find_section(book, loaded.search_index, section_name).id
    within = None
    if chosen is not None or kind is not None:
        within = {i for i, f in enumerate(book.facts) if chosen in (None, f.section) and kind in (None, f.kind)}
    found = find(loaded.search_index, terms, any_term=any_term, within=within)
    hits = found[:limit]
    facts = [book.facts[hit.position] for hit in hits]
    if not facts:
        _no_result("qindu: " + nothing_found(loaded.search_index, book, terms, any_term, chosen, kind), output)
    index = loaded.search_index
    matches = [hit.matches for hit in hits] if explain else None
    _emit(
        ctx,
        FactList(facts, matches=matches, highlight=lambda text, field: highlight_spans(text, terms, index, field)),
        output,
    )
    _tell_limited(len(hits), len(found), "facts")


@command
def show(
    ctx: typer.Context,
    fact_ids: list[str] = typer.Argument(
        ...,
        metavar="FACT_ID...",
        help="Fact ids, or their last parts when unique; ids piped in work too: … | cut -f1 | xargs qindu show.",
        autocompletion=complete_fact,
        callback=typed,
    ),
    context: bool = typer.Option(
        False,
        "--context",
        help="Add the quote's whole paragraph of the report, the quote marked "
        "(JSON: `context` with the paragraph's text and the quote's start and end in it).",
    ),
    fmt: Format | None = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Facts in full: figure, normalized value, section, topic, tags, the exact quote and where it stands.

    With one id, --json gives the fact's object; with several, a list of them.

    Examples:  qindu show new-urban-jobs --context   ·   qindu show new-urban-jobs urban-unemployment-rate --json
    """
    from qindu_cli.results import FactsInFull

    output = _format(fmt, as_json)
    loaded = _loaded(ctx)
    facts = [_fact_named(loaded.book, name) for name in fact_ids]
    _emit(ctx, FactsInFull(loaded.book, facts, _contexts(loaded, facts) if context else None), output)


def _contexts(loaded: "Loaded", facts: list["Fact"]) -> list["Context"]:
    """Each fact's paragraph of the report its place was worked out in, and its quote's span in it."""
    from qindu_cli.cache import DamagedEntry
    from qindu_cli.load import report_text
    from qindu_cli.source import QuoteNotPlaced, Report

    named = loaded.book.source.text
    if loaded.report is None:
        missing = f"its report text {named} is not beside it" if named else "it names no report text (source: text:)"
        raise QinduError(f"{loaded.path}: {missing}; --context reads the paragraphs there")
    report = Report(report_text(loaded.report).text, loaded.book.sections)
    out = []
    for fact in facts:
        try:  # each fact was placed in this very text when the book was built: else a cache made by hand
            if fact.where is None or report.place(fact.quote, fact.section, fact.topic) != fact.where:
                raise DamagedEntry
        except QuoteNotPlaced:
            raise DamagedEntry from None
        out.append(report.context(fact.where))
    return out


def _fact_named(book: "FactBook", name: str) -> "Fact":
    """The fact `show` was asked for; a section or topic id is pointed to the command that lists it."""
    from qindu_cli.errors import UnknownNameError

    try:
        return book.fact_by_slug(name)
    except UnknownNameError:
        for section in book.sections:
            if section.id == name:
                raise QinduError(
                    f"{shown(name)} is a section, not a fact; list it with: qindu section {name}"
                ) from None
            if any(topic.id == name for topic in section.topics):
                raise QinduError(
                    f"{shown(name)} is a topic of {section.id}, not a fact; "
                    f"list it with: qindu section {section.id} --topic {name}"
                ) from None
        raise


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
        Sort.REPORT,
        "--sort",
        case_sensitive=False,
        help="report, value (normalized, grouped by base unit) or label (Chinese by pinyin).",
    ),
    desc: bool = typer.Option(False, "--desc", help="Largest or last first."),
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, help="At most this many."),
    fmt: Format | None = FORMAT,
    as_json: bool = JSON,
) -> None:
    """The numeric facts, with their normalized values, filtered and sorted.

    Examples:  qindu indicators --unit 亿元   ·   qindu indicators --unit 元 --sort value --desc
    """
    from qindu_cli.fields import INDICATORS
    from qindu_cli.model import sort_facts
    from qindu_cli.results import FactList

    output = _format(fmt, as_json)
    loaded = _loaded(ctx)
    english = _settings(ctx).lang is Lang.EN
    facts = loaded.book.indicators(section_name, topic, unit)
    every = len(facts)
    facts = sort_facts(facts, sort.value, desc, english, loaded.search_index.readings)[:limit]
    if not facts:
        _no_result("qindu: no indicator matches these filters", output)
    _emit(ctx, FactList(facts, INDICATORS), output)
    _tell_limited(len(facts), every, "indicators")


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
    from qindu_cli.chart import chart_of
    from qindu_cli.tables import bar_chart

    facts = _loaded(ctx).book.indicators(section_name, topic, unit)
    if not facts:
        _no_result("qindu: no indicator matches these filters")
    found = chart_of(facts)
    _out(bar_chart(found.facts, found.title, _terminal_width(), _colour(ctx)))


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
    as_json: bool = typer.Option(
        False, "--json", help="The result as JSON: file, valid, facts, kinds, source and every problem."
    ),
) -> None:
    """Check a fact file: schema, ids, units, figures against their raw text, and quotes.

    Examples:  qindu validate   ·   qindu validate my-facts.yaml --source ../shared/source/qindu-2022-report.txt
    """
    from qindu_cli.load import shipped_path
    from qindu_cli.validation import validate as check

    report = check(path or _settings(ctx).facts or shipped_path(), source)
    if as_json:
        import json

        _out(json.dumps(report.as_record(), ensure_ascii=False, indent=2) + "\n")
    if report.problems:
        raise FactFileError(report.problems)
    if not as_json:
        _out(visible(report.summary()) + "\n")


@command
def schema() -> None:
    """The JSON Schema (draft 2020-12) of a fact file, for editors that check YAML as it is typed.

    Example:  qindu schema > qindu.schema.json
    """
    import json

    from qindu_cli.schema import json_schema

    _out(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n")


@command
def check(
    ctx: typer.Context,
    source: str = typer.Argument(
        "-", metavar="[FILE|-]", help="A UTF-8 text: a draft, a press release, a post. - or nothing: stdin."
    ),
    fmt: Format | None = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Hold every figure of a text against the report: supported, contradicted or unverifiable.

    Exit 0 when no figure is contradicted, 1 when one is, 2 for input that is not text.

    Examples:  qindu check draft.txt   ·   echo 新增城镇就业9771人 | qindu check   ·   qindu check draft.md --json
    """
    from qindu_cli.check import CONTRADICTED, MAX_BYTES, text_of
    from qindu_cli.check import check as hold
    from qindu_cli.check_render import draw, render_text

    output = _format(fmt, as_json)
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise QinduError("give a FILE to check, or pipe the text in: qindu check draft.txt")
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "stdin"
    else:
        from qindu_cli.load import read_bytes

        data = read_bytes(Path(source), "text to check")
        name = source
    text = text_of(data, name)
    results = []
    if text.strip():
        loaded = _loaded(ctx)
        results = hold(text, loaded.book, loaded.search_index)
    if not results:  # not an error: a text may state no figure
        _stderr(f"qindu: {name} is empty; nothing to check" if not text.strip() else f"qindu: no figures in {name}")
        if output is Format.JSON:
            _out("[]\n")
        return
    if output is Format.TABLE:
        _out(draw(text, results, _settings(ctx).lang, _terminal_width(), _colour(ctx)))
    else:
        _out(render_text(results, output))
    if any(r.verdict == CONTRADICTED for r in results):
        raise typer.Exit(EXIT_NO_RESULT)


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
    output: str | None = typer.Option(
        None,
        "--output",
        "-o",
        metavar="PATH",
        help="Write to this new file (or folder) instead of stdout; - is stdout.",
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace a file, or a folder holding only a previous export of the same format."
    ),
    kind: str | None = KIND,
) -> None:
    """The whole normalized dataset: source, sections and every fact.

    Examples:  qindu export > qindu.json  ·  qindu export -f sqlite -o qindu.db  ·  qindu export -f datapackage -o qindu
    """
    import json

    from qindu_cli import export as exporting
    from qindu_cli.files import Output, target, write_outputs

    if output is not None and str(output) == "-":  # -o - is stdout, as for most tools
        if fmt in (ExportFormat.SQLITE, ExportFormat.DATAPACKAGE):
            raise QinduError(f"--format {fmt.value} writes files, not stdout: give -o PATH")
        output = None
    book = _loaded(ctx).book.of_kind(kind)
    if fmt in (ExportFormat.SQLITE, ExportFormat.DATAPACKAGE) and output is None:
        raise QinduError(f"--format {fmt.value} writes files: give -o PATH")
    if output is None:
        _out(exporting.dataset_text(book, Format(fmt.value)))
        return
    path = target(output)
    if fmt is ExportFormat.SQLITE:
        metadata = path.with_name(f"{path.stem}.metadata.json")
        text = json.dumps(exporting.datasette_metadata(book, path.stem), ensure_ascii=False, indent=2) + "\n"
        outputs = [Output(path, lambda at: exporting.write_sqlite(book, at)), Output(metadata, _filler(text))]
        done = f"{path}; open it with: datasette {path} -m {metadata}"
    elif fmt is ExportFormat.DATAPACKAGE:
        filled = Output(path, lambda at: exporting.write_datapackage(book, at), exporting.PACKAGE_FILES)
        outputs, done = [filled], f"{path}/datapackage.json and its CSV files"
    else:
        outputs, done = [Output(path, _filler(exporting.dataset_text(book, Format(fmt.value))))], str(path)
    write_outputs(outputs, force, keep=_kept(ctx))
    _stderr(f"qindu: wrote {len(book.facts)} facts to {done}")


def _filler(text: str) -> Callable[[Path], None]:
    def fill(path: Path) -> None:
        with path.open("xb") as out:
            out.write(text.encode("utf-8"))

    return fill


def _kept(ctx: typer.Context) -> list[Path]:
    """What an export must never replace or hold: the fact file in use and the current folder."""
    from qindu_cli.load import shipped_path

    kept = []
    with contextlib.suppress(OSError):  # unless the current folder was removed
        kept.append(Path(os.getcwd()))
    return [*kept, _settings(ctx).facts or shipped_path()]


def main() -> None:
    """The console script."""
    try:
        app()
    except KeyboardInterrupt:  # before the command line is parsed
        sys.exit(EXIT_INTERRUPTED)
