"""PDF documents with a text layer, read in the order a person reads them.

A PDF keeps glyphs and where they stand, not paragraphs. PDFium (through pypdfium2) gives each
character with its box and type size, and this module does the rest, page by page:

1. characters become line pieces (a large gap splits a line: columns, table cells, line numbers);
   raised note marks are dropped, ligatures spelled out, a letter-spaced word closed up;
2. what repeats at the top or foot of the pages (running heads, page numbers) and numbered margins
   are left out;
3. the columns of each page are found from the gaps no line crosses, and read left to right within
   each band between lines that span them; small tables are read row by row;
4. lines become paragraphs (gaps, indents, type), words hyphenated at line ends are joined;
5. headings come from the outline when the document has one, else from the type sizes; the top level
   makes the chapters; footnotes, the reference list and formulas are left out, each with a note.

The title, author and date come from the document's information, else from its first page.
"""

from __future__ import annotations

import math
import re
import statistics
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

MAX_PAGES = 5000
"""A document with more pages is refused before it is read."""

MIN_TEXT_CHARACTERS = 40
"""A document with fewer characters of text than this in all its pages has no text layer to read."""


_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
              "\ufb06": "st", "\ua733": "aa", "\u0132": "IJ", "\u0133": "ij"}
_HYPHENS = "-\u00ad\u2010\u2011"
_MARKS = set("0123456789*\u2020\u2021\u00a7\u00b6\u2217\u22c6,\u2032abcdefghij")
"""What a raised note mark is made of (digits, stars, daggers; a, b, c for affiliations)."""
_MATH = set("=+\u2212\u00b1\u00d7\u00f7\u2211\u220f\u222b\u221a\u221e\u2264\u2265\u2260\u2248\u2202\u2207\u2208"
            "\u2209\u2282\u2283\u2286\u2287\u222a\u2229\u2200\u2203\u2192\u21d2\u21d4\u27e8\u27e9\u2016^_|")
_BOLD = ("bold", "black", "heavy", "cmbx", "cmb10", "semibold", "demi", "-bd", ",bd", "-sb", "medi")
"""Parts of a bold font's name (a font's weight is read too, but TeX's fonts give it wrongly)."""
_MONOSPACED = ("mono", "courier", "cmtt", "typewriter", "consola", "menlo", "inconsolata", "sourcecodepro",
               "lettergothic", "lucidaconsole", "firacode", "txtt", "beramono", "zi4")
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


@dataclass
class _Word:
    text: str
    x0: float
    x1: float


@dataclass
class _Line:
    """A piece of a printed line: words on one baseline with no wide gap between them."""

    words: list[_Word]
    top: float
    bottom: float
    height: float
    bold: bool
    mathy: bool
    page: int
    hyphen: bool = False
    weight: int = 400
    code: bool = False
    """Whether it is set in a fixed-width type (a code sample)."""
    """Whether it ends in a hyphen PDFium marks as a line-end hyphen."""
    rows: list[list[str]] | None = None
    """A table's rows, when this stands for a table."""

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@dataclass
class _Block:
    """A paragraph, heading, footnote, formula, code sample or table of one page, in reading order."""

    lines: list[_Line]
    kind: str = "text"
    """text, heading, title, footnote, formula, code or table"""
    level: int = 0
    """A heading's depth, from 1."""
    said: str = ""
    """Its text as one line, hyphenated words joined."""
    ends_column: bool = False
    """Whether it is the last block of its column (a paragraph may go on in the next)."""
    page: int = 0


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
        lines: list[list[_Line]] = []
        characters = 0
        for number in range(pages):
            page = document[number]
            try:
                found, count = _page_lines(page, number)
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


_OBJECT_OF = None
"""FPDFText_GetTextObject, declared to give the object's address as a plain int (a ctypes cast
per character cost a tenth of the reading time)."""


def _text_object_function():
    global _OBJECT_OF
    if _OBJECT_OF is None:
        import ctypes

        import pypdfium2.raw as raw

        prototype = ctypes.CFUNCTYPE(ctypes.c_void_p, raw.FPDF_TEXTPAGE, ctypes.c_int)
        _OBJECT_OF = prototype(ctypes.cast(raw.FPDFText_GetTextObject, ctypes.c_void_p).value)
    return _OBJECT_OF


