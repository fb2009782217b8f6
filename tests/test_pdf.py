"""PDFs laid out inside the tests with ReportLab (tests/pdfbuild.py) as journals set them, and read
with the real command: `articast script --json` against the text that was put in."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from . import pdfbuild
from .feedserver import FeedServer

ARTICAST = [sys.executable, "-m", "articast"]


def script_of(source: str) -> dict:
    result = subprocess.run([*ARTICAST, "script", source, "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def heard(script: dict) -> list[tuple[str, str]]:
    """Each chapter's title and everything said in it, as one text."""
    return [(chapter["title"], " ".join(segment["text"] for segment in chapter["segments"]))
            for chapter in script["chapters"]]


def assert_read_in_order(script: dict) -> None:
    chapters, never = pdfbuild.spoken()
    got = heard(script)
    assert [title for title, _ in got] == [title for title, _ in chapters] + ["References"]
    for (_, sentences), (_, said) in zip(chapters, got):
        position = 0
        for sentence in sentences:
            found = said.find(sentence, position)
            assert found >= 0, f"not read in order: {sentence!r} in {said!r}"
            position = found + len(sentence)
    everything = json.dumps(script, ensure_ascii=False)
    for words in never:
        assert words not in everything
    assert not re.search(r"\b\w+- \w", everything), "a word hyphenated at a line end was not joined"
    assert "\ufb01" not in everything and "field notes" in everything  # the ligature spelled out
    assert "The footnotes are not read." in everything
    assert heard(script)[-1][1].endswith("References The list of references is not read.")  # and no entry
    assert "A formula is skipped here." in everything
    assert "Church: Nests, 14; Loggers, 9." in everything  # the table read as the web reader reads one


@pytest.mark.parametrize("columns", [2, 3])
def test_a_paper_in_columns_is_read_in_order_without_its_running_head_numbers_notes_or_references(tmp_path,
                                                                                                 columns):
    path = pdfbuild.paper(tmp_path / f"swifts-{columns}.pdf", columns=columns)
    script = script_of(str(path))
    assert (script["title"], script["author"]) == (pdfbuild.TITLE, pdfbuild.AUTHOR)
    assert_read_in_order(script)


def test_a_paper_without_outline_or_information_takes_headings_from_type_and_title_and_author_from_page_1(tmp_path):
    path = pdfbuild.paper(tmp_path / "untitled.pdf", outline=False, information=False)
    script = script_of(str(path))
    assert (script["title"], script["author"]) == (pdfbuild.TITLE, pdfbuild.AUTHOR)  # from its first page
    assert_read_in_order(script)
    with_outline = script_of(str(pdfbuild.paper(tmp_path / "outlined.pdf")))
    assert heard(with_outline) == heard(script)


def test_a_pdf_served_over_http_and_in_a_followed_folder_is_read(tmp_path):
    path = pdfbuild.paper(tmp_path / "swifts.pdf")
    server = FeedServer().start()
    try:
        server.routes["/paper"] = ("application/pdf", path.read_bytes())
        served = script_of(f"{server.url}/paper")
    finally:
        server.stop()
    assert heard(served) == heard(script_of(str(path)))
    from articast.follow.sources import list_folder

    assert [item.link for item in list_folder(tmp_path).items] == [str(path.resolve())]


