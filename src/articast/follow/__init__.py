"""Follow: sources that fill the show by themselves (feeds, OPML files, reading lists, folders).

``articast follow`` records a source as a ``[[follow]]`` table in the show's articast.toml;
``articast update`` (:func:`articast.follow.update.update_show`) voices what is new in each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import SETTINGS_FILE, load_settings_file
from ..errors import InputError
from ..fsutil import write_text_atomic
from .sources import KINDS, Found, identify, normalise_source

__all__ = ["Followed", "DEFAULT_MAX_NEW", "list_followed", "follow_source", "unfollow_source", "Found"]

DEFAULT_MAX_NEW = 3
"""The first update of a new source voices at most this many of its newest items."""


@dataclass(frozen=True)
class Followed:
    """A followed source, as recorded in articast.toml."""

    source: str
    """A feed's, OPML file's or reading list's URL or absolute path, or a folder's absolute path."""

    kind: str
    """'feed', 'opml', 'list' or 'folder'."""

    max_new: int = DEFAULT_MAX_NEW
    """How many of its newest items the first update voices; older ones are marked as seen."""


def _check_max_new(value: object, origin: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{origin}: max_new must be a whole number, 0 or more (got {value!r})")
    return value


def list_followed(out_dir: Path) -> list[Followed]:
    """The show's followed sources, in the order they were added."""
    data = load_settings_file(out_dir)
    origin = f"{Path(out_dir) / SETTINGS_FILE} [[follow]]"
    tables = data.get("follow", [])
    if not isinstance(tables, list):
        raise InputError(f"{origin}: must be an array of tables, one [[follow]] per source")
    out = []
    for table in tables:
        if not isinstance(table, dict) or not isinstance(table.get("source"), str) or not table["source"].strip():
            raise InputError(f"{origin}: every [[follow]] needs source = \"a URL or path\"")
        kind = table.get("kind", "feed")
        if kind not in KINDS:
            raise InputError(f"{origin}: kind {kind!r} is not one of: {', '.join(KINDS)}")
        out.append(Followed(table["source"], kind, _check_max_new(table.get("max_new", DEFAULT_MAX_NEW), origin)))
    return out


def _edit(out_dir: Path):  # -> tomlkit document
    import tomlkit

    path = Path(out_dir) / SETTINGS_FILE
    load_settings_file(out_dir)  # a broken file is reported as such before anything is changed
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else tomlkit.document()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def follow_source(out_dir: Path, source: str, max_new: int | None = None) -> tuple[Followed, Found, bool]:
    """Check what ``source`` is (reading it once) and record it; returns it, what was found, and
    whether it was followed already (then only its max_new changes, when given)."""
    import tomlkit

    if max_new is not None:
        _check_max_new(max_new, "--max-new")
    found = identify(source)
    doc = _edit(out_dir)
    tables = doc.get("follow")
    if tables is None:
        tables = tomlkit.aot()
        doc.append("follow", tables)
    for table in tables:
        if table.get("source") == found.source:
            if max_new is not None:
                table["max_new"] = max_new
            table["kind"] = found.kind
            followed = Followed(found.source, found.kind, int(table.get("max_new", DEFAULT_MAX_NEW)))
            write_text_atomic(Path(out_dir) / SETTINGS_FILE, tomlkit.dumps(doc))
            return followed, found, True
    table = tomlkit.table()
    table["source"] = found.source
    table["kind"] = found.kind
    table["max_new"] = DEFAULT_MAX_NEW if max_new is None else max_new
    tables.append(table)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    write_text_atomic(Path(out_dir) / SETTINGS_FILE, tomlkit.dumps(doc))
    return Followed(found.source, found.kind, int(table["max_new"])), found, False


def unfollow_source(out_dir: Path, source: str) -> Followed:
    """Remove a source from articast.toml and forget what became of its items; its episodes stay."""
    import tomlkit

    from .records import FollowRecords

    followed = list_followed(out_dir)
    wanted = {source.strip(), normalise_source(source)}
    match = next((f for f in followed if f.source in wanted), None)
    if match is None:
        names = ", ".join(f.source for f in followed) or "none"
        raise InputError(f"{source}: is not followed (followed: {names})")
    doc = _edit(out_dir)
    tables = doc["follow"]
    for index, table in enumerate(tables):
        if table.get("source") == match.source:
            del tables[index]
            break
    if not len(tables):
        del doc["follow"]
    write_text_atomic(Path(out_dir) / SETTINGS_FILE, tomlkit.dumps(doc))
    records = FollowRecords(out_dir)
    if records.path.is_file():
        records.load()
        record = records.feed(match.source)
        others = {f.source for f in followed if f is not match}
        records.forget([match.source] + [feed for feed in (record.feeds if record else []) if feed not in others])
    return match


@dataclass(frozen=True)
class FollowedState:
    """A followed source and what became of its items, as ``articast follow --list`` shows it."""

    followed: Followed
    """The source as articast.toml records it."""

    counts: dict[str, int] = field(default_factory=dict)
    """Its items by status (voiced, seen, failed...), its feeds' items too for an OPML file; empty
    before its first update."""

    changed: str = ""
    """When any of its feeds last changed (ISO), if ever."""


def followed_states(out_dir: Path) -> list[FollowedState]:
    """Every followed source with the count of its items by status (from follow.json)."""
    from .records import FollowRecords

    followed = list_followed(out_dir)
    if not followed:
        return []
    records = FollowRecords(out_dir).load()
    states = []
    for source in followed:
        own = records.feed(source.source)
        keys = [source.source] + (own.feeds if own is not None else [])
        counts: dict[str, int] = {}
        changed = ""
        for key in keys:
            record = records.feed(key)
            if record is None:
                continue
            changed = max(changed, record.changed)
            for item in record.items.values():
                counts[item.status] = counts.get(item.status, 0) + 1
        states.append(FollowedState(source, counts, changed))
    return states
