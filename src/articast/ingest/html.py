"""HTML pages: the main article found by trafilatura; title, author, date and language from the page."""

from __future__ import annotations

import re

from ..errors import InputError
from ..models import Article
from .markdown import parse_markdown

MIN_ARTICLE_WORDS = 20
"""Fewer words than this extracted from a page means it holds no article (a menu, a login wall)."""

_LANG = re.compile(r"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)", re.IGNORECASE)
_HTML_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body)",
                         re.IGNORECASE | re.DOTALL)


def looks_like_html(text: str) -> bool:
    """True when text starts like an HTML document."""
    return bool(_HTML_START.match(text[:4096]))


def strip_site_name(title: str, site_name: str | None) -> str:
    """'Story | The Gazette' -> 'Story' when 'The Gazette' is the site's name."""
    title = title.strip()
    if not site_name:
        return title
    for sep in (" | ", " - ", " – ", " — ", " :: ", " · ", ": "):
        parts = title.split(sep)
        if len(parts) > 1:
            if parts[-1].strip().lower() == site_name.strip().lower():
                return sep.join(parts[:-1]).strip()
            if parts[0].strip().lower() == site_name.strip().lower():
                return sep.join(parts[1:]).strip()
    return title


def parse_html(html: str, *, url: str | None = None, name: str = "page") -> Article:
    """Extract the article from an HTML page, dropping navigation, ads, banners, related links and footers."""
    import trafilatura

    markdown = trafilatura.extract(
        html, url=url, output_format="markdown", include_formatting=True, include_comments=False,
        include_tables=False, include_links=False, include_images=False, favor_precision=True,
    )
    if not markdown or len(markdown.split()) < MIN_ARTICLE_WORDS:
        raise InputError(f"{name}: no article text found in the page")
    meta = trafilatura.extract_metadata(html, default_url=url)
    article = parse_markdown(markdown)
    title = strip_site_name((meta.title if meta and meta.title else "") or article.title,
                            meta.sitename if meta else None)
    sections = article.sections
    # trafilatura may repeat the title as the first heading of the body.
    if sections and sections[0].title and sections[0].title.strip() == title:
        from ..models import Section

        sections = (Section(None, sections[0].paragraphs),) + sections[1:]
    lang = _LANG.search(html[:20000])
    return Article(
        title=title or article.title,
        sections=sections,
        author=(meta.author if meta and meta.author else None) or article.author,
        date=(meta.date if meta and meta.date else None) or article.date,
        summary=(meta.description if meta and meta.description else None) or article.summary,
        language=lang.group(1) if lang else None,
    )