def scanned(path):
    """A page that is only a picture of text, as a scanner makes it."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = Image.new("L", (600, 300), 255)
    ImageDraw.Draw(picture).text((20, 20), "Where Swifts Sleep. Swifts spend their lives in the air.", fill=0)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(picture), 50, 400, width=500, height=250)
    c.showPage()
    c.save()
    return path


def test_a_scanned_pdf_is_refused_in_one_line_that_suggests_ocr(tmp_path):
    path = scanned(tmp_path / "scan.pdf")
    result = subprocess.run([*ARTICAST, "script", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {path}: has no text to read, only images of pages (a scan?); give it a text layer first with "
        "OCR, for example `ocrmypdf --language eng scan.pdf text.pdf`, and read that")


def test_a_damaged_or_locked_pdf_is_one_line(tmp_path):
    good = pdfbuild.paper(tmp_path / "swifts.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(good[: len(good) // 3])
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    locked = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(locked), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "Nothing to see without the password.")
    c.save()
    for path, said in ((locked, "is protected by a password; save it without one and give that"),
                       (cut, None)):
        result = subprocess.run([*ARTICAST, "script", str(path)], capture_output=True, text=True, timeout=60)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and "Traceback" not in result.stderr
        if said:
            assert lines[0] == f"error: {path}: {said}"


def test_a_german_paper_says_what_it_leaves_out_in_german(tmp_path):
    path = pdfbuild.paper(tmp_path / "mauersegler.pdf", items=pdfbuild.GERMAN, title="Wo Mauersegler schlafen")
    script = script_of(str(path))
    assert script["language"].startswith("de")
    got = heard(script)
    assert [title for title, _ in got] == ["1 Einleitung", "2 Ergebnisse", "Literatur"]
    assert "kreisten die ganze Nacht tief über den Seen im Landesinneren." in got[1][1]
    assert "Die Fußnoten werden nicht vorgelesen." in got[0][1] + got[1][1]
    assert got[2][1].endswith("Das Literaturverzeichnis wird nicht vorgelesen.")
    everything = json.dumps(script, ensure_ascii=False)
    assert "Methuen" not in everything and "vor dem Krieg" not in everything and "not read" not in everything


def test_pages_turned_each_way_are_read_as_shown_and_a_stamp_down_the_margin_is_not(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    path = tmp_path / "turned.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    said = []
    for quarter in range(4):
        c.saveState()
        c.translate(width / 2, height / 2)
        c.rotate(quarter * 90)  # landscape pages stored turned, as slides and wide tables are
        c.setFont("Helvetica", 14)
        for row in range(3):
            sentence = f"Page {quarter + 1} has its line number {row + 1} here, read in order."
            c.drawString(-220, 120 - 22 * row, sentence)
            said.append(sentence)
        c.restoreState()
        if quarter == 0:
            c.saveState()
            c.translate(30, 200)
            c.rotate(90)
            c.setFont("Helvetica", 9)
            c.drawString(0, 0, "arXiv:2612.00001v1 [cs.CL] 7 Dec 2026")
            c.restoreState()
        c.showPage()
    c.save()
    script = script_of(str(path))
    text = " ".join(segment["text"] for chapter in script["chapters"] for segment in chapter["segments"])
    assert text.endswith(" ".join(said)) and "arXiv" not in text


def test_without_a_date_in_its_information_a_pdf_is_dated_by_its_first_page(tmp_path):
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setFont("Helvetica", 11)
    c.drawString(72, 700, "Berlin, 3. März 2021")
    c.drawString(72, 680, "Die Mauersegler fliegen hoch über der Stadt und schlafen im Flug.")
    c.save()
    # The information's dates renamed in place (the file's offsets stay right): a PDF that gives none.
    data = out.getvalue().replace(b"/CreationDate", b"/XreationDate").replace(b"/ModDate", b"/XodDate")
    path = tmp_path / "undated.pdf"
    path.write_bytes(data)
    assert script_of(str(path))["date"] == "2021-03-03"


def test_a_one_page_note_under_its_title_keeps_every_line(tmp_path):
    """Page 1's lines before the first heading are names and addresses only when a heading follows;
    a short note whose only heading is its title was once refused as having no words."""
    from reportlab.pdfgen import canvas

    pdfbuild.fonts()
    path = tmp_path / "note.pdf"
    c = canvas.Canvas(str(path))
    c.setTitle("Le gel et le soleil")
    c.setFont("Vera-Bold", 18)
    c.drawString(72, 760, "Le gel et le soleil")
    c.setFont("Vera", 11)
    lines = ["Le gel et le soleil, quelle journée merveilleuse !", "Tu sommeilles encore, mon amie charmante.",
             "Il est temps, ma belle, réveille-toi."]
    for row, line in enumerate(lines):
        c.drawString(72, 720 - 16 * row, line)
    c.save()
    script = script_of(str(path))
    assert script["title"] == "Le gel et le soleil" and script["language"].startswith("fr")
    said = " ".join(segment["text"] for chapter in script["chapters"] for segment in chapter["segments"])
    assert said == "Le gel et le soleil " + " ".join(lines)
