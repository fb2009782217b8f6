"""update_show(): fetch every followed source, voice what is new, publish once.

Nothing is voiced twice and nothing is lost: an item is recorded as being made (with its episode's
file name) before it is spoken and as done only once its MP3 is in place, every record is saved as
it changes, and a feed's ETag/Last-Modified are kept only once every item it listed is settled, so
a run killed at any point is carried on by the next one. An update with nothing new never imports
the speech or audio stages.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import html
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from ..config import Settings
from ..errors import ArticastError, InputError, NotAPageError
from ..fsutil import now_iso
from ..ingest.web import is_url
from ..models import Article, ArticleFacts
from . import Followed, list_followed
from .records import (
    DONE,
    FAILED,
    GAVE_UP,
    MAX_TRIES,
    PRODUCING,
    SEEN,
    SETTLED,
    SKIPPED,
    FeedRecord,
    FollowRecords,
    ItemRecord,
)
from .sources import Item, Listing, Remembered, read_source

if TYPE_CHECKING:
    from ..models import ProgressCallback
    from ..publish import PublishResult

log = logging.getLogger(__name__)

UPDATE_LOCK_FILE = ".articast.update.lock"
"""Held for a whole update, so two (a slow one and the next from a timer) never voice the same item."""


@dataclass(frozen=True)
class UpdateEvent:
    """Something an update has to say while it works: a note, a warning, or the start of an item."""

    kind: str
    """'note', 'warning' or 'item'."""

    message: str
    """One line for the user."""

    number: int = 0
    """For 'item': which of ``total`` items this is."""

    total: int = 0
    """For 'item': how many items this update voices."""


@dataclass(frozen=True)
class Failure:
    """A source or an item that could not be handled."""

    what: str
    """The source's address, or the item's title or URL."""

    why: str
    """The error, one line."""


@dataclass(frozen=True)
class UpdateResult:
    """What an update did."""

    mp3_paths: tuple[Path, ...]
    """The new episodes, in the order they were made."""

    failures: tuple[Failure, ...]
    """Sources and items that failed this time."""

    sources: int
    """How many followed sources were checked."""

    published: PublishResult | None
    """The publish that followed, when anything new was made."""


Report = Callable[[UpdateEvent], None]


@dataclass
class _Work:
    key: str
    item: Item
    language: str | None = None
    kind: str = "feed"
    """The followed source's kind: an item of a reading list or a folder is dated by when it was added."""


def _newest_first(listing: Listing, kind: str) -> list[Item]:
    """The listing's items from newest to oldest: by date when every item has one, else by position
    (a feed lists its newest first; a reading list and a folder their newest last)."""
    items = list(listing.items)
    if items and all(item.timestamp is not None for item in items):
        return sorted(items, key=lambda item: item.timestamp or 0.0, reverse=True)
    return items[::-1] if kind in ("list", "folder") else items


def _unique(items: list[Item]) -> list[Item]:
    """Items once each: a repeated identity, or a repeated link, is the same article."""
    seen: set[str] = set()
    out = []
    for item in items:
        keys = {item.identity} | ({item.link} if item.link else set())
        if keys & seen:
            continue
        seen |= keys
        out.append(item)
    return out


def _label(item: Item) -> str:
    return item.title or item.link or item.identity


@contextlib.contextmanager
def _update_lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / UPDATE_LOCK_FILE), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ArticastError(f"{folder}: another 'articast update' is running for this show; "
                            "it will voice what is new") from None
    try:
        yield
    finally:
        lock.release()


def _plan(listing: Listing, followed: Followed, records: FollowRecords, done_links: set[str],
          report: Report) -> tuple[list[_Work], bool]:
    """The items of a fetched listing to voice now, oldest first; marks the rest (seen, skipped).
    Returns the work and whether the listing is settled already (its validators may be kept)."""
    key = listing.key
    record = records.feed(key)
    newest = _unique(_newest_first(listing, followed.kind))
    todo: list[Item] = []
    if record is None:  # a source never fetched before: only its newest few
        record = records.feeds.setdefault(key, FeedRecord())
        # The newest max_new articles, and whatever is not an article among them (skipped, with a warning).
        articles = 0
        for item in newest:
            if articles < followed.max_new:
                todo.append(item)
                articles += not item.not_article
            else:
                record.items[item.identity] = ItemRecord(SEEN, title=item.title or "", link=item.link or "",
                                                         error="older than the first update's newest items")
        older = len(newest) - len(todo)
        if older:
            report(UpdateEvent("note", f"{key}: first update: voicing the newest {articles} of {len(newest)} "
                                       f"items; {older} older {'ones are' if older != 1 else 'one is'} marked as "
                                       "seen (to voice more of a new source, follow it with --max-new N)"))
        records.save()
    else:
        for item in newest:
            known = record.items.get(item.identity)
            if known is None or known.status in (FAILED, PRODUCING):
                todo.append(item)
    work = []
    for item in reversed(todo):  # oldest first: episode numbers follow the articles' order
        known = record.items.get(item.identity)
        if item.not_article:
            report(UpdateEvent("warning", f"skipped {_label(item)}: it is {item.not_article}, not an article"))
            records.set_item(key, item.identity, ItemRecord(SKIPPED, title=item.title or "", link=item.link or "",
                                                            error=f"is {item.not_article}"))
        elif item.link and item.link in done_links and (known is None or known.status != PRODUCING):
            report(UpdateEvent("note", f"{_label(item)}: already voiced from the same address"))
            records.set_item(key, item.identity, ItemRecord(SEEN, title=item.title or "", link=item.link,
                                                            error="already voiced from the same address"))
        else:
            if item.link:
                done_links.add(item.link)
            work.append(_Work(key, item, listing.language, followed.kind))
    return work, not work


