"""Followed sources read into items: RSS, Atom and JSON feeds, OPML lists of feeds, reading lists, folders.

Feeds are parsed by feedparser (RSS 0.9x-2.0, RSS 1.0, Atom); JSON Feed, which feedparser 6 does not
read, is JSON mapped field by field; OPML is read with lxml. Nothing here speaks or writes: a source
becomes :class:`Listing` values, each a list of :class:`Item` in the order the source gives them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from ..errors import InputError
from ..ingest.web import fetch, is_url

KINDS = ("feed", "opml", "list", "folder")
"""What a followed source can be."""

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".odt", ".epub", ".pdf")
"""The files a followed folder's articles are."""

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
              "application/xml", "text/xml", "application/rdf+xml", "text/x-opml", "application/x-opml",
              "text/plain", "text/html", "application/xhtml+xml", "application/octet-stream")
"""Media types a followed URL may come as (servers label feeds loosely; the body says what it is)."""

_NOT_ARTICLE_SUFFIXES = {
    ".mp3": "audio", ".m4a": "audio", ".ogg": "audio", ".opus": "audio", ".wav": "audio",
    ".mp4": "a video", ".m4v": "a video", ".webm": "a video", ".mov": "a video", ".jpg": "an image",
    ".jpeg": "an image", ".png": "an image", ".gif": "an image", ".webp": "an image", ".svg": "an image",
    ".zip": "an archive",
}

FULL_CONTENT_WORDS = 150
"""A feed item whose own content has this many words (and does not end in "read more") carries the
whole article: it is read from the feed. A shorter one is a teaser, and the linked page is read."""

_TRUNCATED = re.compile(r"(\[(…|\.\.\.)\]|…|\.\.\.|read more|continue reading|read the rest[^.]*)\W*$",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    """One article a source lists."""

    identity: str
    """What the item is known by: its entry id, else its link, else a hash of its content."""

    link: str | None = None
    """The article's address: an http(s) URL or a local path, resolved against the source's."""

    title: str | None = None
    """The item's title."""

    author: str | None = None
    """The item's author."""

    date: str | None = None
    """Publication date, YYYY-MM-DD."""

    timestamp: float | None = None
    """Publication (or, for files, modification) time in seconds, to find the newest items."""

    summary: str | None = None
    """The item's summary, plain text."""

    content: str | None = None
    """The whole article as the feed carries it, when it does (see FULL_CONTENT_WORDS)."""

    content_kind: str = "html"
    """'html' or 'text': how ``content`` is written."""

    not_article: str | None = None
    """Why the item is not an article to read ('a PDF', 'audio'...), when it is not."""


@dataclass(frozen=True)
class Listing:
    """The items of one feed, list or folder, as fetched now."""

    key: str
    """The feed's URL or path: what its records are kept under."""

    items: tuple[Item, ...] = ()
    """The items in the order the source gives them."""

    title: str | None = None
    """The feed's title, when it has one."""

    etag: str | None = None
    """The server's ETag, for a conditional GET next time."""

    last_modified: str | None = None
    """The server's Last-Modified, for a conditional GET next time."""

    not_modified: bool = False
    """The server said the document has not changed since the last fetch: no items were read."""

    feeds: tuple[str, ...] = field(default_factory=tuple)
    """For an OPML document: the feeds it lists."""

    error: str | None = None
    """Why a feed listed in an OPML document could not be read this time (its items are then unknown)."""

    language: str | None = None
    """The feed's language (RSS <language>, Atom xml:lang, JSON Feed language), for articles it carries."""


@dataclass(frozen=True)
class Remembered:
    """What the last fetch of a document left for the next: its validators, and an OPML's feeds."""

    etag: str | None = None
    last_modified: str | None = None
    feeds: tuple[str, ...] = ()


def normalise_source(source: str) -> str:
    """A URL as given; a path made absolute, so a timer running elsewhere finds it."""
    if is_url(source):
        return source.strip()
    if source.startswith("file://"):
        return str(Path(unquote(urlparse(source).path)).resolve())
    return str(Path(source).expanduser().resolve())


def _text(html: str | None) -> str | None:
    """Plain text of an HTML snippet."""
    if not html or not html.strip():
        return None
    if "<" not in html:
        return " ".join(html.split())
    import lxml.html

    try:
        text = lxml.html.fromstring(html).text_content()
    except Exception:  # lxml raises several kinds on odd fragments: fall back to dropping the tags
        text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(text.split()) or None


def _resolve(base: str, link: str | None) -> str | None:
    """``link`` against the source's address: a URL, or a local path for a file source."""
    if not link or not link.strip():
        return None
    link = link.strip()
    if is_url(base):
        resolved = urljoin(base, link)
        return resolved if is_url(resolved) else None  # urn:, mailto:, tag: ... name no page
    if is_url(link):
        return link
    if link.startswith("file://"):
        return str(Path(unquote(urlparse(link).path)))
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]+:", link):  # urn:..., tag:... (a drive letter has one letter)
        return None
    folder = Path(base) if Path(base).is_dir() else Path(base).parent
    return str((folder / unquote(link)).resolve())


