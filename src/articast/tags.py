"""ID3v2.3 tags with mutagen: title, artist, show, date, genre, summary, link, cover, chapters, transcript."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TLEN,
    TPE1,
    TRCK,
    TXXX,
    USLT,
    WOAS,
    CTOCFlags,
    PictureType,
)

from .models import ChapterMark

_NO_OFFSET = 0xFFFFFFFF


@dataclass(frozen=True)
class TagInfo:
    """What goes into an episode's ID3 tag."""

    title: str
    """Episode title (TIT2)."""

    artist: str
    """Author or narrator credit (TPE1)."""

    album: str
    """The show's name (TALB)."""

    duration_ms: int
    """Length of the audio (TLEN)."""

    date: str | None = None
    """Release date, YYYY or YYYY-MM-DD (TDRC, written as TYER/TDAT in v2.3)."""

    summary: str | None = None
    """Episode summary (COMM)."""

    transcript: str | None = None
    """Full text as spoken (USLT)."""

    chapters: tuple[ChapterMark, ...] = field(default_factory=tuple)
    """Chapter marks (CHAP under an ordered, top-level CTOC)."""

    cover: bytes | None = None
    """Front cover image bytes (APIC)."""

    cover_mime: str = "image/jpeg"
    """MIME type of ``cover``."""

    language: str = "eng"
    """The article's language as ID3 writes it, ISO 639-2 (``deu``): TLAN, and the language of COMM and USLT."""

    link: str | None = None
    """The original article's web address (WOAS, the audio's source page)."""

    article_date: str | None = None
    """The article's own date, YYYY-MM-DD (TXXX "ARTICLE DATE"), when it has one: the feed dates the
    episode by it. ``date`` then holds the same; without it, ``date`` is the day the episode was made."""

    source: str | None = None
    """Where the article came from (TXXX "ARTICLE SOURCE", see naming.source_identity): the same article
    made again replaces its own episode; another never does, and never inherits its GUID."""

    series: str | None = None
    """The book this episode is one chapter of (TXXX "SERIES"), with ``part`` of ``parts`` (TRCK)."""

    part: int | None = None
    parts: int | None = None


ARTICLE_DATE = "ARTICLE DATE"
"""The description of the TXXX frame that holds the article's own date."""

ARTICLE_SOURCE = "ARTICLE SOURCE"
"""The description of the TXXX frame that holds where the article came from."""

SERIES = "SERIES"
"""The description of the TXXX frame that holds the book a chapter's episode belongs to."""


def read_source(path: Path) -> str | None:
    """The ARTICLE SOURCE an MP3's tag holds; None when it has none (or is no MP3 articast can read)."""
    from mutagen import MutagenError
    from mutagen.id3 import ID3NoHeaderError

    try:
        frame = ID3(path).get(f"TXXX:{ARTICLE_SOURCE}")
    except (ID3NoHeaderError, MutagenError, OSError):
        return None
    return str(frame.text[0]) if frame is not None and frame.text else None


def default_cover() -> bytes:
    """articast's own 600 x 600 JPEG cover, sized for a tag."""
    return (resources.files("articast") / "data" / "cover.jpg").read_bytes()


def write_tags(path: Path, info: TagInfo) -> None:
    """Replace the MP3's tag with one built from ``info``, saved as ID3v2.3."""
    tag = ID3()
    tag.add(TIT2(encoding=1, text=info.title))
    tag.add(TPE1(encoding=1, text=info.artist))
    tag.add(TALB(encoding=1, text=info.album))
    tag.add(TCON(encoding=1, text="Podcast"))
    tag.add(TLAN(encoding=1, text=info.language))
    tag.add(TLEN(encoding=1, text=str(int(info.duration_ms))))
    if info.date:
        tag.add(TDRC(encoding=1, text=info.date))
    if info.article_date:
        tag.add(TXXX(encoding=1, desc=ARTICLE_DATE, text=info.article_date))
    if info.source:
        tag.add(TXXX(encoding=1, desc=ARTICLE_SOURCE, text=info.source))
    if info.series and info.part:
        tag.add(TXXX(encoding=1, desc=SERIES, text=info.series))
        tag.add(TRCK(encoding=1, text=f"{info.part}/{info.parts}" if info.parts else str(info.part)))
    if info.summary:
        tag.add(COMM(encoding=1, lang=info.language, desc="", text=info.summary))
    if info.transcript:
        tag.add(USLT(encoding=1, lang=info.language, desc="transcript", text=info.transcript))
    if info.link:
        tag.add(WOAS(url=info.link))
    if info.cover:
        tag.add(APIC(encoding=0, mime=info.cover_mime, type=PictureType.COVER_FRONT, desc="Cover",
                     data=info.cover))
    if info.chapters:
        ids = [f"chp{i}" for i in range(len(info.chapters))]
        tag.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                     child_element_ids=ids, sub_frames=[TIT2(encoding=1, text="Chapters")]))
        for element_id, mark in zip(ids, info.chapters):
            tag.add(CHAP(element_id=element_id, start_time=int(mark.start_ms), end_time=int(mark.end_ms),
                         start_offset=_NO_OFFSET, end_offset=_NO_OFFSET,
                         sub_frames=[TIT2(encoding=1, text=mark.title)]))
    tag.save(str(path), v2_version=3)
