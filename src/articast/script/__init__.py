"""Script: an Article becomes chapters of segments, each with the words to speak."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ..errors import InputError
from ..models import Article, Chapter, Pause, Script, Segment, is_skip_note
from .locales import locale_for, localised_note, untitled_chapter
from .segment import MAX_CHARS, TARGET_CHARS, group_sentences, sentence_pieces, split_sentences
from .speakable import apply_lexicon, is_english, to_spoken

__all__ = ["build_script", "group_sentences", "sentence_pieces", "split_sentences", "to_spoken", "apply_lexicon",
           "MAX_CHARS", "TARGET_CHARS"]

log = logging.getLogger(__name__)


def _segments(paragraph: str, role: str, language: str | None = None,
              lexicon: Mapping[str, str] | None = None) -> list[Segment]:
    """One segment per sentence (an over-long one per clause group).

    A segment is what is cached, levelled and given a transcript cue. With one sentence each, an
    edit re-speaks the edited sentence and nothing else: segments grouped to a length re-grouped
    every sentence after an edit that changed one sentence's length (the example article's
    one-word edit re-spoke two segments, 13 s of speech, for a 5 s sentence)."""
    out = []
    for text in sentence_pieces(paragraph, language=language):
        spoken = to_spoken(text, language=language, lexicon=lexicon)
        if any(ch.isalnum() for ch in spoken):
            out.append(Segment(text=text, spoken=spoken, role=role))
    return out


def _with_pause(segment: Segment, pause: Pause) -> Segment:
    return Segment(text=segment.text, spoken=segment.spoken, pause_after=pause, role=segment.role)


def build_script(article: Article, lexicon: Mapping[str, str] | None = None) -> Script:
    """Lay out what will be spoken: the title, then each section as a chapter, headings read aloud.

    English, German, French, Spanish, Italian, Portuguese, Dutch and Polish text is normalised
    (numbers, money, dates...); other languages pass through as written, for the voice's own rules.
    """
    language = article.language
    normalised = is_english(language) or locale_for(language) is not None
    if not normalised:
        log.info("%s text is read as written: the voice says its numbers by its own rules", language)

    def spoken_segments(text: str, role: str) -> list[Segment]:
        return _segments(text, role, language, lexicon)

    chapters: list[Chapter] = []
    for index, section in enumerate(article.sections):
        paragraphs: list[list[Segment]] = []
        if index == 0 and article.title:
            paragraphs.append(spoken_segments(article.title, "title"))
        if section.title:
            paragraphs.append(spoken_segments(section.title, "heading"))
        for paragraph in section.paragraphs:
            if is_skip_note(paragraph):
                said = localised_note(paragraph, language)
                if said is None:
                    continue
                paragraph = said
            paragraphs.append(spoken_segments(paragraph, "body"))
        segments: list[Segment] = []
        for para in paragraphs:
            if para:
                para[-1] = _with_pause(para[-1], Pause.PARAGRAPH)
                segments.extend(para)
        if not segments:
            continue
        segments[-1] = _with_pause(segments[-1], Pause.CHAPTER)
        title = section.title or article.title or untitled_chapter(language) or "…"
        chapters.append(Chapter(title=title, segments=tuple(segments)))
    if not chapters and article.title:
        title_segments = spoken_segments(article.title, "title")
        if title_segments:
            chapters.append(Chapter(title=article.title, segments=tuple(title_segments)))
    if not chapters:
        raise InputError("the article has no words to read")
    last = chapters[-1]
    chapters[-1] = Chapter(last.title, last.segments[:-1] + (_with_pause(last.segments[-1], Pause.END),))
    return Script(
        title=article.title or chapters[0].title,
        chapters=tuple(chapters),
        author=article.author,
        date=article.date,
        dates_episode=article.dates_episode,
        summary=article.summary,
        language=language,
        normalised=normalised,
        link=article.link,
    )