def _not_article(link: str | None) -> str | None:
    if not link:
        return None
    suffix = Path(urlparse(link).path if is_url(link) else link).suffix.lower()
    return _NOT_ARTICLE_SUFFIXES.get(suffix)


def _is_whole(content: str | None) -> bool:
    """Whether a feed's content is the whole article, not a teaser."""
    text = _text(content) or ""
    return bool(text) and len(text.split()) >= FULL_CONTENT_WORDS and not _TRUNCATED.search(text[-80:])


def _content_hash(*parts: str | None) -> str:
    return "sha256:" + hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:32]


def _date(parsed: object) -> tuple[str | None, float | None]:
    """feedparser's UTC time tuple -> ('YYYY-MM-DD', seconds)."""
    if not parsed:
        return None, None
    try:
        when = dt.datetime(*parsed[:6], tzinfo=dt.timezone.utc)  # type: ignore[index, misc]
    except (TypeError, ValueError):
        return None, None
    return when.date().isoformat(), when.timestamp()


def _iso_date(value: object) -> tuple[str | None, float | None]:
    """An RFC 3339 date (JSON Feed) -> ('YYYY-MM-DD', seconds)."""
    if not isinstance(value, str) or not value.strip():
        return None, None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None, None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.date().isoformat(), when.timestamp()


def _make_item(base: str, *, entry_id: str | None, link: str | None, title: str | None, author: str | None,
               date: tuple[str | None, float | None], summary_html: str | None, content: str | None,
               content_kind: str, enclosures: list[tuple[str, str]]) -> Item:
    """One item, with its identity, its link resolved, and whether it is an article at all."""
    link = _resolve(base, link)
    title = _text(title)
    summary = _text(summary_html)
    not_article = _not_article(link)
    if not not_article:
        media = [kind for kind, _ in enclosures if kind.startswith(("audio/", "video/"))]
        if media and not (content and _is_whole(content)):
            not_article = "a podcast episode" if media[0].startswith("audio/") else "a video"
        elif not link and not content:
            pdfs = [kind for kind, _ in enclosures if kind == "application/pdf"]
            images = [kind for kind, _ in enclosures if kind.startswith("image/")]
            not_article = "a PDF" if pdfs else "an image" if images else None
    whole = content if content and (_is_whole(content) or not link) else None
    identity = (entry_id or "").strip() or link or _content_hash(title, content, summary_html)
    return Item(identity=identity, link=link, title=title, author=_text(author), date=date[0],
                timestamp=date[1], summary=summary, content=whole, content_kind=content_kind,
                not_article=not_article)


