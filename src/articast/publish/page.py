"""index.html: the show's page, newest episode first, each with a read-along player: its controls,
chapters and a transcript whose sentence being spoken is marked and kept in view.

Self-contained (inline CSS and script, no web fonts or CDNs), so it works opened straight from disk.
The player's script and styles are the ones embed.js carries (see ``web/``); with no script the
browser's own audio controls are left in place.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from functools import cache
from importlib import resources
from typing import NamedTuple

from ..models import ATTRIBUTION
from .app import EPISODE_CACHE, ICON_SIZES_PX, THEME_COLOR, icon_name
from .feed import ShowInfo
from .store import EpisodeRecord, episode_dates
from .words import words_for

PAGE_FILE = "index.html"

PARAGRAPH_GAP_S = 0.5
"""A silence this long or longer between two sentences ends a paragraph of the transcript (the mix
leaves 0.3 s after a sentence and 0.7 s after a paragraph)."""

SPEEDS = (0.8, 1, 1.2, 1.5, 1.75, 2, 2.5)
"""The speeds a listener chooses from (the player's script knows the same list)."""


@cache
def asset(name: str) -> str:
    """One of the player's files (``web/``): its script and styles, shared with embed.js."""
    return (resources.files(__package__) / "web" / name).read_text(encoding="utf-8")


class TranscriptCue(NamedTuple):
    """One sentence of the transcript and when it is heard."""

    start: float
    end: float
    text: str


def _json(value: object) -> str:
    """``value`` as JSON safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def parse_vtt(text: str) -> list[TranscriptCue]:
    """The cues of a WebVTT file, in order."""
    cues = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            match = re.match(r"(\d+):(\d\d):(\d\d)\.(\d{3}) --> (\d+):(\d\d):(\d\d)\.(\d{3})", line)
            if match:
                h, m, s, ms, h2, m2, s2, ms2 = (int(g) for g in match.groups())
                cues.append(TranscriptCue(h * 3600 + m * 60 + s + ms / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000,
                                          " ".join(lines[i + 1:]).strip()))
                break
    return cues


def _without_attribution(description: str, link: str) -> str:
    """The description without its closing "Original article: <link>" (the page links to it instead)."""
    ending = f"{ATTRIBUTION}{link}"
    if link and description.endswith(ending):
        return description[: -len(ending)].rstrip()
    return description


def _lang(language: str, show_language: str) -> str:
    """A ``lang`` attribute for an episode in another language than the page's."""
    return f' lang="{html.escape(language)}"' if language and language != show_language else ""


ICONS = {
    "play": "M8 5.5v13a1 1 0 0 0 1.5.9l10.4-6.5a1 1 0 0 0 0-1.8L9.5 4.6A1 1 0 0 0 8 5.5z",
    "pause": "M7 5h3.5v14H7zM13.5 5H17v14h-3.5z",
    "back": "M12 5V2L7 6l5 4V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z",
    "forward": "M12 5V2l5 4-5 4V7a6 6 0 1 0 6 6h2a8 8 0 1 1-8-8z",
}
"""The controls' icons (24 px SVG paths), for the page and embed.js."""


def icon(name: str, cls: str = "") -> str:
    """An inline SVG icon (decorative: the button it is in has the name)."""
    extra = f' class="{cls}"' if cls else ""
    return f'<svg{extra} viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="{ICONS[name]}"/></svg>'


def controls(words: dict[str, str], duration_s: float, save: bool = False) -> str:
    """The player's controls (hidden until its script runs and takes over from the browser's); with
    ``save``, a button that keeps the episode for offline listening (shown when the page is served)."""
    e = html.escape
    options = "".join(f'<option value="{rate:g}"{" selected" if rate == 1 else ""}>{rate:g}\u00d7</option>'
                      for rate in SPEEDS)
    length = _clock(duration_s)
    position = words["of"].replace("{0}", "0:00").replace("{1}", length)
    return (
        '<div class="ac-controls" hidden>'
        f'<button class="ac-play" type="button" aria-label="{e(words["play"])}">'
        f'{icon("play", "ac-i-play")}{icon("pause", "ac-i-pause")}</button>'
        '<div class="ac-bar">'
        f'<input class="ac-seek" type="range" min="0" max="{max(1, int(duration_s))}" step="1" value="0" '
        f'aria-label="{e(words["seek"])}" aria-valuetext="{e(position)}">'
        f'<div class="ac-times"><span class="ac-now">0:00</span><span class="ac-length">{length}</span></div>'
        "</div>"
        '<div class="ac-buttons">'
        f'<button class="ac-button ac-back" type="button" aria-label="{e(words["back"])}">{icon("back")}15</button>'
        f'<button class="ac-button ac-forward" type="button" aria-label="{e(words["forward"])}">{icon("forward")}30'
        "</button>"
        f'<label class="ac-speed-label">{e(words["speed"])} <select class="ac-speed">{options}</select></label>'
        + (f'<button class="ac-button ac-save" type="button" hidden>{e(words["save"])}</button>' if save else "")
        + "</div></div>"
    )


def _transcript(cues: list[TranscriptCue], chapters: list[dict], words: dict[str, str]) -> list[str]:
    """The transcript: a link per sentence that plays from it, in paragraphs, chapter titles as headings."""
    e = html.escape
    headings = {(c["title"], round(c["start"], 3)) for c in chapters}

    def is_heading(cue: TranscriptCue) -> bool:
        return any(title == cue.text and 0 <= cue.start - start < 2 for title, start in headings)

    def sentence(cue: TranscriptCue) -> str:
        return (f'<a class="ac-s" href="#t={cue.start:.3f}" data-start="{cue.start:.3f}" data-end="{cue.end:.3f}">'
                f"{e(cue.text)}</a>")

    parts = [f'<details class="ac-details"><summary>{e(words["transcript"])}</summary>'
             f'<div class="ac-transcript" role="group" aria-label="{e(words["transcript"])}">']
    paragraph: list[str] = []
    previous_end = None

    def close() -> None:
        if paragraph:
            parts.append("<p>" + " ".join(paragraph) + "</p>")
            paragraph.clear()

    for cue in cues:
        if is_heading(cue):
            close()
            parts.append(f"<h3>{sentence(cue)}</h3>")
        else:
            if previous_end is not None and cue.start - previous_end >= PARAGRAPH_GAP_S:
                close()
            paragraph.append(sentence(cue))
        previous_end = cue.end
    close()
    parts.append("</div></details>")
    return parts


def render_page(show: ShowInfo, episodes: list[EpisodeRecord], files: dict[str, dict[str, str]],
                transcripts: dict[str, list[TranscriptCue]], generated_description: bool = False) -> str:
    """The page's HTML; every piece of show or episode text is escaped. ``generated_description``: the
    show's description is articast's stand-in, not the owner's, and the page leaves it out."""
    e = html.escape
    words = words_for(show.language)
    small, large = min(ICON_SIZES_PX), max(ICON_SIZES_PX)
    byline = f'<p class="meta">{e(show.author)}</p>' if show.author and show.author != show.title else ""
    about = "" if generated_description or not show.description else f'<p class="about">{e(show.description)}</p>'
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(show.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(show.title)}</title>",
        '<link rel="alternate" type="application/rss+xml" title="Podcast feed" href="feed.xml">',
        f'<link rel="icon" type="image/png" sizes="{small}x{small}" href="{icon_name(small)}">',
        f'<link rel="apple-touch-icon" href="{icon_name(large)}">',
        f'<meta name="theme-color" content="{THEME_COLOR}">',
        f"<style>{asset('player.css')}{asset('page.css')}</style>",
        "</head>",
        '<body class="ac-theme">',
        '<div class="page">',
        '<header class="show">',
        f'<img src="{e(show.cover_name)}" alt="">',
        f"<div><h1>{e(show.title)}</h1>{about}{byline}",
        f'<p><a class="subscribe" href="feed.xml">{e(words["subscribe"])} (RSS)</a></p></div>',
        "</header>",
        "<main>",
    ]
    if not episodes:
        parts.append(f"<p>{e(words['noEpisodes'])}</p>")
    dates = episode_dates(episodes)
    for record in sorted(episodes, key=lambda r: (dates[r.slug], r.number), reverse=True):
        names = files[record.slug]
        original = (f' · <a href="{e(record.link)}">{e(words["original"])}</a>'
                    if record.link.startswith(("https://", "http://")) else "")
        day = dt.datetime.fromisoformat(dates[record.slug])
        date = day.strftime("%B %d, %Y").replace(" 0", " ")
        number = e(words["episode"].replace("{0}", str(record.number)))
        parts += [
            f'<article class="episode" id="episode-{record.number}" data-title="{e(record.title)}" '
            f'data-duration="{record.duration_s}"{_lang(record.language, show.language)}>',
            f"<h2>{e(record.title)}</h2>",
            f'<p class="meta">{number} · <time datetime="{day:%Y-%m-%d}">{e(date)}</time> · '
            f"{_clock(record.duration_s)}{original}</p>",
            f"<p>{e(_without_attribution(record.description, record.link))}</p>",
            '<div class="ac-card">',
            f'<audio controls preload="none" src="{e(names["mp3"])}"></audio>',
            controls(words, record.duration_s, save=True),
            '<p class="ac-status" role="status"></p>',
            "</div>",
        ]
        if len(record.chapters) > 1:  # one chapter is the episode itself
            parts.append(f'<nav class="ac-chapters" aria-label="{e(words["chapters"])}">'
                         f'<h3>{e(words["chapters"])}</h3><ol>')
            ends = [c["start"] for c in record.chapters[1:]] + [float(record.duration_s)]
            for chapter, end in zip(record.chapters, ends):
                parts.append(
                    f'<li><button class="ac-chapter" type="button" data-start="{chapter["start"]:.3f}" '
                    f'data-end="{end:.3f}" data-title="{e(chapter["title"])}"><span>{e(chapter["title"])}</span> '
                    f'<span class="ac-chapter-time">{_clock(chapter["start"])}</span></button></li>')
            parts.append("</ol></nav>")
        cues = transcripts.get(record.slug) or []
        if cues:
            parts += _transcript(cues, record.chapters, words)
        parts.append("</article>")
    parts.append("</main>")
    if episodes:
        parts.append(_shortcuts(words))
    show_facts = {"title": show.title, "artwork": [{"src": icon_name(px), "sizes": f"{px}x{px}", "type": "image/png"}
                                                   for px in ICON_SIZES_PX]}
    script = (asset("page.js").replace("__WORDS__", _json(words)).replace("__SHOW__", _json(show_facts))
              .replace("__EPISODES__", _json(EPISODE_CACHE)))
    parts += ["</div>", f"<script>(function () {{\n{asset('player.js')}\n{script}\n}})();</script>", "</body>",
              "</html>", ""]
    return "\n".join(parts)


def _shortcuts(words: dict[str, str]) -> str:
    e = html.escape
    rows = [(f"<kbd>{e(words['space'])}</kbd>", words["keyPlay"]), ("<kbd>\u2190</kbd>", words["keyBack"]),
            ("<kbd>\u2192</kbd>", words["keyForward"]),
            (f"<kbd>{e(words['shift'])}</kbd> + <kbd>\u2190</kbd> / <kbd>\u2192</kbd>", words["keyChapter"])]
    items = "".join(f"<dt>{keys}</dt><dd>{e(what)}</dd>" for keys, what in rows)
    return f'<footer class="keys"><h2>{e(words["keys"])}</h2><dl>{items}</dl></footer>'
