"""Plain text: paragraphs, title-like lines and questions as chapter headings, web residue dropped."""

from __future__ import annotations

import re

from ..models import Article, Section

_RESIDUE = re.compile(
    r"^\s*(leave a (reply|comment)|share this:?|like this:?|related( posts| stories| articles)?:?|"
    r"subscribe( to (our|the) newsletter)?\b.*|sign up for (our|the) newsletter\b.*|"
    r"(this (site|website) uses|we use) cookies\b.*|cookie (policy|settings|notice)\b.*|"
    r"posted in\b.*|tags?:.*|filed under\b.*|comments?( \(\d+\))?:?|"
    r"you may also like:?|read (more|next):?|follow us\b.*)\s*$",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!;,:…]['\"”’)\]]*$")
_HEADING_MAX_CHARS = 120
_QUESTION_MAX_CHARS = 220


def is_residue(line: str) -> bool:
    """True for a line of web furniture copied with an article ('Leave a Reply', 'Share this:')."""
    return bool(_RESIDUE.match(line))


def drop_residue(paragraphs: list[str]) -> list[str]:
    """Cut the web furniture trailing a copied article: from the first residue line in its last part."""
    if not paragraphs:
        return paragraphs
    start = len(paragraphs) // 2
    for i in range(start, len(paragraphs)):
        if is_residue(paragraphs[i]):
            return paragraphs[:i]
    return [p for p in paragraphs if not is_residue(p)] if len(paragraphs) > 1 else paragraphs


def _split_paragraphs(text: str) -> list[str]:
    """Blank-line blocks; a block of hard-wrapped lines is one paragraph, else one per line."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        if len(lines) > 1 and _looks_wrapped(lines):
            paragraphs.append(" ".join(lines))
        else:
            paragraphs.extend(lines)
    return [re.sub(r"[ \t]+", " ", p) for p in paragraphs]


def _looks_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped prose: most lines end mid-sentence or run to a similar width."""
    body = lines[:-1]
    mid_sentence = sum(1 for ln in body if not _TERMINAL.search(ln) and not ln.endswith("?"))
    widths = [len(ln) for ln in body]
    even = max(widths) <= 100 and min(widths) >= 0.6 * max(widths) and max(widths) >= 40
    return (mid_sentence >= len(body) / 2 and min(widths) >= 30) or even


def is_heading_like(line: str, following: str | None) -> bool:
    """A short line without a closing full stop, or a question, that introduces longer text."""
    if following is None or not any(ch.isalpha() for ch in line):
        return False
    if line.endswith("?"):
        return len(line) <= _QUESTION_MAX_CHARS and not following.rstrip().endswith("?")
    if len(line) > _HEADING_MAX_CHARS or len(line.split()) > 14 or _TERMINAL.search(line):
        return False
    return len(following) > len(line)


def parse_text(text: str) -> Article:
    """Read plain text: the first title-like line is the title; headings and questions start sections."""
    paragraphs = drop_residue(_split_paragraphs(text))
    title = ""
    if paragraphs and len(paragraphs[0]) <= _QUESTION_MAX_CHARS and not _TERMINAL.search(paragraphs[0]):
        title = paragraphs[0]
        # A question opening a Q&A piece is both the title and the first chapter's heading.
        if not title.endswith("?"):
            paragraphs = paragraphs[1:]
    sections: list[Section] = []
    heading: str | None = None
    body: list[str] = []
    for i, para in enumerate(paragraphs):
        following = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        if is_heading_like(para, following):
            if body or heading is not None:
                sections.append(Section(heading, tuple(body)))
            heading, body = para, []
        else:
            body.append(para)
    if body or heading is not None:
        sections.append(Section(heading, tuple(body)))
    sections = [s for s in sections if s.paragraphs or s.title]
    if title and sections and sections[0].title == title:
        sections[0] = Section(None, sections[0].paragraphs)
    return Article(title=title, sections=tuple(sections))
