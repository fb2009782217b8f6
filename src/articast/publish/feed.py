"""The RSS 2.0 feed with Apple's itunes and the Podcasting 2.0 namespaces, built with lxml."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from lxml import etree

from ..naming import cut_on_word
from .store import EpisodeRecord, episode_dates

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
NSMAP = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM, "content": CONTENT}
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_FILE = "feed.xml"

# Apple Podcasts categories (https://podcasters.apple.com/support/1691-apple-podcasts-categories).
APPLE_CATEGORIES: dict[str, list[str]] = {
    "Arts": ["Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"],
    "Business": ["Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"],
    "Comedy": ["Comedy Interviews", "Improv", "Stand-Up"],
    "Education": ["Courses", "How To", "Language Learning", "Self-Improvement"],
    "Fiction": ["Comedy Fiction", "Drama", "Science Fiction"],
    "Government": [],
    "History": [],
    "Health & Fitness": ["Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"],
    "Kids & Family": ["Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"],
    "Leisure": ["Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden",
                "Video Games"],
    "Music": ["Music Commentary", "Music History", "Music Interviews"],
    "News": ["Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News",
             "Tech News"],
    "Religion & Spirituality": ["Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion",
                                "Spirituality"],
    "Science": ["Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences",
                "Nature", "Physics", "Social Sciences"],
    "Society & Culture": ["Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"],
    "Sports": ["Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby",
               "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling"],
    "Technology": [],
    "True Crime": [],
    "TV & Film": ["After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"],
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(text: str | None, limit: int | None = None) -> str:
    """Text safe for XML 1.0: control characters dropped; cut at ``limit`` characters on a word."""
    text = _CONTROL.sub("", text or "").strip()
    return cut_on_word(text, limit) if limit else text


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 GUID: UUIDv5 of the feed URL without scheme and trailing slashes."""
    name = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, name))


def rfc2822(iso: str) -> str:
    """'2025-03-14T08:00:00+00:00' -> 'Fri, 14 Mar 2025 08:00:00 +0000'."""
    return email.utils.format_datetime(dt.datetime.fromisoformat(iso))


def url_for(base_url: str, name: str) -> str:
    """The public URL of a file in the show folder."""
    return base_url.rstrip("/") + "/" + quote(name)


@dataclass(frozen=True)
class ShowInfo:
    """Channel-level facts for the feed and page."""

    title: str
    description: str
    author: str
    language: str
    category: str
    subcategory: str | None
    explicit: bool
    owner_email: str
    base_url: str
    cover_name: str
    link: str


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def render_feed(show: ShowInfo, episodes: list[EpisodeRecord], files: dict[str, dict[str, str]]) -> bytes:
    """The feed document; ``files`` maps a slug to its sidecar file names by kind (mp3, vtt, srt, chapters)."""
    feed_url = url_for(show.base_url, FEED_FILE)
    rss = etree.Element("rss", nsmap=NSMAP, version="2.0")
    channel = _sub(rss, "channel")
    _sub(channel, f"{{{ATOM}}}link", href=feed_url, rel="self", type="application/rss+xml")
    _sub(channel, "title", clean_text(show.title, 255))
    _sub(channel, "link", show.link)
    _sub(channel, "description", clean_text(show.description, 4000))
    _sub(channel, "language", show.language)
    _sub(channel, "generator", "articast")
    # The last change to an episode, not the time of this publish: a feed that did not change is the
    # same bytes, so a copy of the show (publish --to) has nothing to upload.
    built = max((r.updated or r.published for r in episodes), default=None, key=dt.datetime.fromisoformat)
    if built:
        _sub(channel, "lastBuildDate", rfc2822(built))
    _sub(channel, f"{{{ITUNES}}}author", clean_text(show.author, 255))
    _sub(channel, f"{{{ITUNES}}}summary", clean_text(show.description, 4000))
    _sub(channel, f"{{{ITUNES}}}image", href=url_for(show.base_url, show.cover_name))
    image = _sub(channel, "image")
    _sub(image, "url", url_for(show.base_url, show.cover_name))
    _sub(image, "title", clean_text(show.title, 255))
    _sub(image, "link", show.link)
    category = etree.SubElement(channel, f"{{{ITUNES}}}category", {"text": show.category})
    if show.subcategory:
        etree.SubElement(category, f"{{{ITUNES}}}category", {"text": show.subcategory})
    _sub(channel, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    owner = _sub(channel, f"{{{ITUNES}}}owner")
    _sub(owner, f"{{{ITUNES}}}name", clean_text(show.author, 255))
    if show.owner_email:  # an empty element is invalid: without an e-mail, publish says Apple needs one
        _sub(owner, f"{{{ITUNES}}}email", show.owner_email)
    _sub(channel, f"{{{ITUNES}}}type", "episodic")
    _sub(channel, f"{{{PODCAST}}}guid", podcast_guid(feed_url))
    _sub(channel, f"{{{PODCAST}}}locked", "no", owner=show.owner_email or None)

    dates = episode_dates(episodes)
    # Each book split into chapters is a season, numbered in the order its first chapter was published.
    books = sorted({r.series for r in episodes if r.series},
                   key=lambda name: min(r.number for r in episodes if r.series == name))
    for record in sorted(episodes, key=lambda r: (dates[r.slug], r.number), reverse=True):
        names = files[record.slug]
        item = _sub(channel, "item")
        _sub(item, "title", clean_text(record.title, 255))
        if record.link.startswith(("https://", "http://")):  # the original article
            _sub(item, "link", record.link)
        _sub(item, "description", clean_text(record.description, 4000))
        _sub(item, f"{{{ITUNES}}}summary", clean_text(record.description, 4000))
        _sub(item, "guid", record.guid, isPermaLink="false")
        _sub(item, "pubDate", rfc2822(dates[record.slug]))
        _sub(item, "enclosure", url=url_for(show.base_url, names["mp3"]), length=str(record.length_bytes),
             type="audio/mpeg")
        _sub(item, f"{{{ITUNES}}}duration", str(record.duration_s))
        if record.series:
            _sub(item, f"{{{ITUNES}}}season", str(books.index(record.series) + 1))
            _sub(item, f"{{{ITUNES}}}episode", str(record.part))
            _sub(item, f"{{{PODCAST}}}season", str(books.index(record.series) + 1),
                 name=clean_text(record.series, 128))
            _sub(item, f"{{{PODCAST}}}episode", str(record.part))
        else:
            _sub(item, f"{{{ITUNES}}}episode", str(record.number))
        _sub(item, f"{{{ITUNES}}}episodeType", "full")
        _sub(item, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
        if record.author:
            _sub(item, f"{{{ITUNES}}}author", clean_text(record.author, 255))
        if "vtt" in names:
            _sub(item, f"{{{PODCAST}}}transcript", url=url_for(show.base_url, names["vtt"]), type="text/vtt",
                 language=record.language or None)
        if "srt" in names:
            _sub(item, f"{{{PODCAST}}}transcript", url=url_for(show.base_url, names["srt"]),
                 type="application/x-subrip", language=record.language or None)
        if "chapters" in names:
            _sub(item, f"{{{PODCAST}}}chapters", url=url_for(show.base_url, names["chapters"]),
                 type="application/json+chapters")
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)
