"""E-books (EPUB 2 and 3): the chapters the book's navigation names, in spine order, each read as the
web path reads a page.

The table of contents is the EPUB 3 navigation document (``nav epub:type="toc"``), else the EPUB 2
NCX. Front and back matter is left out where the book says what it is: the landmarks (EPUB 3) or
the guide (EPUB 2), ``epub:type`` on a document's body or first section, and spine items marked
``linear="no"``. A spine document the contents do not name continues the chapter before it; one
before the first named chapter (a cover, a title page) is left out.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote, urldefrag

from ..errors import InputError
from ..models import Article, Section
from .blocks import EPUB_TYPE, blocks, heading_key, spoken_heading

MAX_UNPACKED_BYTES = 500 * 2**20
"""A book whose files unpack to more than this is refused before it is read (a zip bomb)."""

SKIPPED_TYPES = {"cover", "titlepage", "halftitlepage", "title-page", "copyright-page", "copyright", "toc",
                 "index", "colophon", "loi", "lot", "imprint", "imprimatur", "landmarks", "frontispiece",
                 "bibliography"}
"""The kinds of front and back matter that are not read (EPUB 3 epub:type values, EPUB 2 guide types)."""

_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "opf": "http://www.idpf.org/2007/opf",
       "dc": "http://purl.org/dc/elements/1.1/", "x": "http://www.w3.org/1999/xhtml",
       "ncx": "http://www.daisy.org/z3986/2005/ncx/", "epub": "http://www.idpf.org/2007/ops"}


@dataclass(frozen=True)
class Chapter:
    """One chapter of the book: its title in the contents, and the spine documents it spans."""

    title: str
    files: tuple[str, ...]


def is_epub(data: bytes) -> bool:
    """Whether ``data`` is an EPUB: a zip package with META-INF/container.xml."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            return "META-INF/container.xml" in names and "word/document.xml" not in names
    except zipfile.BadZipFile:
        return False


def _xml(package: zipfile.ZipFile, path: str, name: str) -> object:
    from lxml import etree

    try:
        data = package.read(path)
    except KeyError:
        raise InputError(f"{name}: the e-book names {path}, which it does not hold") from None
    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                                                      huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{name}: {path} in the e-book cannot be read ({exc})") from None


