"""OpenDocument text (.odt): read block by block, as a Word document is (ingest.blocks).

Headings (``text:h`` with their outline level, and the Title paragraph style) become the title and
chapters; paragraphs, list items and table cells are read in document order. Comments
(``office:annotation``), the text of tracked deletions (kept in ``text:tracked-changes``, outside
the flow), footnotes and endnotes (``text:note``) and frames (pictures, text boxes) are not read.
Title, author and language come from meta.xml.
"""

from __future__ import annotations

import html
import io
import zipfile

from ..errors import InputError
from ..models import Article
from .blocks import document_article

ODT_TYPE = "application/vnd.oasis.opendocument.text"

MAX_UNPACKED_BYTES = 200 * 2**20
"""A document whose parts unpack to more than this is refused before it is read (a zip bomb)."""

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_SKIPPED = {f"{{{_OFFICE}}}annotation", f"{{{_OFFICE}}}annotation-end", f"{{{_TEXT}}}tracked-changes",
            f"{{{_TEXT}}}note", "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}frame",
            f"{{{_TEXT}}}table-of-content", f"{{{_TEXT}}}alphabetical-index", f"{{{_TEXT}}}bibliography"}
"""Elements whose text is not read: comments, deleted text, notes, frames, generated indexes."""


def is_odt(data: bytes) -> bool:
    """Whether ``data`` is an OpenDocument text: a zip package whose mimetype says so."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            return "mimetype" in names and package.read("mimetype").strip() == ODT_TYPE.encode()
    except (zipfile.BadZipFile, KeyError):
        return False


def read_odt(data: bytes, name: str) -> Article:
    """The document as an article whose top-level headings are its chapters (see ingest.blocks)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if sum(info.file_size for info in package.infolist()) > MAX_UNPACKED_BYTES:
                raise InputError(f"{name}: unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; "
                                 "it is not a document articast reads")
            content = etree.fromstring(package.read("content.xml"), parser)
            meta = etree.fromstring(package.read("meta.xml"), parser) if "meta.xml" in package.namelist() else None
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        raise InputError(f"{name}: is not an OpenDocument text that can be read (a damaged .odt?)") from None
    body = content.find(f"{{{_OFFICE}}}body/{{{_OFFICE}}}text")
    if body is None:
        raise InputError(f"{name}: is not an OpenDocument text that can be read (it has no text body)")
    blocks: list[str] = []
    for element in body.iter(f"{{{_TEXT}}}h", f"{{{_TEXT}}}p"):
        ancestors = {ancestor.tag for ancestor in element.iterancestors()}
        if ancestors & _SKIPPED or f"{{{_TEXT}}}p" in ancestors:  # (a paragraph in a paragraph is in a note)
            continue
        text = html.escape(" ".join(_text(element).split()))
        if not text:
            continue
        if element.tag == f"{{{_TEXT}}}h":
            level = min(6, max(1, int(element.get(f"{{{_TEXT}}}outline-level", "1") or 1)))
            blocks.append(f"<h{level}>{text}</h{level}>")
        elif (element.get(f"{{{_TEXT}}}style-name") or "").lower() == "title":
            blocks.append(f'<h1 class="title">{text}</h1>')
        else:
            blocks.append(f"<p>{text}</p>")
    title, author, language = _properties(meta)
    return document_article(f"<html><body>{''.join(blocks)}</body></html>", name, title=title, author=author,
                            language=language)


def _text(element: object) -> str:
    """An element's text, without what is in its skipped children; text:s, text:tab and
    text:line-break are spaces."""
    parts: list[str] = []

    def walk(node: object) -> None:
        tag = getattr(node, "tag", None)
        if tag in _SKIPPED:
            if node.tail:  # type: ignore[attr-defined]
                parts.append(node.tail)  # type: ignore[attr-defined]
            return
        if tag in (f"{{{_TEXT}}}s", f"{{{_TEXT}}}tab", f"{{{_TEXT}}}line-break"):
            parts.append(" ")
        elif node.text:  # type: ignore[attr-defined]
            parts.append(node.text)  # type: ignore[attr-defined]
        for child in node:  # type: ignore[attr-defined]
            walk(child)
        if node is not element and node.tail:  # type: ignore[attr-defined]
            parts.append(node.tail)  # type: ignore[attr-defined]

    walk(element)
    return "".join(parts)


def _properties(meta: object) -> tuple[str | None, str | None, str | None]:
    """Title, author and language from meta.xml; None for what it does not say."""
    if meta is None:
        return None, None, None
    names = {"dc": "http://purl.org/dc/elements/1.1/", "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"}

    def text(path: str) -> str | None:
        found = meta.findtext(path, namespaces=names)  # type: ignore[attr-defined]
        return (" ".join(found.split()) or None) if found else None

    return (text(".//dc:title"), text(".//meta:initial-creator") or text(".//dc:creator"),
            text(".//dc:language"))
