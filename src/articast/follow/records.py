"""What became of every item of every followed feed: one JSON file in the show folder, written
atomically under the show's lock (the one publishing takes), after every change."""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import ArticastError
from ..fsutil import now_iso, show_lock, write_text_atomic

RECORDS_FILE = "follow.json"

MAX_TRIES = 3
"""An item that failed this many times is given up on (and warned about once)."""

DONE, SEEN, FAILED, GAVE_UP, SKIPPED, PRODUCING = "done", "seen", "failed", "gave-up", "skipped", "producing"
"""An item's states: its episode is in place; it was older than the first update's newest items (or a
duplicate); it failed and will be tried again; it failed MAX_TRIES times; it is not an article; its
episode was being made when the run stopped (the next update looks for the MP3, or makes it)."""

SETTLED = (DONE, SEEN, GAVE_UP, SKIPPED)
"""States the next update leaves alone."""


@dataclass
class ItemRecord:
    """One item of a feed, and what became of it."""

    status: str
    """One of the states above."""

    title: str = ""
    """The item's title, for messages."""

    link: str = ""
    """The item's address."""

    slug: str = ""
    """The episode's file stem, once chosen."""

    tries: int = 0
    """Failed attempts so far."""

    error: str = ""
    """Why the last attempt failed, or why it was skipped."""

    at: str = ""
    """When the state last changed, ISO 8601 UTC."""


@dataclass
class FeedRecord:
    """One followed feed (or list, or folder): its validators and its items."""

    etag: str | None = None
    last_modified: str | None = None
    feeds: list[str] = field(default_factory=list)
    """For an OPML file, the feeds it listed at the last complete fetch."""
    changed: str = ""
    """When an update last found it changed (new validators), ISO 8601 UTC."""
    items: dict[str, ItemRecord] = field(default_factory=dict)
    """Items by identity."""


class FollowRecords:
    """The records of one show folder; every change is saved at once under the show's lock."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / RECORDS_FILE
        self.feeds: dict[str, FeedRecord] = {}
        self.unpublished = False
        """An episode was made since the last publish (a run stopped before it published)."""
        self._changing = threading.RLock()

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return show_lock(self.folder)

    def load(self) -> FollowRecords:
        """Read the records; a missing file is an empty one."""
        with self._locked():
            self.feeds = self._read()
        return self

    def _read_doc(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ArticastError(f"{self.path}: the records of followed sources cannot be read ({exc})") from None

    def _read(self) -> dict[str, FeedRecord]:
        data = self._read_doc()
        self.unpublished = bool(data.get("unpublished", False))
        feeds = {}
        known = set(ItemRecord.__dataclass_fields__)
        for key, raw in (data.get("feeds") or {}).items():
            items = {ident: ItemRecord(**{k: v for k, v in rec.items() if k in known})
                     for ident, rec in (raw.get("items") or {}).items()}
            feeds[key] = FeedRecord(etag=raw.get("etag"), last_modified=raw.get("last_modified"),
                                    feeds=list(raw.get("feeds") or []), changed=raw.get("changed") or "", items=items)
        return feeds

    def save(self) -> None:
        """Write every feed's record atomically."""
        with self._locked():
            self._write()

    def _write(self) -> None:
        """Write the records, unless the file says the same already (an update with nothing new touches nothing)."""
        feeds = {key: {**{k: v for k, v in asdict(feed).items() if k != "items"},
                       "items": {i: asdict(r) for i, r in feed.items.items()}} for key, feed in self.feeds.items()}
        doc = {"version": 1, "unpublished": self.unpublished, "feeds": feeds}
        text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
        try:
            if self.path.read_text(encoding="utf-8") == text:
                return
        except (OSError, UnicodeDecodeError):
            pass
        write_text_atomic(self.path, text)

    def feed(self, key: str) -> FeedRecord | None:
        """The record of the feed at ``key``; None for a feed never fetched."""
        return self.feeds.get(key)

    def item(self, key: str, identity: str) -> ItemRecord | None:
        """The record of one item, if any."""
        with self._changing:
            feed = self.feeds.get(key)
            return feed.items.get(identity) if feed else None

    def set_item(self, key: str, identity: str, record: ItemRecord, made: bool = False) -> None:
        """Change one item's record and save at once (thread-safe); ``made``: its episode was just made,
        so the show needs publishing."""
        with self._changing:
            record.at = now_iso()
            self.feeds.setdefault(key, FeedRecord()).items[identity] = record
            if made:
                self.unpublished = True
            self.save()

    def forget(self, keys: list[str]) -> int:
        """Drop the records of these feeds (an unfollowed source); how many were there."""
        with self._locked():
            self.feeds = self._read()
            gone = [key for key in keys if key in self.feeds]
            for key in gone:
                del self.feeds[key]
            if gone:
                self._write()
        return len(gone)

    def slugs_being_made(self) -> set[str]:
        """The file names reserved by items whose episodes are being made."""
        with self._changing:
            return {rec.slug for feed in self.feeds.values() for rec in feed.items.values() if rec.status == PRODUCING}

    def done_links(self) -> set[str]:
        """The addresses of every item made into an episode, across all feeds."""
        return {rec.link for feed in self.feeds.values() for rec in feed.items.values()
                if rec.status == DONE and rec.link}
