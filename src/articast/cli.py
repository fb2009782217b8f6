"""The command line: the only module that parses argv or prints."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, _startup  # noqa: F401  (_startup must run before anything imports numpy)
from .config import Settings, resolve_settings
from .errors import ArticastError, ExitStatus, InputError, os_error_message
from .progress import ArticleBar, DownloadBar, ProgressBar, size_text

if TYPE_CHECKING:
    from .models import Episode
    from .publish import PublishResult

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
  articast voices --available --lang en && articast voices --download en_US-lessac-high
  articast cache --clear

exit status: 0 done, 1 failed, 2 bad input or usage, 130 interrupted (Ctrl-C).
"""


class _Parser(argparse.ArgumentParser):
    """argparse with one line for a usage error, as for every other error, instead of the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(int(ExitStatus.BAD_INPUT), f"error: {self.prog}: {message}; see '{self.prog} --help'\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="articast", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"articast {__version__}")
    parser.add_argument("--traceback", action="store_true", help="show the full Python traceback on errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each stage does to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # The global flags also work after the command ("articast produce x.md --traceback").
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS,
                        help="show the full Python traceback on errors")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log what each stage does to stderr")

    produce_p = sub.add_parser(
        "produce", parents=[common], help="make an episode (MP3 + transcript + chapters) from an article",
        description="Read an article, speak it with the offline Piper voice, mix intro and outro music, "
                    "normalise loudness to -16 LUFS and write OUT/<slug>.mp3 with <slug>.vtt, <slug>.srt and "
                    "<slug>.chapters.json beside it. Each file's path is printed, the MP3's last. With several "
                    "articles, each is made in turn; the exit status is 1 if any failed.",
        epilog="Settings not given as flags come from ARTICAST_* variables, then OUT/articast.toml.",
    )
    produce_p.add_argument("sources", nargs="+", metavar="ARTICLE",
                           help="a text, Markdown or HTML file, an http(s) URL, or - for standard input; "
                                "give several to make one episode each (a failed one does not stop the rest)")
    produce_p.add_argument("--out", dest="out_dir", metavar="DIR",
                           help="show folder to write into (default: output/, or $ARTICAST_OUT)")
    produce_p.add_argument("--title", help="episode title (default: the article's own title)")
    produce_p.add_argument("--show", help="show name for the album tag (default: articast)")
    produce_p.add_argument("--author", help="credit when the article names no author")
    produce_p.add_argument("--pace", dest="pace_wpm", type=float, metavar="WPM",
                           help="speaking rate in words a minute, 80-300 (default: 160)")
    produce_p.add_argument("--jobs", type=int, metavar="N",
                           help="worker processes for speech (default: one per core; 1 speaks in-process)")
    produce_p.add_argument("--intro", type=Path, metavar="FILE", help="intro music, any format ffmpeg reads")
    produce_p.add_argument("--outro", type=Path, metavar="FILE", help="outro music, any format ffmpeg reads")
    produce_p.add_argument("--no-music", dest="music", action="store_const", const=False,
                           help="no intro or outro music")
    produce_p.add_argument("--mono", action="store_const", const=True,
                           help="mono 64 kbps (default: stereo 128 kbps)")
    produce_p.add_argument("--engine", metavar="NAME",
                           help="speech engine: piper (default, offline) or gtts (online); see 'articast voices'")
    produce_p.add_argument("--voice", action="append", metavar="[ROLE=]VOICE",
                           help="voice for the engine (see 'articast voices'); give question=VOICE and "
                                "answer=VOICE to read headings or questions in one voice and the body in another")
    produce_p.add_argument("--speaker", metavar="NAME", help="speaker of a multi-speaker Piper voice")
    produce_p.add_argument("--lang", metavar="CODE", help="gtts language, for example en, fr, de (default en)")
    produce_p.add_argument("--tld", metavar="DOMAIN",
                           help="gtts accent by Google domain: com, co.uk, com.au, ca, co.in, ie ... (default com)")
    produce_p.add_argument("--publish", action="store_true",
                           help="then publish: update the show's feed.xml and index.html, and copy the show to "
                                "its publish_to target when one is set (see 'articast publish')")
    produce_p.add_argument("--base-url", metavar="URL", help="public URL of the show folder, for --publish")
    produce_p.add_argument("--ray", metavar="ADDRESS",
                           help="produce on a Ray cluster, one task an article: local (a cluster of this "
                                "machine, for this command), auto (the running one) or ray://HOST:10001; "
                                'needs pip install "articast[ray]"')
    produce_p.add_argument("--lexicon", type=Path, metavar="FILE",
                           help='TOML file of word = "how to say it" pairs (names, brands), '
                                "added to the show's [lexicon]")

    follow_p = sub.add_parser(
        "follow", parents=[common],
        help="follow a feed, OPML file, reading list or folder ('articast update' voices it)",
        description="Record a source in the show's articast.toml, after reading it once to tell what it is: an "
                    "RSS, Atom or JSON feed (URL or file; a web page that names its feed works too), an OPML "
                    "file of feeds, a reading list (a text file of article URLs or paths, one a line, # for "
                    "comments) or a folder of .md, .txt and .html files. 'articast update' then voices what "
                    "is new in every followed source; its first update of a source voices only the newest "
                    "--max-new items and marks the older ones as seen.",
        epilog="examples:\n  articast follow https://example.com/feed.xml\n  articast follow reading-list.txt "
               "--max-new 10\n  articast follow ~/drafts\n  articast follow --list",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    follow_p.add_argument("source", nargs="?", metavar="SOURCE", help="a feed, OPML file or reading list (URL or "
                          "path), or a folder")
    follow_p.add_argument("--out", dest="out_dir", metavar="DIR", help="the show folder (default: output/)")
    follow_p.add_argument("--max-new", type=int, metavar="N",
                          help="the first update voices at most the N newest items (default: 3)")
    follow_p.add_argument("--list", action="store_true", help="list the followed sources and what became of them")
    unfollow_p = sub.add_parser("unfollow", parents=[common], help="stop following a source",
                                description="Remove a source from the show's articast.toml and forget which "
                                            "of its items were voiced. Its episodes stay in the show.")
    unfollow_p.add_argument("source", metavar="SOURCE", help="the source as 'articast follow --list' shows it")
    unfollow_p.add_argument("--out", dest="out_dir", metavar="DIR", help="the show folder (default: output/)")
    update_p = sub.add_parser(
        "update", parents=[common], help="voice what is new in every followed source, then publish",
        description="Fetch every followed source (politely: a conditional GET), make an episode of each new "
                    "item, record what became of each, and publish the show once. A failed item is tried "
                    "again by the next update, 3 times in all. Nothing new: nothing is made or published. "
                    "Safe to stop at any point, and to run from cron or a systemd timer.",
        epilog="exit status: 0 every source and item handled, 1 any failed (each named on stderr).")
    update_p.add_argument("--out", dest="out_dir", metavar="DIR", help="the show folder (default: output/)")
    update_p.add_argument("--ray", metavar="ADDRESS", help="make the new episodes on a Ray cluster, as for produce")

    script_p = sub.add_parser(
        "script", parents=[common], help="show what would be spoken, without making audio",
        description="Print the title, chapters and segments of an article, each segment with its text "
                    "and the spoken form the voice will read.",
    )
    script_p.add_argument("source", metavar="ARTICLE",
                          help="a text, Markdown or HTML file, an http(s) URL, or - for standard input")
    script_p.add_argument("--title", help="episode title (default: the article's own title)")
    script_p.add_argument("--out", dest="out_dir", metavar="DIR",
                          help="show folder whose articast.toml [lexicon] applies (default: output/)")
    script_p.add_argument("--lexicon", type=Path, metavar="FILE", help="lexicon file, as for produce")
    script_p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    show_flags = argparse.ArgumentParser(add_help=False)
    show_flags.add_argument("--out", dest="out_dir", metavar="DIR", help="the show folder (default: output/)")
    show_flags.add_argument("--show", metavar="TITLE", help="the show's title")
    show_flags.add_argument("--author", help="the show's author")
    show_flags.add_argument("--description", help="what the show is about")
    show_flags.add_argument("--language", metavar="CODE", help="the show's language (default: en)")
    show_flags.add_argument("--category", metavar="NAME",
                            help="Apple Podcasts category, e.g. 'News' or 'News > Tech News' (default: News)")
    show_flags.add_argument("--explicit", action=argparse.BooleanOptionalAction, default=None,
                            help="mark the show explicit (default: no)")
    show_flags.add_argument("--email", dest="owner_email", metavar="ADDRESS",
                            help="owner's e-mail for the feed (Apple requires one)")
    show_flags.add_argument("--base-url", metavar="URL",
                            help="public URL of the show folder (default: http://127.0.0.1:8000, as served by "
                                 "'articast serve')")
    show_flags.add_argument("--cover", type=Path, metavar="FILE",
                            help="cover image (square, 1400-3000 px; others are cropped and scaled)")

    init_p = sub.add_parser("init", parents=[common, show_flags], help="write a show's settings file",
                            description="Write OUT/articast.toml with the show's title, author, description, "
                                        "language, category, explicit flag, owner e-mail, base URL and cover.")
    init_p.add_argument("--force", action="store_true", help="replace an existing articast.toml")

    publish_p = sub.add_parser(
        "publish", parents=[common, show_flags], help="rebuild the show's feed and page, and copy the show to --to",
        description="Read every episode in the show folder and write feed.xml (RSS with Apple Podcasts and "
                    "Podcasting 2.0 tags), index.html (a page that plays offline once installed), the cover "
                    "and episodes.json. Safe to run again: episodes keep their GUIDs and first publication "
                    "dates. With --to, copy the show where podcast apps reach it: the MP3s and sidecars "
                    "first, the page next, the feed last; only files that changed are sent, and the files "
                    "of removed episodes are deleted once the new feed is up.")
    publish_p.add_argument("--to", dest="publish_to", metavar="URL",
                           help="copy the show to s3://BUCKET/PREFIX, sftp://USER@HOST/PATH, file:///PATH or any "
                                "fsspec URL (also ARTICAST_PUBLISH_TO, publish_to in articast.toml's [show]); "
                                "S3 needs articast[s3], SFTP articast[sftp]")
    publish_p.add_argument("--endpoint-url", metavar="URL",
                           help="an S3-compatible service (MinIO, R2, B2) instead of AWS (also AWS_ENDPOINT_URL)")
    publish_p.add_argument("--dry-run", action="store_true",
                           help="list what --to would upload and delete, and change nothing there")

    serve_p = sub.add_parser("serve", parents=[common], help="serve the show folder to podcast apps",
                             description="Serve the show folder over HTTP with byte ranges, for podcast apps "
                                         "on this machine, or on your network with --host 0.0.0.0.")
    serve_p.add_argument("--out", dest="out_dir", metavar="DIR", help="the show folder (default: output/)")
    serve_p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_p.add_argument("--port", type=_port, default=8000, help="port, 0-65535 (default: 8000; 0 picks a free one)")
    serve_p.add_argument("-q", "--quiet", action="store_true",
                         help="do not print a line for each request (time, client, method, path, status, bytes)")

    voices_p = sub.add_parser(
        "voices", parents=[common], help="list, download and try voices",
        description="List every speech engine, whether it works offline, and its installed voices. "
                    "--available lists Piper's published catalogue (fetched once a day, kept for offline "
                    "use); --download installs a voice from it into the voices folder "
                    "($ARTICAST_VOICES_DIR, else your user data folder), after which --voice NAME works "
                    "everywhere; --sample speaks two sentences in a voice into an MP3. Only --available and "
                    "--download use the network; $ARTICAST_VOICES_URL points them at a mirror.",
        epilog="examples:\n  articast voices --available --lang en\n  articast voices --download en_US-lessac-high"
               "\n  articast voices --sample en_US-lessac-high -o lessac.mp3"
               "\n  articast produce interview.md --voice question=en_US-lessac-high --voice answer=joe",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    voices_p.add_argument("--engine", metavar="NAME", help="list only this engine")
    voices_p.add_argument("--available", action="store_true",
                          help="list the voices in Piper's catalogue: language, quality, speakers, size; "
                               "'installed' marks the ones here")
    voices_p.add_argument("--lang", metavar="CODE", help="with --available: only this language (en, en_GB, de...)")
    voices_p.add_argument("--refresh", action="store_true", help="with --available: fetch the catalogue again now")
    voices_p.add_argument("--download", nargs="+", metavar="NAME",
                          help="download and install these voices from the catalogue (resumes an interrupted "
                               "download; checks each file's size and MD5)")
    voices_p.add_argument("--sample", metavar="VOICE",
                          help="speak two sentences in VOICE into an MP3 (see -o), to hear it before choosing it")
    voices_p.add_argument("-o", "--output", metavar="FILE", type=Path,
                          help="with --sample: the MP3 to write (default: ./VOICE-sample.mp3)")
    voices_p.add_argument("--speaker", help="with --sample: the speaker of a multi-speaker voice")

    cache_p = sub.add_parser(
        "cache", parents=[common], help="show or clear the synthesis cache",
        description="Synthesised segments are cached, so re-running produce after an edit only speaks what "
                    "changed. The cache lives in the user's cache folder, or $ARTICAST_CACHE_DIR.")
    cache_p.add_argument("--clear", action="store_true",
                         help="delete every cached segment and the encoded audio kept beside them")
    parser.commands = sub.choices  # type: ignore[attr-defined]
    return parser


def _port(text: str) -> int:
    """A TCP port number, for argparse: 0 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def _voice_flags(values: list[str] | None) -> tuple[str | None, dict[str, str]]:
    """Split repeated --voice values into the default voice and voices by role."""
    from .config import normalise_role

    default, roles = None, {}
    for value in values or []:
        role, sep, voice = value.partition("=")
        if sep and not any(ch in role for ch in "/\\.") and role.strip():
            roles[normalise_role(role)] = voice
        else:
            default = value
    return default, roles