def _page_lines(page, number: int) -> tuple[list[_Line], int]:
    """The line pieces of one page, in the order PDFium gives its characters, and how many there were.

    The page is read in the direction most of its text runs: a landscape page stored turned (slides,
    wide tables) reads as it is shown, and text turned against the rest (a stamp down the margin) is
    left out.

    PDFium is asked as little as it can be per character: the text object's style (font, weight,
    angle) once per object, and whether a character is generated or a line-end hyphen only for the
    characters that can be."""
    import ctypes

    import pypdfium2.raw as raw

    text_page = page.get_textpage()
    unicode_of, loose_box = raw.FPDFText_GetUnicode, raw.FPDFText_GetLooseCharBox
    generated, is_hyphen = raw.FPDFText_IsGenerated, raw.FPDFText_IsHyphen
    object_of = _text_object_function()
    try:
        handle = text_page.raw
        count = raw.FPDFText_CountChars(handle)
        box = raw.FS_RECTF()
        box_ref = ctypes.byref(box)
        name = ctypes.create_string_buffer(128)
        flags = ctypes.c_int()
        glyphs: list[tuple | None] = []  # (text, x0, x1, top, bottom, style, hyphen); None: a space
        fonts: dict[int | None, tuple[bool, bool, bool, int, float]] = {}
        for index in range(count):
            code = unicode_of(handle, index)
            if code in (32, 13, 10, 2, 0xFFFE) and generated(handle, index):
                if code == 32:
                    glyphs.append(None)  # a space PDFium saw between words
                continue
            hyphen = code in (2, 0x2D, 0xAD, 0x2010) and bool(is_hyphen(handle, index))
            character = "-" if hyphen else chr(code) if 0 < code < 0x110000 else ""
            # (PDFium gives a hyphen at a line's end as a control character)
            if not character or (code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code < 0xF900) and not hyphen:
                if character in ("\t", "\n", "\r"):
                    glyphs.append(None)
                continue
            if character.isspace():
                glyphs.append(None)
                continue
            if not loose_box(handle, index, box_ref) or box.top - box.bottom <= 0.5:
                continue
            key = object_of(handle, index)
            style = fonts.get(key)
            if style is None:
                weight = raw.FPDFText_GetFontWeight(handle, index)
                raw.FPDFText_GetFontInfo(handle, index, name, len(name), ctypes.byref(flags))
                font = name.value.decode("latin-1", "replace").lower()
                bold = any(part in font for part in _BOLD) or font.endswith(("tb", "-b", ",b", "bd"))
                mathy = any(part in font for part in ("cmmi", "cmsy", "cmex", "msam", "msbm", "math", "symbol",
                                                       "stix", "rsfs", "eufm"))
                mono = bool(flags.value & 1) or any(part in font for part in _MONOSPACED)
                angle = raw.FPDFText_GetCharAngle(handle, index)
                style = fonts[key] = (bold, mathy, mono, weight, angle)
            glyphs.append((_LIGATURES.get(character, character), box.left, box.right, box.top, box.bottom, style,
                           hyphen))
        left, bottom, right, top = page.get_mediabox()
    finally:
        text_page.close()
    upright = _upright(glyphs, right - left, top - bottom)
    return _lines_from(upright, number), sum(1 for glyph in upright if glyph is not None)


def _upright(glyphs: list, width: float, height: float) -> list:
    """Glyphs in the page's reading direction, in top-down coordinates: (text, x0, x1, top, bottom,
    style, hyphen), None for a space; those turned against the page's usual direction are left out.

    PDFium gives boxes in the unturned page's space (y up) and each character's angle; the usual
    angle is one of four quarter turns."""
    turns = Counter(round(glyph[5][4] / (math.pi / 2)) % 4 for glyph in glyphs if glyph is not None)
    quarter = turns.most_common(1)[0][0] if turns else 0
    expected = quarter * math.pi / 2
    out: list = []
    for glyph in glyphs:
        if glyph is None:
            out.append(None)
            continue
        text, left, right, top, bottom, style, hyphen = glyph
        turned = abs((style[4] - expected + math.pi) % (2 * math.pi) - math.pi)
        if turned > 0.05:
            continue  # turned text: a stamp down the margin
        if quarter == 0:
            box = (left, right, height - top, height - bottom)
        elif quarter == 3:  # runs up the unturned page: the page is shown turned a quarter clockwise
            box = (bottom, top, left, right)
        elif quarter == 1:
            box = (height - top, height - bottom, width - right, width - left)
        else:
            box = (width - right, width - left, bottom, top)
        out.append((text, *box, style, hyphen))
    return out


