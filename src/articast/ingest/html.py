"""HTML pages: the main article found by trafilatura; title, author, date and language from the page."""

from __future__ import annotations

import re

from ..errors import InputError
from ..models import Article, Section
from .markdown import parse_markdown

MIN_ARTICLE_WORDS = 20
"""Fewer words than this extracted from a page means it holds no article (a menu, a login wall)."""

_LOCALE = re.compile(r"<meta[^>]+property\s*=\s*[\"']og:locale[\"'][^>]+content\s*=\s*[\"']"
                     r"([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)", re.IGNORECASE)
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


_BOX = re.compile(r"callout|highlight|pull-?quote|key-?(points|takeaways|facts)|\btip\b|\bnote\b|info-?box|"
                  r"fact-?box|summary|at-a-glance", re.IGNORECASE)
_FURNITURE = re.compile(r"related|share|social|newsletter|subscribe|comment|bio|author|promo|advert|\bads?\b|"
                        r"sponsor|nav|menu|cookie|consent|footer|sidebar|widget|popular|trending|recommend",
                        re.IGNORECASE)


def _readable(html: str) -> str:
    """The page with what trafilatura would drop but a listener wants made plain: figure captions and
    highlighted boxes become paragraphs where they stand, a table's caption a paragraph above it.
    Inline emphasis is unwrapped to its text: trafilatura's Markdown drops the space after it and
    breaks the paragraph before it ("the\n\n*New York Times*claimed"), and a voice says none of it."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return html
    etree.strip_tags(root, "em", "i", "strong", "b", "u", "mark", "cite", "dfn", "abbr", "q", "small", "s")
    changed = True
    for figure in root.iter("figure"):
        figure.tag = "div"
        changed = True
    for caption in root.iter("figcaption"):
        caption.tag = "p"
        changed = True
    for box in root.xpath("//aside | //div[@class or @id] | //section[@class or @id]"):
        marks = f"{box.get('class', '')} {box.get('id', '')}"
        if _BOX.search(marks) and not _FURNITURE.search(marks):
            box.tag = "div"
            box.set("class", "articast-box")
            changed = True
    for caption in root.xpath("//table/caption"):
        table = caption.getparent()
        text = " ".join(caption.text_content().split())
        table.remove(caption)
        if text:
            paragraph = etree.Element("p")
            paragraph.text = text
            table.addprevious(paragraph)
        changed = True
    return lxml_html.tostring(root, encoding="unicode") if changed else html


PLACEHOLDER_AUTHORS = {"no author", "unknown", "unknown author", "none", "n/a", "na", "null", "undefined",
                       "admin", "administrator", "author", "by", "webmaster", "default", "user", "nobody"}
"""What content systems put in an author field that has no author in it: never credited."""


def real_author(name: str | None) -> str | None:
    """The author's name, or None for an empty or placeholder one ('No Author', 'admin')."""
    if not name or not name.strip():
        return None
    name = " ".join(name.split())
    return None if name.lower().strip(" .:") in PLACEHOLDER_AUTHORS else name


def _candidates(html: str) -> list[str]:
    """Headlines a page states besides its metadata's title: og:title, its h1s, twitter:title, <title>."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    found = [*root.xpath("//meta[@property='og:title']/@content"), *(h.text_content() for h in root.iter("h1")),
             *root.xpath("//meta[@name='twitter:title']/@content"), *root.xpath("//head/title/text()")]
    return [" ".join(str(text).split()) for text in found if str(text).strip()]


def _looks_like_a_name(title: str, names: set[str]) -> bool:
    """A metadata title that is the site's or its software's name ('escenic', 'pix-bavaria'), not a headline."""
    return not title or len(title.split()) == 1 or title.strip().lower() in names


def page_headline(html: str, title: str, site_name: str | None) -> str:
    """The article's title: the metadata's, unless that is a name (of the site, of the content
    system: one word, where the page states a headline of several in og:title or its h1)."""
    from lxml import etree
    from lxml import html as lxml_html

    names = {site_name.strip().lower()} if site_name else set()
    try:
        names |= {str(g).split()[0].lower() for g in lxml_html.document_fromstring(html).xpath(
            "//meta[@name='generator']/@content") if str(g).strip()}
    except (etree.ParserError, ValueError, IndexError):
        pass
    title = strip_site_name(title, site_name)
    if not _looks_like_a_name(title, names):
        return title
    for candidate in _candidates(html):
        candidate = strip_site_name(candidate, site_name)
        if len(candidate.split()) > 1 and candidate.lower() not in names:
            return candidate
    return title


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _unrepeated(paragraphs: tuple[str, ...], others: list[str]) -> tuple[str, ...]:
    """Without a pull quote: a paragraph of 6 words or more whose words all stand in another paragraph."""
    kept = []
    for paragraph in paragraphs:
        mine = _words(paragraph)
        if len(mine.split()) >= 6 and any(mine in _words(other) and _words(other) != mine for other in others):
            continue
        kept.append(paragraph)
    return tuple(kept)


def parse_html(html: str, *, url: str | None = None, name: str = "page") -> Article:
    """Extract the article from an HTML page, dropping navigation, ads, banners, related links and footers."""
    import trafilatura

    markdown = trafilatura.extract(
        _readable(html), url=url, output_format="markdown", include_formatting=True, include_comments=False,
        include_tables=True, include_links=False, include_images=False,
    )
    if not markdown or len(markdown.split()) < MIN_ARTICLE_WORDS:
        raise InputError(f"{name}: no article text found in the page")
    meta = trafilatura.extract_metadata(html, default_url=url)
    article = parse_markdown(markdown)
    title = page_headline(html, (meta.title if meta and meta.title else "") or article.title,
                          meta.sitename if meta else None)
    sections = article.sections
    # trafilatura may repeat the title as the first heading of the body.
    if sections and sections[0].title and sections[0].title.strip() == title:
        sections = (Section(None, sections[0].paragraphs),) + sections[1:]
    # The body's own first heading, when the page's title says something else, is a headline the
    # page shows: read it (headings are never dropped).
    headline = article.title.strip()
    if headline and title and _words(headline) != _words(title) and sections:
        first = sections[0]
        spoken = headline if headline[-1] in ".!?" else headline + "."
        sections = (Section(first.title, (spoken, *first.paragraphs)),) + sections[1:]
    everything = [p for section in sections for p in section.paragraphs]
    sections = tuple(Section(s.title, tuple(p for p in _unrepeated(s.paragraphs, everything)
                                            if _words(p) != _words(title or article.title)))
                     for s in sections)
    lang = _LANG.search(html[:20000]) or _LOCALE.search(html[:20000])
    # The page's own address for itself (rel=canonical, og:url): the one its readers share, and the
    # one embed.js finds the episode by on the page.
    canonical = meta.url if meta and meta.url and meta.url.startswith(("https://", "http://")) else None
    return Article(
        title=title or article.title,
        sections=sections,
        author=real_author(meta.author if meta else None) or real_author(article.author),
        date=(meta.date if meta and meta.date else None) or article.date,
        summary=(meta.description if meta and meta.description else None) or article.summary,
        language=lang.group(1) if lang else None,
        link=canonical,
    )
