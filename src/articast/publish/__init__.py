"""Publish: turn the show folder into a podcast any app subscribes to (feed, page, cover, records)."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from mutagen.id3 import ID3, ID3NoHeaderError
from mutagen.mp3 import MP3, HeaderNotFoundError

from ..config import Settings
from ..errors import InputError
from ..fsutil import remove_stale_temps, show_lock, write_bytes_atomic
from ..languages import from_iso_639_2
from ..tags import ARTICLE_DATE, ARTICLE_SOURCE, SERIES
from .app import ICON_SIZES_PX, MANIFEST_FILE, WORKER_FILE, icon_bytes, icon_name, render_manifest, render_worker
from .cover import FEED_COVER_PX, cover_bytes, prepare_user_cover
from .embed import EMBED_FILE, embed_tag, render_embed
from .feed import APPLE_CATEGORIES, FEED_FILE, ShowInfo, render_feed, url_for
from .page import PAGE_FILE, parse_vtt, render_page
from .store import STORE_FILE, EpisodeStore, now_iso

__all__ = ["DEFAULT_BASE_URL", "FEED_FILE", "PAGE_FILE", "PublishResult", "is_public", "publish_show", "show_info",
           "write_pending"]

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
"""The feed's language when the show names none and its episodes do not agree on one."""

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
"""Where `articast serve` listens by default; a real show sets its public base URL."""

SIDECARS = {"vtt": ".vtt", "srt": ".srt", "chapters": ".chapters.json"}


NO_EMAIL_NOTE = ("no owner e-mail set (--email, ARTICAST_EMAIL or email in articast.toml's [show]); "
                 "Apple Podcasts needs one to list the show")


@dataclass(frozen=True)
class PublishResult:
    """What publishing wrote."""

    feed_path: Path
    page_path: Path
    feed_url: str
    episodes: int
    media: tuple[str, ...] = ()
    """The show's files the feed and page point at (MP3s, sidecars, cover, icons), by name."""
    pages: tuple[str, ...] = ()
    """The records, the page and its web-app files, by name."""
    notes: tuple[str, ...] = ()
    """What the user should know about the show (a missing owner e-mail), one line each."""
    written: tuple[str, ...] = ()
    """The files publishing keeps up to date in the show folder (cover, icons, records, page, feed)."""
    embed: str = ""
    """The script tag a site adds to its pages to play each article's episode there (embed.js)."""
    pending: dict[str, bytes] = field(default_factory=dict)
    """Files not written yet (see ``publish_show(write=False)``) that differ from the show folder's, by
    name: write them with :func:`write_pending` once the copy to the target has succeeded."""

    @property
    def upload_groups(self) -> list[tuple[str, ...]]:
        """The show's files in the order a copy of it must be made: media, then pages, then the feed alone."""
        return [self.media, self.pages, (FEED_FILE,)]


def split_category(category: str) -> tuple[str, str | None]:
    """'News > Tech News' -> ('News', 'Tech News'), checked against Apple's list."""
    main, _, sub = (part.strip() for part in category.partition(">"))
    if main not in APPLE_CATEGORIES:
        raise InputError(f"category {main!r} is not one of Apple's: {', '.join(APPLE_CATEGORIES)}")
    if sub and sub not in APPLE_CATEGORIES[main]:
        choices = ", ".join(APPLE_CATEGORIES[main]) or "none"
        raise InputError(f"{main!r} has no subcategory {sub!r}; choose one of: {choices}")
    return main, sub or None


def show_info(settings: Settings, cover_name: str, remembered_base_url: str | None = None) -> ShowInfo:
    """Channel facts from the settings; the base URL falls back to the one the show last published with."""
    base_url = (settings.base_url or remembered_base_url or DEFAULT_BASE_URL).rstrip("/")
    main, sub = split_category(settings.category)
    return ShowInfo(
        title=settings.show, description=settings.description or generated_description(settings.show),
        author=settings.author or settings.show, language=settings.language or DEFAULT_LANGUAGE, category=main,
        subcategory=sub,
        explicit=settings.explicit, owner_email=settings.owner_email or "", base_url=base_url,
        cover_name=cover_name, link=base_url + "/",
    )


