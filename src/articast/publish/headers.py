"""How each file of the show is served: its content type (by `articast serve` and in a copy made by
`publish --to`) and, in that copy, a Cache-Control suited to it. (`serve` sends none: an episode
produced again must show at once on the machine that made it.)"""

from __future__ import annotations

from pathlib import Path

__all__ = ["HEADERS", "headers_for"]

SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=2592000"
DAY_CACHE = "public, max-age=86400"

HEADERS: dict[str, tuple[str, str]] = {
    ".mp3": ("audio/mpeg", LONG_CACHE),
    ".xml": ("application/rss+xml; charset=utf-8", SHORT_CACHE),
    ".html": ("text/html; charset=utf-8", SHORT_CACHE),
    ".vtt": ("text/vtt; charset=utf-8", DAY_CACHE),
    ".srt": ("application/x-subrip; charset=utf-8", DAY_CACHE),
    ".json": ("application/json; charset=utf-8", DAY_CACHE),
    ".jpg": ("image/jpeg", DAY_CACHE),
    ".jpeg": ("image/jpeg", DAY_CACHE),
    ".png": ("image/png", DAY_CACHE),
    ".webmanifest": ("application/manifest+json", SHORT_CACHE),
    ".js": ("text/javascript; charset=utf-8", "no-cache"),
    ".txt": ("text/plain; charset=utf-8", DAY_CACHE),
    ".css": ("text/css; charset=utf-8", DAY_CACHE),
}
"""Content type and Cache-Control by suffix: short for what changes with each episode, long for MP3s."""

_CHANGING = {"episodes.json", ".articast-upload.json"}
"""JSON files that change with every episode (a chapters file does not)."""


def headers_for(name: str) -> tuple[str, str]:
    """The content type and Cache-Control a file of the show is served with."""
    ctype, cache = HEADERS.get(Path(name).suffix.lower(), ("application/octet-stream", DAY_CACHE))
    return ctype, SHORT_CACHE if name in _CHANGING else cache
