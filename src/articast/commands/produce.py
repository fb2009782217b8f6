"""articast produce: articles into episodes, one at a time or as a batch (on this machine or a Ray cluster)."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import ArticastError, ExitStatus, InputError, os_error_message, unexpected_message
from . import options
from .base import Command

if TYPE_CHECKING:
    from ..models import Article, Episode


class ProduceCommand(Command):
    name = "produce"
    description = ("Read an article, speak it with the offline Piper voice, mix intro and outro music, normalise "
                   "loudness to -16 LUFS and write OUT/<slug>.mp3 with <slug>.vtt, <slug>.srt and "
                   "<slug>.chapters.json beside it. Each file's path is printed, the MP3's last. With several "
                   "articles, each is made in turn; the exit status is 1 if any failed.")
    epilog = "Settings not given as flags come from ARTICAST_* variables, then OUT/articast.toml."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("sources", nargs="+", metavar="ARTICLE",
                            help="a text, Markdown, HTML, Word (.docx), OpenDocument (.odt), e-book (.epub) or PDF "
                                 "file, an http(s) URL, or - for standard input; give several to make one episode each "
                                 "(a failed one does not stop the rest)")
        output = parser.add_argument_group("output", "where the episode goes and how it is named and encoded")
        options.add_out(output, "show folder to write into (default: output/, or $ARTICAST_OUT)")
        options.add_title(output)
        options.add_setting(output, "show", help="show name for the album tag (default: articast)")
        options.add_setting(output, "author", help="credit when the article names no author")
        options.add_setting(output, "mono", action="store_const", const=True,
                            help="mono 64 kbps (default: stereo 128 kbps)")

        voice = parser.add_argument_group("voice", "who reads the article, and how")
        options.add_engine(voice, "speech engine: piper (default, offline) or gtts (online); see 'articast voices'")
        options.add_setting(voice, "voice", action="append", metavar="[ROLE=]VOICE",
                            help="voice for the engine (see 'articast voices'); give question=VOICE and "
                                 "answer=VOICE to read headings or questions in one voice and the body in another")
        options.add_engine_options(voice)
        options.add_language(voice)
        options.add_setting(voice, "pace_wpm", type=float, metavar="WPM",
                            help="speaking rate in words a minute, 80-300 (default: 160)")
        options.add_lexicon(voice, 'TOML file of word = "how to say it" pairs (names, brands), '
                                   "added to the show's [lexicon]")

        music = parser.add_argument_group("music", "the intro and the outro")
        options.add_setting(music, "intro", type=Path, metavar="FILE", help="intro music, any format ffmpeg reads")
        options.add_setting(music, "outro", type=Path, metavar="FILE", help="outro music, any format ffmpeg reads")
        options.add_setting(music, "music", action="store_const", const=False, help="no intro or outro music")

        parser.add_argument("--split", choices=("none", "chapters"), default="none",
                            help="chapters: one episode a chapter (a book's, a long document's), numbered in "
                                 "order, with the book as their season in the feed; none (the default): one "
                                 "episode with a chapter mark a chapter")
        parser.add_argument("--dry-run", action="store_true",
                            help="read the article and say what would be spoken: its segments, how many the "
                                 "cache lacks and their characters (what a paid speech service counts), and "
                                 "which engine, server and voice would speak them; nothing is spoken, sent or "
                                 "written")

        publishing = parser.add_argument_group("publishing", "what happens once the episode is made")
        publishing.add_argument("--publish", action="store_true",
                                help="then publish: update the show's feed.xml and index.html, and copy the show "
                                     "to its publish_to target when one is set (see 'articast publish')")
        options.add_setting(publishing, "base_url", metavar="URL",
                            help="public URL of the show folder, for --publish")

        cluster = parser.add_argument_group("cluster", "where the speaking runs")
        options.add_setting(cluster, "jobs", type=int, metavar="N",
                            help="worker processes for speech (default: one per core; 1 speaks in-process)")
        options.add_ray(cluster, "produce on a Ray cluster, one task an article: local (a cluster of this "
                                 "machine, for this command), auto (the running one) or ray://HOST:10001; "
                                 'needs pip install "articast[ray]"')

    def run(self, args: argparse.Namespace) -> int:
        sources: list[str | Article] = list(args.sources)
        if sources.count("-") > 1:
            raise InputError("- (standard input) can be given only once")
        if args.title and len(sources) > 1:
            raise InputError("--title names one episode: give it with a single ARTICLE")
        settings = options.settings_from(args)
        if args.split == "chapters":
            if args.title:
                raise InputError("--title names one episode: leave it out with --split chapters")
            sources = split(args.sources)
        if args.dry_run:
            if args.publish:
                raise InputError("--dry-run writes nothing: leave out --publish")
            return dry_run(sources, settings, args.title)
        episodes: list[Episode] = []
        failed: list[str] = []
        if len(sources) == 1 and not settings.ray:
            episodes.append(produce_one(sources[0], settings, args.title))
        else:  # (each episode's files are printed as it is done)
            episodes, failed = produce_batch(sources, settings, args.traceback, args.title)
        if args.publish and episodes:
            from .publish import publish_and_say

            publish_and_say(settings)
        if len(sources) == 1 and not settings.ray:
            for path in episodes[0].files:
                print(path)
            return ExitStatus.OK
        if len(sources) == 1:
            return ExitStatus.ERROR if failed else ExitStatus.OK
        summary = f"{len(episodes)} produced, {len(failed)} failed"
        print(summary + (f": {', '.join(failed)}" if failed else ""), file=sys.stderr)
        return ExitStatus.ERROR if failed else ExitStatus.OK


def split(sources: list[str]) -> list[str | Article]:
    """Each source read and cut into one article a chapter (see ingest.split_chapters)."""
    from ..ingest import read_article, split_chapters
    from ..progress import ProgressBar

    chapters: list[str | Article] = []
    for source in sources:
        bar = ProgressBar(sys.stderr)
        try:
            book = read_article(source, progress=bar)
        finally:
            bar.close()
        parts = split_chapters(book)
        if not parts:
            raise InputError(f"{source}: has no chapter with words to read")
        print(f"{book.title}: {len(parts)} chapter{'s' if len(parts) != 1 else ''}, one episode each",
              file=sys.stderr)
        chapters.extend(parts)
    return chapters


def dry_run(sources: list[str | Article], settings: Settings, title: str | None) -> int:
    """What producing each article would speak and send, one paragraph each on stdout."""
    from ..pipeline import dry_run as plan

    for source in sources:
        found = plan(source, settings, title=title)
        said = f"{found.characters:,} characters in {found.new_segments} of {found.segments} segments"
        cached = found.segments - found.new_segments
        print(f"{found.title}: {found.segments} segment{'s' if found.segments != 1 else ''}"
              f" ({cached} in the cache), language {found.language or 'unknown'}")
        verb = "would speak here" if found.offline else "would send"
        print(f"  {verb} {said}, with {found.engine}:")
        for speaker in found.speakers:
            print(f"    {speaker}")
    print("dry run: nothing was spoken, sent or written", file=sys.stderr)
    return ExitStatus.OK


def _label(source: str | Article) -> str:
    """What a source is called in messages: its path or URL, or a chapter's title."""
    return source if isinstance(source, str) else source.title