def _cmd_voices(args: argparse.Namespace) -> int:
    if args.download:
        return _download_voices(args.download)
    if args.sample:
        return _voice_sample(args)
    if args.available:
        return _list_available(args.lang, args.refresh)
    if args.lang or args.refresh or args.output or args.speaker:
        raise InputError("--lang and --refresh go with --available; -o and --speaker with --sample")
    return _list_engines(args)


def _list_available(lang: str | None, refresh: bool) -> int:
    from .speech import catalogue
    from .speech.piper import BUNDLED

    installed = catalogue.installed_voices()
    try:
        found = catalogue.load_catalogue(refresh=refresh)
    except catalogue.CatalogueError as exc:
        print(f"note: {exc}; showing the installed voices only", file=sys.stderr)
        print(f"  {BUNDLED:<32} bundled")
        for name in installed:
            print(f"  {name:<32} installed")
        return ExitStatus.OK
    if found.note:
        print(f"note: {found.note}", file=sys.stderr)
    voices = [v for v in found.voices.values() if not lang or v.matches_language(lang)]
    if lang and not voices:
        raise InputError(f"no voice in the catalogue speaks {lang!r}; language codes look like en, en_GB, de")
    bundled = {"en_US-joe-medium", BUNDLED}
    for voice in sorted(voices, key=lambda v: (v.language, v.name)):
        mark = "bundled" if voice.name in bundled else "installed" if voice.name in installed else ""
        speakers = f"{voice.speakers} speaker{'s' if voice.speakers != 1 else ''}"
        print(f"  {voice.name:<32} {voice.language_name[:30]:<30} {voice.quality:<7} {speakers:<12} "
              f"{size_text(voice.size_bytes):>9}  {mark}".rstrip())
    count = f"{len(voices)} voice{'s' if len(voices) != 1 else ''}{f' for {lang}' if lang else ''}"
    print(f"{count} in {found.url}; install one with: articast voices --download NAME")
    return ExitStatus.OK