def _article(item: Item, language: str | None = None) -> Article:
    """The item's whole article: from the feed when it carries it (in the feed's ``language``), else
    read from its link."""
    from ..ingest import parse_article, read_article, with_facts

    facts = ArticleFacts(title=item.title, author=item.author, date=item.date, summary=item.summary,
                         link=item.link if item.link and is_url(item.link) else None, language=language)
    if item.content:
        name = item.link or item.title or "the feed's item"
        if item.content_kind == "text":
            article = parse_article(item.content, name=name, kind="text")
        else:
            title = html.escape(item.title or "")
            lang = f' lang="{html.escape(language)}"' if language else ""
            page = (f"<!DOCTYPE html><html{lang}><head><title>{title}</title></head><body><article>"
                    f"{item.content}</article></body></html>")
            article = parse_article(page, name=name, kind="html", url=facts.link)
        from ..ingest.language import with_language

        article = with_language(with_facts(article, facts), language)
        return dataclasses.replace(article, title=article.title or "Untitled", source=item.link or item.identity)
    if not item.link:
        raise InputError("the item has no link, and the feed does not carry its article")
    return read_article(item.link, facts)


def _free_slug(folder: Path, article: Article, records: FollowRecords) -> str:
    """A file name for the article's episode that no other article's episode has and no item being
    made holds (see naming.free_slug)."""
    from ..naming import free_slug, slugify, source_identity

    return free_slug(folder, slugify(article.title), source_identity(article), taken=records.slugs_being_made())


def _finished(folder: Path, record: ItemRecord) -> bool:
    """Whether the episode a killed run was making is in place (its MP3 appears only when whole)."""
    import datetime as dt

    mp3 = folder / f"{record.slug}.mp3"
    if not record.slug or not mp3.is_file():
        return False
    try:
        started = dt.datetime.fromisoformat(record.at).timestamp()
    except ValueError:
        return False
    return mp3.stat().st_mtime >= started - 2


def update_show(settings: Settings, report: Report | None = None,
                progress: ProgressCallback | None = None) -> UpdateResult:
    """Voice what is new in every followed source of the show in ``settings.out_dir``, then publish once."""
    report = report or (lambda event: None)
    folder = Path(settings.out_dir)
    followed = list_followed(folder)
    if not followed:
        raise InputError(f"{folder}: follows no sources yet; add one with 'articast follow SOURCE'")
    failures: list[Failure] = []
    with _update_lock(folder):
        records = FollowRecords(folder).load()
        done_links = records.done_links()
        work: list[_Work] = []
        unsettled: dict[str, Listing] = {}
        handled: set[str] = set()
        for source in followed:
            try:
                listings = read_source(source.source, source.kind, lambda key: _remembered(records, key))
            except ArticastError as exc:
                failures.append(Failure(source.source, str(exc)))
                report(UpdateEvent("warning", f"{exc} (its items wait for the next update)"))
                continue
            for listing in listings:
                if listing.key in handled:  # followed twice (say, alone and in an OPML file): once is enough
                    continue
                handled.add(listing.key)
                if listing.error:
                    failures.append(Failure(listing.key, listing.error))
                    report(UpdateEvent("warning", f"{listing.error} (its items wait for the next update)"))
                    continue
                if listing.not_modified or listing.feeds:  # unchanged, or an OPML file (its feeds follow)
                    _keep_validators(records, listing)
                    continue
                planned, settled = _plan(listing, source, records, done_links, report)
                work += planned
                if settled:
                    _keep_validators(records, listing)
                else:
                    unsettled[listing.key] = listing
        made = _voice(work, settings, records, failures, report, progress) if work else []
        for key, listing in unsettled.items():
            record = records.feed(key)
            if record and all(record.items.get(item.identity) is None
                              or record.items[item.identity].status in SETTLED for item in listing.items):
                _keep_validators(records, listing)
        published = None
        if made or records.unpublished:  # (an earlier run stopped between its last episode and publishing)
            from ..publish import publish_show

            published = publish_show(settings)
            records.unpublished = False
            records.save()
    return UpdateResult(tuple(made), tuple(failures), len(followed), published)


