"""Markdown via markdown-it-py: headings become sections; lists, quotes and emphasis read as prose."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..models import CODE_SKIPPED, Article, Section, is_skip_note, table_skipped
from .text import drop_residue

__all__ = ["CODE_SKIPPED", "is_skip_note", "parse_markdown", "table_skipped"]

MAX_TABLE_CELLS = 40
"""A table of facts up to this size is read row by row; a bigger one is announced and skipped."""
LAYOUT_CELL_WORDS = 25
"""A cell this long holds prose, not a fact: its table lays out text and is read as text."""

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_MD_HINTS = re.compile(r"^(#{1,6}\s+\S|```|~~~|\s*[-*+]\s+\S.*\n\s*[-*+]\s+\S|\[[^\]]+\]\([^)]+\))", re.MULTILINE)


def looks_like_markdown(text: str) -> bool:
    """True when plain-looking text carries Markdown headings, fences or links."""
    return bool(_FRONT_MATTER.match(text)) or bool(_MD_HINTS.search(text))


def _iso_day(value: str | None) -> str | None:
    """A front-matter date as YYYY-MM-DD: ISO 8601 (with or without a time), RFC 2822, or 'March 1, 2024'."""
    if not value:
        return None
    value = value.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}(?!\d)", value):
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    with contextlib.suppress(TypeError, ValueError):
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    for layout in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y"):
        with contextlib.suppress(ValueError):
            return dt.datetime.strptime(value, layout).date().isoformat()
    return None


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


def _table_rows(tokens: list[Token], start: int) -> tuple[list[tuple[bool, list[str]]], int]:
    """The rows of the table opening at ``start`` as (in the header?, cell texts), and its end."""
    rows: list[tuple[bool, list[str]]] = []
    in_head = False
    i = start
    while i < len(tokens) and tokens[i].type != "table_close":
        kind = tokens[i].type
        if kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            rows.append((in_head, []))
        elif kind == "inline" and rows:
            rows[-1][1].append(_inline_text(tokens[i]))
        i += 1
    return rows, i


def _is_rule(cells: list[str]) -> bool:
    return all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells if cell) and any(cells)


def read_table(rows: list[tuple[bool, list[str]]]) -> list[str]:
    """A table as what is said of it: a small table of facts row by row ("Wanderer: Monthly fee, 3 GBP;
    Foreign fee, 0.5%."), a layout table as its text, a big one in one sentence."""
    rows = [(head, cells) for head, cells in rows if any(cells) and not _is_rule(cells)]
    if not rows:
        return []
    cells = [cell for _, row in rows for cell in row if cell]
    if any(len(cell.split()) > LAYOUT_CELL_WORDS for cell in cells):
        return [_as_sentence(cell) for cell in cells]  # a layout table: its text, in order
    if all(len([cell for cell in row if cell]) <= 2 for _, row in rows) and all(len(row) <= 2 for _, row in rows):
        # Facts in pairs (an infobox, a recipe's times): each row is a name and its value.
        if len(cells) > MAX_TABLE_CELLS:
            return [table_skipped(len(rows))]
        return [f"{row[0].rstrip('.:')}: {row[1]}." if len(row) == 2 and row[0] and row[1]
                else _as_sentence(row[0] or row[-1]) for _, row in rows]
    header = rows[0][1] if rows[0][0] else []
    body = [row for head, row in rows if not head]
    # A header row that says nothing (a caption spread over empty cells) is read as a sentence.
    spoken: list[str] = []
    if header and sum(1 for cell in header if cell) == 1 and len(header) > 1:
        spoken.append(_as_sentence(next(cell for cell in header if cell)))
        header, body = (body[0], body[1:]) if body else ([], [])
    if sum(len(row) for row in body) + len(header) > MAX_TABLE_CELLS:
        return spoken + [table_skipped(len(body))]
    for row in body:
        first, rest = row[0] if row else "", row[1:]
        pairs = [f"{header[n + 1]}, {value}" if n + 1 < len(header) and header[n + 1] else value
                 for n, value in enumerate(rest) if value]
        if first and pairs:
            spoken.append(f"{first.rstrip('.:')}: {'; '.join(pairs)}.")
        elif first or pairs:
            spoken.append(_as_sentence(first or "; ".join(pairs)))
    return spoken


def parse_markdown(text: str) -> Article:
    """Read Markdown: '# Title' is the title; the top heading level below it starts sections."""
    meta, body = _front_matter(text)
    tokens = MarkdownIt("commonmark").enable("table").parse(body)

    blocks: list[tuple[str, int, str]] = []  # (kind, heading level, text)
    in_list_item = 0
    table_end = -1
    for i, tok in enumerate(tokens):
        if i <= table_end:
            continue  # inside a table read whole below
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
            rows, table_end = _table_rows(tokens, i)
            blocks.extend(("para", 0, line) for line in read_table(rows))
        elif tok.type == "html_block":
            stripped = re.sub(r"<[^>]+>", " ", tok.content)
            stripped = re.sub(r"\s+", " ", stripped).strip()
            if stripped:
                blocks.append(("para", 0, stripped))

    # Collapse runs of "skipped" notes so mostly-code documents do not repeat themselves.
    collapsed: list[tuple[str, int, str]] = []
    for block in blocks:
        if collapsed and is_skip_note(block[2]) and collapsed[-1][2] == block[2]:
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
        date=_iso_day(meta.get("date")),
        summary=meta.get("description") or meta.get("summary"),
        language=meta.get("lang") or meta.get("language"),
    )
