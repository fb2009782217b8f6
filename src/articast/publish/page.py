"""index.html: the show's page, newest episode first, each with a player, chapters and transcript.

Self-contained (inline CSS and script, no web fonts or CDNs), so it works opened straight from disk.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from ..models import ATTRIBUTION
from .app import EPISODE_CACHE, ICON_SIZES_PX, THEME_COLOR, icon_name
from .feed import ShowInfo
from .store import EpisodeRecord, episode_dates

PAGE_FILE = "index.html"

_CSS = """
:root { color-scheme: light dark; --accent: #3b5bdb; }
body { font: 17px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; }
header { display: flex; flex-wrap: wrap; gap: 1.25rem; align-items: center; margin-bottom: 2rem; }
header > div { flex: 1 1 14rem; min-width: 0; }
h1, h2, p { overflow-wrap: anywhere; }
header img { width: 8rem; height: 8rem; border-radius: .6rem; flex: none; }
h1 { margin: 0 0 .3rem; font-size: 1.7rem; } h2 { margin: 0 0 .2rem; font-size: 1.25rem; }
.meta { color: #777; font-size: .9rem; margin: 0 0 .6rem; }
article { border-top: 1px solid #8884; padding: 1.5rem 0; }
audio { width: 100%; margin: .4rem 0 .6rem; }
ol.chapters { padding-left: 1.4rem; } ol.chapters li { margin: .15rem 0; }
button.seek { font: inherit; background: none; border: 0; padding: 0; color: var(--accent); cursor: pointer;
              text-align: left; }
button.seek:hover { text-decoration: underline; } .time { color: #777; font-variant-numeric: tabular-nums; }
details { margin-top: .6rem; } .cue { margin: .35rem 0; } a.feed { color: var(--accent); }
button.save { font: inherit; font-size: .9rem; color: var(--accent); background: none; border: 1px solid #8886;
              border-radius: .4rem; padding: .2rem .6rem; cursor: pointer; }
@media (max-width: 30rem) { body { margin: 1rem auto; } header img { width: 5rem; height: 5rem; }
                            h1 { font-size: 1.4rem; } }
"""

_SCRIPT = """
document.addEventListener('click', function (event) {
  var button = event.target.closest('button.seek');
  if (!button) return;
  var audio = document.getElementById(button.dataset.player);
  audio.currentTime = parseFloat(button.dataset.start);
  var playing = audio.play();
  if (playing && playing.catch) playing.catch(function () {});
});

// Each episode's place is remembered in this browser and resumed when the page is opened again.
function placeKey(audio) { return 'articast:place:' + audio.getAttribute('src'); }
function remember(audio) {
  try {
    if (audio.ended) localStorage.removeItem(placeKey(audio));
    else if (audio.currentTime > 0) localStorage.setItem(placeKey(audio), String(audio.currentTime));
  } catch (error) {}
}
document.querySelectorAll('audio').forEach(function (audio) {
  var last = 0;
  audio.addEventListener('timeupdate', function () {
    if (Math.abs(audio.currentTime - last) >= 2) { last = audio.currentTime; remember(audio); }
  });
  ['pause', 'seeked', 'ended'].forEach(function (name) {
    audio.addEventListener(name, function () { remember(audio); });
  });
  function resume() {
    var place = 0;
    try { place = parseFloat(localStorage.getItem(placeKey(audio)) || '0'); } catch (error) {}
    if (place > 0 && (!audio.duration || place < audio.duration - 1)) audio.currentTime = place;
  }
  if (audio.readyState >= 1) resume(); else audio.addEventListener('loadedmetadata', resume, {once: true});
});

// Served over http(s): an installable app whose saved (and played) episodes play with no network.
if ('serviceWorker' in navigator && /^https?:$/.test(location.protocol) && window.caches) {
  var manifest = document.createElement('link');
  manifest.rel = 'manifest';
  manifest.href = 'manifest.webmanifest';
  document.head.appendChild(manifest);
  navigator.serviceWorker.register('sw.js').catch(function () {});
  var EPISODES = '__EPISODES__';
  function url(button) { return new URL(button.dataset.src, location.href).href; }
  function show(button, saved) {
    button.dataset.saved = saved ? 'yes' : 'no';
    button.textContent = saved ? 'Saved for offline \\u2713' : 'Save for offline';
  }
  function save(button) {
    if (button.dataset.saved === 'yes' || button.disabled) return;
    button.disabled = true;
    button.textContent = 'Saving\\u2026';
    caches.open(EPISODES).then(function (cache) { return cache.add(url(button)); })
      .then(function () { show(button, true); }, function () { show(button, false); })
      .then(function () { button.disabled = false; });
  }
  document.querySelectorAll('button.save').forEach(function (button) {
    button.hidden = false;
    caches.open(EPISODES).then(function (cache) { return cache.match(url(button)); })
      .then(function (found) { show(button, !!found); });
    button.addEventListener('click', function () { save(button); });
    var audio = document.getElementById(button.dataset.player);
    audio.addEventListener('play', function () { save(button); }, {once: true});
  });
}
"""


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def parse_vtt(text: str) -> list[tuple[float, str]]:
    """(start seconds, text) of each cue in a WebVTT file."""
    cues = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            match = re.match(r"(\d+):(\d\d):(\d\d)\.(\d{3}) -->", line)
            if match:
                h, m, s, ms = (int(g) for g in match.groups())
                cues.append((h * 3600 + m * 60 + s + ms / 1000, " ".join(lines[i + 1:]).strip()))
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


def render_page(show: ShowInfo, episodes: list[EpisodeRecord], files: dict[str, dict[str, str]],
                transcripts: dict[str, list[tuple[float, str]]]) -> str:
    """The page's HTML; every piece of show or episode text is escaped."""
    e = html.escape
    small, large = min(ICON_SIZES_PX), max(ICON_SIZES_PX)
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
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<img src="{e(show.cover_name)}" alt="">',
        f"<div><h1>{e(show.title)}</h1><p>{e(show.description)}</p>",
        f'<p class="meta">by {e(show.author)} · <a class="feed" href="feed.xml">Subscribe (RSS)</a></p></div>',
        "</header>",
        "<main>",
    ]
    if not episodes:
        parts.append("<p>No episodes yet.</p>")
    dates = episode_dates(episodes)
    for record in sorted(episodes, key=lambda r: (dates[r.slug], r.number), reverse=True):
        names = files[record.slug]
        player = f"player-{record.number}"
        original = (f' · <a href="{e(record.link)}">Original article</a>'
                    if record.link.startswith(("https://", "http://")) else "")
        date = dt.datetime.fromisoformat(dates[record.slug]).strftime("%B %d, %Y").replace(" 0", " ")
        parts += [
            f'<article id="episode-{record.number}"{_lang(record.language, show.language)}>',
            f"<h2>{e(record.title)}</h2>",
            f'<p class="meta">Episode {record.number} · {e(date)} · {_clock(record.duration_s)}{original}</p>',
            f'<audio id="{player}" controls preload="metadata" src="{e(names["mp3"])}"></audio>',
            (f'<p><button class="save" type="button" hidden data-player="{player}" data-src="{e(names["mp3"])}">'
             "Save for offline</button></p>"),
            f"<p>{e(_without_attribution(record.description, record.link))}</p>",
        ]
        if record.chapters:
            parts.append('<ol class="chapters">')
            for chapter in record.chapters:
                parts.append(
                    f'<li><button class="seek" data-player="{player}" data-start="{chapter["start"]:.3f}">'
                    f'{e(chapter["title"])}</button> <span class="time">{_clock(chapter["start"])}</span></li>')
            parts.append("</ol>")
        cues = transcripts.get(record.slug) or []
        if cues:
            parts.append("<details><summary>Transcript</summary>")
            for start, text in cues:
                parts.append(
                    f'<p class="cue"><button class="seek time" data-player="{player}" data-start="{start:.3f}">'
                    f"{_clock(start)}</button> {e(text)}</p>")
            parts.append("</details>")
        parts.append("</article>")
    script = _SCRIPT.replace("__EPISODES__", EPISODE_CACHE)
    parts += ["</main>", f"<script>{script}</script>", "</body>", "</html>", ""]
    return "\n".join(parts)