def _download_voices(names: list[str]) -> int:
    from .speech import catalogue

    found = catalogue.load_catalogue()
    if found.note:
        print(f"note: {found.note}", file=sys.stderr)
    for name in names:  # every name is checked before anything is fetched
        if found.find(name) is None:
            raise InputError(f"no voice {name!r} in the catalogue; see: articast voices --available")
    for name in names:
        bar = DownloadBar(sys.stderr)
        try:
            done = catalogue.download_voice(name, found, report=bar)
        finally:
            bar.close()
        if done.already_installed:
            print(f"{done.voice.name} is already installed: {done.model}")
        else:
            resumed = f", resumed after {size_text(done.resumed_bytes)}" if done.resumed_bytes else ""
            print(f"installed {done.voice.name} ({size_text(done.voice.size_bytes)}{resumed}; MD5 checked): "
                  f"{done.model}")
    return ExitStatus.OK


def _voice_sample(args: argparse.Namespace) -> int:
    from .pipeline import voice_sample

    settings = resolve_settings({"engine": args.engine, "speaker": args.speaker})
    path = voice_sample(args.sample, settings, args.output or Path("."))  # a folder: VOICE-sample.mp3 in it
    print(path)
    return ExitStatus.OK


def _list_engines(args: argparse.Namespace) -> int:
    from .speech import engine_classes

    classes = engine_classes()
    if args.engine and args.engine not in classes:
        raise InputError(f"unknown speech engine {args.engine!r}; choose one of: {', '.join(sorted(classes))}")
    for name, cls in sorted(classes.items(), key=lambda kv: (kv[0] != "piper", kv[0])):
        if args.engine and name != args.engine:
            continue
        where = "offline" if getattr(cls, "OFFLINE", False) else "online: needs the network"
        print(f"{name} ({where}{', default' if name == 'piper' else ''})")
        for voice in cls.voices():
            marker = "*" if voice.default else " "
            print(f"  {marker} {voice.name:<24} {voice.description}")
        if name == "piper":
            print(f"    {'':<24} more voices: articast voices --available")
    return ExitStatus.OK


