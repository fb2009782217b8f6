"""The command line: main(), the parser, and errors mapped to exit statuses. The commands are in articast.commands."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence

from . import __version__, _startup  # noqa: F401  (_startup must run before anything imports numpy)
from .commands import COMMANDS, create_command
from .errors import ArticastError, ExitStatus, os_error_message, unexpected_message

DESCRIPTION = "Turn a written article into a podcast episode: offline speech, music, chapters, transcript."
EPILOG = """\
examples:
  articast produce examples/welcome-to-articast.md
  articast produce notes.md --out ~/podcast --title "Monday notes" --pace 150 --mono
  articast produce https://example.com/story.html --lexicon names.toml
  cat article.txt | articast produce - --no-music
  articast script article.md --json
  articast produce interview.txt --voice question=en:co.uk --voice answer=en:com.au --engine gtts
  articast init --show "The Reading List" --email me@example.com --base-url https://example.com/pod
  articast produce article.md --publish
  articast produce first.md second.md https://example.com/third.html
  articast follow https://example.com/feed.xml && articast update
  articast serve
  articast voices available --lang en && articast voices download en_US-lessac-high
  articast cache clear

exit status: 0 done, 1 failed, 2 bad input or usage, 130 interrupted (Ctrl-C).
"""


class Parser(argparse.ArgumentParser):
    """argparse with one line for a usage error, as for every other error, instead of the usage block."""

    commands: dict[str, argparse.ArgumentParser]
    """Each command's own parser, by name."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(int(ExitStatus.BAD_INPUT), f"error: {self.prog}: {message}; see '{self.prog} --help'\n")


def build_parser() -> Parser:
    """The parser of every command, from the table in articast.commands."""
    parser = Parser(prog="articast", description=DESCRIPTION, epilog=EPILOG,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"articast {__version__}")
    parser.add_argument("--traceback", action="store_true", help="show the full Python traceback on errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each stage does to stderr")
    # The global flags also work after the command ("articast produce x.md --traceback").
    common = Parser(add_help=False)
    common.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS,
                        help="show the full Python traceback on errors")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log what each stage does to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, info in COMMANDS.items():
        command = create_command(name)
        command_parser = sub.add_parser(
            name, parents=[common], help=info.summary, description=command.description, epilog=command.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter if command.raw_help else argparse.HelpFormatter)
        command.add_arguments(command_parser)
        command_parser.set_defaults(run=command.run)
    parser.commands = dict(sub.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the articast command line; returns the exit status."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command's own parser, so the hint names its --help
        parser.commands.get(args.command, parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    said = logging.StreamHandler(sys.stderr)  # the settings' warnings read like the command's own
    said.setFormatter(logging.Formatter("warning: %(message)s"))
    settings_log = logging.getLogger("articast.config")
    settings_log.handlers[:] = [said]
    settings_log.propagate = False
    if args.command is None:
        parser.print_help(sys.stderr)
        return ExitStatus.BAD_INPUT
    try:
        return int(args.run(args))
    except ArticastError as exc:
        if args.traceback:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return int(exc.exit_status)
    except KeyboardInterrupt:
        if args.traceback:
            traceback.print_exc()
        print("error: interrupted; nothing half-written was left behind", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitStatus.ERROR)
    except OSError as exc:
        if args.traceback:
            traceback.print_exc()
        print(f"error: {os_error_message(exc) or unexpected_message(exc)}", file=sys.stderr)
        return int(ExitStatus.ERROR)
    except Exception as exc:  # an articast bug: say so in one line, keep the stack for --traceback
        if args.traceback:
            traceback.print_exc()
        print(f"error: {unexpected_message(exc)}", file=sys.stderr)
        return int(ExitStatus.ERROR)


def run() -> None:
    """The ``articast`` command: :func:`main`, then exit without tearing the interpreter down.

    Every file a command writes is closed when main() returns. Python's teardown would then free
    every object one by one (and an in-process voice's onnxruntime session): 40-80 ms at the end
    of every command, which nobody needs. Workers still running are killed already.
    """
    status = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (articast ... | head): nothing more to say
            pass
    os._exit(status)