def _lines_from(glyphs: list, number: int) -> list[_Line]:
    """Glyphs (text, x0, x1, top, bottom, (bold, mathy), hyphen), with None for a space, into line pieces."""
    lines: list[_Line] = []
    current: list[tuple | None] = []  # the glyphs of the piece being built, None for spaces
    band: tuple[float, float] | None = None

    def finish() -> None:
        nonlocal current, band
        if any(g is not None for g in current):
            line = _line(current, number)
            if line is not None:
                lines.append(line)
        current, band = [], None

    for glyph in glyphs:
        if glyph is None:
            if current and current[-1] is not None:
                current.append(None)
            continue
        _, x0, x1, top, bottom, _, _ = glyph
        h = bottom - top
        if band is not None:
            last = next(g for g in reversed(current) if g is not None)
            line_top, line_bottom = band
            line_h = line_bottom - line_top
            overlap = min(bottom, line_bottom) - max(top, line_top)
            small = h < 0.85 * line_h or line_h < 0.85 * h
            same_row = overlap >= 0.5 * min(h, line_h) or (small and overlap > 0.15 * min(h, line_h))
            gap = x0 - last[2]  # the parts of a ligature share its box: going back is from the last start
            if not same_row or x0 < last[1] - 0.5 * max(h, line_h) or gap > 1.0 * max(line_h, h):
                finish()
        if band is None:
            band = (top, bottom)
        elif h >= 0.85 * (band[1] - band[0]):
            band = (min(band[0], top), max(band[1], bottom)) if h <= 1.2 * (band[1] - band[0]) else (top, bottom)
        current.append(glyph)
    finish()
    return lines