def _cmd_cache(args: argparse.Namespace) -> int:
    from .speech.cache import SegmentCache

    cache = SegmentCache()
    if args.clear:
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


def _show_flags(args: argparse.Namespace) -> dict:
    return {key: getattr(args, key, None) for key in (
        "out_dir", "show", "author", "description", "language", "category", "explicit", "owner_email",
        "base_url", "cover")}


def _cmd_init(args: argparse.Namespace) -> int:
    import tomli_w

    from .config import SETTINGS_FILE

    settings = resolve_settings(_show_flags(args))
    path = Path(settings.out_dir) / SETTINGS_FILE
    if path.exists() and not args.force:
        raise InputError(f"{path}: already exists (edit it, or use --force to replace it)")
    from .publish import split_category

    split_category(settings.category)
    show = {"title": settings.show, "author": settings.author or settings.show,
            "description": settings.description or f"Articles read aloud by {settings.show}.",
            "language": settings.language, "category": settings.category, "explicit": settings.explicit,
            "email": settings.owner_email or ""}
    if settings.base_url:
        show["base_url"] = settings.base_url
    if settings.cover:
        show["cover"] = str(Path(settings.cover).resolve())
    from .fsutil import write_text_atomic

    write_text_atomic(path, tomli_w.dumps({"show": show, "produce": {"pace": settings.pace_wpm}, "lexicon": {}}))
    if not settings.owner_email:
        print("note: set email = \"...\" in [show]; Apple Podcasts requires an owner e-mail", file=sys.stderr)
    print(path)
    return ExitStatus.OK