def parse_feed(data: bytes, base: str, headers: dict[str, str] | None = None) -> Listing:
    """An RSS or Atom document's items, by feedparser; links resolved against ``base``."""
    import feedparser

    # No base is given to feedparser: it would resolve relative ids (<guid>b-1</guid>) against the
    # feed's address, and an item's identity must not change when the feed moves. Links are
    # resolved here instead.
    parsed = feedparser.parse(data, response_headers=headers or {})
    if not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        detail = f" ({str(problem).splitlines()[0]})" if problem else ""
        raise InputError(f"{base}: is not an RSS or Atom feed{detail}")
    items = []
    for entry in parsed.entries:
        content, kind = None, "html"
        for part in entry.get("content") or []:
            if part.get("value"):
                content = part["value"]
                kind = "text" if part.get("type") == "text/plain" else "html"
                break
        enclosures = [(str(e.get("type") or "").lower(), str(e.get("href") or "")) for e in entry.get("enclosures", [])]
        items.append(_make_item(
            base, entry_id=entry.get("id"), link=entry.get("link"), title=entry.get("title"),
            author=entry.get("author"), date=_date(entry.get("published_parsed") or entry.get("updated_parsed")),
            summary_html=entry.get("summary"), content=content, content_kind=kind, enclosures=enclosures))
    return Listing(key=base, items=tuple(items), title=_text(parsed.feed.get("title")),
                   language=parsed.feed.get("language") or None)


def parse_json_feed(data: bytes, base: str) -> Listing:
    """A JSON Feed (1.0 or 1.1) document's items."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{base}: is not valid JSON ({exc})") from None
    except RecursionError:
        raise InputError(f"{base}: is JSON nested too deeply to be a feed") from None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise InputError(f"{base}: is JSON but not a JSON Feed (no jsonfeed.org version)")
    base_url = doc.get("feed_url") if isinstance(doc.get("feed_url"), str) and is_url(base) else base
    feed_authors = doc.get("authors") or ([doc["author"]] if isinstance(doc.get("author"), dict) else [])
    items = []
    for entry in doc.get("items") or []:
        if not isinstance(entry, dict):
            continue
        authors = entry.get("authors") or ([entry["author"]] if isinstance(entry.get("author"), dict) else [])
        names = [a.get("name") for a in (authors or feed_authors) if isinstance(a, dict) and a.get("name")]
        if entry.get("content_html"):
            content, kind = entry["content_html"], "html"
        elif entry.get("content_text"):
            content, kind = entry["content_text"], "text"
        else:
            content, kind = None, "html"
        attachments = [(str(a.get("mime_type") or "").lower(), str(a.get("url") or ""))
                       for a in entry.get("attachments") or [] if isinstance(a, dict)]
        link = entry.get("url") or entry.get("external_url")
        items.append(_make_item(
            base_url or base, entry_id=str(entry["id"]) if entry.get("id") is not None else None,
            link=link if isinstance(link, str) else None, title=entry.get("title"),
            author=", ".join(str(name) for name in names) or None,
            date=_iso_date(entry.get("date_published") or entry.get("date_modified")),
            summary_html=entry.get("summary"), content=content, content_kind=kind, enclosures=attachments))
    return Listing(key=base, items=tuple(items), title=doc.get("title") if isinstance(doc.get("title"), str) else None,
                   language=doc.get("language") if isinstance(doc.get("language"), str) else None)


def parse_opml(data: bytes, base: str) -> tuple[str, ...]:
    """The feed addresses an OPML document lists (every outline with an xmlUrl), resolved against ``base``."""
    from lxml import etree

    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{base}: is not valid OPML ({exc})") from None
    if etree.QName(root).localname.lower() != "opml":
        raise InputError(f"{base}: is not OPML (its root is <{etree.QName(root).localname}>)")
    feeds: list[str] = []
    for outline in root.iter("{*}outline", "outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        resolved = _resolve(base, url)
        if resolved and resolved not in feeds:
            feeds.append(resolved)
    if not feeds:
        raise InputError(f"{base}: the OPML file lists no feeds (no outline has an xmlUrl)")
    return tuple(feeds)


def parse_reading_list(text: str, base: str) -> Listing:
    """A reading list: one article URL or path a line; blank lines and '#' comments are skipped."""
    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        link = _resolve(base, line.split(" #", 1)[0].strip())
        if link:
            items.append(Item(identity=link, link=link, not_article=_not_article(link)))
    return Listing(key=base, items=tuple(items))


def list_folder(folder: Path) -> Listing:
    """A folder's article files (.md, .markdown, .txt, .html, .htm, .docx, .odt, .epub, .pdf; not hidden), oldest
    first."""
    items = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in ARTICLE_SUFFIXES or not path.is_file():
            continue
        mtime = path.stat().st_mtime
        items.append(Item(identity=str(path.resolve()), link=str(path.resolve()), timestamp=mtime))
    items.sort(key=lambda item: (item.timestamp or 0, item.identity))
    return Listing(key=str(folder.resolve()), items=tuple(items))


def _sniff(data: bytes) -> str:
    """What a document is from its first bytes: 'json', 'opml', 'xml', 'html' or 'text'."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{"):
        return "json"
    if head.startswith(b"<"):
        # (a DOCTYPE's internal subset holds '>' of its own: <!DOCTYPE opml [<!ENTITY a "b">]>)
        body = re.sub(rb"<\?xml.*?\?>|<!--.*?-->|<!doctype(?:[^>\[]|\[.*?\])*>", b"", head,
                      flags=re.DOTALL).lstrip()
        if body.startswith(b"<opml"):
            return "opml"
        if body.startswith((b"<html", b"<head", b"<body")) or b"<!doctype html" in head:
            return "html"
        return "xml"
    return "text"


