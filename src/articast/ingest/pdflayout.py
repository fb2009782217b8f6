"""A PDF page's layout, from PDFium's characters to paragraphs in reading order (see ingest.pdf).

1. characters become line pieces, read in the direction most of the page's text runs (a large gap
   splits a line: columns, table cells, line numbers); raised note marks are dropped, ligatures
   spelled out, a letter-spaced word closed up;
2. what repeats at the top or foot of the pages (running heads, page numbers) and numbered margins
   are left out;
3. the columns of each page are found from the gaps no line crosses, and read left to right within
   each band between lines that span them; small tables are found as rows of short cells;
4. lines become paragraphs (gaps, indents, type), words hyphenated at line ends are joined.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass

_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
              "\ufb06": "st", "\ua733": "aa", "\u0132": "IJ", "\u0133": "ij"}
_HYPHENS = "-\u00ad\u2010\u2011"
_MARKS = set("0123456789*\u2020\u2021\u00a7\u00b6\u2217\u22c6,\u2032abcdefghij")
"""What a raised note mark is made of (digits, stars, daggers; a, b, c for affiliations)."""
MATH = set("=+\u2212\u00b1\u00d7\u00f7\u2211\u220f\u222b\u221a\u221e\u2264\u2265\u2260\u2248\u2202\u2207\u2208"
            "\u2209\u2282\u2283\u2286\u2287\u222a\u2229\u2200\u2203\u2192\u21d2\u21d4\u27e8\u27e9\u2016^_|")
_BOLD = ("bold", "black", "heavy", "cmbx", "cmb10", "semibold", "demi", "-bd", ",bd", "-sb", "medi")
"""Parts of a bold font's name (a font's weight is read too, but TeX's fonts give it wrongly)."""
_MONOSPACED = ("mono", "courier", "cmtt", "typewriter", "consola", "menlo", "inconsolata", "sourcecodepro",
               "lettergothic", "lucidaconsole", "firacode", "txtt", "beramono", "zi4")


@dataclass
class Word:
    text: str
    x0: float
    x1: float


@dataclass
class Line:
    """A piece of a printed line: words on one baseline with no wide gap between them."""

    words: list[Word]
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
class Block:
    """A paragraph, heading, footnote, formula, code sample or table of one page, in reading order."""

    lines: list[Line]
    kind: str = "text"
    """text, heading, title, footnote, formula, code or table"""
    level: int = 0
    """A heading's depth, from 1."""
    said: str = ""
    """Its text as one line, hyphenated words joined."""
    ends_column: bool = False
    """Whether it is the last block of its column (a paragraph may go on in the next)."""
    page: int = 0


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


def page_lines(page, number: int) -> tuple[list[Line], int]:
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


def _lines_from(glyphs: list, number: int) -> list[Line]:
    """Glyphs (text, x0, x1, top, bottom, (bold, mathy), hyphen), with None for a space, into line pieces."""
    lines: list[Line] = []
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


def _line(glyphs: list, number: int) -> Line | None:
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
    words: list[Word] = []
    chars: list[str] = []
    start = end = 0.0
    previous = None
    for g in kept + [None]:
        gap_break = g is not None and previous is not None and g[1] - previous[2] > 0.22 * body
        if (g is None or gap_break) and chars:
            words.append(Word("".join(chars), start, end))
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
    mathy = sum(1 for g in real if g[5][1] or g[0] in MATH) >= 0.3 * len(real)
    hyphen = bool(real and real[-1][6])
    code = sum(1 for g in real if g[5][2]) >= 0.8 * len(real)
    top = statistics.median(g[3] for g in full)  # the usual glyph's box: a tall symbol does not widen the line
    bottom = statistics.median(g[4] for g in full)
    weight = sorted(g[5][3] for g in full)[len(full) // 2]
    return Line(words, top, bottom, body, bold, mathy, number, hyphen=hyphen, code=code, weight=weight)


def _closed_up(words: list[Word]) -> list[Word]:
    """Letter-spaced text ("T H E  E N D") with its letters joined into the words they spell."""
    singles = sum(1 for word in words if len(word.text) == 1 and word.text.isalpha())
    if len(words) < 4 or singles < 0.7 * len(words):
        return words
    gaps = [b.x0 - a.x1 for a, b in zip(words, words[1:])]
    if not gaps:
        return words
    usual = statistics.median(gaps)
    joined = [Word(words[0].text, words[0].x0, words[0].x1)]
    for gap, word in zip(gaps, words[1:]):
        if gap <= usual * 1.6:
            joined[-1] = Word(joined[-1].text + word.text, joined[-1].x0, word.x1)
        else:
            joined.append(Word(word.text, word.x0, word.x1))
    return joined


# --- what repeats on every page ----------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"[\W_]*(\w{1,8}\.?\s+)?(\d{1,4}|[ivxlcdm]{1,7})(\s*(\w{1,3}|/)\s*\d{1,4})?[\W_]*",
                          re.IGNORECASE)


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def drop_furniture(pages: list[list[Line]], geometry: list[tuple[float, float]]) -> None:
    """Leave out running heads and feet, page numbers and numbered margins, in place."""
    edges: list[list[Line]] = []
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


