"""Typed values that flow between the stages: ingest -> script -> speech -> audio -> tags."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only annotations here: importing articast does not load numpy (see cli)
    import numpy as np


@dataclass(frozen=True)
class Section:
    """A part of the article under one heading, as read from the source."""

    title: str | None
    """The heading; None for text before the first heading."""

    paragraphs: tuple[str, ...]
    """The section's paragraphs, plain text, in order."""


@dataclass(frozen=True)
class Article:
    """An article as read from its source, before anything is said."""

    title: str
    """The article's title."""

    sections: tuple[Section, ...]
    """The article's sections in reading order."""

    author: str | None = None
    """Who wrote it, when the source says."""

    date: str | None = None
    """Publication date as ISO 8601 (YYYY-MM-DD), when the source says."""

    summary: str | None = None
    """A short description, when the source has one."""

    language: str | None = None
    """BCP 47 language tag when the source says (HTML lang, front matter); None means unknown."""

    source: str | None = None
    """Where the article came from: a path, a URL or "stdin"."""

    link: str | None = None
    """The original article's web address (http or https), credited in the episode; None for a file."""

    dates_episode: bool = True
    """Whether ``date`` dates the episode in the feed. False for an article from a reading list or a
    folder: it is new to the listener when it is added, so it is dated then, and its own date is
    given in the description."""

    series: str | None = None
    """The book this is one chapter of (``produce --split chapters``): its season in the feed."""

    part: int | None = None
    """Which chapter of ``series`` this is, from 1."""

    parts: int | None = None
    """How many chapters ``series`` has."""


ATTRIBUTION = "Original article: "
"""What ends the description of an episode made from a web page, before the page's address."""


@dataclass(frozen=True)
class ArticleFacts:
    """What a feed or a reading list says of an article: used where the article itself is silent."""

    title: str | None = None
    """The item's title."""

    author: str | None = None
    """The item's author."""

    date: str | None = None
    """The item's publication date, YYYY-MM-DD."""

    summary: str | None = None
    """The item's summary, as plain text."""

    link: str | None = None
    """The original article's web address."""

    language: str | None = None
    """The feed's language (or the item's), for an article that does not mark its own."""


class Pause(str, Enum):
    """How long a silence follows a segment, from what ends there in the text."""

    SENTENCE = "sentence"
    PARAGRAPH = "paragraph"
    CHAPTER = "chapter"
    END = "end"


@dataclass(frozen=True)
class Segment:
    """One unit of speech: whole sentences, sized for the engine."""

    text: str
    """The words as written in the article."""

    spoken: str
    """What the engine is asked to say."""

    pause_after: Pause = Pause.SENTENCE
    """The silence that follows this segment."""

    role: str = "body"
    """'title', 'heading' or 'body': what part of the article this is."""


@dataclass(frozen=True)
class Chapter:
    """A chapter of the episode and the segments spoken in it."""

    title: str
    """Chapter title, as shown in players."""

    segments: tuple[Segment, ...]
    """What is spoken in this chapter, in order."""


@dataclass(frozen=True)
class Script:
    """Everything that will be spoken, in chapters."""

    title: str
    """Episode title."""

    chapters: tuple[Chapter, ...]
    """Chapters in order; every script has at least one."""

    author: str | None = None
    """The article's author, if known."""

    date: str | None = None
    """Publication date (YYYY-MM-DD), if known."""

    summary: str | None = None
    """A short description of the episode."""

    language: str | None = None
    """The article's language, when known."""

    normalised: bool = True
    """False when the language is not English and text was passed to the voice as written."""

    link: str | None = None
    """The original article's web address, credited at the end of the episode's description."""

    dates_episode: bool = True
    """Whether ``date`` dates the episode in the feed (see Article.dates_episode)."""

    @property
    def segments(self) -> list[Segment]:
        """All segments in speaking order."""
        return [s for c in self.chapters for s in c.segments]