def _feed_link_in_page(data: bytes, base: str) -> str | None:
    """The feed a web page announces with <link rel="alternate" type="application/rss+xml" ...>."""
    import lxml.html

    try:
        page = lxml.html.fromstring(data)
    except Exception:  # not parseable as HTML: no feed named in it
        return None
    for kind in ("application/rss+xml", "application/atom+xml", "application/feed+json"):
        for link in page.iter("link"):
            if "alternate" in (link.get("rel") or "").lower().split() and (link.get("type") or "").lower() == kind:
                href = link.get("href")
                if href:
                    return urljoin(base, href)
    return None


def _looks_like_list(text: str) -> bool:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and all(re.fullmatch(r"[^\s<>{}]+", ln.split(" #", 1)[0].strip()) for ln in lines)


@dataclass(frozen=True)
class Found:
    """What ``articast follow`` found a source to be."""

    source: str
    """The source to record: normalised, or the feed a web page announces."""

    kind: str
    """One of KINDS."""

    title: str | None = None
    """The feed's title, when it has one."""

    items: int = 0
    """How many items it lists now."""


def identify(source: str) -> Found:
    """Read a source once and tell what it is; InputError when it is none of KINDS or cannot be read."""
    source = normalise_source(source)
    if not is_url(source):
        path = Path(source)
        if path.is_dir():
            return Found(source, "folder", path.name, len(list_folder(path).items))
        if not path.is_file():
            raise InputError(f"{source}: no such file or folder")
        data = _read_file(path)
    else:
        fetched = fetch(source, accept=FEED_TYPES, what="a feed, an OPML file or a reading list")
        data = fetched.data
        if _sniff(data) == "html":
            feed = _feed_link_in_page(data, fetched.url)
            if feed is None:
                raise InputError(f"{source}: is a web page that names no feed; follow its feed's address "
                                 "(or give the page to 'articast produce')")
            return identify(feed)
    kind = _kind_of(data, source)
    if kind == "opml":
        return Found(source, kind, None, len(parse_opml(data, source)))
    listing = read_document(kind, data, source)[0]
    return Found(source, kind, listing.title, len(listing.items))


