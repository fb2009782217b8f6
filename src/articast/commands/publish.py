"""articast publish: the show's feed and page rebuilt, and the show copied to its target."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import ExitStatus, InputError
from . import options
from .base import Command

if TYPE_CHECKING:
    from ..publish import PublishResult


class PublishCommand(Command):
    name = "publish"
    description = ("Read every episode in the show folder and write feed.xml (RSS with Apple Podcasts and "
                   "Podcasting 2.0 tags), index.html (a page that plays offline once installed), the cover "
                   "and episodes.json. Safe to run again: episodes keep their GUIDs and first publication "
                   "dates. With --to, copy the show where podcast apps reach it: the MP3s and sidecars "
                   "first, the page next, the feed last; only files that changed are sent, and the files "
                   "of removed episodes are deleted once the new feed is up.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        options.add_show_options(parser)
        options.add_setting(parser, "publish_to", metavar="URL",
                            help="copy the show to s3://BUCKET/PREFIX, sftp://USER@HOST/PATH, file:///PATH or "
                                 "any fsspec URL (also ARTICAST_PUBLISH_TO, publish_to in articast.toml's "
                                 "[show]); S3 needs articast[s3], SFTP articast[sftp]")
        options.add_setting(parser, "endpoint_url", metavar="URL",
                            help="an S3-compatible service (MinIO, R2, B2) instead of AWS (also AWS_ENDPOINT_URL)")
        parser.add_argument("--dry-run", action="store_true",
                            help="list what --to would upload and delete, and change nothing there")

    def run(self, args: argparse.Namespace) -> int:
        settings = options.settings_from(args)
        if args.dry_run and not settings.publish_to:
            raise InputError("--dry-run lists what a copy would send: give --to URL (or set ARTICAST_PUBLISH_TO)")
        return publish_and_say(settings, dry_run=args.dry_run, embed_line=True)


def publish_and_say(settings: Settings, dry_run: bool = False, result: PublishResult | None = None,
                    embed_line: bool = False) -> int:
    """Publish the show folder (unless ``result`` says it was just done), copy it to its target when
    one is set, and say what was written. With a target, the show folder changes (and the base URL
    is remembered) only once the copy has succeeded; a dry run changes nothing anywhere.
    ``embed_line``: also give the script tag for the site's pages (the publish command does; produce
    and update, run again and again, do not repeat it)."""
    from ..publish import DEFAULT_BASE_URL, publish_show, write_pending

    result = result or publish_show(settings, write=not settings.publish_to)
    folder = Path(settings.out_dir)
    default_url = result.feed_url.startswith(DEFAULT_BASE_URL)
    if default_url and not settings.publish_to:
        print("note: no public base URL set (--base-url or ARTICAST_BASE_URL); the feed points at "
              f"{DEFAULT_BASE_URL}/ for 'articast serve'", file=sys.stderr)
    for note in result.notes:
        print(f"warning: {note}", file=sys.stderr)
    if settings.publish_to:
        from ..publish.remote import check_public, redact, upload_show

        if default_url:
            print(f"warning: the feed points at {DEFAULT_BASE_URL}/; set --base-url to the address where "
                  f"{redact(settings.publish_to)} is served, or podcast apps will not find the episodes",
                  file=sys.stderr)

        def report(action: str, name: str) -> None:
            print(f"{'would ' if dry_run else ''}{action} {name}", file=sys.stderr, flush=True)

        sent = upload_show(folder, result.upload_groups, settings.publish_to, endpoint_url=settings.endpoint_url,
                           dry_run=dry_run, report=report, pending=result.pending)
        verb = "would upload" if dry_run else "uploaded"
        print(f"{sent.target}: {verb} {len(sent.uploaded)}, {'would delete' if dry_run else 'deleted'} "
              f"{len(sent.deleted)}, {sent.unchanged} unchanged", file=sys.stderr)
        if dry_run:
            print(f"would publish: {result.episodes} episode{'s' if result.episodes != 1 else ''} at "
                  f"{result.feed_url}; nothing was changed", file=sys.stderr)
            return ExitStatus.OK
        write_pending(folder, result.pending)
        if not default_url:
            problem = check_public(result.feed_url)
            if problem:
                print(f"warning: {problem}", file=sys.stderr)
    print(f"published: {result.episodes} episode{'s' if result.episodes != 1 else ''}; subscribe at "
          f"{result.feed_url}", file=sys.stderr)
    if embed_line:
        print(f"to play each article's episode on its own page, add this line to your site's pages:\n"
              f"  {result.embed}", file=sys.stderr)
    for name in result.written:
        print(folder / name)
    return ExitStatus.OK
