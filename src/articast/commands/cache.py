"""articast cache: how much the synthesis cache holds, or clearing it."""

from __future__ import annotations

import argparse

from ..errors import ExitStatus, InputError
from .base import Command


class CacheCommand(Command):
    name = "cache"
    description = ("Synthesised segments are cached, so re-running produce after an edit only speaks what "
                   "changed. The cache lives in the user's cache folder, or $ARTICAST_CACHE_DIR. 'articast "
                   "cache' says what it holds; 'articast cache clear' empties it (--clear, the older "
                   "spelling, still works).")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("cache_action", nargs="?", choices=("show", "clear"), metavar="ACTION",
                            help="show (default): what the cache holds; clear: delete every cached segment and "
                                 "the encoded audio kept beside them")
        old = parser.add_argument_group("older spellings", "kept working for now")
        old.add_argument("--clear", action="store_true", help="the same as: articast cache clear")

    def run(self, args: argparse.Namespace) -> int:
        from ..speech.cache import SegmentCache

        if args.cache_action == "show" and args.clear:
            raise InputError("cache show and --clear ask for two things: give one")
        cache = SegmentCache()
        if args.clear or args.cache_action == "clear":
            removed = cache.clear()
            print(f"cleared {removed.entries} segments ({removed.size_bytes / 1e6:.1f} MB) and "
                  f"{removed.audio_bytes / 1e6:.1f} MB of encoded audio from {removed.path}; kept the voices "
                  f"prepared for this machine ({removed.voices_bytes / 1e6:.1f} MB)")
        else:
            stats = cache.stats()
            print(f"{stats.path}: {stats.entries} segments, {stats.size_bytes / 1e6:.1f} MB; "
                  f"encoded audio and loudness readings {stats.audio_bytes / 1e6:.1f} MB; "
                  f"voices prepared for this machine {stats.voices_bytes / 1e6:.1f} MB")
        return ExitStatus.OK
