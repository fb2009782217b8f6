"""Sidecars timed from the real mix: a WebVTT transcript and Podcasting 2.0 JSON chapters."""

from __future__ import annotations

import json

from .models import ChapterMark, Cue

CHAPTERS_VERSION = "1.2.0"


def _timestamp(ms: int) -> str:
    hours, rest = divmod(int(ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def render_vtt(cues: tuple[Cue, ...] | list[Cue]) -> str:
    """WebVTT with one cue per spoken segment."""
    lines = ["WEBVTT", ""]
    for number, cue in enumerate(cues, start=1):
        text = cue.text.replace("-->", "->").strip()
        lines += [str(number), f"{_timestamp(cue.start_ms)} --> {_timestamp(cue.end_ms)}", text, ""]
    return "\n".join(lines)


def render_srt(cues: tuple[Cue, ...] | list[Cue]) -> str:
    """SubRip: the same cues as the VTT, numbered, with comma decimals."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        start, end = _timestamp(cue.start_ms).replace(".", ","), _timestamp(cue.end_ms).replace(".", ",")
        blocks.append(f"{number}\n{start} --> {end}\n{cue.text.replace('-->', '->').strip()}\n")
    return "\n".join(blocks)


def render_chapters_json(chapters: tuple[ChapterMark, ...] | list[ChapterMark], title: str | None = None) -> str:
    """Podcasting 2.0 JSON chapters (version 1.2.0): start and end times in seconds."""
    doc: dict[str, object] = {"version": CHAPTERS_VERSION}
    if title:
        doc["title"] = title
    doc["chapters"] = [
        {"startTime": round(c.start_ms / 1000, 3), "endTime": round(c.end_ms / 1000, 3), "title": c.title}
        for c in chapters
    ]
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def render_transcript_text(cues: tuple[Cue, ...] | list[Cue]) -> str:
    """Plain transcript for the ID3 USLT frame."""
    return "\n".join(cue.text for cue in cues)
