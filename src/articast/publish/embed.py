"""embed.js: one script tag a site adds to its template puts each article's episode on the article's
own page, with the show page's read-along player (see web/embed.js for what it does in the page).

It is written by publish at the show's root, next to episodes.json, where it finds the episodes; it
carries the player's script and styles, the show's name, feed and artwork, and the interface's
words in the languages of the show's episodes.
"""

from __future__ import annotations

import json

from ..languages import base_language
from .app import ICON_SIZES_PX, icon_name
from .feed import FEED_FILE, ShowInfo, url_for
from .page import ICONS, asset
from .store import EpisodeRecord
from .words import words_for

EMBED_FILE = "embed.js"


def embed_tag(base_url: str) -> str:
    """The one line a site adds to its pages."""
    return f'<script src="{url_for(base_url, EMBED_FILE)}" async></script>'


def render_embed(show: ShowInfo, episodes: list[EpisodeRecord]) -> str:
    """The script, for the show and the languages its episodes are in."""
    show_language = base_language(show.language) or "en"
    languages = {show_language} | {base_language(r.language) or show_language for r in episodes}
    config = {
        "title": show.title,
        "language": show_language,
        "feed": FEED_FILE,
        "artwork": [{"src": icon_name(px), "sizes": f"{px}x{px}", "type": "image/png"} for px in ICON_SIZES_PX],
        "words": {language: words_for(language) for language in sorted(languages)},
        "icons": ICONS,
    }
    css = asset("player.css") + asset("embed.css")
    return ("/* articast's embed.js: each article's episode on the article's own page. No cookies, no tracking. */\n"
            "(function () {\n'use strict';\n"
            f"var CONFIG = {json.dumps(config, ensure_ascii=False)};\n"
            f"var CSS = {json.dumps(css)};\n"
            f"{asset('player.js')}\n{asset('embed.js')}}})();\n")