def read_epub(data: bytes, name: str) -> Article:
    """The book as an article: its title, author, language and date, and one section a chapter."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"{name}: is not an e-book that can be read (a damaged .epub?)") from None
    with package:
        if sum(info.file_size for info in package.infolist()) > MAX_UNPACKED_BYTES:
            raise InputError(f"{name}: unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; not read")
        if "META-INF/encryption.xml" in package.namelist():
            raise InputError(f"{name}: is protected by DRM (META-INF/encryption.xml); articast reads "
                             "only books without it")
        container = _xml(package, "META-INF/container.xml", name)
        rootfile = container.find(".//c:rootfile", _NS)  # type: ignore[attr-defined]
        opf_path = rootfile.get("full-path") if rootfile is not None else None
        if not opf_path:
            raise InputError(f"{name}: the e-book's container names no package document")
        opf = _xml(package, opf_path, name)
        base = posixpath.dirname(opf_path)
        title, author, language, date = _metadata(opf)
        manifest = {item.get("id"): (_join(base, item.get("href", "")), item.get("media-type", ""),
                                     (item.get("properties") or "").split())
                    for item in opf.iterfind(".//opf:manifest/opf:item", _NS)}  # type: ignore[attr-defined]
        spine_element = opf.find(".//opf:spine", _NS)  # type: ignore[attr-defined]
        if spine_element is None:
            raise InputError(f"{name}: the e-book has no spine (no reading order)")
        spine = [(manifest[ref.get("idref")][0], ref.get("linear", "yes") != "no")
                 for ref in spine_element.iterfind("opf:itemref", _NS) if ref.get("idref") in manifest]
        contents, skipped = _navigation(package, opf, manifest, spine_element.get("toc"), base, name)
        chapters = _chapters(spine, contents, skipped)
        if len(chapters) > 1 and title and " ".join(chapters[0].title.split()) == " ".join(title.split()):
            chapters = chapters[1:]  # an entry named as the book, first: its title page (EPUB 2 cannot say so)
        if not chapters:
            raise InputError(f"{name}: the e-book's contents name no chapter to read")
        sections = []
        for chapter in chapters:
            paragraphs: list[str] = []
            headed = False
            for path in chapter.files:
                try:
                    document = package.read(path).decode("utf-8", "replace")
                except KeyError:  # the spine names a document the book does not hold
                    continue
                if _typed_as_skipped(document):
                    continue
                text, heading = _chapter_text(document, chapter.title, title or "")
                paragraphs += text
                headed = headed or heading
            if paragraphs or headed:  # (a part's title page is a chapter mark of its own, said as a title)
                sections.append(Section(title=chapter.title, paragraphs=tuple(paragraphs)))
    if not sections:
        raise InputError(f"{name}: the e-book's chapters hold no text to read")
    return Article(title=title or "", sections=tuple(sections), author=author, date=date, language=language)


def _chapter_text(document: str, title: str, book: str) -> tuple[list[str], bool]:
    """A chapter document's text, block by block in order, without note marks and notes, and whether
    it began with its own heading. That heading (matched by its letters, in one or two lines), and
    the book's title over it, are left to the chapter mark; a subheading without a full stop gets
    one, as the web path's headings do.

    The web path's reader (trafilatura) is made to tell an article from a page's clutter, and a
    book's chapter has none: on pandoc's EPUBs it joined headings to the paragraphs after them and
    dropped short chapters, so every block is read instead."""
    found: list[str] = []
    wanted, matched = heading_key(title), ""
    for text, level in blocks(document):
        key = heading_key(text)
        if level and not found and key and (wanted.startswith(matched + key) or key == heading_key(book)):
            if key != heading_key(book):
                matched += key  # the chapter's own heading, perhaps in two lines ("Part 1", "The Coming…")
            continue  # (and the book's title over its first chapter)
        found.append(spoken_heading(text) if level else text)
    return found, bool(matched)


def _join(base: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(base, unquote(urldefrag(href)[0])))


def _metadata(opf: object) -> tuple[str | None, str | None, str | None, str | None]:
    def text(path: str) -> str | None:
        found = opf.findtext(path, namespaces=_NS)  # type: ignore[attr-defined]
        return (" ".join(found.split()) or None) if found else None

    date = text(".//opf:metadata/dc:date")
    return (text(".//opf:metadata/dc:title"), text(".//opf:metadata/dc:creator"),
            text(".//opf:metadata/dc:language"), date[:10] if date and len(date) >= 10 and date[4] == "-" else None)


def _navigation(package: zipfile.ZipFile, opf: object, manifest: dict, toc_id: str | None, base: str,
                name: str) -> tuple[list[tuple[str, str]], set[str]]:
    """The contents as (file, title) in order, and the files the landmarks or guide call front or back matter."""
    skipped: set[str] = set()
    for reference in opf.iterfind(".//opf:guide/opf:reference", _NS):  # type: ignore[attr-defined]
        if (reference.get("type") or "").lower() in SKIPPED_TYPES:
            skipped.add(_join(base, reference.get("href", "")))
    nav = next((path for path, _, properties in manifest.values() if "nav" in properties), None)
    contents: list[tuple[str, str]] = []
    if nav is not None:
        document = _xml(package, nav, name)
        skipped.add(nav)
        here = posixpath.dirname(nav)
        for element in document.iter("{http://www.w3.org/1999/xhtml}nav"):  # type: ignore[attr-defined]
            kinds = set((element.get(EPUB_TYPE) or "").split())
            for link in element.iter("{http://www.w3.org/1999/xhtml}a"):
                target = _join(here, link.get("href", ""))
                if "toc" in kinds:
                    contents.append((target, " ".join("".join(link.itertext()).split())))
                elif "landmarks" in kinds and set((link.get(EPUB_TYPE) or "").split()) & SKIPPED_TYPES:
                    skipped.add(target)
    if not contents:
        ncx = manifest.get(toc_id, (None,))[0] if toc_id else None
        ncx = ncx or next((path for path, kind, _ in manifest.values() if kind == "application/x-dtbncx+xml"), None)
        if ncx is not None:
            here = posixpath.dirname(ncx)
            for point in _xml(package, ncx, name).iterfind(".//ncx:navPoint", _NS):  # type: ignore[attr-defined]
                label = point.findtext("ncx:navLabel/ncx:text", namespaces=_NS) or ""
                source = point.find("ncx:content", _NS)
                if source is not None:
                    contents.append((_join(here, source.get("src", "")), " ".join(label.split())))
    return contents, skipped


def _chapters(spine: list[tuple[str, bool]], contents: list[tuple[str, str]], skipped: set[str]) -> list[Chapter]:
    """Spine documents grouped under the first contents entry naming each, in spine order."""
    titles: dict[str, str] = {}
    for path, title in contents:
        titles.setdefault(path, title)
    chapters: list[Chapter] = []
    for path, linear in spine:
        if not linear or path in skipped:
            continue
        if path in titles and titles[path]:
            chapters.append(Chapter(titles[path], (path,)))
        elif chapters:  # a continuation of the chapter before
            chapters[-1] = Chapter(chapters[-1].title, (*chapters[-1].files, path))
    return chapters


def _typed_as_skipped(document: str) -> bool:
    """Whether the document's body (or its first section) says it is front or back matter not read."""
    import re

    head = document[:4000]
    found = re.search(r"<(?:body|section)\b[^>]*\bepub:type\s*=\s*[\"']([^\"']+)[\"']", head)
    return bool(found and set(found.group(1).split()) & SKIPPED_TYPES)