def generated_description(title: str) -> str:
    """The feed's description when the show's owner gave none (the page leaves it out)."""
    return f"Articles read aloud by {title}."


class _Changes(dict):
    """The files publishing would change in the show folder, by name: only those whose bytes differ,
    so a copy of the show sees no change in the others."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def put(self, name: str, data: bytes) -> None:
        path = self.folder / name
        if not path.is_file() or path.read_bytes() != data:
            self[name] = data


def write_pending(folder: Path, pending: dict[str, bytes]) -> None:
    """Write what a publish left pending into the show folder (see publish_show(write=False))."""
    with show_lock(folder):
        _write_changes(folder, pending)


def _write_changes(folder: Path, changes: dict[str, bytes]) -> None:
    """Each file atomically, the page next to last and the feed last: a reader never finds a feed
    that names a file not there yet."""
    for name in sorted(changes, key=lambda n: (n == FEED_FILE, n == PAGE_FILE)):
        write_bytes_atomic(Path(folder) / name, changes[name])


def _cover(changes: _Changes, settings: Settings) -> tuple[str, bytes]:
    if settings.cover:
        data, ext = prepare_user_cover(settings.cover)
    else:
        data, ext = cover_bytes(FEED_COVER_PX, settings.show), ".jpg"
    name = f"cover{ext}"
    changes.put(name, data)
    return name, data


def _app_files(changes: _Changes, show: ShowInfo, cover: bytes, page: str) -> list[str]:
    """The page's web-app files (icons from the cover, manifest, service worker); their names."""
    written = []
    for px in ICON_SIZES_PX:
        changes.put(icon_name(px), icon_bytes(cover, px))
        written.append(icon_name(px))
    changes.put(MANIFEST_FILE, render_manifest(show).encode())
    version = hashlib.sha256(page.encode()).hexdigest()[:12]
    changes.put(WORKER_FILE, render_worker(version, [show.cover_name, *written]).encode())
    return written


def _read_episode(mp3: Path) -> dict:
    """Title, summary, author, duration and chapters from an episode's own tags."""
    try:
        audio = MP3(mp3)
    except (HeaderNotFoundError, OSError) as exc:
        raise InputError(f"{mp3}: not a readable MP3 ({exc})") from None
    try:
        tag = ID3(mp3)
    except ID3NoHeaderError:
        tag = ID3()
    comments = tag.getall("COMM")
    sources = tag.getall("WOAS")
    dated = tag.get(f"TXXX:{ARTICLE_DATE}")
    source = tag.get(f"TXXX:{ARTICLE_SOURCE}")
    series = tag.get(f"TXXX:{SERIES}")
    track = str(tag.get("TRCK") or "").split("/")[0]
    chapters = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    return {
        "title": str(tag.get("TIT2") or mp3.stem),
        "description": comments[0].text[0] if comments and comments[0].text else "",
        "author": str(tag.get("TPE1") or ""),
        "link": sources[0].url if sources else "",
        "dated": str(dated.text[0]) if dated and dated.text else "",
        "source": str(source.text[0]) if source and source.text else "",
        "series": str(series.text[0]) if series and series.text and track.isdigit() else "",
        "part": int(track) if series and track.isdigit() else 0,
        "language": from_iso_639_2(str(tag.get("TLAN") or "")) or "",
        "duration_s": int(audio.info.length) if audio.info else 0,  # whole seconds, as players show it (99.7 s is 1:39)
        "chapters": [{"title": str(c.sub_frames.get("TIT2") or ""), "start": c.start_time / 1000} for c in chapters],
    }


