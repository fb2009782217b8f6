"""Script: an Article becomes chapters of segments, each with the words to speak."""

from __future__ import annotations

from ..errors import InputError
from ..models import Article, Chapter, Pause, Script, Segment
from .segment import MAX_CHARS, TARGET_CHARS, group_sentences, split_sentences
from .speakable import to_spoken

__all__ = ["build_script", "group_sentences", "split_sentences", "to_spoken", "MAX_CHARS", "TARGET_CHARS"]


def _segments(paragraph: str, role: str) -> list[Segment]:
    out = []
    for text in group_sentences(paragraph):
        spoken = to_spoken(text)
        if any(ch.isalnum() for ch in spoken):
            out.append(Segment(text=text, spoken=spoken, role=role))
    return out


def _with_pause(segment: Segment, pause: Pause) -> Segment:
    return Segment(text=segment.text, spoken=segment.spoken, pause_after=pause, role=segment.role)


def build_script(article: Article) -> Script:
    """Lay out what will be spoken: the title, then each section as a chapter, headings read aloud."""
    chapters: list[Chapter] = []
    for index, section in enumerate(article.sections):
        paragraphs: list[list[Segment]] = []
        if index == 0 and article.title:
            paragraphs.append(_segments(article.title, "title"))
        if section.title:
            paragraphs.append(_segments(section.title, "heading"))
        for paragraph in section.paragraphs:
            paragraphs.append(_segments(paragraph, "body"))
        segments: list[Segment] = []
        for para in paragraphs:
            if para:
                para[-1] = _with_pause(para[-1], Pause.PARAGRAPH)
                segments.extend(para)
        if not segments:
            continue
        segments[-1] = _with_pause(segments[-1], Pause.CHAPTER)
        title = section.title or article.title or "Introduction"
        chapters.append(Chapter(title=title, segments=tuple(segments)))
    if not chapters and article.title:
        segments = _segments(article.title, "title")
        if segments:
            chapters.append(Chapter(title=article.title, segments=tuple(segments)))
    if not chapters:
        raise InputError("the article has no words to read")
    last = chapters[-1]
    chapters[-1] = Chapter(last.title, last.segments[:-1] + (_with_pause(last.segments[-1], Pause.END),))
    return Script(
        title=article.title or chapters[0].title,
        chapters=tuple(chapters),
        author=article.author,
        date=article.date,
        summary=article.summary,
    )