def _publish(settings: Settings, dry_run: bool = False, result: PublishResult | None = None) -> int:
    """Publish the show folder (unless ``result`` says it was just done), copy it to its target when
    one is set, and say what was written. With a target, the show folder changes (and the base URL
    is remembered) only once the copy has succeeded; a dry run changes nothing anywhere."""
    from .publish import DEFAULT_BASE_URL, publish_show, write_pending

    result = result or publish_show(settings, write=not settings.publish_to)
    folder = Path(settings.out_dir)
    default_url = result.feed_url.startswith(DEFAULT_BASE_URL)
    if default_url and not settings.publish_to:
        print("note: no public base URL set (--base-url or ARTICAST_BASE_URL); the feed points at "
              f"{DEFAULT_BASE_URL}/ for 'articast serve'", file=sys.stderr)
    for note in result.notes:
        print(f"warning: {note}", file=sys.stderr)
    if settings.publish_to:
        from .publish.remote import check_public, redact, upload_show

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
    for name in result.written:
        print(folder / name)
    return ExitStatus.OK


def _cmd_publish(args: argparse.Namespace) -> int:
    flags = _show_flags(args) | {"publish_to": args.publish_to, "endpoint_url": args.endpoint_url}
    settings = resolve_settings(flags)
    if args.dry_run and not settings.publish_to:
        raise InputError("--dry-run lists what a copy would send: give --to URL (or set ARTICAST_PUBLISH_TO)")
    return _publish(settings, dry_run=args.dry_run)


