"""Papers laid out with ReportLab's canvas, as a journal sets them: columns, a running head, page
numbers, numbered margins, words hyphenated at line ends, a footnote, a table, a formula and an
outline. Each builder returns what a listener should hear, to check the reading against."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

BODY, HEADING = 10.0, 13.0
LEADING = 12.5

PAPER = [
    ("heading", "1 Introduction"),
    ("text", "Swifts spend almost their whole lives in the air, and for a long time nobody could say where they "
             "slept. Farmers on the coast reported flocks climbing at dusk until they vanished from sight. "
             "Naturalists argued about these observations for more than a century without settling anything."),
    ("text", "Our study followed three colonies through two breeding seasons with small data loggers. Each "
             "logger weighed less than a gram and recorded light, pressure and acceleration every few seconds.*"),
    ("footnote", "* The loggers were fitted under licence and removed at the end of each season."),
    ("heading", "2 Methods"),
    ("text", "Birds were caught at their nests in the early morning, when disturbance was least likely to make "
             "them abandon their eggs. Handling took less than ten minutes for every bird. Altogether the "
             "loggers recorded eleven thousand hours of flight across both seasons."),
    ("heading", "2.1 Sites"),
    ("text", "The colonies nested under the roofs of a church, a barn and a lighthouse keeper's cottage. They "
             "were between four and nineteen kilometres apart."),
    ("caption", "Table 1: Nests and loggers at each site."),
    ("table", [["Site", "Nests", "Loggers"], ["Church", "14", "9"], ["Barn", "11", "7"], ["Cottage", "8", "5"]]),
    ("formula", "h = p \u00d7 k \u2264 3000 (1)"),
    ("text", "Height was worked out from the pressure with the usual barometric formula, corrected for the "
             "weather recorded at the nearest station."),
    ("heading", "3 Results"),
    ("text", "Every swift climbed at dusk, and most kept climbing until they reached about two thousand metres. "
             "There they flew slowly into the wind, with short glides between wingbeats. The figure for a "
             "single night could exceed three hundred kilometres of flight."),
    ("text", "On clear nights the birds stayed high until dawn. When rain came they came down, and several "
             "spent the night circling low over the lakes inland. The field notes from the lighthouse describe "
             "the same behaviour in an entirely different setting."),
    ("text", "Young birds behaved differently from adults in their first autumn. They climbed later and less "
             "steadily, and their nights were broken by long descents that the adults never made. We think "
             "they were still learning how to hold their place in the wind."),
    ("heading", "4 Discussion"),
    ("text", "The old farmers were right about the climbing flocks. Sleep in the air seems to depend on a "
             "steady wind at height, which the birds find by climbing until the turbulence dies away. "
             "Understanding this behaviour could change how the colonies are protected in future."),
    ("text", "Protecting the roofs where swifts nest is only half the task. The open air above the colonies "
             "matters just as much, and it is changing quickly as new turbines and masts go up."),
    ("heading", "References"),
    ("reference", "[1] Lack, D. Swifts in a Tower. Methuen, London, 1956."),
    ("reference", "[2] Hedenstrom, A. and others. Annual flight of the common swift. Current Biology 26, 2016."),
    ("reference", "[3] Weimerskirch, H. Sleeping on the wing in frigatebirds. Nature Communications 7, 2016."),
]

RUNNING_HEAD = "Journal of Quiet Studies \u00b7 Volume 3"
TITLE = "Where Swifts Sleep"
AUTHOR = "Maren Holt"


@dataclass
class Layout:
    """Where the next line goes: the page's columns, filled top to bottom, left to right."""

    canvas: object
    columns: int
    width: float
    height: float
    margin: float = 56.0
    gutter: float = 20.0
    top: float = 0.0
    column: int = 0
    y: float = 0.0
    page: int = 1
    line_numbers: bool = True
    numbered: int = 0
    footnotes: list[str] = field(default_factory=list)

    @property
    def column_width(self) -> float:
        return (self.width - 2 * self.margin - (self.columns - 1) * self.gutter) / self.columns

    @property
    def x(self) -> float:
        return self.margin + self.column * (self.column_width + self.gutter)

    def start_page(self, top: float | None = None) -> None:
        c = self.canvas
        c.setFont("Vera", 8)
        c.drawCentredString(self.width / 2, self.height - 32, RUNNING_HEAD)
        c.drawCentredString(self.width / 2, 28, str(self.page))
        self.top = top if top is not None else self.height - 64
        self.column, self.y = 0, self.top

    def next_column(self) -> None:
        self.column += 1
        if self.column == self.columns:
            self._finish_page()
            self.canvas.showPage()
            self.page += 1
            self.start_page()
        else:
            self.y = self.top

    def _finish_page(self) -> None:
        c = self.canvas
        y = 72.0
        for note in self.footnotes:
            c.setFont("Vera", 7)
            for line in _wrap(note, "Vera", 7, self.column_width)[::-1]:
                c.drawString(self.margin, y, line)
                y += 8.5
        self.footnotes = []

    def room(self, lines: int, leading: float = LEADING) -> None:
        bottom = 72.0 + 9.0 * (4 if self.footnotes else 0)
        if self.y - lines * leading < bottom:
            self.next_column()

    def line(self, text: str, font: str = "Vera", size: float = BODY, leading: float = LEADING,
             char_space: float = 0.0, x: float | None = None) -> None:
        self.room(1, leading)
        self.y -= leading
        if self.line_numbers and self.column == 0:
            self.numbered += 1
            self.canvas.setFont("Vera", 6)
            self.canvas.drawRightString(self.margin - 18, self.y, str(self.numbered))
        text_object = self.canvas.beginText(x if x is not None else self.x, self.y)
        text_object.setFont(font, size)
        text_object.setCharSpace(char_space)
        text_object.textLine(text)
        self.canvas.drawText(text_object)