def produce_one(source: str | Article, settings: Settings, title: str | None) -> Episode:
    """One article made into an episode, with a progress bar on the terminal."""
    from ..progress import ProgressBar
    from ..speech import early
    from ..speech.workers import discard_early

    bar = ProgressBar(sys.stderr)
    try:
        # Before the pipeline is even imported: workers for an article not produced before load
        # their voices while this process reads it (see speech.early).
        if isinstance(source, str):
            early.start_for(source, settings)
        from ..pipeline import produce

        episode = produce(source, settings, title=title, progress=bar)
    finally:
        bar.close()
        discard_early()  # any the produce did not take over (it failed before it spoke)
    if isinstance(source, str):
        early.remember(source)
    say_made(episode)
    return episode


def say_made(episode: Episode) -> None:
    """One line on stderr: the episode's title, length and chapters."""
    minutes, seconds = divmod(episode.duration_ms // 1000, 60)  # whole seconds, as players show it
    chapters = len(episode.chapters)
    print(f"{episode.title}: {minutes}:{seconds:02d}, {chapters} chapter{'s' if chapters != 1 else ''}",
          file=sys.stderr)


def produce_batch(sources: list[str | Article], settings: Settings, show_traceback: bool,
                  title: str | None = None) -> tuple[list[Episode], list[str]]:
    """Several articles in one batch (one set of speech workers); each one's files are printed as it
    is done, in order, and one that fails is named and the rest go on."""
    from ..cluster import make_batch
    from ..progress import ArticleBar
    from ..speech import early

    episodes: list[Episode] = []
    failed: list[str] = []

    bar = ArticleBar(sys.stderr, len(sources))

    def task(number: int, source: str | Article) -> Callable[[], Episode]:
        def make() -> Episode:
            bar.start(number, _label(source))
            try:
                return batch.produce(source, title=title)
            finally:
                bar.finish()
        return make

    with make_batch(settings, len(sources)) as batch:
        for index, outcome in batch.run([task(n, source) for n, source in enumerate(sources, start=1)]):
            source = sources[index]
            label = _label(source)
            bar.clear()
            if isinstance(outcome, Exception):
                if show_traceback:
                    traceback.print_exception(outcome)
                if isinstance(outcome, ArticastError):
                    print(f"error: {_naming(label, str(outcome))}", file=sys.stderr)
                else:
                    said = os_error_message(outcome) if isinstance(outcome, OSError) else None
                    print(f"error: {label}: {said or unexpected_message(outcome)}", file=sys.stderr)
                failed.append(label)
                continue
            episode = outcome
            episodes.append(episode)
            if isinstance(source, str):
                early.remember(source)
            say_made(episode)
            for path in episode.files:
                print(path, flush=True)
    bar.clear()
    return episodes, failed


def _naming(source: str, message: str) -> str:
    """An error message that names the article it is about."""
    return message if message.startswith(source) else f"{source}: {message}"