def _numbered_margin(lines: list[Line]) -> None:
    """Line numbers in a margin: five or more numbers standing alone or starting a line, lined up."""
    numbers = [line for line in lines if re.fullmatch(r"\d{1,5}", line.words[0].text)]
    if len(numbers) < 5:
        return
    for edge in ("x1", "x0"):
        groups: dict[int, list[Line]] = {}
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


def with_tables(lines: list[Line]) -> list[Line]:
    """The page's lines with each run of three or more rows of short cells made one table line."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda line: (line.top, line.x0)):
        if rows and abs(rows[-1][0].top - line.top) < 0.4 * line.height:
            rows[-1].append(line)
        else:
            rows.append([line])
    out: list[Line] = []
    run: list[list[Line]] = []

    def cells_short(row: list[Line]) -> bool:
        return len(row) >= 2 and all(len(cell.words) <= 4 for cell in row) and not any(c.mathy for c in row)

    def flush() -> None:
        if len(run) >= 3 and sum(len(row) >= 3 for row in run) + len(run) >= 4:
            cells = [line for row in run for line in row]
            table = Line([Word("", min(c.x0 for c in cells), 0.0), Word("", 0.0, max(c.x1 for c in cells))],
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


def _aligned(above: list[Line], row: list[Line]) -> bool:
    """Whether two rows are rows of one table: close, with at least two cells starting or ending together."""
    if row[0].top - above[0].bottom > 2.5 * row[0].height:
        return False
    together = 0
    for cell in row:
        if any(abs(cell.x0 - other.x0) < 4 or abs(cell.x1 - other.x1) < 4
               or abs((cell.x0 + cell.x1) - (other.x0 + other.x1)) < 8 for other in above):
            together += 1
    return together >= 2


def reading_order(lines: list[Line]) -> list[list[Line]]:
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
    slabs: list[list[Line]] = [[]]
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
    columns: list[list[Line]] = []
    for slab, gutters in zip(slabs, found):
        columns.extend(_columns(slab, gutters))
    return columns


def _by_rows(lines: list[Line]) -> list[Line]:
    """Lines top to bottom, those on one row (their tops within a third of a line) left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda line: line.top):
        if rows and line.top - rows[-1][0].top < 0.35 * max(line.height, rows[-1][0].height):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda line: line.x0)]


def _gutters(lines: list[Line]) -> list[tuple[float, float]]:
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


def _columns(lines: list[Line], gutters: list[tuple[float, float]]) -> list[list[Line]]:
    ordered = _by_rows(lines)
    if not gutters:
        return [ordered]
    columns: list[list[Line]] = []
    band: dict[int, list[Line]] = {}

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


def paragraphs_of(columns: list[list[Line]]) -> list[Block]:
    """The page's columns as blocks of lines: a new block at a gap, an indent, a change of type, or
    after a short line that ends a sentence."""
    blocks: list[Block] = []
    for column in columns:
        left = min(line.x0 for line in column)
        right = max(line.x1 for line in column)
        block: list[Line] = []
        for line in column:
            if line.rows is not None:
                if block:
                    blocks.append(Block(block, page=block[0].page))
                blocks.append(Block([line], kind="table", page=line.page))
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
                    blocks.append(Block(block, page=block[0].page))
                    block = []
            block.append(line)
        if block:
            blocks.append(Block(block, page=block[0].page, ends_column=True))
        elif blocks:
            blocks[-1].ends_column = True
    return blocks


def join_lines(lines: list[Line], vocabulary: Counter) -> str:
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
