"""articast follow and unfollow: the sources that fill the show by themselves."""

from __future__ import annotations

import argparse
import sys

from ..errors import ExitStatus, InputError
from . import options
from .base import Command


class FollowCommand(Command):
    name = "follow"
    description = ("Record a source in the show's articast.toml, after reading it once to tell what it is: an "
                   "RSS, Atom or JSON feed (URL or file; a web page that names its feed works too), an OPML "
                   "file of feeds, a reading list (a text file of article URLs or paths, one a line, # for "
                   "comments) or a folder of .md, .txt, .html, .docx, .odt, .epub and .pdf files. 'articast update' "
                   "then voices what is new in every followed source; its first update of a source voices only the "
                   "newest --max-new items and marks the older ones as seen.")
    epilog = ("examples:\n  articast follow https://example.com/feed.xml\n  articast follow reading-list.txt "
              "--max-new 10\n  articast follow ~/drafts\n  articast follow --list")
    raw_help = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("source", nargs="?", metavar="SOURCE",
                            help="a feed, OPML file or reading list (URL or path), or a folder")
        options.add_out(parser)
        parser.add_argument("--max-new", type=int, metavar="N",
                            help="the first update voices at most the N newest items (default: 3)")
        parser.add_argument("--list", action="store_true", help="list the followed sources and what became of them")

    def run(self, args: argparse.Namespace) -> int:
        from ..follow import follow_source, followed_states

        settings = options.settings_from(args)
        if args.list:
            if args.source:
                raise InputError("--list takes no SOURCE")
            states = followed_states(settings.out_dir)
            if not states:
                print(f"{settings.out_dir}: follows no sources yet; add one with 'articast follow SOURCE'",
                      file=sys.stderr)
                return ExitStatus.OK
            for state in states:
                source = state.followed
                counts = ", ".join(f"{n} {status}" for status, n in sorted(state.counts.items()))
                when = f"; last changed {state.changed}" if state.changed else ""
                if counts:
                    print(f"{source.kind:<6} {source.source}  ({counts}{when})")
                else:
                    print(f"{source.kind:<6} {source.source}  (not updated yet; its first update voices "
                          f"{source.max_new})")
            return ExitStatus.OK
        if not args.source:
            raise InputError("follow needs a SOURCE (a feed, OPML file, reading list or folder), or --list")
        followed, found, already = follow_source(settings.out_dir, args.source, args.max_new)
        what = {"feed": "a feed", "opml": "an OPML file", "list": "a reading list", "folder": "a folder"}[found.kind]
        named = f" ({found.title})" if found.title else ""
        count = f"{found.items} feed{'s' if found.items != 1 else ''}" if found.kind == "opml" else \
            f"{found.items} item{'s' if found.items != 1 else ''}"
        if already:
            print(f"already following {what}{named}: {count}; its first update voices {followed.max_new}",
                  file=sys.stderr)
        else:
            print(f"following {what}{named}: {count}; 'articast update' voices the newest {followed.max_new} "
                  "and whatever is new after that", file=sys.stderr)
        print(followed.source)
        return ExitStatus.OK


class UnfollowCommand(Command):
    name = "unfollow"
    description = ("Remove a source from the show's articast.toml and forget which of its items were voiced. "
                   "Its episodes stay in the show.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("source", metavar="SOURCE", help="the source as 'articast follow --list' shows it")
        options.add_out(parser)

    def run(self, args: argparse.Namespace) -> int:
        from ..follow import unfollow_source

        settings = options.settings_from(args)
        gone = unfollow_source(settings.out_dir, args.source)
        print(f"no longer following {gone.source}; its episodes stay in the show", file=sys.stderr)
        return ExitStatus.OK
