"""PDF documents with a text layer, read in the order a person reads them.

A PDF keeps glyphs and where they stand, not paragraphs. PDFium (through pypdfium2) gives each
character with its box and type size; ingest.pdflayout makes the pages' lines, columns and
paragraphs (running heads, page numbers and numbered margins left out), and this module the document:

- headings come from the outline when the document has one, else from the type sizes; the top level
   makes the chapters; footnotes, the reference list and formulas are left out, each with a note.

The title, author and date come from the document's information, else from its first page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..errors import InputError
from ..models import (
    CODE_SKIPPED,
    FOOTNOTES_SKIPPED,
    FORMULA_SKIPPED,
    REFERENCES_SKIPPED,
    Article,
    Progress,
    ProgressCallback,
    Section,
)
from .blocks import chapter_level, heading_key, spoken_heading
from .pdflayout import (
    MATH,
    Block,
    Line,
    drop_furniture,
    join_lines,
    page_lines,
    paragraphs_of,
    reading_order,
    with_tables,
)

MAX_PAGES = 5000
"""A document with more pages is refused before it is read."""

MIN_TEXT_CHARACTERS = 40
"""A document with fewer characters of text than this in all its pages has no text layer to read."""


_CAPTION = re.compile(
    r"(figure|fig\.|table|tab\.|abbildung|abb\.|tabelle|tableau|figura|tabla|tabela|rysunek|рис\.|рисунок|"
    r"таблица|afbeelding|tabel|bild|kuva|taulukko|figur|tablo|şekil|図|表|图)\s*[\dIVX]", re.IGNORECASE)
_REFERENCES = {
    "references", "reference", "bibliography", "works cited", "literature", "literature cited",
    "references and notes", "notes and references", "literatur", "literaturverzeichnis", "quellen",
    "quellenverzeichnis", "références", "bibliographie", "références bibliographiques", "referencias",
    "bibliografía", "referencias bibliográficas", "riferimenti", "riferimenti bibliografici", "bibliografia",
    "referências", "referências bibliográficas", "literatuur", "literatuurlijst", "bronnen", "piśmiennictwo",
    "literatura", "список литературы", "литература", "библиография", "список использованных источников",
    "kaynakça", "kaynaklar", "kirjallisuus", "lähteet", "litteratur", "referenser", "referanser",
    "bibliografi", "kildeliste", "irodalom", "literatura citată", "bibliografie", "αναφορές",
    "βιβλιογραφία", "المراجع", "مراجع", "מקורות", "ביבליוגרפיה", "संदर्भ", "参考文献", "參考文獻", "참고문헌",
    "tài liệu tham khảo", "daftar pustaka", "referensi", "rujukan"}
"""The headings of a reference list or bibliography, in the languages of Piper's voices and more."""


