"""articast script: what would be spoken, without making audio."""

from __future__ import annotations

import argparse
import json

from ..errors import ExitStatus, InputError
from . import options
from .base import Command


class ScriptCommand(Command):
    name = "script"
    description = ("Print the title, chapters and segments of an article, each segment with its text "
                   "and the spoken form the voice will read.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("source", metavar="ARTICLE",
                            help="a text, Markdown, HTML, Word (.docx), OpenDocument (.odt), e-book (.epub) or PDF "
                                 "file, an http(s) URL, or - for standard input")
        options.add_title(parser)
        options.add_out(parser, "show folder whose articast.toml [lexicon] applies (default: output/)")
        options.add_lexicon(parser)
        options.add_language(parser)
        options.add_engine(parser, "the speech engine whose voices --json names (default: piper)")
        options.add_setting(parser, "voice", action="append", metavar="[ROLE=]VOICE",
                            help="the voice --json names, as for produce")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")

    def run(self, args: argparse.Namespace) -> int:
        from ..pipeline import load_script
        from ..speech.choice import choose_voices, voice_for_role

        settings = options.settings_from(args)
        script = load_script(args.source, args.title, settings.lexicon, language=settings.article_language,
                             fallback_language=settings.language)
        if args.json:
            try:
                voiced = choose_voices(settings, script.language)
            except InputError:  # no voice at hand speaks it: produce would refuse it, and says how to fix that
                voiced = None
            doc = {
                "title": script.title,
                "author": script.author,
                "date": script.date,
                "language": script.language,
                "chapters": [
                    {"title": ch.title, "segments": [
                        {"text": s.text, "spoken": s.spoken,
                         "voice": voice_for_role(voiced, s.role) if voiced else None}
                        for s in ch.segments]}
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