def _kind_of(data: bytes, source: str) -> str:
    sniffed = _sniff(data)
    if sniffed in ("json", "xml"):
        return "feed"
    if sniffed == "opml":
        return "opml"
    if sniffed == "html":
        raise InputError(f"{source}: is a web page, not a feed, an OPML file or a reading list")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{source}: is not a feed, an OPML file or a reading list (not text)") from None
    if not _looks_like_list(text):
        raise InputError(f"{source}: is not a feed, an OPML file or a reading list of URLs or paths, one a line")
    return "list"


def read_document(kind: str, data: bytes, base: str, headers: dict[str, str] | None = None) -> list[Listing]:
    """The listing in a fetched feed or reading list (an OPML document is read by :func:`parse_opml`)."""
    if kind == "feed":
        if _sniff(data) == "json":
            return [parse_json_feed(data, base)]
        if _sniff(data) not in ("xml",):
            raise InputError(f"{base}: is not a feed (not XML or JSON)")
        return [parse_feed(data, base, headers)]
    if kind == "list":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"{base}: the reading list is not UTF-8 text") from None
        return [parse_reading_list(text, base)]
    raise InputError(f"{base}: cannot read a {kind} as a document")


def _read_file(path: Path) -> bytes:
    from ..ingest.decode import MAX_ARTICLE_BYTES

    try:
        if path.stat().st_size > MAX_ARTICLE_BYTES:
            raise InputError(f"{path}: is larger than the {MAX_ARTICLE_BYTES // 1_000_000} MB a feed may be")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _get(address: str, remembered: Remembered) -> tuple[bytes | None, str, str | None, str | None]:
    """A document's bytes (None when the server says it has not changed), its final address and validators."""
    if not is_url(address):
        path = Path(address)
        if not path.is_file():
            raise InputError(f"{address}: no such file")
        return _read_file(path), address, None, None
    fetched = fetch(address, accept=FEED_TYPES, etag=remembered.etag, last_modified=remembered.last_modified,
                    what="a feed, an OPML file or a reading list")
    if fetched.not_modified:
        return None, address, fetched.etag, fetched.last_modified
    return fetched.data, fetched.url, fetched.etag, fetched.last_modified


def read_source(source: str, kind: str, remembered: Callable[[str], Remembered]) -> list[Listing]:
    """Every listing a followed source holds now (one, or one per feed of an OPML file).

    ``remembered(address)`` gives what the last fetch of that address left, for a conditional GET.
    A feed that cannot be fetched inside an OPML file raises like a followed feed does: the caller
    reports the source. A listing the server says is unchanged comes back ``not_modified``.
    """
    if kind == "folder":
        path = Path(source)
        if not path.is_dir():
            raise InputError(f"{source}: no such folder")
        return [list_folder(path)]
    if kind not in KINDS:
        raise InputError(f"{source}: unknown kind of source {kind!r}; choose one of: {', '.join(KINDS)}")
    before = remembered(source)
    data, final, etag, last_modified = _get(source, before)
    if kind == "opml":
        if data is None:
            feeds = before.feeds
            if not feeds:  # validators without the list: fetch it whole
                data, final, etag, last_modified = _get(source, Remembered())
        if data is not None:
            feeds = parse_opml(data, final)
        listings = [Listing(key=source, etag=etag, last_modified=last_modified, feeds=feeds,
                            not_modified=data is None)]
        for feed in feeds:  # one feed that cannot be read does not stop the others
            try:
                listings.extend(read_source(feed, "feed", remembered))
            except InputError as exc:
                listings.append(Listing(key=feed, error=str(exc)))
        return listings
    if data is None:
        return [Listing(key=source, etag=etag, last_modified=last_modified, not_modified=True)]
    listing = read_document(kind, data, final)[0]
    return [dataclasses.replace(listing, key=source, etag=etag, last_modified=last_modified)]


__all__ = ["Item", "Listing", "Found", "Remembered", "KINDS", "identify", "read_source", "normalise_source",
           "parse_feed", "parse_json_feed", "parse_opml", "parse_reading_list", "list_folder"]