def _cmd_serve(args: argparse.Namespace) -> int:
    from .publish import FEED_FILE
    from .publish.serve import Request, make_server

    settings = resolve_settings({"out_dir": args.out_dir})
    folder = Path(settings.out_dir)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such show folder")
    lock = threading.Lock()

    def report(request: Request) -> None:
        with lock:
            print(f"{request.time:%Y-%m-%d %H:%M:%S} {request.client} {request.method} {request.path} "
                  f"{request.status} {request.bytes_sent}", file=sys.stderr, flush=True)

    try:
        server = make_server(folder, args.host, args.port, report=None if args.quiet else report)
    except OSError as exc:
        raise InputError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc})") from None
    host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    shown = f"[{host}]" if ":" in host else host
    print(f"serving {folder.resolve()} on http://{shown}:{server.server_address[1]}/ (Ctrl-C to stop)",
          file=sys.stderr)
    print(f"http://{shown}:{server.server_address[1]}/{FEED_FILE}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped serving", file=sys.stderr)  # how a user ends serving: exit 130, as for every Ctrl-C
        return ExitStatus.INTERRUPTED
    finally:
        server.server_close()
    return ExitStatus.OK


def _produce_one(source: str, settings: Settings, title: str | None) -> Episode:
    """One article made into an episode, with a progress bar on the terminal."""
    from .speech import early
    from .speech.workers import discard_early

    bar = ProgressBar(sys.stderr)
    try:
        # Before the pipeline is even imported: workers for an article not produced before load
        # their voices while this process reads it (see speech.early).
        early.start_for(source, settings)
        from .pipeline import produce

        episode = produce(source, settings, title=title, progress=bar)
    finally:
        bar.close()
        discard_early()  # any the produce did not take over (it failed before it spoke)
    early.remember(source)
    _say_made(episode)
    return episode