def _line(glyphs: list, number: int) -> _Line | None:
    """One line piece from its glyphs: words, raised note marks dropped, letter spacing closed up."""
    real = [g for g in glyphs if g is not None]
    heights = sorted(g[4] - g[3] for g in real)
    body = heights[len(heights) // 2]
    full = [g for g in real if g[4] - g[3] >= 0.85 * body] or real
    base = statistics.median(g[4] for g in full)
    # A raised run of small marks just after a word: a note or affiliation mark, not a word.
    kept: list = []
    for i, g in enumerate(glyphs):
        if g is not None and g[4] - g[3] < 0.8 * body and g[4] < base - 0.2 * body and g[0] in _MARKS:
            before = next((p for p in reversed(kept) if p is not None), None)
            if before is not None or i + 1 < len(glyphs):
                continue
        kept.append(g)
    words: list[_Word] = []
    chars: list[str] = []
    start = end = 0.0
    previous = None
    for g in kept + [None]:
        gap_break = g is not None and previous is not None and g[1] - previous[2] > 0.22 * body
        if (g is None or gap_break) and chars:
            words.append(_Word("".join(chars), start, end))
            chars = []
        if g is None:
            previous = None
            continue
        if not chars:
            start = g[1]
        chars.append(g[0])
        end = g[2]
        previous = g
    if not words:
        return None
    words = _closed_up(words)
    bold = sum(1 for g in full if g[5][0]) >= 0.8 * len(full)
    mathy = sum(1 for g in real if g[5][1] or g[0] in _MATH) >= 0.3 * len(real)
    hyphen = bool(real and real[-1][6])
    code = sum(1 for g in real if g[5][2]) >= 0.8 * len(real)
    top = statistics.median(g[3] for g in full)  # the usual glyph's box: a tall symbol does not widen the line
    bottom = statistics.median(g[4] for g in full)
    weight = sorted(g[5][3] for g in full)[len(full) // 2]
    return _Line(words, top, bottom, body, bold, mathy, number, hyphen=hyphen, code=code, weight=weight)


def _closed_up(words: list[_Word]) -> list[_Word]:
    """Letter-spaced text ("T H E  E N D") with its letters joined into the words they spell."""
    singles = sum(1 for word in words if len(word.text) == 1 and word.text.isalpha())
    if len(words) < 4 or singles < 0.7 * len(words):
        return words
    gaps = [b.x0 - a.x1 for a, b in zip(words, words[1:])]
    if not gaps:
        return words
    usual = statistics.median(gaps)
    joined = [_Word(words[0].text, words[0].x0, words[0].x1)]
    for gap, word in zip(gaps, words[1:]):
        if gap <= usual * 1.6:
            joined[-1] = _Word(joined[-1].text + word.text, joined[-1].x0, word.x1)
        else:
            joined.append(_Word(word.text, word.x0, word.x1))
    return joined


# --- what repeats on every page ----------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"[\W_]*(\w{1,8}\.?\s+)?(\d{1,4}|[ivxlcdm]{1,7})(\s*(\w{1,3}|/)\s*\d{1,4})?[\W_]*",
                          re.IGNORECASE)


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _furniture(pages: list[list[_Line]], geometry: list[tuple[float, float]]) -> None:
    """Leave out running heads and feet, page numbers and numbered margins, in place."""
    edges: list[list[_Line]] = []
    for lines, (_, height) in zip(pages, geometry):
        if not lines:
            edges.append([])
            continue
        by_top = sorted(lines, key=lambda line: line.top)
        marks = set()
        for ordered in (by_top, by_top[::-1]):
            for line in ordered[:3]:
                if line.top < 0.14 * height or line.bottom > 0.86 * height:
                    marks.add(id(line))
        edges.append([line for line in lines if id(line) in marks])
    shapes = Counter(shape for edge in edges for shape in {_shape(line.text) for line in edge})
    enough = max(2, round(0.3 * sum(1 for lines in pages if lines))) if len(pages) > 2 else 2
    for lines, edge in zip(pages, edges):
        away = {id(line) for line in edge
                if (shapes[_shape(line.text)] >= enough and len(pages) > 1)
                or _PAGE_NUMBER.fullmatch(line.text.strip())}
        lines[:] = [line for line in lines if id(line) not in away]
    for lines in pages:
        _numbered_margin(lines)


def _numbered_margin(lines: list[_Line]) -> None:
    """Line numbers in a margin: five or more numbers standing alone or starting a line, lined up."""
    numbers = [line for line in lines if re.fullmatch(r"\d{1,5}", line.words[0].text)]
    if len(numbers) < 5:
        return
    for edge in ("x1", "x0"):
        groups: dict[int, list[_Line]] = {}
        for line in numbers:
            groups.setdefault(round(getattr(line.words[0], edge) / 3), []).append(line)
        for group in groups.values():
            if len(group) < 5:
                continue
            values = [int(line.words[0].text) for line in sorted(group, key=lambda line: line.top)]
            if sum(1 for a, b in zip(values, values[1:]) if b > a) < 0.8 * (len(values) - 1):
                continue
            for line in group:
                if line in lines:
                    if len(line.words) == 1:
                        lines.remove(line)
                    else:
                        line.words = line.words[1:]
            return


# --- tables and columns ------------------------------------------------------------------------


def _tables(lines: list[_Line]) -> list[_Line]:
    """The page's lines with each run of three or more rows of short cells made one table line."""
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda line: (line.top, line.x0)):
        if rows and abs(rows[-1][0].top - line.top) < 0.4 * line.height:
            rows[-1].append(line)
        else:
            rows.append([line])
    out: list[_Line] = []
    run: list[list[_Line]] = []

    def cells_short(row: list[_Line]) -> bool:
        return len(row) >= 2 and all(len(cell.words) <= 4 for cell in row) and not any(c.mathy for c in row)

    def flush() -> None:
        if len(run) >= 3 and sum(len(row) >= 3 for row in run) + len(run) >= 4:
            cells = [line for row in run for line in row]
            table = _Line([_Word("", min(c.x0 for c in cells), 0.0), _Word("", 0.0, max(c.x1 for c in cells))],
                          min(c.top for c in cells), max(c.bottom for c in cells),
                          statistics.median(c.height for c in cells), False, False, cells[0].page)
            table.rows = [[cell.text for cell in row] for row in run]
            out.append(table)
        else:
            out.extend(line for row in run for line in row)
        run.clear()

    for row in rows:
        if cells_short(row) and (not run or _aligned(run[-1], row)):
            run.append(row)
            continue
        flush()
        if cells_short(row):
            run.append(row)
        else:
            out.extend(row)
    flush()
    return out


