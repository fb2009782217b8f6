"""articast update: voice what is new in every followed source, then publish."""

from __future__ import annotations

import argparse
import sys

from ..errors import ArticastError, ExitStatus
from . import options
from .base import Command


class UpdateCommand(Command):
    name = "update"
    description = ("Fetch every followed source (politely: a conditional GET), make an episode of each new "
                   "item, record what became of each, and publish the show once. A failed item is tried "
                   "again by the next update, 3 times in all. Nothing new: nothing is made or published. "
                   "Safe to stop at any point, and to run from cron or a systemd timer.")
    epilog = "exit status: 0 every source and item handled, 1 any failed (each named on stderr)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        options.add_out(parser)
        options.add_ray(parser, "make the new episodes on a Ray cluster, as for produce")

    def run(self, args: argparse.Namespace) -> int:
        from ..follow.update import UpdateEvent, update_show
        from ..progress import ProgressBar

        settings = options.settings_from(args)
        bar = ProgressBar(sys.stderr)

        def report(event: UpdateEvent) -> None:
            bar.close()
            if event.kind == "item":
                print(f"[{event.number}/{event.total}] {event.message}", file=sys.stderr, flush=True)
            else:
                print(f"{event.kind}: {event.message}", file=sys.stderr, flush=True)

        try:
            result = update_show(settings, report=report, progress=bar)
        finally:
            bar.close()
        for path in result.mp3_paths:
            print(path)
        sources = f"{result.sources} source{'s' if result.sources != 1 else ''}"
        if result.mp3_paths:
            made = len(result.mp3_paths)
            print(f"update: {made} new episode{'s' if made != 1 else ''} from {sources}", file=sys.stderr)
        elif result.failures:
            print(f"update: no new episode from {sources}", file=sys.stderr)
        else:
            print(f"update: nothing new in {sources}", file=sys.stderr)
        if result.published:
            from .publish import publish_and_say

            try:
                publish_and_say(settings, result=result.published)
            except ArticastError:  # the copy failed: the next update copies the show again, new or not
                from ..follow.records import FollowRecords

                records = FollowRecords(settings.out_dir).load()
                records.unpublished = True
                records.save()
                raise
        if result.failures:
            print(f"{len(result.failures)} failed:", file=sys.stderr)
            for failure in result.failures:
                print(f"  {failure.what}: {failure.why}", file=sys.stderr)
            return ExitStatus.ERROR
        return ExitStatus.OK