@dataclass(frozen=True)
class _Entry:
    """An outline (bookmark) entry: its depth, title and page."""

    level: int
    title: str
    page: int


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` is a PDF (its header may follow a little junk)."""
    return b"%PDF-" in data[:1024]


def read_pdf(data: bytes, name: str, progress: ProgressCallback | None = None) -> Article:
    """The article a text PDF holds; a PDF with no text layer is refused in one line. ``progress``
    hears of the pages read (stage "read")."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError(f"{name}: is protected by a password; save it without one and give that") from None
        raise InputError(f"{name}: is not a PDF that can be read (a damaged file?)") from None
    try:
        pages = len(document)
        if pages == 0:
            raise InputError(f"{name}: has no pages")
        if pages > MAX_PAGES:
            raise InputError(f"{name}: has {pages:,} pages; articast reads PDFs of up to {MAX_PAGES:,}")
        info = document.get_metadata_dict(skip_empty=True)
        info["Lang"] = _catalog_language(document)
        outline = _outline(document, pages)
        lines: list[list[Line]] = []
        characters = 0
        for number in range(pages):
            page = document[number]
            try:
                found, count = page_lines(page, number)
            finally:
                page.close()
            characters += count
            lines.append(found)
            if progress is not None and (number % 10 == 9 or number == pages - 1):
                progress(Progress("read", number + 1, pages))
        geometry = [document.get_page_size(number) for number in range(pages)]
    finally:
        document.close()
    if characters < MIN_TEXT_CHARACTERS:
        raise InputError(f"{name}: has no text to read, only images of pages (a scan?); give it a text layer "
                         "first with OCR, for example `ocrmypdf --language eng scan.pdf text.pdf`, and read that")
    return _article(lines, geometry, outline, info, name)


# --- characters into lines ---------------------------------------------------------------------


def _catalog_language(document) -> str:
    """The language the document declares for its text (its catalog's /Lang), or ""."""
    import ctypes

    import pypdfium2.raw as raw

    size = raw.FPDFCatalog_GetLanguage(document.raw, None, 0)
    if not 2 < size <= 256:
        return ""
    buffer = (ctypes.c_ushort * (size // 2))()
    raw.FPDFCatalog_GetLanguage(document.raw, buffer, size)
    tag = bytes(buffer).decode("utf-16-le", "replace").rstrip("\x00").strip()
    return tag if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", tag) else ""


def _outline(document, pages: int) -> list[_Entry]:
    """The outline's entries to the sixth level (pypdfium2's warning about deeper ones is not shown:
    those are read from the type)."""
    import logging

    entries = []
    quiet = logging.getLogger("pypdfium2")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        for item in document.get_toc(max_depth=6):
            title = " ".join((item.get_title() or "").split())
            dest = item.get_dest()
            index = dest.get_index() if dest is not None else None
            if title and index is not None and 0 <= index < pages:
                entries.append(_Entry(item.level, title, index))
    except Exception:  # a damaged outline is read as no outline
        return []
    finally:
        quiet.setLevel(level)
    return entries


_key = heading_key


def _bare(text: str) -> str:
    """A heading without its number ("2.1 Methods" -> "methods"), folded."""
    return " ".join(re.sub(r"^\s*([\dIVXivx]+[.)]?|[A-Z][.)])(\.\d+)*\.?\s+", "", text).casefold().split()).strip(
        " .:")


def _article(pages: list[list[Line]], geometry: list[tuple[float, float]], outline: list[_Entry],
             info: dict, name: str) -> Article:
    drop_furniture(pages, geometry)
    heights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            heights[round(line.height * 2) / 2] += sum(len(word.text) for word in line.words)
    if not heights:
        raise InputError(f"{name}: has no words to read")
    body = heights.most_common(1)[0][0]
    weights: Counter[int] = Counter()
    for lines in pages:
        for line in lines:
            weights[line.weight] += len(line.text)
    usual = weights.most_common(1)[0][0]
    for lines in pages:
        for line in lines:
            line.bold = line.bold or (line.weight >= max(550, usual + 150))
    blocks: list[Block] = []
    for lines, (_, height) in zip(pages, geometry):
        page_blocks = paragraphs_of([with_tables(column) for column in reading_order(lines)])
        _mark_footnotes(page_blocks, body, height)
        blocks.extend(page_blocks)
    # The document's words, but for those at a line's ends (the halves of hyphenated words).
    vocabulary = Counter(word.text.lower().strip(".,;:!?()[]\"'") for lines in pages for line in lines
                         for word in line.words[1:-1])
    # A paragraph that runs on into the next column or page is one paragraph (footnotes between).
    merged: list[Block] = []
    last: Block | None = None
    boundary = False
    for block in blocks:
        if (block.kind == "text" and last is not None and boundary
                and not _heading_like(last, body) and not _heading_like(block, body)
                and abs(last.lines[-1].height - block.lines[0].height) < 0.12 * body
                and last.lines[-1].text[-1:] not in ".!?:\u3002\"\u201d)"):
            last.lines.extend(block.lines)
            boundary = block.ends_column
            continue
        merged.append(block)
        if block.kind == "text":
            last, boundary = block, block.ends_column
        elif block.kind == "footnote":
            boundary = boundary or block.ends_column
        else:
            last, boundary = None, False
    blocks = merged
    for block in blocks:
        if block.kind == "text":
            block.said = join_lines(block.lines, vocabulary)
            if _is_formula(block):
                block.kind = "formula"
            elif all(line.code for line in block.lines):
                block.kind = "code"
    if outline:
        _headings_from_outline(blocks, outline)
    else:
        _headings_from_type(blocks, body)
    title = _title(info, blocks, body, geometry[0][1] if geometry else 0.0)
    if not _author(info):
        info["Author"] = _byline(blocks, title) or ""
    return _assemble(blocks, title, info, name)


_BY = re.compile(r"^(by|von|par|por|di|door|av|af|przez|от|автор)\s+", re.IGNORECASE)


def _byline(blocks: list[Block], title: str) -> str | None:
    """The author's name from the first page: the short line of names under the title (no digits, no
    address, each word capitalised), when the document's information names nobody."""
    key = _key(title)
    after = None
    for n, block in enumerate(blocks):
        if block.page > 0:
            return None
        if block.kind == "title" or (block.lines and _key(block.said) == key):
            after = n
            break
    if after is None:
        return None
    following = next((b for b in blocks[after + 1:] if b.kind in ("text", "heading", "table")), None)
    if following is None or following.kind != "text" or following.page > 0 or not blocks[after].lines:
        return None
    if following.lines[0].height >= 0.95 * blocks[after].lines[0].height:
        return None  # the title's own next line
    text = _BY.sub("", following.lines[0].text.strip())  # (the next lines: an address)
    words = re.findall(r"[^\W\d_][\w.'’-]*", text)
    names = text.replace(",", " ").replace(" and ", " ").replace(" & ", " ").split()
    if (not words or len(names) > 12 or re.search(r"[\d@/:]", text)
            or not all(word[0].isupper() for word in names if word.isalpha() and len(word) > 3)):
        return None
    return text


def _heading_like(block: Block, body: float) -> bool:
    text = " ".join(line.text for line in block.lines)
    return (len(block.lines) <= 3 and len(text.split()) <= 20
            and (block.lines[0].height >= 1.12 * body or all(line.bold for line in block.lines))
            and text[-1:] not in ",;")


def _is_formula(block: Block) -> bool:
    """A displayed formula: mostly symbols and math type, few words."""
    text = block.said
    if _CAPTION.match(text):
        return False
    if re.fullmatch(r"\(\s*[\dA-Z]+(\.\d+)*[a-z]?\s*\)", text):
        return True  # an equation's number
    tokens = text.split()
    words = [t for t in tokens if re.fullmatch(r"[^\W\d_]{3,}[.,;:]?", t)]
    symbols = sum(1 for ch in text if ch in MATH or "\u0370" <= ch <= "\u03ff" or "\u2200" <= ch <= "\u22ff")
    mathy = sum(1 for line in block.lines if line.mathy)
    return bool(tokens) and (mathy >= 0.5 * len(block.lines) or symbols >= 3) and len(words) < 0.4 * len(tokens)


def _mark_footnotes(blocks: list[Block], body: float, height: float) -> None:
    """The small type at the foot of a column, below the text: footnotes (captions excepted)."""
    by_column: list[list[Block]] = [[]]
    for block in blocks:
        by_column[-1].append(block)
        if block.ends_column:
            by_column.append([])
    for column in by_column:
        for block in reversed(column):
            first = block.lines[0]
            text = " ".join(line.text for line in block.lines)
            if (block.kind == "text" and first.height < 0.9 * body and first.top > 0.45 * height
                    and not _CAPTION.match(text)):
                block.kind = "footnote"
            else:
                break


def _headings_from_outline(blocks: list[Block], outline: list[_Entry]) -> None:
    """Outline entries matched to the blocks that print them; an entry not found starts its page."""
    levels = sorted({entry.level for entry in outline})
    position = 0
    for entry in outline:
        wanted, bare = _key(entry.title), _bare(entry.title)
        found = None
        for i in range(position, len(blocks)):
            block = blocks[i]
            if block.page > entry.page + 1:
                break
            if block.page < entry.page or block.kind not in ("text", "formula"):
                continue
            key = _key(block.said)
            if key and (key == wanted or (len(key) <= len(wanted) + 4 and key.startswith(wanted))
                        or _bare(block.said) == bare
                        or (wanted.startswith(key) and len(key) >= 0.6 * len(wanted) and len(block.lines) <= 2)):
                found = i
                break
        if found is None:
            at = next((i for i in range(position, len(blocks)) if blocks[i].page >= entry.page), len(blocks))
            blocks.insert(at, Block([], kind="heading", level=levels.index(entry.level) + 1, said=entry.title,
                                     page=entry.page))
            position = at + 1
            continue
        blocks[found].kind = "heading"
        blocks[found].level = levels.index(entry.level) + 1
        blocks[found].said = " ".join(blocks[found].said.split())
        position = found + 1
    # What looks like a heading but is not in the outline is a subheading of the one before it.
    for block in blocks:
        if block.kind == "text" and _references_heading(block.said):
            block.kind, block.level = "heading", len(levels)


def _references_heading(text: str) -> bool:
    return _bare(text) in _REFERENCES or " ".join(text.casefold().split()).strip(" .:") in _REFERENCES


_NUMBERING = (re.compile(r"\d+(\.\d+)*\.?(?=\s)"), re.compile(r"[IVXLC]+\.(?=\s)"), re.compile(r"[A-Z]\.(?=\s)"),
              re.compile(r"[a-z]\.(?=\s)"))
"""How headings are numbered: 2.1, II., B., b."""


def _headings_from_type(blocks: list[Block], body: float) -> None:
    """Headings by type: larger than the body, or bold on a short line of their own, followed by text
    in the body's type (text in a figure is not a heading). Their levels come from their numbering
    where they are numbered (2.1 under 2; I., then A., then 1., then a.), else from their type."""
    candidates = []
    for i, block in enumerate(blocks):
        if block.kind != "text" or not block.said:
            continue
        if _references_heading(block.said) and len(block.lines) <= 2:
            candidates.append((i, round(max(block.lines[0].height, body) * 2) / 2, True))
            continue
        if not _heading_like(block, body) or (block.said[-1:] in ".!?" and not _numbering(block.said)):
            continue
        following = next((b for b in blocks[i + 1:] if b.kind in ("text", "formula", "code", "table")), None)
        if following is None or following.kind == "text" and (
                abs(following.lines[0].height - body) > 0.12 * body or _heading_like(following, body)
                and not _numbering(following.said)):
            continue
        candidates.append((i, round(block.lines[0].height * 2) / 2, block.lines[0].bold))
    kinds: list[int] = []
    for i, _, _ in candidates:
        kind = _numbering(blocks[i].said)
        if kind is not None and kind not in kinds:
            kinds.append(kind)
    numbered = sum(1 for i, _, _ in candidates if _numbering(blocks[i].said) is not None)
    classes = sorted({(size, bold) for _, size, bold in candidates}, key=lambda c: (-c[0], not c[1]))
    for i, size, bold in candidates:
        block = blocks[i]
        block.kind = "heading"
        kind = _numbering(block.said)
        if kind is not None and numbered >= 2:
            block.level = kinds.index(kind) + 1
            if kind == 0:
                number = _NUMBERING[0].match(block.said)
                block.level += number.group(0).strip(".").count(".") if number else 0
        else:
            block.level = classes.index((size, bold)) + 1 + (len(kinds) if numbered >= 2 else 0)
            if _references_heading(block.said) and numbered >= 2:
                block.level = 1


def _numbering(text: str) -> int | None:
    """Which kind of numbering a heading starts with (an index into _NUMBERING), if any."""
    for kind, pattern in enumerate(_NUMBERING):
        if pattern.match(text):
            return kind
    return None


def _title(info: dict, blocks: list[Block], body: float, height: float) -> str:
    """The title the document's information gives (unless it is a file name), else the largest type
    near the top of the first page."""
    given = " ".join((info.get("Title") or "").split())
    if given and not re.search(r"(^microsoft (word|powerpoint)|^untitled|\.(docx?|pdf|tex|dvi|indd|odt)$|^title$)",
                                given, re.IGNORECASE):
        return given
    first = [block for block in blocks if block.page == 0 and block.lines and block.kind in ("heading", "text")
             and block.lines[0].top < 0.4 * height and len(block.said.split()) <= 30]
    if not first:
        return ""
    largest = max(first, key=lambda block: (block.lines[0].height, block.lines[0].bold))
    if largest.lines[0].height >= 1.2 * body or (largest.lines[0].bold and largest is first[0]
                                                 and largest.lines[0].height >= body):
        largest.kind = "title"
        return largest.said
    return ""


def _date(info: dict, blocks: list[Block]) -> str | None:
    """The document's date: its information's creation date, else a whole date printed on its first
    page ("Dated: August 10, 2010", "3. März 2021"), found by htmldate in the page's first blocks."""
    for key in ("CreationDate", "ModDate"):
        found = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", info.get(key) or "")
        if found and found.group(2) and found.group(3) and "1980" <= found.group(1) <= "2100":
            return f"{found.group(1)}-{found.group(2)}-{found.group(3)}"
    from html import escape

    from htmldate import find_date

    first = [block.said for block in blocks if block.page == 0 and block.said][:20]
    if not first:
        return None
    page = "<html><body>" + "".join(f"<p>{escape(text)}</p>" for text in first) + "</body></html>"
    try:
        day = find_date(page, extensive_search=True, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # a date it cannot make out is no date
        return None
    return day if day and not day.endswith("-01-01") else None  # (a year alone comes as 1 January)


def _author(info: dict) -> str | None:
    author = " ".join((info.get("Author") or "").split())
    if author.casefold() in ("anonymous", "unknown", "author", "user", "admin", "administrator", "owner"):
        return None  # what the making program writes when nobody is named
    return author or None


def _assemble(blocks: list[Block], title: str, info: dict, name: str) -> Article:
    title_key = _key(title)
    author_key = _key(_author(info) or "") or None
    headings = [block.level for block in blocks if block.kind == "heading"]
    top = chapter_level(headings)
    # Page 1's names and addresses before the first heading are left out only when a heading follows
    # that is not the title page's own (a one-page note under its title keeps all its lines).
    chaptered = any(block.kind == "heading" and _key(block.said) not in (title_key, author_key) for block in blocks)
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []
    skipping: int | None = None  # the level of the reference list being skipped
    footnotes_said = False
    footnote_unsaid = False  # a footnote met inside the reference list (on a paper's last page)
    seen_heading = False
    for block in blocks:
        if block.kind == "title" or (block.kind == "heading" and not seen_heading
                                     and _key(block.said) in (title_key, author_key)):
            continue  # the title page's title and author, set as headings
        if block.kind == "heading":
            if skipping is not None and block.level > skipping:
                continue
            skipping = None
            references = _references_heading(block.said)
            if block.level < top:  # a part over chapters: its own mark
                if heading or paragraphs:
                    sections.append(Section(heading, tuple(paragraphs)))
                sections.append(Section(block.said, ()))
                heading, paragraphs = None, []
            elif block.level == top:
                if heading or paragraphs:
                    sections.append(Section(heading, tuple(paragraphs)))
                heading, paragraphs = block.said, []
            else:
                paragraphs.append(spoken_heading(block.said))
            seen_heading = True
            if references:
                skipping = block.level
                paragraphs.append(REFERENCES_SKIPPED)
            continue
        if skipping is not None:
            footnote_unsaid = footnote_unsaid or block.kind == "footnote"
            continue
        if block.kind == "footnote":
            if not footnotes_said:
                footnotes_said = True
                paragraphs.append(FOOTNOTES_SKIPPED)
            continue
        if block.kind == "code":
            if not paragraphs or paragraphs[-1] != CODE_SKIPPED:
                paragraphs.append(CODE_SKIPPED)
            continue
        if block.kind == "formula":
            if not paragraphs or paragraphs[-1] != FORMULA_SKIPPED:
                paragraphs.append(FORMULA_SKIPPED)
            continue
        if block.kind == "table":
            from .markdown import read_table

            if not seen_heading and chaptered and block.page == 0:
                continue  # names and addresses set out in a grid
            rows = block.lines[0].rows or []
            paragraphs.extend(read_table([(n == 0, row) for n, row in enumerate(rows)]))
            continue
        text = block.said
        if not text or not any(ch.isalnum() for ch in text):
            continue
        if not seen_heading and chaptered and block.page == 0 and not _prose(block):
            continue  # the first page's furniture before the first heading: authors, addresses
        paragraphs.append(text)
    if heading or paragraphs:
        sections.append(Section(heading, tuple(paragraphs)))
    if footnote_unsaid and not footnotes_said:  # said at the end of the text, before the references
        body = [n for n, section in enumerate(sections) if REFERENCES_SKIPPED not in section.paragraphs]
        if body:
            last = sections[body[-1]]
            sections[body[-1]] = Section(last.title, last.paragraphs + (FOOTNOTES_SKIPPED,))
    # A section that is only a heading with a note and nothing else keeps the note.
    if not any(p for section in sections for p in section.paragraphs
               if p not in (FOOTNOTES_SKIPPED, REFERENCES_SKIPPED, FORMULA_SKIPPED)):
        raise InputError(f"{name}: has no words to read")
    return Article(title=title, sections=tuple(sections), author=_author(info), date=_date(info, blocks),
                   language=info.get("Lang") or None)


def _prose(block: Block) -> bool:
    """Whether a block reads as prose: enough words, on lines that are not a list of names."""
    words = block.said.split()
    per_line = len(words) / max(1, len(block.lines))
    return len(words) >= 12 and per_line >= 5 and block.said[-1:] in ".!?:\u3002\"\u201d)"
