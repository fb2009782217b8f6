"""articast init: write a show's settings file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ExitStatus, InputError
from . import options
from .base import Command


class InitCommand(Command):
    name = "init"
    description = ("Write OUT/articast.toml with the show's title, author, description, language, category, "
                   "explicit flag, owner e-mail, base URL and cover.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        options.add_show_options(parser)
        parser.add_argument("--force", action="store_true", help="replace an existing articast.toml")

    def run(self, args: argparse.Namespace) -> int:
        import tomli_w

        from ..config import SETTINGS_FILE
        from ..fsutil import write_text_atomic
        from ..publish import split_category

        settings = options.settings_from(args)
        path = Path(settings.out_dir) / SETTINGS_FILE
        if path.exists() and not args.force:
            raise InputError(f"{path}: already exists (edit it, or use --force to replace it)")
        split_category(settings.category)
        show = {"title": settings.show, "author": settings.author or settings.show,
                "description": settings.description or f"Articles read aloud by {settings.show}.",
                "category": settings.category, "explicit": settings.explicit, "email": settings.owner_email or ""}
        if settings.language:  # else the feed says its episodes' language (or English)
            show["language"] = settings.language
        if settings.base_url:
            show["base_url"] = settings.base_url
        if settings.cover:
            show["cover"] = str(Path(settings.cover).resolve())
        write_text_atomic(path, tomli_w.dumps({"show": show, "produce": {"pace": settings.pace_wpm},
                                               "lexicon": {}}))
        if not settings.owner_email:
            print("note: set email = \"...\" in [show]; Apple Podcasts requires an owner e-mail", file=sys.stderr)
        print(path)
        return ExitStatus.OK