def _aligned(above: list[_Line], row: list[_Line]) -> bool:
    """Whether two rows are rows of one table: close, with at least two cells starting or ending together."""
    if row[0].top - above[0].bottom > 2.5 * row[0].height:
        return False
    together = 0
    for cell in row:
        if any(abs(cell.x0 - other.x0) < 4 or abs(cell.x1 - other.x1) < 4
               or abs((cell.x0 + cell.x1) - (other.x0 + other.x1)) < 8 for other in above):
            together += 1
    return together >= 2


def _reading_order(lines: list[_Line]) -> list[list[_Line]]:
    """The page's lines as columns in reading order.

    Where the page as a whole shows no columns (a title block may stand across their gap), it is cut
    into slabs where no line stands for a while (between a title block and the text, around a
    figure); in each slab, the columns are found from the gaps no narrow line crosses, and
    read left to right within each band between lines that span them (a spanning line is a column of
    its own). A slab too small to show its columns takes those of its neighbours when none of its
    lines crosses them."""
    if not lines:
        return []
    whole = _gutters(lines)
    if whole:  # the page's columns, from top to bottom: a column's gap (before an appendix) is no cut
        return _columns(lines, whole)
    ordered = _by_rows(lines)
    typical = statistics.median(line.height for line in lines)
    slabs: list[list[_Line]] = [[]]
    lowest = ordered[0].bottom
    for line in ordered:
        if slabs[-1] and line.top - lowest > 1.5 * typical:
            slabs.append([])
        slabs[-1].append(line)
        lowest = max(lowest, line.bottom)
    found = [_gutters(slab) for slab in slabs]
    for i, slab in enumerate(slabs):
        if found[i]:
            continue
        for j in sorted(range(len(slabs)), key=lambda j: abs(j - i)):
            if found[j]:
                if not any(line.x0 < a - 1 and line.x1 > b + 1 for line in slab for a, b in found[j]):
                    found[i] = found[j]
                break
    columns: list[list[_Line]] = []
    for slab, gutters in zip(slabs, found):
        columns.extend(_columns(slab, gutters))
    return columns


def _by_rows(lines: list[_Line]) -> list[_Line]:
    """Lines top to bottom, those on one row (their tops within a third of a line) left to right."""
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda line: line.top):
        if rows and line.top - rows[-1][0].top < 0.35 * max(line.height, rows[-1][0].height):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda line: line.x0)]


def _gutters(lines: list[_Line]) -> list[tuple[float, float]]:
    """The gaps between columns: x ranges that (almost) no narrow line crosses, with lines either side."""
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    width = right - left
    narrow = [line for line in lines if line.x1 - line.x0 < 0.55 * width]
    if width <= 0 or len(narrow) < 0.5 * len(lines) or len(narrow) < 6:
        return []
    cells = int(width) + 1
    cover = [0] * cells
    for line in narrow:
        for i in range(int(line.x0 - left), min(cells, int(line.x1 - left) + 1)):
            cover[i] += 1
    allowed = max(1, len(narrow) // 20)  # a centred title or page number may stand in the gap
    typical = statistics.median(line.height for line in lines)
    gutters = []
    start = None
    for i, count in enumerate(cover + [allowed + 1]):
        if count <= allowed and start is None:
            start = i
        elif count > allowed and start is not None:
            a, b = left + start, left + i
            if b - a >= 0.6 * typical and a - left >= 0.15 * width and right - b >= 0.15 * width:
                gutters.append((a, b))
            start = None
    # Each column must hold lines of its own.
    edges = [left] + [x for gutter in gutters for x in gutter] + [right]
    spans = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]
    held = [sum(1 for line in narrow if a - 1 <= line.x0 and line.x1 <= b + 1) for a, b in spans]
    return gutters if all(count >= 3 for count in held) else []


