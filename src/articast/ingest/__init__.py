"""Ingest: read an article from a file, a URL or stdin, and find its structure."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from ..errors import InputError
from ..models import Article, ArticleFacts, ProgressCallback
from .blocks import document_article
from .decode import MAX_ARTICLE_BYTES, decode_text
from .epub import is_epub, read_epub
from .html import looks_like_html, parse_html, real_author
from .markdown import is_skip_note, looks_like_markdown, parse_markdown
from .opendocument import ODT_TYPE, is_odt, read_odt
from .pdf import is_pdf, read_pdf
from .text import parse_text
from .web import fetch, is_url
from .word import DOCX_TYPE, is_docx, is_old_word, read_docx

__all__ = ["read_article", "parse_article", "with_facts", "split_chapters", "MAX_ARTICLE_BYTES", "is_url"]

_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_LIMIT_MB = MAX_ARTICLE_BYTES // 1_000_000
EPUB_TYPE = "application/epub+zip"
PDF_TYPE = "application/pdf"

MAX_DOCUMENT_BYTES = 200_000_000
"""A PDF or an e-book may be this large (their pictures weigh more than their words)."""

MAX_ARTICLE_WORDS = 150_000
"""About fifteen hours of speech: longer input is refused before any work starts, never a stalled machine."""


def read_source_bytes(source: str | Path) -> tuple[bytes, str]:
    """Return the raw bytes of a file or "-" (stdin) and a name for messages."""
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
        if not path.is_file():
            raise InputError(f"{name}: is not a regular file")
        try:
            size = path.stat().st_size
            if size > MAX_ARTICLE_BYTES:
                with path.open("rb") as file:
                    head = file.read(1024)
                if not (is_pdf(head) or head.startswith(b"PK")) or size > MAX_DOCUMENT_BYTES:
                    limit = MAX_DOCUMENT_BYTES if is_pdf(head) or head.startswith(b"PK") else MAX_ARTICLE_BYTES
                    raise InputError(f"{name}: {size / 1e6:.1f} MB is larger than the {limit // 1_000_000} MB "
                                     f"{'a document' if limit == MAX_DOCUMENT_BYTES else 'an article'} may be")
            data = path.read_bytes()
        except PermissionError:
            raise InputError(f"{name}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_ARTICLE_BYTES and (name == "stdin" or len(data) > MAX_DOCUMENT_BYTES):
        raise InputError(f"{name}: larger than the {_LIMIT_MB} MB an article may be")
    return data, name


def parse_article(text: str, *, name: str = "article", kind: str | None = None, url: str | None = None) -> Article:
    """Turn decoded text into an Article; kind is 'html', 'markdown' or 'text' (detected when None)."""
    if not text.strip():
        raise InputError(f"{name}: has no words to read")
    if kind is None:
        kind = "html" if looks_like_html(text) else "markdown" if looks_like_markdown(text) else "text"
    if kind == "html":
        article = parse_html(text, url=url, name=name)
    elif kind == "markdown":
        article = parse_markdown(text)
    else:
        article = parse_text(text)
    words = [p for s in article.sections for p in s.paragraphs] + [article.title]
    if not any(ch.isalnum() for p in words for ch in p):
        raise InputError(f"{name}: has no words to read, only symbols")
    prose = [p for s in article.sections for p in s.paragraphs if not is_skip_note(p)]
    if not prose and not any(s.title for s in article.sections):
        raise InputError(f"{name}: has only code or tables, no prose to read")
    count = sum(len(p.split()) for p in words)
    if count > MAX_ARTICLE_WORDS:
        raise InputError(f"{name}: has {count:,} words; articast reads up to {MAX_ARTICLE_WORDS:,} "
                         "(about fifteen hours) in one episode")
    return article


def _kind_from_suffix(suffix: str) -> str | None:
    if suffix in _MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in _HTML_SUFFIXES:
        return "html"
    return None


def with_facts(article: Article, facts: ArticleFacts | None) -> Article:
    """The article with its missing title, author, date, summary and link taken from ``facts``."""
    if facts is None:
        return article
    return dataclasses.replace(
        article,
        title=article.title.strip() or (facts.title or "").strip(),
        author=real_author(article.author) or real_author(facts.author),
        date=article.date or facts.date,
        summary=article.summary or facts.summary,
        link=article.link or facts.link,
    )


def read_article(source: str | Path, facts: ArticleFacts | None = None,
                 progress: ProgressCallback | None = None) -> Article:
    """Read an article from a path, an http(s) URL, or "-" (stdin): plain text, Markdown, HTML, Word,
    OpenDocument, EPUB or PDF.

    ``facts`` (from a feed item or a reading list) fill in what the article does not say itself;
    ``progress`` hears of a long document's pages as they are read (stage "read"). A
    Word document (.docx) is read as a page whose headings are its chapters (ingest.word)."""
    text_source = str(source)
    url = None
    served_language = None
    if is_url(text_source):
        fetched = fetch(text_source)
        served_language = fetched.language
        url = fetched.url
        name = text_source
        data = fetched.data
        if fetched.content_type == DOCX_TYPE or is_docx(data):
            return _finish(parse_word(data, name, url), text_source, name, url, served_language, facts)
        if fetched.content_type == ODT_TYPE or is_odt(data):
            return _finish(held_to_limits(read_odt(data, name), name), text_source, name, url, served_language, facts)
        if fetched.content_type == EPUB_TYPE or is_epub(data):
            return _finish(held_to_limits(read_epub(data, name), name), text_source, name, url, served_language, facts)
        if fetched.content_type == PDF_TYPE or is_pdf(data):
            return _finish(held_to_limits(read_pdf(data, name, progress), name), text_source, name, url,
                           served_language, facts)
        kind = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": None}.get(
            fetched.content_type, "markdown")
        if fetched.charset:
            try:
                text = data.decode(fetched.charset)
            except (LookupError, UnicodeDecodeError):
                text = decode_text(data, name=name)
        else:
            text = decode_text(data, name=name)
        if not text.strip():
            raise InputError(f"{name}: the page is empty")
    else:
        data, name = read_source_bytes(source)
        if is_pdf(data):
            return _finish(held_to_limits(read_pdf(data, name, progress), name), text_source, name, None,
                           served_language, facts)
        if is_old_word(data):
            raise InputError(f"{name}: is an old Word .doc or a password-protected document; "
                             "save it as .docx without a password")
        if is_docx(data) or (text_source != "-" and Path(text_source).suffix.lower() == ".docx"):
            return _finish(parse_word(data, name, None), text_source, name, None, served_language, facts)
        if is_odt(data) or (text_source != "-" and Path(text_source).suffix.lower() == ".odt"):
            return _finish(held_to_limits(read_odt(data, name), name), text_source, name, None, served_language,
                           facts)
        if is_epub(data) or (text_source != "-" and Path(text_source).suffix.lower() == ".epub"):
            return _finish(held_to_limits(read_epub(data, name), name), text_source, name, None, served_language,
                           facts)
        text = decode_text(data, name=name)
        kind = None if text_source == "-" else _kind_from_suffix(Path(text_source).suffix.lower())
    return _finish(parse_article(text, name=name, kind=kind, url=url), text_source, name, url, served_language,
                   facts)


def parse_word(data: bytes, name: str, url: str | None) -> Article:
    """A Word document read block by block: headings as chapters (see ingest.word, ingest.blocks)."""
    if not is_docx(data):
        raise InputError(f"{name}: is not a Word document that can be read (a damaged .docx?)")
    document = read_docx(data, name)
    return held_to_limits(document_article(document.html, name, title=document.title, author=document.author,
                                           language=document.language), name)


def split_chapters(article: Article) -> list[Article]:
    """A book as one article a chapter (``produce --split chapters``), numbered in order, each naming
    the book as its series; a chapter with nothing to read is left out of the count."""
    chapters = [section for section in article.sections if any(not is_skip_note(p) for p in section.paragraphs)]
    parts = []
    for number, section in enumerate(chapters, start=1):
        title = f"{article.title}, {number}: {section.title}" if section.title else f"{article.title}, {number}"
        parts.append(dataclasses.replace(
            article, title=title, sections=(section,),
            source=f"{article.source}#chapter-{number}" if article.source else None, series=article.title,
            part=number, parts=len(chapters), summary=None))
    return parts


def held_to_limits(book: Article, name: str) -> Article:
    """A document read (Word, OpenDocument, an e-book), held to the limits every article is."""
    count = sum(len(p.split()) for s in book.sections for p in s.paragraphs)
    if count > MAX_ARTICLE_WORDS:
        raise InputError(f"{name}: has {count:,} words; articast reads up to {MAX_ARTICLE_WORDS:,} "
                         "(about fifteen hours) in one episode")
    return book


def _finish(parsed: Article, text_source: str, name: str, url: str | None, served_language: str | None,
            facts: ArticleFacts | None) -> Article:
    """The article read, with its link, the facts given, a title, its language and where it came from."""
    from .language import with_language

    article = with_facts(dataclasses.replace(parsed, link=parsed.link or url), facts)
    if not article.title.strip():
        stem = ""
        if url is None and text_source != "-":
            stem = Path(text_source).stem.replace("-", " ").replace("_", " ").strip()
        article = dataclasses.replace(article, title=stem or "Untitled")
    where = url or (name if text_source == "-" else str(Path(text_source).resolve()))
    article = with_language(article, served_language, facts.language if facts else None)
    return dataclasses.replace(article, source=where)
