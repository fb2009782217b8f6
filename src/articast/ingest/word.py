"""Word documents (.docx): turned into HTML by mammoth, then read block by block (ingest.blocks).

Headings (Heading 1-6, and the Title style) become the article's title and chapters; comments and
tracked deletions are not read (tracked insertions are: they are the text as it now stands);
footnote and endnote marks and their notes are left out, as are images. The title, author and
language come from the document's own properties (docProps/core.xml) when it has them; its dates
are when the file was made, not when the article was published, and are not taken.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass

from ..errors import InputError

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MAX_UNPACKED_BYTES = 200 * 2**20
"""A document whose parts unpack to more than this is refused before it is read (a zip bomb)."""

_STYLE_MAP = """
p[style-name='Title'] => h1.title:fresh
p[style-name='Subtitle'] => p.subtitle:fresh
comment-reference => !
p[style-name='TOC Heading'] => !
""" + "".join(f"p[style-name='{name} {level}'] => !\n" for name in ("toc", "TOC") for level in range(1, 10))
"""mammoth's defaults, and: the Title style is the document's title; comments and the table of
contents (its heading and entries) are never read."""

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an old binary .doc, and of an encrypted .docx (both are OLE containers)."""


@dataclass(frozen=True)
class WordDocument:
    """A Word document as an HTML page, and what its properties say."""

    html: str
    title: str | None
    author: str | None
    language: str | None


def is_docx(data: bytes) -> bool:
    """Whether ``data`` is a .docx: a zip package with a word/document.xml part."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return "word/document.xml" in package.namelist()
    except zipfile.BadZipFile:
        return False


def is_old_word(data: bytes) -> bool:
    """Whether ``data`` is an OLE container: a .doc from before 2007, or a password-protected .docx."""
    return data.startswith(_OLE)


def read_docx(data: bytes, name: str) -> WordDocument:
    """The document as an HTML page whose headings are its chapters, with its properties."""
    import mammoth

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if sum(info.file_size for info in package.infolist()) > MAX_UNPACKED_BYTES:
                raise InputError(f"{name}: unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; "
                                 "it is not a document articast reads")
            core = package.read("docProps/core.xml") if "docProps/core.xml" in package.namelist() else b""
    except zipfile.BadZipFile:
        raise InputError(f"{name}: is not a Word document that can be read (a damaged .docx?)") from None
    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=_STYLE_MAP,
                                         convert_image=mammoth.images.img_element(lambda image: {}))
    except Exception as exc:  # mammoth raises what its XML reader and zip reader raise
        raise InputError(f"{name}: is not a Word document that can be read ({type(exc).__name__})") from None
    body = _without_notes(result.value)
    title, author, language = _properties(core)
    head = f'<meta name="author" content="{html.escape(author)}">' if author else ""
    page = (f'<!DOCTYPE html><html{f" lang={html.escape(language)!r}" if language else ""}><head>'
            f"<title>{html.escape(title or '')}</title>{head}</head><body><article>{body}</article></body></html>")
    return WordDocument(page, title, author, language)


def _without_notes(body: str) -> str:
    """The body without footnote and endnote marks, and without the notes mammoth puts at its end."""
    body = re.sub(r'<sup><a href="#(?:footnote|endnote)-[^"]*" id="(?:footnote|endnote)-ref-[^"]*">[^<]*</a></sup>',
                  "", body)
    return re.sub(r'<ol><li id="(?:footnote|endnote)-.*$', "", body, flags=re.S)


def _properties(core: bytes) -> tuple[str | None, str | None, str | None]:
    """Title, author and language from docProps/core.xml; None for what it does not say."""
    if not core:
        return None, None, None
    from lxml import etree

    try:
        root = etree.fromstring(core, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None, None, None
    names = {"dc": "http://purl.org/dc/elements/1.1/"}

    def text(path: str) -> str | None:
        found = root.findtext(path, namespaces=names)
        return (" ".join(found.split()) or None) if found else None

    return text("dc:title"), text("dc:creator"), text("dc:language")
