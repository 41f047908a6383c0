"""The Typer application and its sub-command groups, shared by the topic modules.

Everything printed goes through `console` (stderr) or `stdout`. Both have Rich markup, emoji codes
and highlighting switched off, so text from articles and file names (`07b_[/x].txt`, a quote holding
`[/i]`, a reason line with `:100:`) is printed exactly as it is, in tables too; the few styled words
of our own are `Text` objects built by the helpers below.

Errors reach the user as one line, `error: ...`: the group's `main` (used by the `communique`
script and by test runners alike) turns usage errors into exit 2, the errors our layers raise for
people (a store that cannot be opened, a bad setting, an export that cannot be written) into their
own exit code, and anything unexpected into exit 1. `communique --debug ...` shows the traceback.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from typing import Any

import typer
from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from typer.core import TyperGroup

try:  # typer vendors click since 0.2x; older releases use click itself
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover
    from click import exceptions as click_exceptions

_state = {"debug": False}


# C0 controls but newline and tab, DEL and C1: a headline or file name holding them would move the
# cursor, retitle the window or recolour the terminal when printed
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with its terminal control characters shown as escapes (ESC as \\x1b)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class PlainConsole(Console):
    """Rich's console with no markup, and every piece of text from the data printed inert: control
    characters in it are escaped (Rich's own cursor and colour codes are not text, and pass)."""

    def render_str(self, text: str, **kwargs):
        return super().render_str(printable(text), **kwargs)

    def render(self, renderable, options=None):
        for segment in super().render(renderable, options):
            if segment.control is None and _CONTROL.search(segment.text):
                segment = Segment(printable(segment.text), segment.style)
            yield segment


def _plain_console(**kwargs) -> Console:
    return PlainConsole(markup=False, emoji=False, highlight=False, **kwargs)


console = _plain_console(stderr=True)  # progress, messages and errors
stdout = _plain_console(width=None if sys.stdout.isatty() else 160)  # tables of data; wide when piped


def data_table(title: str, columns: list[str], count: int | None = None, wide: tuple[str, ...] = ()):
    """A table of records on stdout: a title with the count, a header row, and cells that wrap at
    word boundaries instead of being cut (`wide` columns take the room that is left, the others
    keep their words whole)."""
    from rich.table import Table

    table = Table(title=f"{title} ({count})" if count is not None else title, title_justify="left")
    for column in columns:
        if column == "id":
            table.add_column(column, no_wrap=True)  # copied into the next command: kept whole
        elif column in wide:
            table.add_column(column, ratio=1, min_width=24)
        else:
            table.add_column(column, max_width=NARROW_COLUMN)
    return table


NARROW_COLUMN = 32  # a name, a list of participants or a date wraps past this width


def error(message: str) -> None:
    """Print `error: message` as one line on stderr."""
    console.print(Text.assemble(("error:", "bold red"), " ", str(message)), soft_wrap=True)


def notice(label: str, message: str, style: str = "yellow") -> None:
    """Print one line on stderr: a styled label, then the message exactly as given."""
    console.print(Text.assemble((label, style), " ", str(message)), soft_wrap=True)


def left_out(count: int, what: str, why: str) -> None:
    """`note: N WHAT left out: WHY` on stderr, when an answer leaves stored records out (nothing
    when `count` is 0): no command drops part of the record from its answer without saying so."""
    if count:
        notice("note:", f"{count} {what}{'' if count == 1 else 's'} left out: {why}")


def fail(message: str, code: int = 2) -> None:
    error(message)
    raise typer.Exit(code)


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions whose message is written for people and which carry their own `exit_code`."""
    from communique.config import ConfigError
    from communique.query.export import ExportError, MissingDependency
    from communique.store.errors import StoreOpenError

    return (ConfigError, ExportError, MissingDependency, StoreOpenError)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def _debug_setting() -> bool:
    """COMMUNIQUE_DEBUG; a value that is no yes or no leaves tracebacks off (the command says so)."""
    from communique.config import ConfigError, Settings

    try:
        return Settings().debug
    except ConfigError:
        return False


def _db_hint(args: list[str]) -> str:
    """Where the database a StoreOpenError names came from: --db, COMMUNIQUE_DB or the default."""
    if "--db" in args or any(a.startswith("--db=") for a in args):
        return "--db "
    from communique.config import StoreSettings

    return "COMMUNIQUE_DB=" if StoreSettings().db else "the default database "


def report(exc: BaseException, args: list[str]) -> int:
    """Print one line for `exc` and return the exit status."""
    from communique.store.errors import StoreOpenError

    if isinstance(exc, click_exceptions.NoArgsIsHelpError):
        console.print(exc.ctx.get_help())
        return exc.exit_code
    if isinstance(exc, click_exceptions.UsageError):
        command = exc.ctx.command_path if exc.ctx is not None else "communique"
        error(f"{exc.format_message()} (see {command} --help)")
        return exc.exit_code
    if isinstance(exc, click_exceptions.ClickException):
        error(exc.format_message())
        return exc.exit_code
    if isinstance(exc, StoreOpenError):
        error(_db_hint(args) + str(exc))
        return exc.exit_code
    if isinstance(exc, _user_errors()):
        error(str(exc))
        return int(getattr(exc, "exit_code", 1))
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        error(f"no space left on the device: free some space and run it again ({_one_line(exc)})")
        return 1
    error(f"{_one_line(exc)} (run `communique --debug ...` for the traceback)")
    return 1


# Placeholders shown in --help beside options that take a value. Flags (`--json`, `--debug`) and the
# counted `-v` get none: a `<bool>` or `<int>` there invites `--debug true` or `-v 2`, which fail.
_OPTION_METAVARS = {
    "--db": "URL|PATH", "--before": "DATE|ID", "--out": "FILE", "--published": "DATE", "--since": "DATE",
    "--until": "DATE", "--type": "TYPE", "--dyad": "SIDE SIDE", "--host": "HOST", "--port": "PORT", "--country": "CODE",
}  # fmt: skip
_ARGUMENT_METAVARS = {"paths": "PATH", "first": "SIDE", "second": "SIDE"}


def _choices(param) -> list | None:
    descriptor = getattr(param, "type_descriptor", None)  # typer 0.2x
    if descriptor is not None and getattr(descriptor, "choices", None):
        return [getattr(c, "value", c) for c in descriptor.choices]
    return list(getattr(getattr(param, "type", None), "choices", None) or []) or None


def _is_int(param) -> bool:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:
        return getattr(descriptor, "annotation", None) is int
    return getattr(getattr(param, "type", None), "name", "").startswith("integer")


INT_MAX = 2**63 - 1  # the largest integer a database column holds


def _bound_integer(param) -> None:
    """An integer option takes at most INT_MAX (and at least -INT_MAX): beyond is a one-line usage
    error, not an overflow deep in a query. Typer checks the range its option info declares."""
    descriptor = getattr(param, "type_descriptor", None)
    info = getattr(descriptor, "parameter_info", None)
    if info is None or getattr(descriptor, "annotation", None) is not int:
        return
    if info.max is None or info.max > INT_MAX:
        info.max = INT_MAX  # checked, not shown in --help (param.max is what help shows)
    if info.min is None or info.min < -INT_MAX:
        info.min = -INT_MAX


def plain_metavars(command) -> None:
    """Give the options of `command` and of its sub-commands plain placeholders in --help: none for
    flags and counts, DATE, URL|PATH, N, TEXT or the few choices otherwise; an explicit metavar wins."""
    for param in getattr(command, "params", []):
        if getattr(param, "metavar", None) is not None:
            continue
        if param.param_type_name == "argument":
            param.metavar = _ARGUMENT_METAVARS.get(param.name, param.name.upper())
            param.display_type_rich = lambda ctx: None  # the name says it: no `<list[str]>` beside it
            continue
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = ""
            param.show_default = False
            continue
        name = max(param.opts, key=len)
        choices = _choices(param)
        if name in _OPTION_METAVARS:
            param.metavar = _OPTION_METAVARS[name]
        elif choices and len(choices) <= 6:
            param.metavar = "|".join(str(c) for c in choices)
        else:
            param.metavar = "N" if _is_int(param) else "TEXT"
        _bound_integer(param)
    if not getattr(command, "_plain_help_option", False):
        make_help_option = command.get_help_option

        def get_help_option(ctx, make=make_help_option):
            option = make(ctx)
            if option is not None:
                option.metavar = ""
            return option

        command.get_help_option = get_help_option
        command._plain_help_option = True
    for sub in getattr(command, "commands", {}).values():
        plain_metavars(sub)


_FLAG_HINTS = {
    "-v": "-v takes no value: -v shows info lines, -vv debug lines",
    "--verbose": "--verbose takes no value: give it twice (or -vv) for debug lines",
    "-q": "-q takes no value", "--quiet": "--quiet takes no value",
    "--debug": "--debug takes no value: give it alone, before the command",
}  # fmt: skip
_FLAG_VALUES = {"0", "1", "2", "3", "true", "false", "yes", "no", "on", "off"}


def _flag_given_a_value(argv: list[str]) -> str | None:
    """The usage error for `-v 2` or `--debug true` before the command (a flag followed by what
    looks like its value), which would otherwise be read as a command named `2` or `true`."""
    for i, word in enumerate(argv[:-1]):
        if not word.startswith("-"):
            return None  # the command: what follows is its own
        if word in _FLAG_HINTS and argv[i + 1].lower() in _FLAG_VALUES:
            return f"{_FLAG_HINTS[word]} (not `{word} {argv[i + 1]}`; see communique --help)"
    return None


class CommuniqueGroup(TyperGroup):
    """The top-level group: runs the command, then turns any exception into one line and an exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_metavars(self)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        given = _flag_given_a_value(argv)
        if given is not None:
            error(given)
            if standalone_mode:
                sys.exit(2)
            return 2
        _state["debug"] = "--debug" in argv[:1]
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Exit as exc:  # pragma: no cover  (typer returns it rather than raising it)
            code = exc.exit_code
        except (typer.Abort, KeyboardInterrupt):
            error("interrupted")
            code = 130
        except BrokenPipeError:  # `communique articles | head`: the reader has gone, nothing to say
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (so that Python's exit flush is quiet)
            code = 1
        except Exception as exc:  # the one place every failure becomes a line
            # COMMUNIQUE_DEBUG is read only here: `communique --help` loads no settings
            if (_state["debug"] or _debug_setting()) and not isinstance(exc, click_exceptions.ClickException):
                raise  # a usage error is one line even with --debug: its traceback says nothing
            code = report(exc, argv)
        else:
            # typer returns the code of a raised typer.Exit, else the command's own return value
            code = rv if isinstance(rv, int) and not isinstance(rv, bool) else 0
            if not standalone_mode:
                return rv
        if not standalone_mode and code == 0:
            return code
        sys.exit(code)


app = typer.Typer(
    cls=CommuniqueGroup,
    help="communique: international news in, a sourced record of diplomacy and conflict out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from communique import __version__

        sys.stdout.write(f"communique {__version__}\n")
        raise typer.Exit(0)


def configure_logging(verbose: int = 0, quiet: bool = False) -> None:
    """Log records go to stderr through Rich's handler: warnings by default, info with -v, debug
    with -vv, errors only with -q. Called once per command line (again replaces the handler)."""
    import logging

    from rich.logging import RichHandler

    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO)[verbose] if verbose < 2 else logging.DEBUG
    handler = RichHandler(console=console, show_path=False, markup=False, rich_tracebacks=False)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    root = logging.getLogger("communique")
    for old in [h for h in root.handlers if isinstance(h, RichHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


@app.callback()
def _global_options(
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback of an error (give it before the command)."),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More log lines on stderr (-v info, -vv debug)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors on stderr."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    _state["debug"] = _state["debug"] or debug
    configure_logging(verbose, quiet)


def print_json(value: Any) -> None:
    """One JSON document on stdout: a single object (a record, a dict, or null)."""
    from communique.query.records import jsonable

    sys.stdout.write(json.dumps(jsonable(value), ensure_ascii=False, default=str, indent=2) + "\n")


def print_items(items, next: str | None = None) -> None:
    """A list on stdout as `{"items": [...], "next": ...}`, the one JSON shape of every listing:
    `next` is what to pass for the following page (--before or --offset), or null."""
    print_json({"items": list(items), "next": next})


eval_app = typer.Typer(help="Score communique against annotated corpora.", no_args_is_help=True)
train_app = typer.Typer(help="Train the models communique ships.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")

DbOption = typer.Option(None, "--db", help="Database: a SQLite path or postgresql:// URL (default: COMMUNIQUE_DB, else communique.db in the user data folder, ~/.local/share/communique on Linux).")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _size(value: str | None) -> int | None:
    from communique.config import ConfigError, parse_size

    if value is None:
        return None
    try:
        return parse_size(value, "--max-bytes")
    except ConfigError as exc:
        raise typer.BadParameter(str(exc).split("=", 1)[1]) from None


MaxBytesOption = typer.Option(
    None, "--max-bytes", parser=_size, metavar="SIZE",
    help="Reject input files larger than this: bytes, or e.g. 20MiB, 20MB, 1.5G (default: COMMUNIQUE_MAX_BYTES or 20MiB).",
)
