"""Markdown via markdown-it-py: headings become sections; lists, quotes and emphasis read as prose."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..models import Article, Section
from .text import drop_residue

CODE_SKIPPED = "A code sample is skipped here."
TABLE_SKIPPED = "A table is skipped here."

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_MD_HINTS = re.compile(r"^(#{1,6}\s+\S|```|~~~|\s*[-*+]\s+\S.*\n\s*[-*+]\s+\S|\[[^\]]+\]\([^)]+\))", re.MULTILINE)


def looks_like_markdown(text: str) -> bool:
    """True when plain-looking text carries Markdown headings, fences or links."""
    return bool(_FRONT_MATTER.match(text)) or bool(_MD_HINTS.search(text))


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and value.strip():
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, text[match.end():]


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    skip_depth = 0
    for child in token.children or []:
        if child.type == "image":
            continue
        if child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type in ("text", "code_inline") and not skip_depth:
            parts.append(child.content)
        elif child.type == "html_inline":
            continue
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _as_sentence(text: str) -> str:
    """A list item or table-like fragment ends with a stop so the voice pauses after it."""
    return text if re.search(r"[.!?:;…]['\"”’)]*$", text) else text + "."


def parse_markdown(text: str) -> Article:
    """Read Markdown: '# Title' is the title; the top heading level below it starts sections."""
    meta, body = _front_matter(text)
    tokens = MarkdownIt("commonmark").enable("table").parse(body)

    blocks: list[tuple[str, int, str]] = []  # (kind, heading level, text)
    in_list_item = 0
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            blocks.append(("heading", int(tok.tag[1]), _inline_text(tokens[i + 1])))
        elif tok.type == "list_item_open":
            in_list_item += 1
        elif tok.type == "list_item_close":
            in_list_item -= 1
        elif tok.type == "inline" and tokens[i - 1].type == "paragraph_open":
            line = _inline_text(tok)
            if line:
                blocks.append(("para", 0, _as_sentence(line) if in_list_item else line))
        elif tok.type in ("fence", "code_block"):
            blocks.append(("para", 0, CODE_SKIPPED))
        elif tok.type == "table_open":
            blocks.append(("para", 0, TABLE_SKIPPED))
        elif tok.type == "html_block":
            stripped = re.sub(r"<[^>]+>", " ", tok.content)
            stripped = re.sub(r"\s+", " ", stripped).strip()
            if stripped:
                blocks.append(("para", 0, stripped))

    # Collapse runs of "skipped" notes so mostly-code documents do not repeat themselves.
    collapsed: list[tuple[str, int, str]] = []
    for block in blocks:
        if collapsed and block[2] in (CODE_SKIPPED, TABLE_SKIPPED) and collapsed[-1][2] == block[2]:
            continue
        collapsed.append(block)
    blocks = collapsed

    title = meta.get("title", "")
    headings = [b for b in blocks if b[0] == "heading"]
    # A leading heading above all others is the document's title (front matter may name it too).
    if blocks and blocks[0][0] == "heading" and all(h[1] > blocks[0][1] for h in headings[1:]):
        title = title or blocks[0][2]
        blocks = blocks[1:]
        headings = headings[1:]
    chapter_level = min((h[1] for h in headings), default=0)

    sections: list[Section] = []
    heading: str | None = None
    paras: list[str] = []
    for kind, level, content in blocks:
        if kind == "heading" and level == chapter_level:
            if paras or heading is not None:
                sections.append(Section(heading, tuple(drop_residue(paras))))
            heading, paras = content, []
        elif kind == "heading":
            paras.append(_as_sentence(content))
        else:
            paras.append(content)
    if paras or heading is not None:
        sections.append(Section(heading, tuple(drop_residue(paras))))

    if not title and sections and sections[0].title is None and sections[0].paragraphs:
        first = sections[0].paragraphs[0]
        if len(first) <= 120 and not first.endswith("."):
            title = first
            sections[0] = Section(None, sections[0].paragraphs[1:])
    sections = [s for s in sections if s.paragraphs or s.title]
    return Article(
        title=title,
        sections=tuple(sections),
        author=meta.get("author"),
        date=meta.get("date"),
        summary=meta.get("description") or meta.get("summary"),
        language=meta.get("lang") or meta.get("language"),
    )
