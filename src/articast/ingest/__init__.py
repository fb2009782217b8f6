"""Ingest: read an article from a file or stdin and find its structure."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import InputError
from ..models import Article
from .decode import MAX_ARTICLE_BYTES, decode_text
from .markdown import parse_markdown, looks_like_markdown
from .text import parse_text

__all__ = ["read_article", "parse_article", "MAX_ARTICLE_BYTES"]

_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}


def read_source_bytes(source: str | Path) -> tuple[bytes, str]:
    """Return the raw bytes of ``source`` ("-" is stdin) and a name for messages."""
    if str(source) == "-":
        data = sys.stdin.buffer.read(MAX_ARTICLE_BYTES + 1)
        name = "stdin"
    else:
        path = Path(source)
        name = str(path)
        if not path.exists():
            raise InputError(f"{name}: no such file")
        if path.is_dir():
            raise InputError(f"{name}: is a folder, not an article file")
        try:
            size = path.stat().st_size
            if size > MAX_ARTICLE_BYTES:
                raise InputError(
                    f"{name}: {size / 1e6:.1f} MB is larger than the "
                    f"{MAX_ARTICLE_BYTES // 1_000_000} MB an article may be"
                )
            data = path.read_bytes()
        except PermissionError:
            raise InputError(f"{name}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(f"{name}: larger than the {MAX_ARTICLE_BYTES // 1_000_000} MB an article may be")
    return data, name


def parse_article(text: str, *, name: str = "article", markdown: bool | None = None) -> Article:
    """Turn decoded text into an Article; Markdown is detected when ``markdown`` is None."""
    if not text.strip():
        raise InputError(f"{name}: has no words to read")
    if markdown is None:
        markdown = looks_like_markdown(text)
    article = parse_markdown(text) if markdown else parse_text(text)
    if not any(p.strip() for s in article.sections for p in s.paragraphs) and not article.title.strip():
        raise InputError(f"{name}: has no words to read")
    if not any(ch.isalnum() for s in article.sections for p in s.paragraphs for ch in p) and not any(
        ch.isalnum() for ch in article.title
    ):
        raise InputError(f"{name}: has no words to read, only symbols")
    return article


def read_article(source: str | Path) -> Article:
    """Read an article from a path or "-" (stdin): plain text or Markdown."""
    data, name = read_source_bytes(source)
    text = decode_text(data, name=name)
    suffix = Path(str(source)).suffix.lower() if str(source) != "-" else ""
    markdown = True if suffix in _MARKDOWN_SUFFIXES else None
    article = parse_article(text, name=name, markdown=markdown)
    if not article.title.strip() and str(source) != "-":
        stem = Path(str(source)).stem.replace("-", " ").replace("_", " ").strip()
        article = Article(title=stem or "Untitled", sections=article.sections, author=article.author,
                          date=article.date, summary=article.summary)
    return article