@dataclass(frozen=True, eq=False)
class Clip:
    """Synthesised speech for one segment: mono float32 samples in [-1, 1]."""

    samples: np.ndarray
    """Mono float32 samples."""

    sample_rate_hz: int
    """Sample rate of ``samples``."""

    @property
    def duration_ms(self) -> float:
        """Length of the clip in milliseconds."""
        return len(self.samples) * 1000.0 / self.sample_rate_hz


@dataclass(frozen=True)
class Cue:
    """Where one segment is heard in the finished episode."""

    start_ms: int
    """When the segment's speech starts."""

    end_ms: int
    """When the segment's speech ends."""

    text: str
    """The segment's words as written."""


@dataclass(frozen=True)
class ChapterMark:
    """Where a chapter starts and ends in the finished episode."""

    title: str
    """Chapter title."""

    start_ms: int
    """Chapter start; the first chapter starts at 0."""

    end_ms: int
    """Chapter end; the last chapter ends with the episode."""


@dataclass(frozen=True)
class Mix:
    """The laid-out programme: where every segment and chapter is heard (its audio went to a sink)."""

    sample_rate_hz: int
    """Sample rate of the programme."""

    channels: int
    """Number of channels."""

    frames: int
    """Length of the programme in frames."""

    cues: tuple[Cue, ...]
    """One cue per spoken segment."""

    chapters: tuple[ChapterMark, ...]
    """Chapter marks covering the whole programme."""

    cue_frames: tuple[tuple[int, int], ...]
    """Each cue's first and end frame, exact (the cues' milliseconds are rounded)."""

    @property
    def duration_ms(self) -> int:
        """Length of the programme in milliseconds."""
        return round(self.frames * 1000 / self.sample_rate_hz)


@dataclass(frozen=True)
class Episode:
    """A produced episode and the files that make it up."""

    title: str
    """Episode title."""

    slug: str
    """ASCII file stem shared by the MP3 and its sidecars."""

    mp3_path: Path
    """The tagged MP3."""

    vtt_path: Path
    """WebVTT transcript beside the MP3."""

    chapters_path: Path
    """Podcasting 2.0 JSON chapters beside the MP3."""

    duration_ms: int
    """Length of the audio."""

    chapters: tuple[ChapterMark, ...] = field(default_factory=tuple)
    """Chapter marks as written to the tags and sidecars."""

    word_count: int = 0
    """Words in the article as spoken."""

    @property
    def srt_path(self) -> Path:
        """SubRip transcript beside the MP3."""
        return self.mp3_path.with_suffix(".srt")

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file the episode is made of, the MP3 last: transcripts, chapters, audio."""
        return self.vtt_path, self.srt_path, self.chapters_path, self.mp3_path


@dataclass(frozen=True)
class Progress:
    """A progress report: ``done`` of ``total`` steps of ``stage`` are finished."""

    stage: str
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]
"""What a long stage calls with its progress (the CLI draws a bar)."""


CODE_SKIPPED = "A code sample is skipped here."
"""The paragraph ingest puts where a code sample was: the script says it in the article's language."""

FOOTNOTES_SKIPPED = "The footnotes are not read."
"""Said once where a document's footnotes were first left out."""

REFERENCES_SKIPPED = "The list of references is not read."
"""Said under a document's reference list or bibliography, which is left out."""

FORMULA_SKIPPED = "A formula is skipped here."
"""Said where a displayed formula that cannot be read aloud was."""

DOCUMENT_NOTES = (FOOTNOTES_SKIPPED, REFERENCES_SKIPPED, FORMULA_SKIPPED)

_TABLE_SKIPPED = re.compile(r"A table with (\d+) rows? is not read here\.")


def table_skipped(rows: int) -> str:
    """The paragraph ingest puts where a table too big to read was (said in the article's language)."""
    return f"A table with {rows} row{'s' if rows != 1 else ''} is not read here."


def is_skip_note(paragraph: str) -> bool:
    """Whether a paragraph only says that something is not read (code, a table, notes, a formula)."""
    return paragraph == CODE_SKIPPED or paragraph in DOCUMENT_NOTES or bool(_TABLE_SKIPPED.fullmatch(paragraph))