def _wrap(text: str, font: str, size: float, width: float, hyphenate: bool = False) -> list[str]:
    """Lines of ``text`` no wider than ``width``; a long word that does not fit is hyphenated."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if stringWidth(trial, font, size) <= width:
            line = trial
            continue
        if hyphenate and len(word) >= 8 and word.isalpha():
            for cut in range(len(word) - 3, 2, -1):
                head = f"{line} {word[:cut]}-".strip()
                if stringWidth(head, font, size) <= width:
                    lines.append(head)
                    line = word[cut:]
                    break
            else:
                lines.append(line)
                line = word
            continue
        lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


def fonts() -> None:
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    pdfmetrics.registerFont(TTFont("Vera", os.path.join(folder, "Vera.ttf")))
    pdfmetrics.registerFont(TTFont("Vera-Bold", os.path.join(folder, "VeraBd.ttf")))


GERMAN = [
    ("heading", "1 Einleitung"),
    ("text", "Mauersegler verbringen fast ihr ganzes Leben in der Luft. Lange wusste niemand, wo sie schlafen. "
             "Bauern an der Küste berichteten von Schwärmen, die in der Dämmerung immer höher stiegen.*"),
    ("footnote", "* Die Beobachtungen wurden in den Jahren vor dem Krieg gesammelt."),
    ("heading", "2 Ergebnisse"),
    ("text", "Jeder Vogel stieg in der Dämmerung auf etwa zweitausend Meter. Dort flogen die Vögel langsam "
             "gegen den Wind und glitten zwischen den Flügelschlägen. Bei Regen kamen sie herunter und "
             "kreisten die ganze Nacht tief über den Seen im Landesinneren."),
    ("text", "Junge Vögel verhielten sich in ihrem ersten Herbst anders als die alten. Sie stiegen später auf "
             "und unterbrachen ihre Nächte mit langen Abstiegen, die die alten Vögel nie machten."),
    ("heading", "Literatur"),
    ("reference", "[1] Lack, D. Swifts in a Tower. Methuen, London, 1956."),
    ("reference", "[2] Hedenström, A. und andere. Der Jahresflug des Mauerseglers. Current Biology 26, 2016."),
]


def paper(path: Path, *, columns: int = 2, outline: bool = True, information: bool = True,
          line_numbers: bool = True, items: list | None = None, title: str = TITLE) -> Path:
    """The swift paper set in ``columns`` columns, its title across the top of the first page
    (``items``: another paper's, as PAPER gives them)."""
    from reportlab.lib.pagesizes import A4, A5
    from reportlab.pdfgen import canvas

    fonts()
    size = A5 if columns == 2 else (A4[0], A4[1] * 0.6)  # the paper runs over several pages either way
    c = canvas.Canvas(str(path), pagesize=size)
    if information:
        c.setTitle(title)
        c.setAuthor(AUTHOR)
    else:
        c.setTitle("")
    width, height = size
    layout = Layout(c, columns, width, height, line_numbers=line_numbers, margin=56.0 if columns == 3 else 40.0)
    c.setFont("Vera-Bold", 20)
    c.drawCentredString(width / 2, height - 80, title)
    c.setFont("Vera", 11)
    c.drawCentredString(width / 2, height - 100, AUTHOR)
    c.drawCentredString(width / 2, height - 114, "Institute of Small Birds, Gdansk")
    layout.start_page(top=height - 150)
    # A letter-spaced word in the gap under the title, the way some journals set their section names.
    label = c.beginText(layout.margin, height - 144)
    label.setFont("Vera", 8)
    label.setCharSpace(3)
    label.textLine("RESEARCH ARTICLE")
    c.drawText(label)
    items = items or PAPER
    for kind, content in items:
        if kind == "heading":
            layout.room(3)
            layout.y -= 6
            layout.line(str(content), font="Vera-Bold", size=HEADING, leading=16)
            if outline:
                key = f"heading-{items.index((kind, content))}"
                c.bookmarkHorizontal(key, 0, layout.y + 16)
                level = 1 if "." in str(content).split()[0] else 0
                c.addOutlineEntry(str(content), key, level=level)
        elif kind == "footnote":
            layout.footnotes.append(str(content))
        elif kind == "table":
            rows = content
            layout.room(len(rows) + 1)
            cell = layout.column_width / 3
            for row in rows:
                layout.y -= LEADING
                c.setFont("Vera-Bold" if row is rows[0] else "Vera", 9)
                for n, value in enumerate(row):
                    c.drawString(layout.x + n * cell, layout.y, value)
            layout.y -= 4
        elif kind == "formula":
            layout.y -= 4
            layout.line(str(content).replace(" (1)", ""), x=layout.x + 30)
            c.setFont("Vera", BODY)
            c.drawRightString(layout.x + layout.column_width, layout.y, "(1)")
            layout.y -= 4
        else:
            font, size = ("Vera", 9.0) if kind == "caption" else ("Vera", BODY)
            shown = str(content).replace("fi", "\ufb01").replace("*", "")
            lines = _wrap(shown, font, size, layout.column_width, hyphenate=kind == "text")
            for line in lines:
                layout.line(line, font=font, size=size)
            if str(content).endswith("*"):
                c.setFont("Vera", 6)  # the footnote's mark, raised after the paragraph's last word
                from reportlab.pdfbase.pdfmetrics import stringWidth

                c.drawString(layout.x + stringWidth(lines[-1], font, size) + 0.5, layout.y + 4, "*")
            layout.y -= 5
    layout._finish_page()
    c.save()
    return path


def spoken() -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The chapters a listener should hear (heading, sentences) and what must never be heard."""
    import re

    chapters: list[tuple[str, list[str]]] = []
    for kind, content in PAPER:
        if kind == "heading" and "." not in str(content).split()[0] and content != "References":
            chapters.append((str(content), []))
        elif kind in ("text", "caption"):
            chapters[-1][1].extend(re.split(r"(?<=[.])\s+", str(content).rstrip("*")))
    never = [RUNNING_HEAD, "Volume 3", "loggers were fitted under licence", "Methuen", "Current Biology",
             "frigatebirds", "3000", "Institute of Small Birds"]
    return chapters, never