def publish_show(settings: Settings, write: bool = True) -> PublishResult:
    """Sync the episode records with the MP3s in the show folder, then write cover, feed and page.

    Idempotent: an episode keeps its GUID, number and first publication date however often it is
    published; a re-produced episode is updated in place; an MP3 that was deleted leaves the feed.
    With ``write`` False nothing is written: what would change is in the result's ``pending`` (for a
    dry run, or to be written only once a copy to the target has succeeded, with the base URL it
    remembers).
    """
    folder = Path(settings.out_dir)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such show folder (produce an episode into it first)")
    if write:
        remove_stale_temps(folder)
    changes = _Changes(folder)
    cover_name, cover = _cover(changes, settings)
    store = EpisodeStore(folder)
    with show_lock(folder):
        records = store.load()
        show = show_info(settings, cover_name, store.meta.get("base_url"))
        store.meta["base_url"] = show.base_url
        present = {p.stem: p for p in folder.glob("*.mp3") if not p.name.startswith(".")}
        for slug in list(records):
            if slug not in present:
                log.info("episode %s is gone from the folder; removing it from the feed", slug)
                del records[slug]
        for slug, mp3 in sorted(present.items(), key=lambda kv: kv[1].stat().st_mtime):
            facts = _read_episode(mp3)
            record = records.get(slug)
            if record is not None and record.source and facts["source"] != record.source:
                # Another article under this name: podcast apps must see a new episode, not an old one
                # that changed its sound, or those that downloaded the old one never fetch this one.
                log.info("%s.mp3 now holds another article; it is a new episode", slug)
                record = EpisodeStore.new_record(slug, records)  # (numbered after the one it replaces)
            record = record or EpisodeStore.new_record(slug, records)
            length = mp3.stat().st_size
            changed = (record.length_bytes, record.title) != (length, facts["title"])
            for key, value in facts.items():
                setattr(record, key, value)
            record.length_bytes = length
            if changed:
                record.updated = now_iso()
            records[slug] = record
        episodes = list(records.values())
        if not settings.language:  # the show's language is the episodes' when they agree
            spoken = {r.language for r in episodes if r.language}
            show = dataclasses.replace(show, language=spoken.pop() if len(spoken) == 1 else DEFAULT_LANGUAGE)
        files = {r.slug: _files_of(folder, r.slug) for r in episodes}
        for record in episodes:
            record.transcript = files[record.slug].get("vtt", "")
        transcripts = {r.slug: parse_vtt((folder / files[r.slug]["vtt"]).read_text(encoding="utf-8"))
                       for r in episodes if "vtt" in files[r.slug]}
        page = render_page(show, episodes, files, transcripts,
                           generated_description=show.description == generated_description(show.title))
        icons = _app_files(changes, show, cover, page)
        changes.put(STORE_FILE, store.render(records).encode("utf-8"))
        changes.put(PAGE_FILE, page.encode())
        changes.put(EMBED_FILE, render_embed(show, episodes).encode())
        changes.put(FEED_FILE, render_feed(show, episodes, files))
        if write:
            _write_changes(folder, changes)
    media = [name for record in sorted(episodes, key=lambda r: r.number) for name in files[record.slug].values()]
    notes = () if show.owner_email else (NO_EMAIL_NOTE,)
    pages = (STORE_FILE, MANIFEST_FILE, WORKER_FILE, EMBED_FILE, PAGE_FILE)
    return PublishResult(folder / FEED_FILE, folder / PAGE_FILE, url_for(show.base_url, FEED_FILE), len(episodes),
                         media=(*media, cover_name, *icons), pages=pages,
                         notes=notes, written=(cover_name, *icons, *pages, FEED_FILE), embed=embed_tag(show.base_url),
                         pending={} if write else dict(changes))


def is_public(folder: Path, name: str) -> bool:
    """Whether ``name`` is one of the show's public files, the ones publish copies to the target: the
    episodes and their sidecars, the cover and icons, the records, the page and its web-app files,
    the feed. Settings (articast.toml), follow.json, locks and anything else stay private."""
    if "/" in name or name.startswith("."):
        return False
    if name in (FEED_FILE, PAGE_FILE, STORE_FILE, MANIFEST_FILE, WORKER_FILE, EMBED_FILE, "cover.jpg", "cover.png") \
            or name in {icon_name(px) for px in ICON_SIZES_PX}:
        return True
    if name.endswith(".mp3"):
        return True
    return any(name.endswith(suffix) and (folder / f"{name[:-len(suffix)]}.mp3").is_file()
               for suffix in SIDECARS.values())


def _files_of(folder: Path, slug: str) -> dict[str, str]:
    names = {"mp3": f"{slug}.mp3"}
    for kind, suffix in SIDECARS.items():
        if (folder / f"{slug}{suffix}").is_file():
            names[kind] = f"{slug}{suffix}"
    return names