def _remembered(records: FollowRecords, key: str) -> Remembered:
    record = records.feed(key)
    if record is None:
        return Remembered()
    return Remembered(record.etag, record.last_modified, tuple(record.feeds))


def _keep_validators(records: FollowRecords, listing: Listing) -> None:
    """Remember the listing's ETag/Last-Modified (and an OPML file's feeds) for the next conditional GET."""
    record = records.feeds.setdefault(listing.key, FeedRecord())
    if (record.etag, record.last_modified) != (listing.etag, listing.last_modified):
        record.etag, record.last_modified = listing.etag, listing.last_modified
        record.changed = now_iso()
    if listing.feeds:
        record.feeds = list(listing.feeds)
    records.save()


def _voice(work: list[_Work], settings: Settings, records: FollowRecords, failures: list[Failure],
           report: Report, progress: ProgressCallback | None) -> list[Path]:
    """Make each item's episode, in a batch that shares one set of speech workers (the next item is
    read and spoken while the one before is mixed); one that fails is recorded and the rest go on."""
    from ..batch import Batch
    from ..cluster import make_batch

    folder = Path(settings.out_dir)
    made: list[Path] = []
    titles = {id(job): job.item.title or "" for job in work}
    choosing = threading.Lock()  # a file name is chosen and reserved by one item at a time

    def task(number: int, job: _Work, batch: Batch) -> Path:
        item, key = job.item, job.key
        known = records.item(key, item.identity) or ItemRecord(PRODUCING)
        if known.status == PRODUCING and _finished(folder, known):
            report(UpdateEvent("item", known.title or _label(item), number, len(work)))
            log.info("%s: its episode %s.mp3 was finished by a run that stopped; recording it",
                     _label(item), known.slug)
            records.set_item(key, item.identity, dataclasses.replace(known, status=DONE, error=""), made=True)
            return folder / f"{known.slug}.mp3"
        article = _article(item, job.language)
        report(UpdateEvent("item", article.title, number, len(work)))  # (a reading list's item has only its URL)
        if job.kind in ("list", "folder"):  # new to the listener now, whatever its own date
            article = dataclasses.replace(article, dates_episode=False)
        titles[id(job)] = title = article.title
        with choosing:
            slug = known.slug if known.status == PRODUCING and known.slug else \
                _free_slug(folder, article, records)
            records.set_item(key, item.identity, ItemRecord(PRODUCING, title=title, link=item.link or "", slug=slug,
                                                            tries=known.tries))
        # With one article in hand, its speech shows a progress bar; several at once would share a line.
        episode = batch.produce(article, slug=slug, progress=progress if batch.ahead == 0 else None)
        records.set_item(key, item.identity, ItemRecord(DONE, title=title, link=item.link or "", slug=slug,
                                                        tries=known.tries), made=True)
        return episode.mp3_path

    with make_batch(settings, len(work)) as batch:
        tasks = [functools.partial(task, number, job, batch) for number, job in enumerate(work, start=1)]
        for index, outcome in batch.run(tasks):
            job = work[index]
            item, key, title = job.item, job.key, titles[id(job)]
            if isinstance(outcome, Path):
                made.append(outcome)
            elif isinstance(outcome, NotAPageError):
                report(UpdateEvent("warning", f"skipped {title or _label(item)}: {outcome}"))
                records.set_item(key, item.identity, ItemRecord(SKIPPED, title=title, link=item.link or "",
                                                                error=str(outcome)))
            else:  # one bad item never stops the rest
                exc = outcome
                why = str(exc) if isinstance(exc, ArticastError) else f"unexpected {type(exc).__name__}: {exc}"
                label = title or _label(item)
                if why.startswith(f"{label}: "):  # the error names the item already (its URL, say)
                    why = why[len(label) + 2:]
                if not isinstance(exc, ArticastError):
                    log.debug("item %s failed", _label(item), exc_info=exc)
                known = records.item(key, item.identity) or ItemRecord(FAILED)
                tries = known.tries + 1
                status = GAVE_UP if tries >= MAX_TRIES else FAILED
                records.set_item(key, item.identity, ItemRecord(status, title=title, link=item.link or "",
                                                                tries=tries, error=why))
                failures.append(Failure(title or _label(item), why))
                later = (f"gave up after {tries} tries" if status == GAVE_UP
                         else f"try {tries} of {MAX_TRIES}; the next update tries again")
                report(UpdateEvent("warning", f"{title or _label(item)}: {why} ({later})"))
    return made


__all__ = ["update_show", "UpdateEvent", "UpdateResult", "Failure", "UPDATE_LOCK_FILE"]
