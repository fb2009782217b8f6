"""Documents made as documents (Word, OpenDocument, e-book chapters), read block by block.

The web path's reader (trafilatura) is made to tell an article from a page's clutter: it refuses a
page of fewer than 20 words, joins a heading to the paragraph after it, and reads footnotes. A
document has no clutter, so its blocks are read as they stand: the top level of its headings makes
the chapters, deeper headings are said as sentences, and notes are left out.
"""

from __future__ import annotations

from ..errors import InputError
from ..models import Article, Section

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def _utf8() -> object:
    """An HTML parser told the bytes are UTF-8 (the document's text, whatever its head declares; lxml
    takes bytes with no charset for Latin-1)."""
    from lxml import html

    return html.HTMLParser(encoding="utf-8")


def chapter_level(levels: list[int]) -> int:
    """The heading level whose headings make the chapters: the top one, unless it has fewer than four
    headings and the next has twice as many (a book's parts over its chapters: a part is hours long).
    A heading above that level is a chapter mark of its own, with nothing under it but its title."""
    from collections import Counter

    counts = Counter(level for level in levels if level)
    if not counts:
        return 0
    ordered = sorted(counts)
    top = ordered[0]
    if len(ordered) > 1 and counts[top] < 4 and counts[ordered[1]] >= max(4, 2 * counts[top]):
        return ordered[1]
    return top


def heading_key(text: str) -> str:
    """A heading's letters and digits, folded: "Part 1 - The Coming" and "PART 1. The coming" match."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def spoken_heading(text: str) -> str:
    """A heading said inside a chapter: with a full stop, as the web path says its headings."""
    return text + "." if text[-1:].isalnum() else text


def document_article(page: str, name: str, *, title: str | None = None, author: str | None = None,
                     language: str | None = None) -> Article:
    """An article from a document's HTML: ``title`` (else a heading of class ``title``), and one
    section a top-level heading, the text before the first one in a section of its own."""
    from lxml import html

    found = blocks(page)
    if not title:
        root = html.fromstring(page.encode("utf-8"), parser=_utf8())
        marked = root.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' title ')]")
        title = " ".join(marked[0].text_content().split()) if marked else None
    if title:  # the title (and the author) said once, as the title: not again as headings before the text
        named = {heading_key(title), heading_key(author or "") or None}
        first = next((n for n, (text, _) in enumerate(found) if heading_key(text) not in named), len(found))
        found = found[first:]  # a title page: the title and the author's name, as headings or lines
    top = chapter_level([level for _, level in found])
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for text, level in found:
        if level and level < top:  # a part over chapters: its own mark
            if heading or paragraphs:
                sections.append(Section(heading, tuple(paragraphs)))
            sections.append(Section(text, ()))
            heading, paragraphs = None, []
        elif level and level == top:
            if heading or paragraphs:
                sections.append(Section(heading, tuple(paragraphs)))
            heading, paragraphs = text, []
        else:
            paragraphs.append(spoken_heading(text) if level else text)
    if heading or paragraphs:
        sections.append(Section(heading, tuple(paragraphs)))
    if not any(section.paragraphs for section in sections):
        raise InputError(f"{name}: has no words to read")
    return Article(title=title or "", sections=tuple(sections), author=author, language=language)


_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dt", "dd", "figcaption", "td", "th")
_NOTES = {"noteref", "footnote", "footnotes", "endnote", "endnotes", "rearnote", "rearnotes", "annoref", "annotation"}
_NOTE_ROLES = {"doc-noteref", "doc-footnote", "doc-endnote", "doc-endnotes", "doc-backlink"}


def blocks(document: str) -> list[tuple[str, int]]:
    """The text of every block element that holds no other block, in document order, with its heading
    level (0: not a heading); notes, note marks and their back links are taken out first."""
    from lxml import etree, html

    try:
        root = html.fromstring(document.encode("utf-8"), parser=_utf8())
    except (etree.ParserError, ValueError):
        return []
    notes = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        kinds = set((element.get(EPUB_TYPE) or element.get("epub:type") or "").split())
        if kinds & _NOTES or element.get("role") in _NOTE_ROLES:
            notes.append(element)
    # Without those marks (EPUB 2): a link to a place in the document that links back to it is a note
    # mark, and that place its note.
    anchors = ("a", "{http://www.w3.org/1999/xhtml}a")
    places = {element.get("id"): element for element in root.iter()
              if isinstance(element.tag, str) and element.get("id")}
    for link in root.iter(*anchors):
        href = link.get("href") or ""
        target = places.get(href[1:]) if href.startswith("#") else None
        if target is not None and link.get("id") and any(
                back.get("href") == f"#{link.get('id')}" for back in target.iter(*anchors)):
            notes += [link, target]
    for element in notes:
        if element.getparent() is not None:
            element.drop_tree()
    for line_break in root.iter("br", "{http://www.w3.org/1999/xhtml}br"):
        line_break.tail = " " + (line_break.tail or "")  # "Part 1<br/>The Coming": two words
    found = []
    for element in root.iter():
        tag = str(element.tag).split("}")[-1] if isinstance(element.tag, str) else ""
        if tag not in _BLOCKS:
            continue
        inner = (child.tag.split("}")[-1] for child in element.iterdescendants() if isinstance(child.tag, str))
        if any(child in _BLOCKS for child in inner):
            continue
        text = " ".join(element.text_content().split())
        if text:
            found.append((text, int(tag[1]) if tag[0] == "h" and tag[1:].isdigit() else 0))
    return found