def _columns(lines: list[_Line], gutters: list[tuple[float, float]]) -> list[list[_Line]]:
    ordered = _by_rows(lines)
    if not gutters:
        return [ordered]
    columns: list[list[_Line]] = []
    band: dict[int, list[_Line]] = {}

    def flush() -> None:
        for key in sorted(band):
            columns.append(band[key])
        band.clear()

    for line in ordered:
        if any(min(line.x1, b) - max(line.x0, a) > 0.5 * (b - a) for a, b in gutters):  # across a gap
            if band:
                flush()
                columns.append([line])
            elif columns and columns[-1][-1].x0 < gutters[0][0] and columns[-1][-1].x1 > gutters[-1][1]:
                columns[-1].append(line)  # spanning lines one after another: one column
            else:
                columns.append([line])
            continue
        centre = (line.x0 + line.x1) / 2
        band.setdefault(sum(1 for a, _ in gutters if centre > a), []).append(line)
    flush()
    return columns


# --- lines into paragraphs ---------------------------------------------------------------------


def _paragraphs(columns: list[list[_Line]]) -> list[_Block]:
    """The page's columns as blocks of lines: a new block at a gap, an indent, a change of type, or
    after a short line that ends a sentence."""
    blocks: list[_Block] = []
    for column in columns:
        left = min(line.x0 for line in column)
        right = max(line.x1 for line in column)
        block: list[_Line] = []
        for line in column:
            if line.rows is not None:
                if block:
                    blocks.append(_Block(block, page=block[0].page))
                blocks.append(_Block([line], kind="table", page=line.page))
                block = []
                continue
            if block:
                last = block[-1]
                h = max(line.height, last.height)
                same_row = abs(line.top - last.top) < 0.35 * h and line.x0 > last.x1
                new = not same_row and (line.top - last.bottom > 0.45 * h
                       or abs(line.height - last.height) > 0.12 * h
                       or line.bold != last.bold
                       or line.mathy != last.mathy
                       or line.code != last.code
                       or (line.x0 > left + 0.6 * h and last.x0 <= left + 0.3 * h and last.x1 > right - 2 * h)
                       or (last.x1 < right - max(2.5 * h, 0.3 * (right - left))
                           and last.text[-1:] in ".!?:\u3002\u061f\u0964")
                       or line.top < last.top - 0.3 * h)
                if new:
                    blocks.append(_Block(block, page=block[0].page))
                    block = []
            block.append(line)
        if block:
            blocks.append(_Block(block, page=block[0].page, ends_column=True))
        elif blocks:
            blocks[-1].ends_column = True
    return blocks


def _join(lines: list[_Line], vocabulary: Counter) -> str:
    """A block's lines as one text: a word hyphenated at a line end joined. The hyphen is kept where
    the document writes the word with one elsewhere, or never without one and both halves are words
    of its own (navy-crowded, not con-ductivity)."""
    text = ""
    for line in lines:
        piece = line.text
        if not text:
            text = piece
            continue
        hyphenated = re.search(r"(\w+)[" + _HYPHENS + r"]$", text)
        following = re.match(r"(\w+)", piece)
        if hyphenated and following and (following.group(1)[0].islower() or line.hyphen):
            head, tail = hyphenated.group(1), following.group(1)
            joined, compound = (head + tail).lower(), (head + "-" + tail).lower()
            kept = vocabulary[compound] > vocabulary[joined] or (
                not vocabulary[joined] and len(head) >= 3 and len(tail) >= 3
                and vocabulary[head.lower()] > 0 and vocabulary[tail.lower()] > 0)  # navy-crowded
            text = text[:-1] + ("-" if kept else "") + piece
        elif text.endswith("\u00ad"):
            text = text[:-1] + piece
        elif re.search(r"(https?://|www\.)\S*[/.]$", text) and piece[:1].isalnum():
            text = text + piece  # an address broken at a line's end
        elif _unspaced(text[-1:]) and _unspaced(piece[:1]):
            text = text + piece  # Chinese and Japanese put no space between words, nor at a line's end
        else:
            text = text + " " + piece
    return " ".join(text.replace("\u00ad", "").split())


