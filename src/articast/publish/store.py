"""The show's episode records: one small JSON file, written atomically under the show's lock (see publish_show)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import ArticastError
from ..fsutil import SHOW_LOCK_FILE, now_iso

STORE_FILE = "episodes.json"
LOCK_FILE = SHOW_LOCK_FILE


@dataclass
class EpisodeRecord:
    """What the feed says about one episode; its GUID and first date never change."""

    slug: str
    """File stem shared by the MP3 and its sidecars."""

    guid: str
    """Stable identifier, made once when the episode is first published."""

    number: int
    """Episode number, in order of first publication."""

    published: str
    """First publication time, ISO 8601 in UTC."""

    title: str = ""
    description: str = ""
    author: str = ""
    duration_s: int = 0
    length_bytes: int = 0
    updated: str = ""
    link: str = ""
    """The original article's web address, when the episode was made from one."""
    chapters: list[dict] = field(default_factory=list)
    """Chapter titles and start times in seconds, for the page."""
    dated: str = ""
    """The article's own date (YYYY-MM-DD), from the episode's tags, when the article had one."""
    language: str = ""
    """The episode's language (a BCP 47 tag, from its TLAN); empty when its tags do not say."""

    transcript: str = ""
    """The episode's WebVTT transcript, by file name, when it has one (for embed.js, which finds the
    episode of an article's page here by its link)."""

    source: str = ""
    """Where the article came from, from the episode's tags: another article's sound under this
    episode's file name is another episode, with a GUID of its own."""

    series: str = ""
    """The book this episode is a chapter of (``produce --split chapters``), from its tags: its season."""

    part: int = 0
    """Which chapter of ``series`` it is: its episode number in that season."""


def _moment(record: EpisodeRecord) -> dt.datetime:
    """The article's own date (midnight UTC), else the first publication time."""
    if record.dated:
        try:
            day = dt.date.fromisoformat(record.dated[:10])
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    when = dt.datetime.fromisoformat(record.published)
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def episode_dates(records: Iterable[EpisodeRecord]) -> dict[str, str]:
    """Each episode's date for the feed and the page, ISO 8601 in UTC, by slug.

    The article's own date when it has one, else when the episode was first published. Episodes that
    would share a moment (two articles of one day, or published together) are a second apart in
    the order of their numbers, so every app lists them in the same, stable order.
    """
    by_moment: dict[dt.datetime, list[EpisodeRecord]] = {}
    for record in records:
        by_moment.setdefault(_moment(record), []).append(record)
    dates: dict[str, str] = {}
    for moment, group in by_moment.items():
        for offset, record in enumerate(sorted(group, key=lambda r: (r.number, r.slug))):
            dates[record.slug] = (moment + dt.timedelta(seconds=offset)).isoformat()
    return dates


class EpisodeStore:
    """Episode records of one show folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / STORE_FILE
        self.meta: dict[str, str] = {}
        """Show facts remembered between publishes (the base URL last used)."""

    def load(self) -> dict[str, EpisodeRecord]:
        """Read the records; a missing store is an empty one."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.meta = {}
            return {}
        except (OSError, ValueError) as exc:
            raise ArticastError(f"{self.path}: the episode records cannot be read ({exc})") from None
        self.meta = dict(data.get("show") or {})
        known = set(EpisodeRecord.__dataclass_fields__)
        return {r["slug"]: EpisodeRecord(**{k: v for k, v in r.items() if k in known}) for r in data["episodes"]}

    def render(self, records: dict[str, EpisodeRecord]) -> str:
        """The records as the store's JSON, oldest first."""
        ordered = sorted(records.values(), key=lambda r: (r.number, r.slug))
        doc = {"version": 1, "show": self.meta, "episodes": [asdict(r) for r in ordered]}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"

    @staticmethod
    def new_record(slug: str, records: dict[str, EpisodeRecord]) -> EpisodeRecord:
        """A record for an episode seen for the first time."""
        number = max((r.number for r in records.values()), default=0) + 1
        return EpisodeRecord(slug=slug, guid=f"urn:uuid:{uuid.uuid4()}", number=number, published=now_iso())
