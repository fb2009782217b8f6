"""articast voices: the engines and their voices; Piper's catalogue; downloads; samples."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ExitStatus, InputError
from . import options
from .base import Command

ACTIONS = ("list", "available", "download", "sample")


class VoicesCommand(Command):
    name = "voices"
    description = ("List every speech engine, whether it works offline, its options and its installed voices "
                   "(list, the default). 'available' lists Piper's published catalogue (fetched once a day, "
                   "kept for offline use); 'download NAME' installs a voice from it into the voices folder "
                   "($ARTICAST_VOICES_DIR, else your user data folder), after which --voice NAME works "
                   "everywhere; 'sample VOICE' speaks two sentences in a voice into an MP3. Only available and "
                   "download use the network; $ARTICAST_VOICES_URL points them at a mirror. The older "
                   "spellings --available, --download NAME and --sample VOICE still work.")
    epilog = ("examples:\n  articast voices available --lang en\n  articast voices download en_US-lessac-high"
              "\n  articast voices sample en_US-lessac-high -o lessac.mp3"
              "\n  articast produce interview.md --voice question=en_US-lessac-high --voice answer=joe")
    raw_help = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("voices_action", nargs="?", choices=ACTIONS, metavar="ACTION",
                            help="list (default), available, download NAME..., or sample VOICE")
        parser.add_argument("names", nargs="*", metavar="NAME", help="the voices to download, or the one to sample")
        options.add_engine(parser, "list only this engine; with sample: the engine that speaks it")
        parser.add_argument("--lang", dest="catalogue_lang", metavar="CODE",
                            help="with available: only this language (en, en_GB, de...)")
        parser.add_argument("--refresh", action="store_true", help="with available: fetch the catalogue again now")
        parser.add_argument("-o", "--output", metavar="FILE", type=Path,
                            help="with sample: the MP3 to write (default: ./VOICE-sample.mp3)")
        options.add_speaker(parser, "with sample: the speaker of a multi-speaker voice")
        options.add_server_options(parser)
        old = parser.add_argument_group("older spellings", "kept working for now; use the actions above")
        old.add_argument("--available", action="store_true", help="the same as: articast voices available")
        old.add_argument("--download", nargs="+", metavar="NAME", help="the same as: articast voices download NAME...")
        old.add_argument("--sample", metavar="VOICE", help="the same as: articast voices sample VOICE")

    def run(self, args: argparse.Namespace) -> int:
        action, names = args.voices_action, list(args.names)
        if action is None:  # the older spellings, in the order they were always taken
            if args.download:
                action, names = "download", args.download + names
            elif args.sample:
                action, names = "sample", [args.sample] + names
            elif args.available:
                action = "available"
            else:
                action = "list"
        if action == "download":
            if not names:
                raise InputError("voices download needs the NAME of a voice; see: articast voices available")
            return _download(names)
        if names and action != "sample":
            raise InputError(f"voices {action} takes no NAME: {names[0]!r}")
        if action == "sample":
            if len(names) != 1:
                raise InputError("voices sample takes one VOICE")
            return _sample(names[0], args)
        if action == "available":
            return _list_available(args.catalogue_lang, args.refresh)
        if args.catalogue_lang or args.refresh or args.output or args.speaker:
            raise InputError("--lang and --refresh go with --available; -o and --speaker with --sample")
        return _list_engines(args.engine, args)


def _list_available(lang: str | None, refresh: bool) -> int:
    from ..progress import size_text
    from ..speech import catalogue
    from ..speech.piper import BUNDLED

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


def _download(names: list[str]) -> int:
    from ..progress import DownloadBar, size_text
    from ..speech import catalogue

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


def _sample(voice: str, args: argparse.Namespace) -> int:
    from ..sample import voice_sample

    settings = options.settings_from(args)
    path = voice_sample(voice, settings, args.output or Path("."))  # a folder: VOICE-sample.mp3 in it
    print(path)
    return ExitStatus.OK


def _list_engines(only: str | None, args: argparse.Namespace) -> int:
    """Every engine with its voices and options; with --engine, that engine's voices as it lists them
    for these settings (a speech server's own voices, asked of it)."""
    from ..speech import BUILT_IN, DEFAULT_ENGINE, EngineOptions, engine_classes

    classes = engine_classes()
    if only and only not in classes:
        raise InputError(f"unknown speech engine {only!r}; choose one of: {', '.join(sorted(classes))}")
    for name, cls in sorted(classes.items(), key=lambda kv: (kv[0] != DEFAULT_ENGINE, kv[0])):
        if only and name != only:
            continue
        if only:
            settings = options.settings_from(args, engine=name)
            voices = cls.listed_voices(EngineOptions.chosen(settings, settings.voice))
        else:
            voices = cls.voices()
        where = "offline" if cls.OFFLINE else "online: needs the network"
        print(f"{name} ({where}{', default' if name == DEFAULT_ENGINE else ''})")
        for voice in voices:
            marker = "*" if voice.default else " "
            print(f"  {marker} {voice.name:<24} {voice.description}")
        more = BUILT_IN[name].more_voices if name in BUILT_IN else ""
        if more:
            print(f"    {'':<24} more voices: {more}")
        if cls.OPTIONS:
            print("  options (--engine-option KEY=VALUE):")
            for option, meaning in cls.OPTIONS.items():
                print(f"    {option:<24} {meaning}")
    return ExitStatus.OK