def _unspaced(character: str) -> bool:
    """Whether a character is of a script written without spaces (Han, kana, Thai and its neighbours)."""
    return bool(character) and ("\u2e80" <= character <= "\u9fff" or "\uf900" <= character <= "\ufaff"
                                or "\u0e00" <= character <= "\u0eff" or "\u1000" <= character <= "\u109f"
                                or "\u1780" <= character <= "\u17ff" or "\uff00" <= character <= "\uffef")


# --- the document --------------------------------------------------------------------------------


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


def _article(pages: list[list[_Line]], geometry: list[tuple[float, float]], outline: list[_Entry],
             info: dict, name: str) -> Article:
    _furniture(pages, geometry)
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
    blocks: list[_Block] = []
    for lines, (_, height) in zip(pages, geometry):
        page_blocks = _paragraphs([_tables(column) for column in _reading_order(lines)])
        _mark_footnotes(page_blocks, body, height)
        blocks.extend(page_blocks)
    # The document's words, but for those at a line's ends (the halves of hyphenated words).
    vocabulary = Counter(word.text.lower().strip(".,;:!?()[]\"'") for lines in pages for line in lines
                         for word in line.words[1:-1])
    # A paragraph that runs on into the next column or page is one paragraph (footnotes between).
    merged: list[_Block] = []
    last: _Block | None = None
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
            block.said = _join(block.lines, vocabulary)
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


def _byline(blocks: list[_Block], title: str) -> str | None:
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


def _heading_like(block: _Block, body: float) -> bool:
    text = " ".join(line.text for line in block.lines)
    return (len(block.lines) <= 3 and len(text.split()) <= 20
            and (block.lines[0].height >= 1.12 * body or all(line.bold for line in block.lines))
            and text[-1:] not in ",;")


def _is_formula(block: _Block) -> bool:
    """A displayed formula: mostly symbols and math type, few words."""
    text = block.said
    if _CAPTION.match(text):
        return False
    if re.fullmatch(r"\(\s*[\dA-Z]+(\.\d+)*[a-z]?\s*\)", text):
        return True  # an equation's number
    tokens = text.split()
    words = [t for t in tokens if re.fullmatch(r"[^\W\d_]{3,}[.,;:]?", t)]
    symbols = sum(1 for ch in text if ch in _MATH or "\u0370" <= ch <= "\u03ff" or "\u2200" <= ch <= "\u22ff")
    mathy = sum(1 for line in block.lines if line.mathy)
    return bool(tokens) and (mathy >= 0.5 * len(block.lines) or symbols >= 3) and len(words) < 0.4 * len(tokens)


def _mark_footnotes(blocks: list[_Block], body: float, height: float) -> None:
    """The small type at the foot of a column, below the text: footnotes (captions excepted)."""
    by_column: list[list[_Block]] = [[]]
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


def _headings_from_outline(blocks: list[_Block], outline: list[_Entry]) -> None:
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
            blocks.insert(at, _Block([], kind="heading", level=levels.index(entry.level) + 1, said=entry.title,
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


def _headings_from_type(blocks: list[_Block], body: float) -> None:
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


def _title(info: dict, blocks: list[_Block], body: float, height: float) -> str:
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


def _date(info: dict, blocks: list[_Block]) -> str | None:
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


def _assemble(blocks: list[_Block], title: str, info: dict, name: str) -> Article:
    title_key = _key(title)
    author_key = _key(_author(info) or "") or None
    headings = [block.level for block in blocks if block.kind == "heading"]
    top = chapter_level(headings)
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

            if not seen_heading and headings and block.page == 0:
                continue  # names and addresses set out in a grid
            rows = block.lines[0].rows or []
            paragraphs.extend(read_table([(n == 0, row) for n, row in enumerate(rows)]))
            continue
        text = block.said
        if not text or not any(ch.isalnum() for ch in text):
            continue
        if not seen_heading and headings and block.page == 0 and not _prose(block):
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


def _prose(block: _Block) -> bool:
    """Whether a block reads as prose: enough words, on lines that are not a list of names."""
    words = block.said.split()
    per_line = len(words) / max(1, len(block.lines))
    return len(words) >= 12 and per_line >= 5 and block.said[-1:] in ".!?:\u3002\"\u201d)"
