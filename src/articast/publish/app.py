"""The show page as an installable web app: its manifest, icons and the service worker that keeps
saved episodes playable with no network.

Served over http(s), the page registers ``sw.js``. The worker keeps the page and its small files
(network first, so an update shows as soon as the network is back) and answers an episode's MP3
from the ``articast-episodes`` cache when the page saved it there, byte ranges included, so that a
saved episode plays and seeks offline. Opened from ``file://`` none of this runs and the page works
as a plain page.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from .feed import ShowInfo

MANIFEST_FILE = "manifest.webmanifest"
WORKER_FILE = "sw.js"
ICON_SIZES_PX = (192, 512)
"""The icon sizes an installable web app needs (and the page's favicon, the smaller one)."""

EPISODE_CACHE = "articast-episodes"
"""The Cache Storage name the page saves episodes into and the worker answers them from."""

THEME_COLOR = "#3b5bdb"


def icon_name(px: int) -> str:
    """The file name of the square icon of ``px`` pixels."""
    return f"icon-{px}.png"


def icon_bytes(cover: Path | bytes, px: int) -> bytes:
    """The show's cover (a file, or its bytes) as a ``px`` square PNG."""
    from PIL import Image

    with Image.open(io.BytesIO(cover) if isinstance(cover, bytes) else cover) as img:
        small = img.convert("RGB").resize((px, px), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def render_manifest(show: ShowInfo) -> str:
    """The web app manifest: the show's name, icons and colours; it opens on the show page."""
    doc = {
        "name": show.title,
        "short_name": show.title[:12],
        "description": show.description,
        "lang": show.language,
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [{"src": icon_name(px), "sizes": f"{px}x{px}", "type": "image/png", "purpose": "any"}
                  for px in ICON_SIZES_PX],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def render_worker(version: str, keep: list[str]) -> str:
    """The service worker; ``version`` names its cache of the page, so a new page replaces the old;
    ``keep`` names the page's own files (cover, icons) kept from the start, as the page is."""
    return (_WORKER.replace("__VERSION__", json.dumps(version)).replace("__EPISODES__", json.dumps(EPISODE_CACHE))
            .replace("__KEEP__", json.dumps(["./", MANIFEST_FILE, *keep])))


_WORKER = """\
// articast's service worker: the show page offline, and saved episodes played from Cache Storage.
const PAGE_CACHE = 'articast-page-' + __VERSION__;
const EPISODES = __EPISODES__;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(PAGE_CACHE)
    .then((cache) => cache.addAll(__KEEP__))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names
      .filter((name) => name.startsWith('articast-page-') && name !== PAGE_CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

// A saved episode, answered with the bytes the request asks for (a media element asks for ranges).
async function fromSaved(request) {
  const cache = await caches.open(EPISODES);
  const saved = await cache.match(request.url, {ignoreSearch: true});
  if (!saved) return null;
  const whole = await saved.blob();
  const range = /^bytes=(\\d*)-(\\d*)$/.exec(request.headers.get('range') || '');
  if (!range) {
    return new Response(whole, {status: 200, headers: {
      'Content-Type': 'audio/mpeg', 'Content-Length': String(whole.size), 'Accept-Ranges': 'bytes'}});
  }
  let start = range[1] === '' ? Math.max(0, whole.size - Number(range[2])) : Number(range[1]);
  let end = range[1] !== '' && range[2] !== '' ? Math.min(Number(range[2]), whole.size - 1) : whole.size - 1;
  if (start > end) {
    return new Response(null, {status: 416, headers: {'Content-Range': 'bytes */' + whole.size}});
  }
  return new Response(whole.slice(start, end + 1), {status: 206, headers: {
    'Content-Type': 'audio/mpeg', 'Content-Length': String(end - start + 1), 'Accept-Ranges': 'bytes',
    'Content-Range': 'bytes ' + start + '-' + end + '/' + whole.size}});
}

// The page and its small files: from the network when it answers (and kept), else as last kept.
async function networkFirst(request) {
  const cache = await caches.open(PAGE_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request, {ignoreSearch: true});
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.endsWith('.mp3')) {
    event.respondWith(fromSaved(request).then((response) => response || fetch(request)));
    return;
  }
  event.respondWith(networkFirst(request));
});
"""