def _say_made(episode: Episode) -> None:
    """One line on stderr: the episode's title, length and chapters."""
    minutes, seconds = divmod(episode.duration_ms // 1000, 60)  # whole seconds, as players show it
    chapters = len(episode.chapters)
    print(f"{episode.title}: {minutes}:{seconds:02d}, {chapters} chapter{'s' if chapters != 1 else ''}",
          file=sys.stderr)


def _produce_batch(sources: list[str], settings: Settings, show_traceback: bool,
                   title: str | None = None) -> tuple[list[Episode], list[str]]:
    """Several articles in one batch (one set of speech workers); each one's files are printed as it
    is done, in order, and one that fails is named and the rest go on."""
    from .cluster import make_batch
    from .speech import early

    episodes: list[Episode] = []
    failed: list[str] = []

    bar = ArticleBar(sys.stderr, len(sources))

    def task(number: int, source: str) -> Callable[[], Episode]:
        def make() -> Episode:
            bar.start(number, source)
            try:
                return batch.produce(source, title=title)
            finally:
                bar.finish()
        return make

    with make_batch(settings, len(sources)) as batch:
        for index, outcome in batch.run([task(n, source) for n, source in enumerate(sources, start=1)]):
            source = sources[index]
            bar.clear()
            if isinstance(outcome, Exception):
                if show_traceback:
                    traceback.print_exception(outcome)
                if isinstance(outcome, ArticastError):
                    print(f"error: {_naming(source, str(outcome))}", file=sys.stderr)
                else:
                    said = os_error_message(outcome) if isinstance(outcome, OSError) else None
                    print(f"error: {source}: {said or _unexpected(outcome)}", file=sys.stderr)
                failed.append(source)
                continue
            episode = outcome
            episodes.append(episode)
            early.remember(source)
            _say_made(episode)
            for path in episode.files:
                print(path, flush=True)
    bar.clear()
    return episodes, failed


def _naming(source: str, message: str) -> str:
    """An error message that names the article it is about."""
    return message if message.startswith(source) else f"{source}: {message}"


def _cmd_produce(args: argparse.Namespace) -> int:
    voice, roles = _voice_flags(args.voice)
    sources: list[str] = args.sources
    if sources.count("-") > 1:
        raise InputError("- (standard input) can be given only once")
    if args.title and len(sources) > 1:
        raise InputError("--title names one episode: give it with a single ARTICLE")
    settings: Settings = resolve_settings({
        "out_dir": args.out_dir, "show": args.show, "author": args.author, "pace_wpm": args.pace_wpm,
        "intro": args.intro, "outro": args.outro, "music": args.music, "mono": args.mono,
        "lexicon": args.lexicon, "engine": args.engine, "voice": voice, "role_voices": roles,
        "speaker": args.speaker, "lang": args.lang, "tld": args.tld, "base_url": args.base_url,
        "jobs": args.jobs, "ray": args.ray,
    })
    episodes: list[Episode] = []
    failed: list[str] = []
    if len(sources) == 1 and not settings.ray:
        episodes.append(_produce_one(sources[0], settings, args.title))
    else:  # (each episode's files are printed as it is done)
        episodes, failed = _produce_batch(sources, settings, args.traceback, args.title)
    if args.publish and episodes:
        _publish(settings)
    if len(sources) == 1 and not settings.ray:
        for path in episodes[0].files:
            print(path)
        return ExitStatus.OK
    if len(sources) == 1:
        return ExitStatus.ERROR if failed else ExitStatus.OK
    summary = f"{len(episodes)} produced, {len(failed)} failed"
    print(summary + (f": {', '.join(failed)}" if failed else ""), file=sys.stderr)
    return ExitStatus.ERROR if failed else ExitStatus.OK


def _cmd_follow(args: argparse.Namespace) -> int:
    from .follow import follow_source, list_followed

    settings = resolve_settings({"out_dir": args.out_dir})
    if args.list:
        if args.source:
            raise InputError("--list takes no SOURCE")
        from .follow.records import FollowRecords

        followed = list_followed(settings.out_dir)
        if not followed:
            print(f"{settings.out_dir}: follows no sources yet; add one with 'articast follow SOURCE'",
                  file=sys.stderr)
            return ExitStatus.OK
        records = FollowRecords(settings.out_dir).load()
        for source in followed:
            keys = [source.source] + (records.feed(source.source).feeds if records.feed(source.source) else [])
            states: dict[str, int] = {}
            changed = ""
            for key in keys:
                record = records.feed(key)
                if record is None:
                    continue
                changed = max(changed, record.changed)
                for item in record.items.values():
                    states[item.status] = states.get(item.status, 0) + 1
            counts = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
            when = f"; last changed {changed}" if changed else ""
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


def _cmd_unfollow(args: argparse.Namespace) -> int:
    from .follow import unfollow_source

    settings = resolve_settings({"out_dir": args.out_dir})
    gone = unfollow_source(settings.out_dir, args.source)
    print(f"no longer following {gone.source}; its episodes stay in the show", file=sys.stderr)
    return ExitStatus.OK


def _cmd_update(args: argparse.Namespace) -> int:
    from .follow.update import UpdateEvent, update_show

    settings = resolve_settings({"out_dir": args.out_dir, "ray": args.ray})
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
        try:
            _publish(settings, result=result.published)
        except ArticastError:  # the copy failed: the next update copies the show again, new or not
            from .follow.records import FollowRecords

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


def _cmd_script(args: argparse.Namespace) -> int:
    from .pipeline import load_script

    settings = resolve_settings({"out_dir": args.out_dir, "lexicon": args.lexicon})
    script = load_script(args.source, args.title, settings.lexicon)
    if args.json:
        doc = {
            "title": script.title,
            "author": script.author,
            "chapters": [
                {"title": ch.title, "segments": [{"text": s.text, "spoken": s.spoken} for s in ch.segments]}
                for ch in script.chapters
            ],
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return ExitStatus.OK
    print(script.title)
    if script.author:
        print(f"by {script.author}")
    if not script.normalised:
        print(f"(language {script.language}: numbers and abbreviations are read as written)")
    for number, chapter in enumerate(script.chapters, start=1):
        print(f"\n{number}. {chapter.title}")
        for segment in chapter.segments:
            print(f"   {segment.text}")
            if segment.spoken != segment.text:
                print(f"   -> {segment.spoken}")
    return ExitStatus.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the articast command line; returns the exit status."""
    parser = _parser()
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
    handlers = {"produce": _cmd_produce, "script": _cmd_script, "voices": _cmd_voices, "cache": _cmd_cache,
                "init": _cmd_init, "publish": _cmd_publish, "serve": _cmd_serve, "follow": _cmd_follow,
                "unfollow": _cmd_unfollow, "update": _cmd_update}
    try:
        return int(handlers[args.command](args))
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
        print(f"error: {os_error_message(exc) or _unexpected(exc)}", file=sys.stderr)
        return int(ExitStatus.ERROR)
    except Exception as exc:  # an articast bug: say so in one line, keep the stack for --traceback
        if args.traceback:
            traceback.print_exc()
        print(f"error: {_unexpected(exc)}", file=sys.stderr)
        return int(ExitStatus.ERROR)


def _unexpected(exc: BaseException) -> str:
    return f"unexpected {type(exc).__name__}: {exc} (run with --traceback for details)"


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

